"""Experiments: every study runs tiny, failures are kept, launchers agree (resuming: test_run_folders.py).

Sweeps run as a user runs them (``slsim -m ...`` in a subprocess), with short
horizons and two seeds, except where a test needs to reach inside a run (a
failure injected with monkeypatch: the basic launcher runs jobs in-process).
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import REPO, finished_runs, params, refused, slsim
from slsim.experiments.callbacks import Progress, count_runs, expected_runs
from slsim.experiments.collect import CollectError, collect, scenario_labels, sweep_table
from slsim.experiments.config import compose_cfg

EXPERIMENTS = sorted(p.stem for p in (REPO / "configs" / "experiment").glob("*.yaml"))
TINY = ("run.years=1", "run.warmup_weeks=8", "experiment.replicates=2")
EXTRA = {  # what each experiment needs on top of TINY to stay tiny (levers and investment keep 2 seeds: paired)
    "sensitivity": ("experiment.sample.n=2", "experiment.sample.rows_per_job=11", "experiment.replicates=1"),
    "optimise": ("hydra.sweeper.n_trials=2", "hydra.sweeper.n_jobs=2"),
    "investment": ("run.years=3",),  # the costs of three years of posts
    "discovery": ("experiment.sample.n=16", "experiment.sample.rows_per_job=8", "experiment.replicates=1"),
    # the two largest grids (66 and 30 scenarios), one seed a scenario: every kind with the baseline
    # and one lever; two shocks at every scale
    "scheme_types": ("experiment.replicates=1", "hydra.sweeper.params.levers='none,colocation'"),
    "shocks": (
        "experiment.replicates=1",
        "hydra.sweeper.params.shocks='pandemic,funding_cut'",
        "run.years=3",
    ),  # presets start at week 105
}
TIMEOUT = 300


# ---------------------------------------------------------------------------
# every experiment, tiny (started together so their start-up costs overlap)
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny_sweeps(tmp_path_factory):
    root = tmp_path_factory.mktemp("experiments")
    procs = {}
    for name in EXPERIMENTS:
        args = ("-m", f"+experiment={name}", *TINY, *EXTRA.get(name, ()), f"hydra.sweep.dir={root / name}")
        procs[name] = (slsim(*args, cwd=root, wait=False), args)
    out = {}
    for name, (proc, args) in procs.items():
        stdout, stderr = proc.communicate(timeout=TIMEOUT)
        out[name] = (proc.returncode, stdout, stderr, root / name, args)
    return out


@pytest.mark.parametrize("name", ["sensitivity", "discovery"])
def test_a_sampled_studys_ranges_hold_the_defaults(name):
    import yaml

    from helpers import REPO, params

    spec = yaml.safe_load((REPO / "configs" / "experiment" / f"{name}.yaml").read_text())
    for key, (lo, hi) in spec["experiment"]["sample"]["parameters"].items():
        node = params()
        for part in key.split("."):
            node = getattr(node, part)
        assert lo <= node <= hi, f"{name}: {key} default {node} outside its range [{lo}, {hi}]"


def test_there_are_the_five_experiments_of_the_issue():
    assert {"levers", "investment", "sensitivity", "shocks", "optimise"} <= set(EXPERIMENTS)


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_experiment_runs_tiny_and_writes_its_table(tiny_sweeps, name):
    code, _, stderr, sweep, args = tiny_sweeps[name]
    assert code == 0, stderr[-3000:]
    assert "Traceback" not in stderr
    table = pd.read_parquet(sweep / "sweep.parquet")
    cfg = compose_cfg([a for a in args[1:] if not a.startswith("hydra.sweep.dir")], hydra_node=True)
    expected = expected_runs(cfg)
    assert expected is not None and len(table) == expected
    assert (table["status"] == "ok").all()
    assert len(finished_runs(sweep)) == expected
    assert not list(sweep.rglob(".partial-*"))
    assert f"slsim: sweep {expected}/{expected} runs" in stderr  # progress, to the end
    assert table["experiment"].nunique() == 1
    assert table.groupby(["job", "row", "seed"], dropna=False).size().max() == 1


def test_levers_experiment_has_a_scenario_per_lever_and_paired_seeds(tiny_sweeps):
    table = pd.read_parquet(tiny_sweeps["levers"][3] / "sweep.parquet")
    from slsim.simulation.params import LEVER_NAMES

    assert set(table["scenario"]) == {f"levers={n}" for n in ("none", *LEVER_NAMES, "all")}
    seeds = table.groupby("scenario")["seed"].apply(lambda s: tuple(sorted(s)))
    assert seeds.nunique() == 1 and len(seeds.iloc[0]) == 2  # the same seeds in every scenario


def test_investment_arms_spend_the_same_budget_different_ways(tiny_sweeps):
    table = pd.read_parquet(tiny_sweeps["investment"][3] / "sweep.parquet")
    arms = table.groupby("scenario")
    assert set(arms.groups) == {
        f"budget={b}" for b in ("none", "staff", "staff_time_limited", "recruitment", "outreach", "fees")
    }
    cost = arms["investment_cost_gbp"].mean()
    assert cost["budget=none"] == 0
    # two posts at 45,000 for 3 years, less what vacancies save (scheme.worker_turnover_per_year,
    # vacancy_weeks: ~3% of a post's year); outreach officers have no turnover
    assert 0.9 * 3 * 90000.0 <= cost["budget=staff"] <= 3 * 90000.0
    assert cost["budget=outreach"] == pytest.approx(3 * 90000.0, rel=0.02)
    assert cost["budget=recruitment"] == pytest.approx(3 * 80000.0, rel=0.02)  # two at 40,000: 10,000 unspent
    assert arms["lever_cost_gbp.fee_uplift"].mean()["budget=fees"] > 0


def test_sensitivity_writes_sobol_indices_with_intervals(tiny_sweeps):
    sweep = tiny_sweeps["sensitivity"][3]
    table = pd.read_parquet(sweep / "sweep.parquet")
    assert sorted(table["row"].unique()) == list(range(22))  # N (D + 2) = 2 x 11
    idx = pd.read_parquet(sweep / "sensitivity.parquet")
    cfg = compose_cfg(["+experiment=sensitivity"])
    names = list(cfg.experiment.sample.parameters)
    assert set(idx["output"]) == {"people_supported_end", "net_benefit_gbp"}
    assert sorted(idx["parameter"].unique()) == sorted(names)
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(idx.columns)
    # the sampled values are the run's parameters: row 0's config holds row 0 of the design
    from slsim.experiments.sampling import sample_matrix
    from slsim.experiments.config import params_from_cfg

    design = sample_matrix(
        params_from_cfg(compose_cfg(["+experiment=sensitivity", "experiment.sample.n=2"])).experiment.sample
    )
    row0 = table[table["row"] == 0].iloc[0]
    meta = json.loads((sweep / row0["run"] / "metadata.json").read_text())
    assert list(meta["sample"].values()) == pytest.approx(list(design[0]))


def test_optimise_records_the_best_split(tiny_sweeps):
    import yaml

    sweep = tiny_sweeps["optimise"][3]
    best = yaml.safe_load((sweep / "optimization_results.yaml").read_text())
    assert set(best["best_params"]) == {
        f"budget.shares.{c}" for c in ("scheme_workers", "recruitment", "outreach", "fees")
    }
    table = pd.read_parquet(sweep / "sweep.parquet")
    per_trial = table.groupby("job")["people_supported_end"].mean()
    assert best["best_value"] == pytest.approx(per_trial.max())


# ---------------------------------------------------------------------------
# a failing run is kept and the others go on (a killed sweep resumes: tests/test_run_folders.py,
# tests/test_interrupts.py)
# ---------------------------------------------------------------------------
def _in_process_sweep(args, monkeypatch, tmp_path):
    from slsim.experiments.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["slsim"])
    main(list(args))


def test_a_failing_run_is_recorded_and_the_others_go_on(tmp_path, monkeypatch, capsys):
    import slsim.experiments.jobs as jobs

    real = jobs.run_simulation

    def flaky(p):
        if p.run.seed == 43:
            raise RuntimeError("injected failure for seed 43")
        return real(p)

    sweep = tmp_path / "sweep"
    args = (
        "-m",
        "levers=none,extra_workers",
        "experiment.replicates=3",
        "run.years=1",
        "run.warmup_weeks=8",
        f"hydra.sweep.dir={sweep}",
    )
    monkeypatch.setattr(jobs, "run_simulation", flaky)
    _in_process_sweep(args, monkeypatch, tmp_path)
    table = pd.read_parquet(sweep / "sweep.parquet")
    assert len(table) == 6
    failed = table[table["status"] == "failed"]
    assert set(failed["seed"]) == {43} and len(failed) == 2
    assert failed["error"].str.contains("injected failure for seed 43").all()
    record = json.loads((sweep / failed["run"].iloc[0] / "failed.json").read_text())
    assert "RuntimeError" in record["traceback"] and record["seed"] == 43
    assert (table.loc[table["status"] == "ok", "people_supported_end"] > 0).all()
    assert "failed: injected failure for seed 43" in capsys.readouterr().err

    monkeypatch.setattr(jobs, "run_simulation", real)  # the bug is fixed: re-run the same sweep
    _in_process_sweep(args, monkeypatch, tmp_path)
    table = pd.read_parquet(sweep / "sweep.parquet")
    assert len(table) == 6 and (table["status"] == "ok").all()
    assert not list(sweep.rglob("failed.json"))


def test_a_single_run_that_raises_exits_1_and_keeps_its_error(tmp_path, monkeypatch, capsys):
    import slsim.experiments.jobs as jobs

    def broken(p):
        raise RuntimeError("injected failure")

    monkeypatch.setattr(jobs, "run_simulation", broken)
    with pytest.raises(SystemExit) as info:
        _in_process_sweep(("run.years=1", f"hydra.run.dir={tmp_path / 'run'}"), monkeypatch, tmp_path)
    assert info.value.code == 1
    assert "failed: injected failure" in capsys.readouterr().err
    assert "injected failure" in json.loads((tmp_path / "run" / "failed.json").read_text())["error"]


def test_per_week_table_on_request(tmp_path, monkeypatch):
    sweep = tmp_path / "sweep"
    _in_process_sweep(
        (
            "-m",
            "levers=none,all",
            "experiment.replicates=2",
            "run.years=1",
            "run.warmup_weeks=8",
            "experiment.per_week=true",
            f"hydra.sweep.dir={sweep}",
        ),
        monkeypatch,
        tmp_path,
    )
    weekly = pd.read_parquet(sweep / "weekly.parquet")
    assert len(weekly) == 4 * 53  # 4 runs x weeks 0..52
    assert set(weekly["scenario"]) == {"levers=none", "levers=all"}
    one = weekly[weekly["run"] == "0/seed-42"].drop(columns=["run", "scenario", "seed"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(one, pd.read_parquet(sweep / "0" / "seed-42" / "timeseries.parquet"))


def test_a_changed_sweep_does_not_overwrite_or_mix_in_other_runs(tmp_path, monkeypatch, capsys):
    sweep = tmp_path / "sweep"
    base = ("-m", "levers=none,extra_workers", "run.years=1", "run.warmup_weeks=8", f"hydra.sweep.dir={sweep}")
    _in_process_sweep(base, monkeypatch, tmp_path)
    first = {d: (d / "summary.json").read_bytes() for d in finished_runs(sweep)}
    _in_process_sweep((*base, "scheme.scheme_workers=4"), monkeypatch, tmp_path)  # same folders, other config
    assert {d: (d / "summary.json").read_bytes() for d in finished_runs(sweep)} == first
    assert "holds a run of a different configuration" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# launchers agree, run by run
# ---------------------------------------------------------------------------
SMALL = ("-m", "levers=none,extra_workers", "experiment.replicates=2", "run.years=2", "run.warmup_weeks=8")


@pytest.fixture(scope="module")
def basic_sweep(tmp_path_factory):
    root = tmp_path_factory.mktemp("basic")
    proc = slsim(*SMALL, f"hydra.sweep.dir={root / 's'}", cwd=root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root / "s"


def _run_files(sweep: Path) -> dict:
    out = {}
    for d in finished_runs(sweep):
        rel = d.relative_to(sweep).as_posix()
        out[rel] = (
            json.loads((d / "summary.json").read_text()),
            (d / "timeseries.parquet").read_bytes(),
            (d / "events.parquet").read_bytes(),
        )
    return out


PLUGINS = {
    "joblib": "hydra_plugins.hydra_joblib_launcher",
    "ray": "hydra_plugins.hydra_ray_launcher",
    "submitit_local": "hydra_plugins.hydra_submitit_launcher",
    "submitit_slurm": "hydra_plugins.hydra_submitit_launcher",
}


@pytest.mark.parametrize("launcher", ["joblib", "ray", "submitit_local"])
def test_launchers_give_identical_runs(basic_sweep, launcher, tmp_path):
    pytest.importorskip(PLUGINS[launcher])
    sweep = tmp_path / "s"
    env_args = ("+hydra.launcher.ray.init.num_cpus=2",) if launcher == "ray" else ()
    proc = slsim(*SMALL, f"hydra/launcher={launcher}", *env_args, f"hydra.sweep.dir={sweep}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    ours, reference = _run_files(sweep), _run_files(basic_sweep)
    assert sorted(ours) == sorted(reference) and len(ours) == 4
    for rel in reference:
        assert ours[rel][0] == reference[rel][0], f"{rel}: summary differs under {launcher}"
        assert ours[rel][1] == reference[rel][1], f"{rel}: timeseries.parquet differs under {launcher}"
        assert ours[rel][2] == reference[rel][2], f"{rel}: events.parquet differs under {launcher}"
    a = pd.read_parquet(sweep / "sweep.parquet")
    b = pd.read_parquet(basic_sweep / "sweep.parquet")
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("launcher", sorted(PLUGINS))
def test_launcher_configs_have_every_field_of_the_plugin_schema(launcher):
    """configs/hydra/launcher/NAME.yaml is the plugin's config with our defaults: no field missing or extra."""
    from hydra.core.config_store import ConfigStore
    from hydra.utils import get_class

    pytest.importorskip(PLUGINS[launcher])
    cfg = compose_cfg([f"hydra/launcher={launcher}"], hydra_node=True).hydra.launcher
    schema = ConfigStore.instance().load(f"hydra/launcher/{launcher}.yaml").node
    assert set(cfg.keys()) == set(schema.keys())
    get_class(cfg._target_)  # the launcher class exists


# ---------------------------------------------------------------------------
# bad sweep definitions: one line, exit 2, nothing written
# ---------------------------------------------------------------------------
BAD_SWEEPS = [
    (["-m", "+experiment=nope"], "experiment=nope: allowed"),
    (["-m", "+experiment=levers", "levers=none,nope"], "levers"),
    (["-m", "+experiment=levers", "experiment.replicates=0"], "experiment.replicates"),
    (["-m", "+experiment=sensitivity", "experiment.sample.n=3"], "experiment.sample.n"),
    (["-m", "+experiment=sensitivity", "experiment.sample.method=fast"], "experiment.sample.method"),
    (["-m", "+experiment=sensitivity", "+experiment.sample.parameters={carers.nope:[0,1]}"], "carers.nope"),
    (
        ["-m", "+experiment=sensitivity", "+experiment.sample.parameters={carers.enquiry_to_assessment:[0.5,1.5]}"],
        "experiment.sample.parameters.carers.enquiry_to_assessment",
    ),
    (
        ["-m", "+experiment=sensitivity", "+experiment.sample.parameters={carers.enquiry_to_assessment:[0.5,0.4]}"],
        "experiment.sample.parameters.carers.enquiry_to_assessment",
    ),
    (["-m", "+experiment=optimise", "experiment.objective=happiness"], "experiment.objective"),
    (["-m", "+experiment=optimise", "budget.shares.fees=interval(-1,1)"], "budget.shares.fees"),
    (["-m", "+experiment=levers", "hydra.sweeper.params.levers=none,all"], "levers=..."),
    (["-m", "+experiment=investment", "budget.years=2"], "budget.shares.fees"),
    (["-m", "+experiment=shocks", "shocks.scale=-1,1"], "shocks.scale"),
    (["-m", "hydra/launcher=nope", "run.seed=1,2"], "hydra/launcher"),
    (["-m", "run.seed=1,2", "experiment.per_week=maybe"], "experiment.per_week"),
]


@pytest.mark.parametrize("args,field", BAD_SWEEPS, ids=[" ".join(a[1:]) for a, _ in BAD_SWEEPS])
def test_bad_sweep_definition_is_refused_in_one_line(args, field, capsys, tmp_path, monkeypatch):
    line = refused(args, capsys, tmp_path, monkeypatch)
    assert field in line, line


# ---------------------------------------------------------------------------
# the pieces, on small hand-made inputs
# ---------------------------------------------------------------------------
def _fake_run(folder: Path, seed: int, outcome: float, overrides=(), config="run:\n  seed: 1\n"):
    folder.mkdir(parents=True)
    (folder / "config.yaml").write_text(config)
    (folder / "metadata.json").write_text(
        json.dumps({"seed": seed, "experiment": "t", "job": 0, "row": None, "overrides": list(overrides)})
    )
    for name in ("timeseries.parquet", "events.parquet"):  # a complete run has every file
        pd.DataFrame({"week": [0]}).to_parquet(folder / name)
    (folder / "summary.json").write_text(
        json.dumps(
            {
                "seed": seed,
                "outcomes": {"people_supported_end": outcome},
                "lever_costs_gbp": {"colocation": 1.5},
                "shocks": {},
            }
        )
    )


def test_collect_joins_parameters_to_outcomes_and_labels_scenarios(tmp_path):
    _fake_run(tmp_path / "0" / "seed-1", 1, 60.0, ["levers=none", "run.seed=1"], "levers:\n  x: 1\nrun:\n  seed: 1\n")
    _fake_run(tmp_path / "1" / "seed-1", 1, 70.0, ["levers=all", "run.seed=1"], "levers:\n  x: 2\nrun:\n  seed: 1\n")
    (tmp_path / "1" / ".partial-abc").mkdir()  # a killed write: ignored
    table = collect(tmp_path, quiet=True)
    assert list(table["run"]) == ["0/seed-1", "1/seed-1"]
    assert list(table["scenario"]) == ["levers=none", "levers=all"]
    assert list(table["levers.x"]) == [1, 2]  # the parameter that differs
    assert "run.seed" not in table.columns
    assert list(table["people_supported_end"]) == [60.0, 70.0]
    assert list(table["lever_cost_gbp.colocation"]) == [1.5, 1.5]
    assert pd.read_parquet(tmp_path / "sweep.parquet").equals(table)


def test_scenario_labels_keep_only_what_differs():
    labels = scenario_labels(
        [
            ["+experiment=levers", "levers=none", "run.years=2", "run.seed=0"],
            ["+experiment=levers", "levers=all", "run.years=2", "run.seed=5"],
        ]
    )
    assert labels == ["levers=none", "levers=all"]
    assert scenario_labels([["run.seed=1"], ["run.seed=2"]]) == ["baseline", "baseline"]


def test_collect_refuses_empty_folders_and_lists_a_corrupt_run_as_damaged(tmp_path):
    with pytest.raises(CollectError, match="no run folders"):
        sweep_table(tmp_path)
    _fake_run(tmp_path / "0" / "seed-1", 1, 60.0)
    (tmp_path / "0" / "seed-1" / "summary.json").write_text("{not json")
    table = sweep_table(tmp_path)
    assert list(table["status"]) == ["damaged"]
    assert table["error"].iloc[0].startswith("summary.json: not valid")
    proc = subprocess.run(
        [sys.executable, "-m", "slsim.experiments.collect", str(tmp_path / "nowhere")], capture_output=True, text=True
    )
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "no such folder" in proc.stderr


def test_progress_counts_runs_and_estimates_the_rest(tmp_path):
    _fake_run(tmp_path / "0" / "seed-1", 1, 1.0)
    progress = Progress(tmp_path, total=4)
    assert progress.before == 1
    _fake_run(tmp_path / "0" / "seed-2", 2, 1.0)
    (tmp_path / "1" / "seed-1").mkdir(parents=True)
    (tmp_path / "1" / "seed-1" / "failed.json").write_text("{}")
    assert count_runs(tmp_path) == (2, 1)
    line = progress.line()
    assert line.startswith("slsim: sweep 3/4 runs (1 failed, 1 done before)")
    assert "elapsed" in line


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_progress_estimates_from_the_rate_since_the_first_run_of_this_sweep(tmp_path):
    """No estimate until 5 runs (or a tenth of the sweep's runs, if fewer) have finished in this
    sweep; then the runs left at the rate since this sweep's first run finished: the start-up before
    it (checking jobs, starting workers) and the runs done before are not run time."""
    for seed in range(10):  # done before: a resumed sweep of 110 runs, 100 to make
        _fake_run(tmp_path / "0" / f"seed-{seed}", seed, 1.0)
    clock = FakeClock()
    progress = Progress(tmp_path, total=110, clock=clock)
    made = iter(range(10, 110))

    def finish(n, at):
        clock.now = 1000.0 + at
        for _ in range(n):
            seed = next(made)
            _fake_run(tmp_path / "1" / f"seed-{seed}", seed, 1.0)
        return progress.line()

    assert finish(0, 40) == "slsim: sweep 10/110 runs (10 done before), 0:40 elapsed"  # start-up: nothing yet
    assert "left" not in finish(1, 60)  # the first run of this sweep: the clock starts
    assert "left" not in finish(3, 62)  # 4 finished in this sweep: too few to tell
    line = finish(1, 64)  # 5: 4 runs in 4 s since the first, 95 left at 1 a second
    assert line == "slsim: sweep 15/110 runs (10 done before), 1:04 elapsed, ~1:35 left"
    assert finish(45, 94).endswith("~0:35 left")  # 49 runs in 34 s since the first; 50 left: 34.7 s
    assert finish(50, 120).endswith("2:00 elapsed")  # all done: no estimate


def test_a_small_sweep_estimates_after_a_tenth_of_its_runs(tmp_path):
    clock = FakeClock()
    progress = Progress(tmp_path, total=20, clock=clock)
    for seed, at in ((1, 10), (2, 12)):
        clock.now = 1000.0 + at
        _fake_run(tmp_path / "0" / f"seed-{seed}", seed, 1.0)
        line = progress.line()
    assert line.endswith("~0:36 left")  # 2 runs = a tenth: 1 run in 2 s since the first, 18 left


def test_expected_runs_counts_axes_seeds_and_sample_rows():
    cfg = compose_cfg(["+experiment=levers"], hydra_node=True)
    assert expected_runs(cfg) == 18 * 10
    cfg = compose_cfg(["+experiment=sensitivity"], hydra_node=True)
    assert expected_runs(cfg) == 64 * (9 + 2) * 4
    cfg = compose_cfg(["+experiment=optimise"], hydra_node=True)
    assert expected_runs(cfg) == 40 * 5


def test_sobol_indices_of_a_known_linear_function():
    """Y = 2 x1 + x2 on [0, 1]^2: first-order indices 4/5 and 1/5, no interaction."""
    from slsim.experiments.sampling import analyse, sample_matrix
    from slsim.experiments.config import params_from_cfg

    cfg = compose_cfg(
        [
            "experiment.sample.method=sobol",
            "experiment.sample.n=1024",
            "+experiment.sample.parameters={carers.base_exit_per_year:[0.0,1.0],carers.enquiry_to_assessment:[0.0,1.0]}",
        ]
    )
    sample = params_from_cfg(cfg).experiment.sample
    x = sample_matrix(sample)
    assert x.shape == (1024 * 4, 2)
    idx = analyse(sample, 2 * x[:, 0] + x[:, 1], "y").set_index("parameter")
    assert idx.loc["carers.base_exit_per_year", "S1"] == pytest.approx(0.8, abs=0.03)
    assert idx.loc["carers.enquiry_to_assessment", "S1"] == pytest.approx(0.2, abs=0.03)
    assert idx["ST"].to_numpy() == pytest.approx(idx["S1"].to_numpy(), abs=0.03)
    assert (idx["S1_conf"] > 0).all()


def test_sample_rows_round_integer_parameters():
    from slsim.experiments.sampling import row_values
    from slsim.experiments.config import params_from_cfg

    cfg = compose_cfg(
        [
            "experiment.sample.method=morris",
            "experiment.sample.n=4",
            "+experiment.sample.parameters={scheme.scheme_workers:[1,5],carers.base_exit_per_year:[0.01,0.05]}",
        ]
    )
    sample = params_from_cfg(cfg).experiment.sample
    for i in range(4 * 3):
        values = row_values(sample, i)
        assert isinstance(values["scheme.scheme_workers"], int) and 1 <= values["scheme.scheme_workers"] <= 5
        assert isinstance(values["carers.base_exit_per_year"], float)


# ---------------------------------------------------------------------------
# budgets and shock sizes
# ---------------------------------------------------------------------------
def test_a_budget_buys_whole_posts_and_a_fee_rise_of_its_share_of_the_fee_bill():
    from slsim.simulation.budget import apply_budget, week0_fee_bill

    p = params("budget=staff", "budget.gbp_per_year=100000")
    spent = apply_budget(p)
    ev = spent.shocks.events["budget_scheme_workers"]
    assert (ev.kind, ev.post, ev.size, ev.start_week) == ("investment", "scheme_worker", 100000.0, 1)
    assert ev.duration_weeks == p.weeks  # recurrent: to the horizon
    limited = apply_budget(params("budget=staff_time_limited", "budget.gbp_per_year=90000"))
    assert limited.shocks.events["budget_scheme_workers"].duration_weeks == 156

    split = apply_budget(params("budget.gbp_per_year=90000", "budget.shares.recruitment=1", "budget.shares.fees=2"))
    assert split.shocks.events["budget_recruitment"].size == pytest.approx(30000.0)
    s, fees = p.scheme, p.economics.carer_fee_per_week
    mix = np.array(s.initial_arrangement_mix.shares())
    bill = s.initial_people_supported * 52 * float(mix @ [fees.live_in, fees.short_break, fees.day_support])
    assert week0_fee_bill(p) == pytest.approx(bill)
    assert split.levers.fee_uplift.enabled and split.levers.fee_uplift.fee_increase == pytest.approx(60000.0 / bill)

    none = params("budget.gbp_per_year=90000")
    assert apply_budget(none) is none  # every share 0: nothing spent


BAD_BUDGETS = [
    (["budget=staff", "budget.gbp_per_year=90000", "budget.start_week=9999"], "budget.start_week=9999"),
    (["budget=fees", "budget.gbp_per_year=90000", "budget.start_week=5"], "budget.start_week=5"),
    (
        [
            "budget=staff",
            "budget.gbp_per_year=90000",
            "shocks=time_limited_investment",
            "+shocks.events.budget_scheme_workers={kind:pandemic,start_week:5,duration_weeks:2,size:1}",
        ],
        "shocks.events.budget_scheme_workers",
    ),
    (["budget=fees", "budget.gbp_per_year=90000", "scheme.initial_people_supported=0"], "budget.shares.fees"),
]


@pytest.mark.parametrize("args,field", BAD_BUDGETS, ids=[a[-1] for a, _ in BAD_BUDGETS])
def test_a_budget_that_does_not_fit_the_run_is_refused_before_anything_is_written(
    args, field, capsys, tmp_path, monkeypatch
):
    assert field in refused(args, capsys, tmp_path, monkeypatch)


def test_shock_scale_multiplies_event_sizes():
    one = params("shocks=[pandemic,funding_cut]").shocks.events
    half = params("shocks=[pandemic,funding_cut]", "shocks.scale=0.5").shocks.events
    assert half["pandemic"].size == pytest.approx(one["pandemic"].size * 0.5)
    assert half["funding_cut"].size == 1.0  # 0.5 posts, rounded half up
    zero = params("shocks=[pandemic,funding_cut]", "shocks.scale=0").shocks.events
    assert all(e.size == 0 for e in zero.values())


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_every_experiment_has_a_report(tiny_sweeps, name):
    from slsim.analysis.report import build

    sweep = tiny_sweeps[name][3]
    page = (build(sweep, sweep / "report") / "index.html").read_text()
    section = {"shocks": "shocks", "sensitivity": "sensitivity"}.get(name)
    if section:  # the study's own figure is in its section
        start = page.index(f"<section id='{section}'>")
        assert "data:image/png;base64," in page[start : page.index("</section>", start)]
    if name == "optimise":
        assert "budget.shares.scheme_workers" in page[page.index("<section id='optimisation'>") :]
