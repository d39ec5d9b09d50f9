"""Re-running a finished sweep recomputes nothing it does not need: no run is simulated again, each
job is composed once (not twice), and a run done before is read, not re-parsed, by its job.

Counted, not timed (a re-run of the 180-run lever study: README, *Never lost, never repeated*).
"""

import json
import sys

import pandas as pd
import pytest
import yaml
from hydra._internal.config_loader_impl import ConfigLoaderImpl

import slsim.experiments.jobs as jobs
from slsim.simulation.model import SharedLivesModel

SWEEP = ("-m", "levers=none,extra_workers", "experiment.replicates=3", "run.years=1", "run.warmup_weeks=8")


def _sweep(args, monkeypatch, tmp_path):
    from slsim.experiments.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["slsim"])
    main(list(args))


def _count(monkeypatch, owner, name, calls: list):
    real = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)


@pytest.fixture
def finished(tmp_path, monkeypatch):
    """A finished sweep of 2 jobs x 3 seeds, and what its first run composed and simulated."""
    args = (*SWEEP, f"hydra.sweep.dir={tmp_path / 'sweep'}")
    composed, simulated = [], []
    with monkeypatch.context() as m:
        _count(m, ConfigLoaderImpl, "load_sweep_config", composed)
        _count(m, SharedLivesModel, "run", simulated)
        _sweep(args, m, tmp_path)
    assert len(simulated) == 6
    assert len(composed) == 2  # each job once: its check, handed to the launcher
    return args, tmp_path / "sweep"


def test_a_finished_sweep_rerun_simulates_nothing_and_composes_each_job_once(finished, monkeypatch, tmp_path):
    args, sweep = finished
    before = {p: p.stat().st_mtime_ns for p in sweep.rglob("*") if p.is_file() and p.parent.name.startswith("seed-")}
    table = pd.read_parquet(sweep / "sweep.parquet")
    composed, simulated, ran, parsed = [], [], [], []
    _count(monkeypatch, ConfigLoaderImpl, "load_sweep_config", composed)
    _count(monkeypatch, SharedLivesModel, "run", simulated)
    _count(monkeypatch, jobs, "run_simulation", ran)
    _count(monkeypatch, yaml, "load", parsed)  # run folders' config.yaml (runfolder parses with yaml.load)
    _sweep(args, monkeypatch, tmp_path)
    assert simulated == [] and ran == []  # no run simulated again: the model's run is never called
    assert len(composed) == 2  # each job composed once
    run_configs = [a for a in parsed if isinstance(a[0], str) and a[0].startswith("run:\n")]
    # each run's config.yaml parsed once by the sweep table (jobs compare its text), and one a job by
    # the pre-check that the folder's runs are still this config's (experiments/folders.py)
    assert len(run_configs) == 6 + 2
    after = {p: p.stat().st_mtime_ns for p in before}
    assert after == before  # nothing rewritten
    pd.testing.assert_frame_equal(pd.read_parquet(sweep / "sweep.parquet"), table)


def test_a_changed_run_config_is_refused_before_anything_runs(finished, monkeypatch, tmp_path, capsys):
    """A run whose config its own overrides no longer give (the defaults changed since) is left
    alone, and the sweep is refused before it starts: its table would show the old results."""
    args, sweep = finished
    config = sweep / "0" / "seed-42" / "config.yaml"
    config.write_text(config.read_text().replace("years: 1", "years: 2"))
    summary = sweep / "0" / "seed-42" / "summary.json"  # keep the folder whole: its recorded size
    data = json.loads(summary.read_text())
    data["files"]["config.yaml"] = config.stat().st_size
    summary.write_text(json.dumps(data))
    before = {p: p.read_bytes() for p in sweep.rglob("*") if p.is_file()}
    simulated = []
    _count(monkeypatch, SharedLivesModel, "run", simulated)
    with pytest.raises(SystemExit) as stop:
        _sweep(args, monkeypatch, tmp_path)
    assert stop.value.code == 2 and simulated == []
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "0/seed-42 holds a run its overrides no longer reproduce" in err[0], err
    assert {p: p.read_bytes() for p in sweep.rglob("*") if p.is_file()} == before  # nothing written
