"""Run one simulation and write its folder.

``run_simulation(params) -> RunResult`` is plain Python (no Hydra), so tests,
notebooks and sweeps call it directly. ``write_run_folder`` writes a run's
files atomically: everything goes to a hidden temporary folder first, then
each file is renamed into place, ``summary.json`` last (recording the other
files' sizes), so a folder with a whole ``summary.json`` is complete and a
failed write leaves nothing behind. The caller holds the folder's claim
(:mod:`slsim.simulation.runfolder`) while it writes.
"""

import functools
import json
import os
import platform
import shutil
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pandas as pd

from slsim.simulation.model import SharedLivesModel
from slsim.simulation.params import ModelParams
from slsim.simulation.provenance import stamp
from slsim.simulation.runfolder import FAILED_FILE, RUN_FILES, SIZED_FILES, SUMMARY_FILE, new_partial
from slsim.simulation.budget import apply_budget
from slsim.simulation.outputs import OUTCOME_DIRECTIONS, lever_costs, shock_outcomes, summarise

PACKAGES = ("slsim", "mesa", "hydra-core", "omegaconf", "numpy", "scipy", "pandas", "pyarrow", "seaborn")


@dataclass
class RunResult:
    params: ModelParams  # the parameters as run (a budget spent as posts and fees)
    timeseries: pd.DataFrame
    events: pd.DataFrame
    summary: dict  # outcome name -> number (see slsim.simulation.outputs.OUTCOMES)
    lever_costs: dict  # lever -> GBP over the recorded weeks
    shocks: dict  # event name -> depth, trough and recovery
    referrals: pd.DataFrame | None = None  # one row per referral made (simulation/events.py ReferralLog); not written


def run_simulation(params: ModelParams) -> RunResult:
    """Spend the budget, build the model, run it (warm-up, then to the horizon) and summarise it."""
    model = SharedLivesModel(apply_budget(params)).run()
    ts = model.recorder.to_frame()
    events = model.events.to_frame()
    return RunResult(
        params=model.p,  # as run: a budget is spent as posts and fees (simulation/budget.py)
        timeseries=ts,
        events=events,
        summary=summarise(ts, events),
        lever_costs=lever_costs(ts),
        shocks=shock_outcomes(ts, model.p.shocks.events),
        referrals=model.registry.referral_log.to_frame(),
    )


def versions() -> dict:
    """The versions of Python and of the packages that make a run (a fresh dict each call)."""
    return dict(_versions())


@functools.cache
def _versions() -> dict:  # looked up once per process: importlib.metadata reads the disk (~20 ms)
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def write_run_folder(result: RunResult, run_dir, config_yaml: str, meta: dict | None = None) -> Path:
    """Write the run's files into ``run_dir`` atomically (see module doc).

    ``meta`` (how the run was made: experiment, overrides, job, sample row) is
    added to ``metadata.json``, with the slsim that made it (``"slsim"``: version,
    git commit, whether the checkout had changes; :mod:`slsim.simulation.provenance`) and
    the versions of Python and the packages used."""
    run_dir = Path(run_dir)
    tmp = new_partial(run_dir)
    try:
        (tmp / "config.yaml").write_text(config_yaml)
        meta = {"seed": result.params.run.seed, **(meta or {}), "slsim": stamp(), "versions": versions()}
        (tmp / "metadata.json").write_text(json.dumps(meta, indent=2, allow_nan=False) + "\n")
        result.timeseries.to_parquet(tmp / "timeseries.parquet", index=False, engine="pyarrow")
        result.events.to_parquet(tmp / "events.parquet", index=False, engine="pyarrow")
        summary = {
            "seed": result.params.run.seed,
            "weeks": result.params.weeks,
            "levers": list(result.params.levers.enabled()),
            "outcomes": result.summary,
            "directions": OUTCOME_DIRECTIONS,
            "lever_costs_gbp": result.lever_costs,
            "shocks": result.shocks,
            "files": {name: (tmp / name).stat().st_size for name in SIZED_FILES},  # bytes: a truncated file shows
        }
        (tmp / SUMMARY_FILE).write_text(json.dumps(summary, indent=2, allow_nan=False) + "\n")
        for name in RUN_FILES:  # summary.json last: its presence marks a complete run
            os.replace(tmp / name, run_dir / name)
        (run_dir / FAILED_FILE).unlink(missing_ok=True)  # an earlier failure of this run is superseded
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return run_dir


def write_failure(run_dir, config_yaml: str, meta: dict, error: str, trace: str) -> Path:
    """Record a run that raised: its config and ``failed.json`` (the error), atomically.

    A complete run in the folder is never touched; re-running the sweep retries
    the failed run and removes ``failed.json`` when it succeeds."""
    run_dir = Path(run_dir)
    if (run_dir / SUMMARY_FILE).exists():
        return run_dir
    tmp = new_partial(run_dir)
    try:
        (tmp / "config.yaml").write_text(config_yaml)
        record = {**meta, "error": error, "traceback": trace, "slsim": stamp(), "versions": versions()}
        (tmp / FAILED_FILE).write_text(json.dumps(record, indent=2, allow_nan=False) + "\n")
        for name in ("config.yaml", FAILED_FILE):
            os.replace(tmp / name, run_dir / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return run_dir
