"""Stopping cleanly (experiments/interrupts.py): Ctrl-C, SIGTERM, a killed main process, a killed worker.

Each test starts the ``slsim`` console script in a session of its own
(``helpers.slsim(..., wait=False)``), signals it once a run is complete, and
checks what a user sees: the exit code, one line on stderr (besides the
progress lines), no traceback, what is on disk, and that no process of the
command is left behind. Processes are found through ``/proc`` (Linux).
"""

import os
import re
import signal
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from helpers import finished_runs, refused, slsim
from slsim.experiments.collect import STAMP_COLUMNS

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; PR_SET_PDEATHSIG is Linux's")

JOBS = 4  # scenarios, a job each
SEEDS = 6  # runs a job: enough that a signal after the first complete run lands mid-sweep
RUNS = JOBS * SEEDS
SWEEP = (
    "-m",
    "levers=none,colocation,extra_workers,all",
    f"experiment.replicates={SEEDS}",
    "run.years=2",
    "run.warmup_weeks=8",
    "hydra/launcher=joblib",
    "hydra.launcher.n_jobs=2",
)
STOPPED = re.compile(rf"slsim: stopped: (\d+) of {RUNS} runs complete; run the same command to resume")
WORKER_DIED = re.compile(
    rf"slsim: error: a worker process died \(signal 9, SIGKILL\); (\d+) of {RUNS} runs complete; "
    "run the same command to resume"
)
TIMEOUT = 300  # seconds for a sweep to start, or to finish
GONE_WITHIN = 30  # seconds for a stopped command's processes to end ("promptly"; it takes ~1 s)


@pytest.fixture(autouse=True)
def _ctrl_c_not_ignored():
    """A child inherits an ignored SIGINT (e.g. pytest run in the background by a script)
    and slsim keeps it ignored; these tests need it delivered."""
    before = signal.getsignal(signal.SIGINT)
    if before is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


def complete_runs(folder: Path) -> list:
    return [str(run.relative_to(folder)) for run in finished_runs(folder)]


def descendants(pid: int) -> dict:
    """{pid: (start time, command line)} of every process under ``pid``, from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        table[int(entry.name)] = (int(fields[1]), int(fields[19]), cmd)  # ppid, starttime
    found, todo = {}, [pid]
    while todo:
        parent = todo.pop()
        for child, (ppid, start, cmd) in table.items():
            if ppid == parent and child not in found:
                found[child] = (start, cmd)
                todo.append(child)
    return found


def alive(procs: dict) -> dict:
    """Those of ``procs`` still running (same pid, same start time, not a zombie)."""
    left = {}
    for pid, (start, cmd) in procs.items():
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[19]) == start and fields[0] != "Z":
            left[pid] = cmd
    return left


def wait_gone(procs: dict, within: float = GONE_WITHIN) -> float:
    """Seconds until every one of ``procs`` has ended; fails after ``within``."""
    start = time.monotonic()
    while alive(procs) and time.monotonic() - start < within:
        time.sleep(0.2)
    left = alive(procs)
    assert not left, f"still running {within} s after the stop: {left}"
    return time.monotonic() - start


def loky_workers(procs: dict) -> dict:
    return {pid: v for pid, v in procs.items() if "popen_loky" in v[1]}


def start_and_wait(args, cwd: Path, folder: Path, workers: bool = False):
    """Start slsim; return (process, its descendants) once a run in ``folder`` is complete
    (and, with ``workers``, both joblib workers are seen)."""
    proc = slsim(*args, cwd=cwd, wait=False)
    deadline = time.monotonic() + TIMEOUT
    while proc.poll() is None and time.monotonic() < deadline:
        if complete_runs(folder) and (not workers or len(loky_workers(descendants(proc.pid))) >= 2):
            break
        time.sleep(0.02)
    assert proc.poll() is None, "slsim ended before it could be stopped:\n" + proc.stderr.read()[-3000:]
    return proc, descendants(proc.pid)


def other_lines(stderr: str) -> list:
    """stderr without the progress lines."""
    return [line for line in stderr.splitlines() if not line.startswith("slsim: sweep ")]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    """The sweep's table, run without interruption (in-process, basic launcher: the same
    runs bit for bit as joblib's, tests/test_experiments.py)."""
    from slsim.experiments.cli import main

    root = tmp_path_factory.mktemp("uninterrupted")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        mp.setattr(sys, "argv", ["slsim"])
        main([a for a in SWEEP if not a.startswith("hydra")] + [f"hydra.sweep.dir={root / 'sweep'}"])
    return pd.read_parquet(root / "sweep" / "sweep.parquet")


def resume_and_compare(args, cwd: Path, sweep: Path, before: list, uninterrupted: pd.DataFrame) -> None:
    """Run the same command again: it completes the sweep, keeps the runs that were
    complete, and ends with the table of an uninterrupted sweep."""
    mtimes = {run: (sweep / run / "summary.json").stat().st_mtime_ns for run in before}
    again = slsim(*args, cwd=cwd, timeout=TIMEOUT)
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"({len(before)} done before)" in again.stderr
    assert len(complete_runs(sweep)) == RUNS
    assert {run: (sweep / run / "summary.json").stat().st_mtime_ns for run in before} == mtimes
    assert not list(sweep.rglob(".partial-*"))
    table = pd.read_parquet(sweep / "sweep.parquet")
    # the slsim stamp says which code made each run: a commit between the two sweeps changes it, not the runs
    pd.testing.assert_frame_equal(
        table.drop(columns=list(STAMP_COLUMNS)), uninterrupted.drop(columns=list(STAMP_COLUMNS))
    )


# ---------------------------------------------------------------------------
# Ctrl-C and SIGTERM
# ---------------------------------------------------------------------------
def test_ctrl_c_stops_a_sweep_in_one_line_and_the_same_command_completes_it(tmp_path, uninterrupted):
    sweep = tmp_path / "sweep"
    args = (*SWEEP, f"hydra.sweep.dir={sweep}")
    proc, procs = start_and_wait(args, tmp_path, sweep, workers=True)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C on a terminal does: the whole group
    _, stderr = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 130, stderr[-3000:]
    assert "Traceback" not in stderr
    lines = other_lines(stderr)
    assert len(lines) == 1 and STOPPED.fullmatch(lines[0]), stderr[-3000:]
    before = complete_runs(sweep)
    assert int(STOPPED.fullmatch(lines[0]).group(1)) == len(before)
    assert 1 <= len(before) < RUNS, "the sweep was not stopped mid-way"
    wait_gone(procs)
    resume_and_compare(args, tmp_path, sweep, before, uninterrupted)


def test_sigterm_to_the_main_process_stops_the_sweep_and_its_workers(tmp_path):
    sweep = tmp_path / "sweep"
    proc, procs = start_and_wait((*SWEEP, f"hydra.sweep.dir={sweep}"), tmp_path, sweep, workers=True)
    assert len(loky_workers(procs)) >= 2
    proc.send_signal(signal.SIGTERM)  # `kill PID`: the main process only
    _, stderr = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 143, stderr[-3000:]
    assert "Traceback" not in stderr
    lines = other_lines(stderr)
    assert len(lines) == 1 and STOPPED.fullmatch(lines[0]), stderr[-3000:]
    assert int(STOPPED.fullmatch(lines[0]).group(1)) == len(complete_runs(sweep)) < RUNS
    wait_gone(procs)  # joblib stopped the workers the signal did not reach


@pytest.mark.parametrize("signum,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_a_stopped_single_run_says_it_wrote_no_results(tmp_path, signum, code):
    run = tmp_path / "run"
    proc = slsim("run.years=20", f"hydra.run.dir={run}", cwd=tmp_path, wait=False)
    deadline = time.monotonic() + TIMEOUT
    while not (run / "slsim.log").exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)  # Hydra has set up the run's folder: the run is starting
    os.killpg(proc.pid, signum)
    stdout, stderr = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == code, stderr[-3000:]
    assert stderr.splitlines() == [f"slsim: stopped: the run did not finish; no results were written ({run})"]
    assert stdout == ""
    assert not (run / "summary.json").exists()
    assert not list(run.glob(".partial-*"))


# ---------------------------------------------------------------------------
# a killed main process, a killed worker
# ---------------------------------------------------------------------------
def test_workers_end_promptly_when_the_main_process_is_killed(tmp_path):
    sweep = tmp_path / "sweep"
    proc, procs = start_and_wait((*SWEEP, f"hydra.sweep.dir={sweep}"), tmp_path, sweep, workers=True)
    workers = loky_workers(procs)
    assert len(workers) >= 2
    proc.kill()  # SIGKILL to the main process only: nothing of it runs any more
    proc.wait()
    took = wait_gone(procs)  # workers and loky's resource trackers (loky alone: 5+ minutes)
    print(f"workers gone {took:.1f} s after the main process was killed")
    proc.communicate(timeout=TIMEOUT)
    assert len(complete_runs(sweep)) < RUNS


def test_a_killed_worker_ends_the_sweep_in_one_line(tmp_path):
    sweep = tmp_path / "sweep"
    proc, procs = start_and_wait((*SWEEP, f"hydra.sweep.dir={sweep}"), tmp_path, sweep, workers=True)
    os.kill(min(loky_workers(procs)), signal.SIGKILL)
    _, stderr = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 1, stderr[-3000:]
    assert "Traceback" not in stderr
    lines = other_lines(stderr)
    assert len(lines) == 1 and WORKER_DIED.fullmatch(lines[0]), stderr[-3000:]
    assert int(WORKER_DIED.fullmatch(lines[0]).group(1)) == len(complete_runs(sweep)) < RUNS
    wait_gone(procs)


# ---------------------------------------------------------------------------
# the pieces, in-process
# ---------------------------------------------------------------------------
def test_main_puts_back_the_signal_handlers_it_found(tmp_path, monkeypatch, capsys):
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    refused(["run.years=0"], capsys, tmp_path, monkeypatch)  # main() in-process, exits 2
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


def test_the_stop_line_says_how_to_resume(tmp_path, monkeypatch):
    from slsim.experiments import interrupts

    monkeypatch.setattr(interrupts, "_watched", None)  # put back afterwards
    (tmp_path / "0" / "seed-1").mkdir(parents=True)
    (tmp_path / "0" / "seed-1" / "summary.json").write_text("{}")
    (tmp_path / "0" / "seed-2").mkdir()
    (tmp_path / "0" / "seed-2" / "failed.json").write_text("{}")
    interrupts.watch(tmp_path, 4, sweep=True, fixed=True)
    assert interrupts.stop_summary() == "1 of 4 runs complete (1 failed); run the same command to resume"
    interrupts.watch(tmp_path, None, sweep=True, fixed=False)  # a sweep folder named by the time
    assert (
        interrupts.stop_summary()
        == f"1 run complete (1 failed); to resume, run the same command with hydra.sweep.dir={tmp_path}"
    )
    interrupts.watch(tmp_path / "0" / "seed-1", 1, sweep=False, fixed=False)
    assert interrupts.stop_summary() == f"the run is complete ({tmp_path / '0' / 'seed-1'})"
    interrupts.watch(tmp_path / "0" / "seed-2", 1, sweep=False, fixed=False)
    assert "the run did not finish" in interrupts.stop_summary()
    monkeypatch.setattr(interrupts, "_watched", None)
    assert interrupts.stop_summary() == "no run had started"


def test_loky_s_error_for_a_dead_worker_names_the_signal():
    from slsim.experiments.interrupts import worker_died

    text = (
        "A worker process managed by the executor was unexpectedly terminated.\nThe exit codes of the workers are {%s}"
    )
    assert worker_died(RuntimeError(text % "SIGKILL(-9)")).how == "signal 9, SIGKILL"
    assert worker_died(RuntimeError(text % "EXIT(1)")).how == "exit code 1"
    assert worker_died(RuntimeError("something else")).how == ""


def test_loky_keeps_its_executor_where_slsim_reads_it():
    """experiments/callbacks.py stops joblib's idle workers through loky's module-level ``_executor``
    (no public accessor that does not start an executor): this fails if loky renames it."""
    import joblib
    from joblib.externals.loky import reusable_executor

    joblib.Parallel(n_jobs=2, backend="loky")(joblib.delayed(abs)(-i) for i in range(2))
    executor = getattr(reusable_executor, "_executor", None)
    assert executor is not None and hasattr(executor, "shutdown")
    executor.shutdown(wait=True, kill_workers=True)
