"""Run (or continue) an ABC-SMC calibration into a folder: :func:`prepare`, then :func:`run`.

The folder holds pyabc's history, ``abc.db`` (SQLite: every generation's
particles, weights, distances and summaries, written by pyabc at the end of each
generation) and ``spec.json`` (what the history depends on,
:func:`slsim.experiments.abc_spec.identity`, and the spec as given). Running
the same command again loads the history (``ABCSMC.load(db, 1)``) and continues
from its last complete generation to ``abc.generations``; a generation that was
running when the command was stopped is run again from its start, and, with the
seeded sampler, comes out as it would have. A history made by another spec is
refused (one line): use another ``--out``. ``generations``, ``min_epsilon``,
``max_walltime_minutes`` and ``predictive_draws`` may change between runs
(a re-run with more generations continues; each command has its own walltime).

Progress: one line per generation on stderr (its threshold epsilon, acceptance
rate, time, the elapsed time and a rough ETA from the last generation's pace;
later generations are usually slower).
"""

import json
import logging
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path

from slsim.experiments.abc_spec import check_bounds, identity
from slsim.simulation.params import ConfigError
from slsim.simulation.permissions import umask

DB_FILE = "abc.db"
SPEC_FILE = "spec.json"
RUN_ID = 1  # one calibration per folder


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


@dataclass
class Progress:
    """The progress lines (stderr) and what they report, kept for calibration.json."""

    generations: int
    walltime: float  # seconds this command may run
    stream: object = None
    start: float = field(default_factory=time.perf_counter)
    lines: list = field(default_factory=list)

    def say(self, text: str) -> None:
        print(f"slsim-calibrate: {text}", file=self.stream or sys.stderr, flush=True)

    def prior_sample(self, n: int, seconds: float) -> None:
        self.say(f"prior sample: {n} particles (sets the first threshold), {_clock(seconds)}")

    def generation(self, t: int, epsilon: float, accepted: int, evaluations: int, seconds: float) -> None:
        elapsed = time.perf_counter() - self.start
        left = self.generations - (t + 1)
        eta = min(left * seconds, max(self.walltime - elapsed, 0.0))
        rate = accepted / evaluations if evaluations else float("nan")
        self.say(
            f"generation {t + 1}/{self.generations}: epsilon {epsilon:.4g}, accepted {accepted} of {evaluations} "
            f"({rate:.1%}), {_clock(seconds)}; elapsed {_clock(elapsed)}"
            + (f", ETA ~{_clock(eta)}" if left > 0 else "")
        )


def read_identity(out: Path) -> dict | None:
    path = out / SPEC_FILE
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text())["identity"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"--out={out}: {SPEC_FILE} is not readable ({exc}); give another --out") from exc


def prepare(spec, out: Path) -> dict:
    """Every check before anything is written: the configurations compose, the priors' bounds and
    the fitted targets suit the model, the folder is new or holds this spec's calibration.
    Returns the composed configurations ({target overrides: params})."""
    from slsim.experiments.abc_model import base_params, check_measurable

    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out={out}: allowed a folder (this is a file)")
    stored = read_identity(out) if out.is_dir() else None
    if stored is None and (out / DB_FILE).exists():
        raise ConfigError(
            f"--out={out}: holds {DB_FILE} without {SPEC_FILE} (not slsim-calibrate's); give another --out"
        )
    wanted = json.loads(json.dumps(identity(spec), allow_nan=False))  # as it reads back from the folder
    if stored is not None and stored != wanted:
        changed = sorted(k for k in wanted if wanted[k] != stored.get(k))
        raise ConfigError(
            f"--out={out}: holds a calibration of a different spec ({', '.join(changed)} differ); "
            "give another --out (only generations, min_epsilon, max_walltime_minutes and predictive_draws may change)"
        )
    bases = base_params(spec)
    for params in bases.values():
        check_bounds(spec, params)
    check_measurable(spec, bases)
    return bases


def _write_spec(spec, out: Path) -> None:
    data = {
        "identity": identity(spec),
        "spec": str(spec.path),
        "targets_file": str(spec.targets.path),
        "abc": asdict(spec.abc),
    }
    tmp = out / f".{SPEC_FILE}.tmp"
    tmp.write_text(json.dumps(data, indent=2, allow_nan=False) + "\n")
    os.chmod(tmp, 0o666 & ~umask())
    os.replace(tmp, out / SPEC_FILE)


def _quiet_pyabc() -> None:
    for name in ("ABC", "pyabc", "Sampler", "History", "Epsilon", "Distance", "Acceptor", "Transitions"):
        logging.getLogger(name).setLevel(logging.WARNING)


@dataclass
class Outcome:
    history: object  # pyabc.History
    stopped: str  # why the command stopped sampling
    seconds: float  # this command's sampling time
    simulations: int  # particles evaluated by this command (model runs: x seeds_per_particle)


def run(spec, out: Path, bases: dict, procs: int, progress: Progress | None = None) -> Outcome:
    """Sample generations until ``abc.generations`` are in the history (or epsilon or walltime stops it)."""
    import numpy as np
    import pyabc

    from slsim.experiments.abc_model import BandDistance, ParticleModel, observed, prior_distribution, transition
    from slsim.experiments.abc_sampler import SeededEvalParallelSampler

    _quiet_pyabc()
    out.mkdir(parents=True, exist_ok=True)
    _write_spec(spec, out)
    progress = progress or Progress(spec.abc.generations, spec.abc.max_walltime_minutes * 60)
    evaluated = [0]

    class Sampler(SeededEvalParallelSampler):
        def sample_until_n_accepted(self, n, simulate_one, t, **kwargs):
            start = time.perf_counter()
            sample = super().sample_until_n_accepted(n, simulate_one, t, **kwargs)
            evaluated[0] += self.nr_evaluations_
            if t < 0:
                progress.prior_sample(n, time.perf_counter() - start)
            return sample

    class ABCSMC(pyabc.ABCSMC):
        def run_generation(self, t: int) -> dict:
            start = time.perf_counter()
            result = super().run_generation(t)
            if result.get("successful"):
                pop = self.history.get_all_populations().set_index("t").loc[t]
                progress.generation(t, float(pop["epsilon"]), int(pop["particles"]), int(pop["samples"]),
                                    time.perf_counter() - start)  # fmt: skip
            return result

    np.random.seed(spec.abc.seed)  # the main process draws nothing; in case pyabc ever does
    abc = ABCSMC(
        ParticleModel(spec, bases),
        prior_distribution(spec),
        BandDistance(spec.fit, spec.abc.aggregate),
        population_size=spec.abc.population,
        transitions=transition(spec),
        eps=pyabc.QuantileEpsilon(alpha=spec.abc.epsilon_quantile),
        sampler=Sampler(spec.abc.seed, procs),
    )
    db = f"sqlite:///{(out / DB_FILE).resolve()}"
    if (out / DB_FILE).exists() and RUN_ID in {r.id for r in pyabc.History(db).all_runs()}:
        history = abc.load(db, RUN_ID)
    else:
        history = abc.new(db, observed(spec))
    os.chmod(out / DB_FILE, 0o666 & ~umask())
    start = time.perf_counter()
    todo = spec.abc.generations - (history.max_t + 1)
    last = _last_epsilon(history)
    if todo <= 0:
        stopped = f"the history has {history.max_t + 1} generations (abc.generations={spec.abc.generations})"
    elif last is not None and last <= spec.abc.min_epsilon:
        stopped = f"epsilon {last:.4g} <= min_epsilon {spec.abc.min_epsilon:g} (reached before)"
    else:
        progress.say(
            f"{'continuing from generation ' + str(history.max_t + 1) if history.max_t >= 0 else 'starting'}: "
            f"{spec.abc.generations} generations of {spec.abc.population} particles, {len(spec.priors)} parameters, "
            f"{len(spec.fit)} targets, {spec.abc.seeds_per_particle} seeds a particle, {procs} processes; history {out / DB_FILE}"
        )
        abc.run(
            minimum_epsilon=spec.abc.min_epsilon,
            max_nr_populations=todo,
            max_walltime=timedelta(minutes=spec.abc.max_walltime_minutes),
        )
        last = _last_epsilon(history)
        if history.max_t + 1 >= spec.abc.generations:
            stopped = f"{spec.abc.generations} generations reached"
        elif last is not None and last <= spec.abc.min_epsilon:
            stopped = f"epsilon {last:.4g} <= min_epsilon {spec.abc.min_epsilon:g}"
        else:
            stopped = f"walltime of {spec.abc.max_walltime_minutes:g} minutes reached; run the same command to continue"
    return Outcome(history, stopped, time.perf_counter() - start, evaluated[0])


def generations_in(out: Path) -> int:
    """Complete generations in ``out``'s history (0 if none), read with sqlite3 (no pyabc)."""
    import sqlite3

    path = out / DB_FILE
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            (n,) = db.execute("SELECT COUNT(*) FROM populations WHERE abc_smc_id = ? AND t >= 0", (RUN_ID,)).fetchone()
    except sqlite3.Error:
        return 0
    return int(n)


def _last_epsilon(history) -> float | None:
    if history.max_t < 0:
        return None
    pops = history.get_all_populations()
    return float(pops.loc[pops["t"] == history.max_t, "epsilon"].iloc[0])
