"""Validation is total: every kind of bad input is refused before anything is written.

The promise (README, "Bad input"): a config value out of range, a wrong type, an
unknown key or config-group option, a bad path or launcher setting gives **one
line** on stderr naming the field and what is allowed, **exit code 2**, and
**nothing written** (no run or sweep folder). These are the regression cases an
adversarial tester found; tests/test_fuzz_cli.py throws generated input at the
same promise.

The CLI runs in-process (``slsim.experiments.cli.main``), which stops before Hydra
starts when the input is bad; ``helpers.refused`` asserts the three parts of the
promise.
"""

import ast
import dataclasses
import math
import os
import typing
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from helpers import REPO, evolve, params, refused
from slsim.experiments.config import CONFIG_DIR, group_options
from slsim.experiments.settings import SlsimConfig
from slsim.simulation.params import ConfigError

GROUPS = sorted(p.name for p in CONFIG_DIR.iterdir() if p.is_dir() and p.name not in ("base", "hydra", "experiment"))


def _refused_as_given(args, capsys, tmp_path, monkeypatch):
    """Like ``helpers.refused`` but without its own output folders (for tests of those settings):
    nothing may appear in ``tmp_path`` (the working folder) or next to it."""
    from slsim.experiments.cli import main

    work = tmp_path / "work"
    work.mkdir()
    before = sorted(tmp_path.iterdir())
    monkeypatch.chdir(work)
    with pytest.raises(SystemExit) as info:
        main(list(args))
    assert info.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("slsim: error: "), err[0]
    assert list(work.iterdir()) == [], "something was written for bad input"
    assert sorted(tmp_path.iterdir()) == before, "something was written next to the working folder"
    return err[0]


# ---------------------------------------------------------------------------
# config-group choices: a name the group does not have is refused, with the names it has
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("group", [*GROUPS, "hydra/launcher", "hydra/sweeper"])
def test_unknown_group_option_is_refused_with_the_valid_names(group, capsys, tmp_path, monkeypatch):
    line = refused([f"{group}=nope_x"], capsys, tmp_path, monkeypatch)
    assert f"{group}=nope_x: allowed " in line, line
    assert all(name in line for name in group_options(group)), line


def test_misspelt_scenario_is_refused_not_run_as_the_baseline(capsys, tmp_path, monkeypatch):
    # `optional scenario` in configs/config.yaml silently dropped a name it could not find
    line = refused(["scenario=pandemc"], capsys, tmp_path, monkeypatch)
    assert "scenario=pandemc: allowed" in line and "pandemic" in line


@pytest.mark.parametrize(
    "args, shown",
    [
        (["-m", "scenario=pandemic,pandemc"], "scenario=pandemc"),  # was run and labelled scenario=pandemc
        (["-m", "levers=none,colocatoin"], "levers=colocatoin"),
        (["-m", "+experiment=nope"], "experiment=nope"),
        (["-m", "+experiment=levers", "levers=none,nope"], "levers=nope"),  # replaces the experiment's axis
        (["-m", "hydra/launcher=jobbib"], "hydra/launcher=jobbib"),
        (["levers=[colocation,nope]"], "levers=nope"),
        (["+experiment=nope"], "experiment=nope"),
    ],
)
def test_unknown_group_option_in_sweeps_and_lists(args, shown, capsys, tmp_path, monkeypatch):
    line = refused(args, capsys, tmp_path, monkeypatch)
    assert f"{shown}: allowed" in line, line


def test_load_params_refuses_an_unknown_group_option_too():
    from slsim.experiments.config import load_params

    with pytest.raises(ConfigError, match=r"^scenario=pandemc: allowed .*pandemic"):
        load_params(["scenario=pandemc"])


# ---------------------------------------------------------------------------
# numbers: finite, and below an upper bound (checked on every number of the tree)
# ---------------------------------------------------------------------------
def _numeric_fields(node=SlsimConfig, prefix=""):
    """(dotted name, type) of every int/float leaf of the schema (list items: the first)."""
    hints = typing.get_type_hints(node)
    for f in dataclasses.fields(node):
        tp, name = hints[f.name], prefix + f.name
        if dataclasses.is_dataclass(tp):
            yield from _numeric_fields(tp, name + ".")
        elif typing.get_origin(tp) is list and dataclasses.is_dataclass(typing.get_args(tp)[0]):
            yield from _numeric_fields(typing.get_args(tp)[0], name + ".0.")
        elif tp in (int, float):
            yield name, tp


NUMERIC = list(_numeric_fields())


def test_the_schema_walk_finds_the_numbers():
    names = [n for n, _ in NUMERIC]
    assert len(names) > 150
    assert "carers.base_enquiries_per_year" in names and "social_work.teams.0.social_workers" in names


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan], ids=["inf", "-inf", "nan"])
def test_every_float_field_refuses_non_finite_values(bad, default_params):
    accepted = []
    for name, tp in NUMERIC:
        if tp is not float:
            continue
        try:
            evolve(default_params, {name: bad})
            accepted.append(name)
        except ConfigError as exc:
            assert str(exc).startswith(name.replace(".0.", "[0].")), exc
    assert not accepted, f"non-finite {bad} accepted by {accepted}"


def test_every_number_has_an_upper_bound(default_params):
    accepted = []
    for name, tp in NUMERIC:
        huge = 10**30 if tp is int else 1e30
        try:
            evolve(default_params, {name: huge})
            accepted.append(name)
        except ConfigError as exc:
            assert str(exc).startswith(name.replace(".0.", "[0].")), exc
    assert not accepted, f"{accepted} accept 1e30"


@pytest.mark.parametrize(
    "override, field",
    [
        ("carers.base_enquiries_per_year=inf", "carers.base_enquiries_per_year"),  # failed inside the run, exit 1
        ("economics.carer_fee_per_week.live_in=inf", "economics.carer_fee_per_week.live_in"),  # wrote Infinity
        ("economics.carer_fee_per_week.live_in=nan", "economics.carer_fee_per_week.live_in"),
        ("carers.spare_room=nan", "carers.spare_room"),
        ("economics.inflation_per_year=-inf", "economics.inflation_per_year"),
        ("+shocks.events.x={kind:pandemic,start_week:2,duration_weeks:4,size:inf}", "shocks.events.x.size"),
        ("+shocks.events.x={kind:funding_cut,start_week:2,duration_weeks:4,size:nan}", "shocks.events.x.size"),
        ("+shocks.events.x={kind:cost_of_living,start_week:2,duration_weeks:4,size:1e400}", "shocks.events.x.size"),
        (
            "++experiment.sample.parameters={carers.spare_room:[0,inf],carers.carer_agrees:[0.1,0.9]}",
            "experiment.sample.parameters.carers.spare_room=[0, inf]",
        ),
        ("shocks.scale=nan", "shocks.scale"),
    ],
)
def test_non_finite_values_are_refused(override, field, capsys, tmp_path, monkeypatch):
    args = [override, "experiment.sample.method=sobol"] if "sample" in override else [override]
    line = refused(args, capsys, tmp_path, monkeypatch)
    assert field in line, line


def test_a_scaled_event_with_a_non_finite_size_is_refused_before_scaling():
    with pytest.raises(ConfigError, match=r"^shocks\.events\.x\.size=inf"):
        params("shocks.scale=0.5", "+shocks.events.x={kind:funding_cut,start_week:2,duration_weeks:4,size:inf}")


@pytest.mark.parametrize(
    "args, field",
    [
        (["scheme.initial_people_supported=10000000"], "scheme.initial_people_supported"),  # ran for ever
        (["budget=staff", "budget.gbp_per_year=1e12"], "budget.gbp_per_year"),  # segfault at 4 GB
        (["+shocks.events.x={kind:investment,start_week:2,duration_weeks:4,size:1e12}"], "shocks.events.x.size"),
        (["run.warmup_weeks=2600"], "run.warmup_weeks"),
        (["carers.base_enquiries_per_year=1e6"], "carers.base_enquiries_per_year"),
        (["social_work.teams.0.social_workers=5000"], "social_work.teams"),
        (["experiment.sample.n=1048576"], "experiment.sample.n"),
        (
            ["+shocks.events.x={kind:investment,start_week:2,duration_weeks:4,size:1e12}", "shocks.scale=0.5"],
            "shocks.events.x.size",
        ),
    ],
)
def test_sizes_past_their_upper_bound_are_refused(args, field, capsys, tmp_path, monkeypatch):
    line = refused(args, capsys, tmp_path, monkeypatch)
    assert line.startswith(f"slsim: error: {field}"), line
    assert "allowed" in line


@pytest.mark.parametrize(
    "overrides, message",
    [
        # each team within its bound, together too many
        ([f"social_work.teams.{i}.social_workers=500" for i in range(5)], r"social_work\.teams: 2500 social workers"),
        (
            ["social_work.teams.0.social_workers=100", "social_work.teams.0.decisions_per_worker_per_year=100"],
            r"social_work\.teams: .* support decisions a year",
        ),
        # a cheap post makes an affordable investment buy millions of posts
        (
            [
                "economics.scheme_worker_cost_per_year=0.01",
                "+shocks.events.x={kind:investment,start_week:2,duration_weeks:4,size:1000}",
            ],
            r"shocks\.events\.x: investments and the budget would buy",
        ),
        (["budget=staff", "budget.gbp_per_year=9100000"], r"budget\.shares\.scheme_workers: .* would buy 202"),
        # real fees compounding over a century would raise enquiries without end
        (
            ["run.years=100", "economics.fee_uplift_per_year=0.5"],
            r"economics\.fee_uplift_per_year=0\.5: real carer fees",
        ),
        (
            ["carers.enquiry_fee_elasticity=5", "levers=fee_uplift", "levers.fee_uplift.fee_increase=2"],
            r"economics\.fee_uplift_per_year=.*enquiries up to 243-fold",
        ),
        # a fee rise the fee_uplift lever could not take (it failed inside the run)
        (["budget=fees", "budget.gbp_per_year=9000000"], r"budget\.gbp_per_year=9000000.0: the fee share buys"),
        # the sample's matrix
        (
            ["+experiment=sensitivity", "experiment.sample.n=32768"],  # nine parameters: 11 rows each
            r"experiment\.sample\.n=32768: the sample would have 360448 rows",
        ),
    ],
)
def test_jointly_too_large_is_refused(overrides, message):
    with pytest.raises(ConfigError, match=message):
        params(*overrides)


def test_too_many_events_are_refused():
    events = [f"+shocks.events.e{i}={{kind:investment,start_week:2,duration_weeks:4,size:0}}" for i in range(101)]
    with pytest.raises(ConfigError, match=r"^shocks\.events: 101 events"):
        params(*events)
    params(*events[:100])


def test_the_bounds_leave_the_shipped_configs_and_experiments_valid():
    # every shipped option composes (tests/test_params.py runs each); the experiments' extremes too
    params("levers=all", "budget=fees", "budget.gbp_per_year=90000")
    params("run.years=100", "run.warmup_weeks=520", "levers=all")
    params("+experiment=sensitivity")


# ---------------------------------------------------------------------------
# switches are true or false (OmegaConf reads 2, 1, "yes", "on" as true)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args, field",
    [
        (["levers.colocation.enabled=2"], "levers.colocation.enabled=2"),
        (["levers.colocation.enabled=1"], "levers.colocation.enabled=1"),
        (["levers.colocation.enabled=0"], "levers.colocation.enabled=0"),
        (["levers.colocation.enabled=yes"], "levers.colocation.enabled='yes'"),
        (["levers.colocation.enabled=on"], "levers.colocation.enabled='on'"),
        (["experiment.per_week=1"], "experiment.per_week=1"),
        (["social_work.teams.0.sl_by_default=yes"], "social_work.teams.0.sl_by_default='yes'"),
        (["levers.colocation={enabled:2}"], "levers.colocation.enabled=2"),
        (["-m", "levers.colocation.enabled=true,2"], "levers.colocation.enabled=2"),
        (["-m", "experiment.sample.second_order=range(0,2)"], "experiment.sample.second_order=0"),
        (["--cfg", "job", "levers.colocation.enabled=2"], "levers.colocation.enabled=2"),
    ],
)
def test_switches_take_true_or_false_only(args, field, capsys, tmp_path, monkeypatch):
    line = refused(args, capsys, tmp_path, monkeypatch)
    assert f"{field}: allowed true or false" in line, line


def test_true_and_false_are_still_switches():
    assert params("levers.colocation.enabled=true").levers.colocation.enabled is True
    assert params("levers.colocation.enabled=False").levers.colocation.enabled is False


def test_shipped_yaml_writes_switches_as_true_or_false():
    import yaml

    loose = {"yes", "no", "on", "off", "y", "n"}
    found = []
    for path in CONFIG_DIR.rglob("*.yaml"):
        for line_no, line in enumerate(path.read_text().splitlines(), 1):
            body = line.split("#", 1)[0]
            if ":" in body and body.split(":", 1)[1].strip().lower() in loose:
                found.append(f"{path.relative_to(REPO)}:{line_no}")
        yaml.safe_load(path.read_text())  # and every file is YAML
    assert not found, f"write true/false, not yes/no/on/off: {found}"


# ---------------------------------------------------------------------------
# paths: the folders Hydra creates are where the settings say, checked before anything is written
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["..", ".", "a/b", "../up", "-dash", "with space", "x" * 101, ".hidden"])
def test_experiment_name_is_a_plain_folder_name(name, capsys, tmp_path, monkeypatch):
    for args in ([f"experiment.name={name}"], ["-m", f"experiment.name={name}", "run.years=1"]):
        line = refused(args, capsys, tmp_path, monkeypatch)
        assert line.startswith("slsim: error: experiment.name="), line
        assert "plain folder name" in line


def test_experiment_name_dot_dot_does_not_escape_multirun(capsys, tmp_path, monkeypatch):
    # the sweep folder is multirun/${experiment.name}: `..` would have been the working folder
    line = _refused_as_given(["-m", "+experiment=levers", "experiment.name=.."], capsys, tmp_path, monkeypatch)
    assert "experiment.name='..'" in line


@pytest.mark.parametrize(
    "args, setting",
    [
        (["hydra.run.dir=../escaped"], "hydra.run.dir"),
        (["hydra.run.dir=a/../../escaped"], "hydra.run.dir"),
        (["-m", "run.years=1", "hydra.sweep.dir=../escaped"], "hydra.sweep.dir"),
        (["-m", "run.years=1", "hydra.sweep.dir=ok", "hydra.sweep.subdir=../${hydra.job.num}"], "hydra.sweep.subdir"),
        (["hydra.run.dir="], "hydra.run.dir"),
        (["hydra.run.dir='  '"], "hydra.run.dir"),
    ],
)
def test_output_folders_must_stay_where_the_setting_says(args, setting, capsys, tmp_path, monkeypatch):
    line = _refused_as_given(args, capsys, tmp_path, monkeypatch)
    assert line.startswith(f"slsim: error: {setting}="), line


def test_output_folder_under_a_file_is_refused(capsys, tmp_path, monkeypatch):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    for args in (
        [f"hydra.run.dir={blocker}/run"],
        [f"hydra.run.dir={blocker}"],
        ["-m", "run.years=1", f"hydra.sweep.dir={blocker}/deeper/sweep"],
    ):
        line = _refused_as_given(args, capsys, tmp_path, monkeypatch)
        assert "a_file" in line and "is a file" in line, line
        (tmp_path / "work").rmdir()
    assert blocker.read_text() == "not a folder"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc (a folder no one can write in)")
def test_output_folder_in_an_unwritable_folder_is_refused(capsys, tmp_path, monkeypatch):
    line = _refused_as_given(["hydra.run.dir=/proc/slsim-test/run"], capsys, tmp_path, monkeypatch)
    assert "hydra.run.dir=/proc/slsim-test/run" in line and "not writable" in line


def test_a_read_only_folder_is_refused_for_a_normal_user(capsys, tmp_path, monkeypatch):
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere; the /proc test covers the check")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        line = _refused_as_given([f"hydra.run.dir={locked}/run"], capsys, tmp_path, monkeypatch)
        assert "not writable" in line
    finally:
        locked.chmod(0o700)


def test_good_output_folders_still_pass():
    from slsim.experiments.checks import check_overrides

    check_overrides(["hydra.run.dir=outputs/fine", "run.years=1"])
    check_overrides(["-m", "run.seed=1,2", "hydra.sweep.dir=/tmp/slsim-not-created/sweep"])
    assert not Path("outputs/fine").exists() and not Path("/tmp/slsim-not-created").exists()


# ---------------------------------------------------------------------------
# launcher settings (configs/hydra/launcher/*.yaml): tracebacks or hangs in the sweep before
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "launcher, setting",
    [
        ("joblib", "n_jobs=0"),  # joblib: a traceback
        ("joblib", "timeout=0.01"),  # every job timed out: a traceback
        ("joblib", "timeout=-5"),
        ("joblib", "pre_dispatch=__import__"),
        ("joblib", "batch_size=0"),
        ("joblib", "require=sharedmem"),  # the launcher always uses loky processes
        ("joblib", "prefer=gpus"),
        ("joblib", "verbose=-1"),
        ("joblib", "mmap_mode=x"),
        ("submitit_local", "timeout_min=0"),
        ("submitit_local", "cpus_per_task=0"),
        ("submitit_slurm", "array_parallelism=0"),
        ("ray", "ray.remote.num_cpus=100000"),  # a local Ray never starts a job asking for more cores
        ("ray", "ray.remote.num_cpus=0"),
    ],
)
def test_launcher_settings_are_checked(launcher, setting, capsys, tmp_path, monkeypatch):
    args = ["-m", "run.years=1", "run.seed=1,2", f"hydra/launcher={launcher}", f"hydra.launcher.{setting}"]
    line = refused(args, capsys, tmp_path, monkeypatch)
    assert line.startswith(f"slsim: error: hydra.launcher.{setting.split('=')[0]}="), line
    assert "allowed" in line


def test_good_launcher_settings_pass():
    from slsim.experiments.checks import check_overrides

    check_overrides(
        [
            "-m",
            "run.seed=1,2",
            "hydra/launcher=joblib",
            "hydra.launcher.n_jobs=2",
            "hydra.launcher.timeout=600",
            "hydra.launcher.batch_size=1",
            "hydra.launcher.pre_dispatch=all",
        ]
    )
    check_overrides(["-m", "run.seed=1,2", "hydra/launcher=submitit_local", "hydra.launcher.timeout_min=5"])
    check_overrides(["-m", "run.seed=1,2", "hydra/launcher=ray"])


# ---------------------------------------------------------------------------
# a sample row past the sample: refused before Hydra writes anything (single run and sweep)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ["+experiment=sensitivity", "experiment.sample.index=704"],  # left .hydra/ behind
        ["-m", "+experiment=sensitivity", "experiment.sample.index=704"],  # a traceback
        ["-m", "+experiment=sensitivity", "experiment.sample.index=0,100000"],
        [
            "+experiment=sensitivity",
            "experiment.sample.method=morris",
            "experiment.sample.n=2",
            "experiment.sample.index=20",
        ],  # 2 trajectories of 9 + 1 rows
    ],
)
def test_sample_index_past_the_sample_is_refused(args, capsys, tmp_path, monkeypatch):
    line = refused(args, capsys, tmp_path, monkeypatch)
    assert "experiment.sample.index=" in line and "rows of the sample" in line, line


def test_seeds_of_a_job_must_all_be_valid_seeds(capsys, tmp_path, monkeypatch):
    top = 2**63 - 1
    line = refused([f"run.seed={top}", "experiment.replicates=2"], capsys, tmp_path, monkeypatch)
    assert f"run.seed={top}" in line and "experiment.replicates" in line
    line = refused(["-m", f"run.seed=0,{top - 1}", "experiment.replicates=3"], capsys, tmp_path, monkeypatch)
    assert "run.seed" in line


# ---------------------------------------------------------------------------
# --cfg composes the same config: it is checked too (and prints good ones, as Hydra does)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ["--cfg", "job", "scheme.scheme_workers=-1"],
        ["--cfg", "all", "scenario=pandemc"],
        ["-c", "job", "carers.base_enquiries_per_year=inf"],
        ["--cfg=hydra", "run.years=ten"],
        ["--cfg", "job", "--resolve", "levers.colocation.enabled=yes"],
        ["--cfg", "job", "-p", "run", "run.years=0"],
        ["-m", "--cfg", "job", "run.seed=1,2,x"],
        ["-m", "--cfg", "job", "run.seed=1,2"],  # Hydra does one thing at a time (a traceback before)
        ["--cfg", "nope"],
    ],
)
def test_cfg_validates_too(args, capsys, tmp_path, monkeypatch):
    refused(args, capsys, tmp_path, monkeypatch)


def test_cfg_prints_a_good_config_and_writes_nothing(capsys, tmp_path, monkeypatch):
    from slsim.experiments.cli import main

    monkeypatch.chdir(tmp_path)
    try:
        main(["--cfg", "job", "run.years=3", "levers=colocation"])
    except SystemExit as exc:
        assert exc.code in (0, None)
    out = capsys.readouterr().out
    cfg = OmegaConf.create(out)
    assert cfg.run.years == 3 and cfg.levers.colocation.enabled is True
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [["run.years=1", "-m", "run.seed=1,2"], ["--bogus"], ["-x", "run.years=1"]])
def test_bad_flags_give_one_line_too(args, capsys, tmp_path, monkeypatch):
    # argparse printed its usage (eight lines); a flag after an override is what Hydra cannot read
    line = refused(args, capsys, tmp_path, monkeypatch)
    assert "allowed slsim [flags] [key=value ...]" in line, line


# ---------------------------------------------------------------------------
# strict JSON: what slsim writes is JSON (no NaN, Infinity)
# ---------------------------------------------------------------------------
def test_every_json_writer_refuses_non_finite_numbers():
    """Every json.dump/json.dumps call outside the tests passes allow_nan=False."""
    loose = []
    for folder in ("simulation", "experiments", "analysis", "benchmarks", "docs"):
        for path in (REPO / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("dump", "dumps")
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "json"
                ):
                    flags = {k.arg: k.value for k in node.keywords}
                    strict = (
                        "allow_nan" in flags
                        and isinstance(flags["allow_nan"], ast.Constant)
                        and flags["allow_nan"].value is False
                    )
                    if not strict:
                        loose.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not loose, f"json.dump(s) without allow_nan=False: {loose}"


def test_a_run_folder_with_a_non_finite_outcome_is_not_written(tmp_path, default_params):
    from slsim.simulation.run import run_simulation, write_run_folder

    result = run_simulation(evolve(default_params, {"run.years": 1, "run.warmup_weeks": 0}))
    result.summary["people_supported_end"] = math.inf  # what an unbounded parameter could once produce
    with pytest.raises(ValueError, match="JSON compliant"):
        write_run_folder(result, tmp_path / "run", "config: x\n")
    assert not (tmp_path / "run" / "summary.json").exists(), "Infinity was written as if it were JSON"
    assert not list(tmp_path.rglob(".partial-*")), "the temporary folder was left behind"
