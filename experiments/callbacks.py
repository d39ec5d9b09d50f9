"""The sweep callback: progress while a sweep runs, the tidy table when it ends.

Configured in ``configs/config.yaml`` (``hydra.callbacks.sweep``), so every
``slsim -m`` sweep, with any launcher or sweeper, gets:

* **progress** on the terminal (stderr): runs done of the total, elapsed
  time and an estimate of the time left. A thread in the main process counts
  complete and failed run folders in the sweep folder once a second, so it
  works whatever runs the jobs (joblib workers, Ray, SLURM on shared storage).
  Runs already complete when a sweep is re-run are counted as done before.
  The estimate is the runs left at the rate runs have finished in this sweep
  since its first run finished (so the start-up before it, checking every
  job and starting the workers, tens of seconds on a busy machine, does not
  count as run time), and is shown only once a few runs have finished in
  this sweep (:data:`ETA_AFTER_RUNS`, or a tenth of the runs it has to make if
  that is fewer).
* **sweep.parquet** (and ``weekly.parquet`` with ``experiment.per_week=true``,
  ``sensitivity.parquet`` for sensitivity sweeps) when the sweep ends, from
  :func:`slsim.experiments.collect.collect`.

and every command (a single run too) tells :mod:`slsim.experiments.interrupts` where
its runs go, for the one line printed if it is stopped; every job, in the
process that runs it, calls :func:`slsim.experiments.interrupts.stop_with_parent`
(a joblib worker then ends with the main process).
"""

import math
import sys
import threading
import time
from pathlib import Path

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from slsim.experiments import interrupts

POLL_SECONDS = 1.0
ETA_AFTER_RUNS = 5  # runs finished in this sweep before an estimate of the time left (or 10% of its runs)
QUIET_LOG_SECONDS = 10.0  # when stderr is not a terminal: a line at most this often


def count_runs(sweep_dir: Path) -> tuple:
    """(complete, failed) run folders under ``sweep_dir``."""
    from slsim.experiments.collect import iter_runs

    done = failed = 0
    for _, complete in iter_runs(sweep_dir):
        done += complete
        failed += not complete
    return done, failed


def expected_runs(config: DictConfig) -> int | None:
    """Runs the sweep will make, if it can be known up front (basic and Optuna sweepers)."""
    from slsim.experiments.sweeps import sweep_overrides

    exp = config.experiment
    per_job = int(exp.replicates)
    if OmegaConf.select(config, "calibration.method", default="none") == "posterior":  # draws x seeds a job
        per_job = int(config.calibration.draws) * int(config.calibration.seeds_per_draw)
    sweeper = config.hydra.sweeper
    target = str(sweeper.get("_target_", ""))
    sample_rows = None
    if str(exp.sample.method) != "none":
        from slsim.experiments.settings import sample_rows_of

        sample_rows = sample_rows_of(exp.sample)
    if target.endswith("OptunaSweeper"):
        trials = int(sweeper.n_trials)
        return trials * per_job * min(int(exp.sample.rows_per_job), sample_rows or 1)
    if not target.endswith("BasicSweeper"):
        return None
    axes = {}
    for ov in sweep_overrides(sweeper.get("params"), list(config.hydra.overrides.task)):
        if ov.is_sweep_override():
            if not ov.is_discrete_sweep():
                return None
            axes[ov.get_key_element()] = len(list(ov.sweep_string_iterator()))
    n = 1
    for key, size in axes.items():
        if key == "experiment.sample.index" and sample_rows is not None:
            continue
        n *= size
    if sample_rows is not None:
        return n * sample_rows * per_job
    return n * per_job


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    """Counts finished runs in a sweep folder and reports them on stderr."""

    def __init__(self, sweep_dir: Path, total: int | None, stream=None, clock=time.monotonic):
        self.sweep_dir = Path(sweep_dir)
        self.total = total
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.clock = clock
        self.before = sum(count_runs(self.sweep_dir)) if self.sweep_dir.exists() else 0
        self.start = clock()
        self._first = None  # (time, runs finished in this sweep) when its first run was seen finished
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="slsim-progress", daemon=True)
        self._last_finished = None  # runs finished at the last line printed
        self._last_print = 0.0

    def line(self) -> str:
        return self._status()[1]

    def _status(self) -> tuple:
        """(runs finished, the progress line)."""
        done, failed = count_runs(self.sweep_dir)
        finished = done + failed
        now = self.clock()
        elapsed = now - self.start
        new = finished - self.before
        parts = [f"slsim: sweep {finished}" + (f"/{self.total}" if self.total else "") + " runs"]
        details = []
        if failed:
            details.append(f"{failed} failed")
        if self.before:
            details.append(f"{self.before} done before")
        if details:
            parts[0] += f" ({', '.join(details)})"
        parts.append(f"{_clock(elapsed)} elapsed")
        left = self.time_left(now, new, finished)
        if left is not None:
            parts.append(f"~{_clock(left)} left")
        return finished, ", ".join(parts)

    def time_left(self, now: float, new: int, finished: int) -> float | None:
        """Seconds left at the rate of this sweep's runs since its first finished (see module doc), or
        None: no total, nothing left, too few runs finished in this sweep to tell."""
        if new > 0 and self._first is None:
            self._first = (now, new)
        if not self.total or finished >= self.total or self._first is None:
            return None
        since, at_first = self._first
        enough = min(ETA_AFTER_RUNS, max(1, math.ceil(0.1 * (self.total - self.before))))
        if new < enough or new <= at_first or now <= since:
            return None
        return (self.total - finished) * (now - since) / (new - at_first)

    def report(self, force: bool = False) -> None:
        """On a terminal, rewrite the line every poll; in a log, a line when the count has
        changed and QUIET_LOG_SECONDS have passed; always at the end (``force``)."""
        finished, text = self._status()
        now = self.clock()
        quiet = finished == self._last_finished or now - self._last_print < QUIET_LOG_SECONDS
        if not (force or self.tty or not quiet):
            return
        self._last_finished, self._last_print = finished, now
        if self.tty:
            self.stream.write("\r" + text.ljust(78) + ("\n" if force else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def _loop(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            try:
                self.report()
            except OSError:
                pass

    def begin(self) -> None:
        self._thread.start()

    def end(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.report(force=True)

    def halt(self) -> None:
        """Stop without a last report (the sweep was stopped; its line follows)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        if self.tty and self._last_finished is not None:
            self.stream.write("\n")  # end the line that was being rewritten
            self.stream.flush()


def _stop_idle_workers() -> None:
    """Stop joblib's worker processes once the sweep is over (else the exit waits on them).

    loky's public ``get_reusable_executor()`` would start an executor when there is none, so the
    module's ``_executor`` (the one joblib made, if any) is read here, and only here;
    tests/test_interrupts.py::test_loky_keeps_its_executor_where_slsim_reads_it fails if loky moves it."""
    loky = sys.modules.get("joblib.externals.loky.reusable_executor")
    executor = getattr(loky, "_executor", None) if loky else None
    if executor is not None:
        executor.shutdown(wait=True, kill_workers=True)


def _fixed(node: DictConfig) -> bool:
    """Whether ``node.dir`` (Hydra's run or sweep folder) is the same on the next command
    (not made from the time, as Hydra's default ``${now:...}`` folders are)."""
    return "${now:" not in str(OmegaConf.to_container(node, resolve=False).get("dir"))


class SweepCallback(Callback):
    def __init__(self) -> None:
        self.progress = None  # made in the main process only (workers build callbacks too)

    def __getstate__(self):  # launchers pickle Hydra's context, callbacks included: not the thread
        return {**self.__dict__, "progress": None}

    def on_multirun_start(self, config: DictConfig, **kwargs) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        try:
            total = expected_runs(config)
        except Exception:  # progress without a total is still progress
            total = None
        self.progress = Progress(sweep_dir, total)
        self.progress.begin()
        interrupts.watch(sweep_dir, total, sweep=True, fixed=_fixed(config.hydra.sweep), halt=self.progress.halt)

    def on_run_start(self, config: DictConfig, **kwargs) -> None:
        from slsim.experiments.jobs import plan
        from slsim.experiments.config import params_from_cfg

        try:
            total = len(plan(params_from_cfg(config)))
        except Exception:  # the run itself will say what is wrong
            total = None
        interrupts.watch(Path(config.hydra.run.dir), total, sweep=False, fixed=_fixed(config.hydra.run))

    def on_job_start(self, config: DictConfig, **kwargs) -> None:
        interrupts.stop_with_parent()

    def on_multirun_end(self, config: DictConfig, **kwargs) -> None:
        from slsim.experiments.collect import CollectError, collect

        if self.progress is not None:
            self.progress.end()
        _stop_idle_workers()
        try:
            collect(Path(config.hydra.sweep.dir), weekly=bool(config.experiment.per_week))
        except CollectError as exc:
            print(f"slsim: no sweep table: {exc}", file=sys.stderr)
