"""The ``slsim`` console script, run as a user would (subprocesses, ~1 s each).

The bad-input runs are started together and awaited once (module fixture), so
their start-up costs overlap. More bad inputs (sweeps included) go through
``slsim.experiments.cli.main`` in-process, which stops before Hydra starts.
"""

import json
import subprocess

import pandas as pd
import pytest
import yaml

from helpers import params, refused, slsim
from slsim.simulation.run import RUN_FILES, run_simulation, versions
from slsim.simulation.outputs import OUTCOME_DIRECTIONS

TIMEOUT = 120


# ---------------------------------------------------------------------------
# a good run
# ---------------------------------------------------------------------------
GOOD_ARGS = ("run.years=1", "run.seed=5", "run.warmup_weeks=10")


@pytest.fixture(scope="module")
def good_run(slsim_exe, tmp_path_factory):
    cwd = tmp_path_factory.mktemp("cli_good")
    run_dir = cwd / "run"
    proc = slsim(*GOOD_ARGS, f"hydra.run.dir={run_dir}", cwd=cwd, timeout=TIMEOUT)
    return proc, cwd, run_dir


def test_good_run_exits_0_and_writes_every_file(good_run):
    proc, cwd, run_dir = good_run
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    for name in RUN_FILES:
        assert (run_dir / name).is_file(), f"{name} missing from the run folder"
    assert not list(run_dir.glob(".partial-*")), "a temporary .partial-* folder was left behind"
    assert sorted(p.name for p in cwd.iterdir()) == ["run"], "the run wrote outside its run folder"
    assert str(run_dir) in proc.stdout


def test_good_run_metadata_has_seed_and_versions(good_run):
    _, _, run_dir = good_run
    meta = json.loads((run_dir / "metadata.json").read_text())
    assert meta["seed"] == 5
    assert meta["versions"] == versions()
    assert meta["versions"]["mesa"] and meta["versions"]["slsim"] and meta["versions"]["python"]


def test_good_run_config_and_summary(good_run):
    _, _, run_dir = good_run
    config = yaml.safe_load((run_dir / "config.yaml").read_text())
    assert "hydra" not in config
    assert config["run"] == {"years": 1, "seed": 5, "warmup_weeks": 10}
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["seed"] == 5 and summary["weeks"] == 52
    assert set(summary["outcomes"]) == set(OUTCOME_DIRECTIONS)
    assert summary["directions"] == OUTCOME_DIRECTIONS


def test_good_run_tables_match_the_library_run(good_run):
    """The CLI is a thin wrapper: its files hold exactly what run_simulation returns."""
    _, _, run_dir = good_run
    ts = pd.read_parquet(run_dir / "timeseries.parquet")
    events = pd.read_parquet(run_dir / "events.parquet")
    assert ts["week"].tolist() == list(range(53))
    expected = run_simulation(params(*GOOD_ARGS))
    pd.testing.assert_frame_equal(ts, expected.timeseries)
    pd.testing.assert_frame_equal(events, expected.events)
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["outcomes"] == expected.summary


# ---------------------------------------------------------------------------
# bad input: exit 2, one line naming the field, nothing left behind
# ---------------------------------------------------------------------------
BAD = {  # override -> text the error line must contain
    "scheme.scheme_workers=-1": "scheme.scheme_workers",
    "carers.spare_room=1.5": "carers.spare_room",
    "run.years=ten": "run.years",
    "scheme.bogus=1": "scheme.bogus",
    "+scheme.extra=3": "scheme.extra",
    "scheme=nope": "scheme",
}


@pytest.fixture(scope="module")
def bad_runs(slsim_exe, tmp_path_factory):
    started = {}
    for override in BAD:
        cwd = tmp_path_factory.mktemp("cli_bad")
        proc = subprocess.Popen(
            [str(slsim_exe), override, f"hydra.run.dir={cwd / 'run'}"],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started[override] = (proc, cwd)
    done = {}
    for override, (proc, cwd) in started.items():
        try:
            out, err = proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        done[override] = (proc.returncode, out, err, cwd)
    return done


@pytest.mark.parametrize("override", list(BAD))
def test_bad_input_exits_2_with_one_line_and_no_run_folder(bad_runs, override):
    code, out, err, cwd = bad_runs[override]
    assert code == 2, f"exit code {code}; stderr: {err}"
    lines = err.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}: {err!r}"
    assert lines[0].startswith("slsim: error: "), lines[0]
    assert BAD[override] in lines[0], f"{lines[0]!r} does not name {BAD[override]}"
    assert not (cwd / "run").exists(), "a run folder was created for bad input"
    assert list(cwd.iterdir()) == [], f"files left behind: {[p.name for p in cwd.iterdir()]}"


# ---------------------------------------------------------------------------
# the pre-check, in-process (no subprocess): more bad inputs, sweeps included
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args, field",
    [
        (["social_work.teams.0.crisis_share=2"], "crisis_share"),
        (["carers.complexity_mix.band1=-1"], "carers.complexity_mix.band1"),
        (["-m", "run.seed=1,2", "scheme.scheme_workers=2,0"], "scheme.scheme_workers"),
        (["--multirun", "run.seed=range(0,3)", "carers.spare_room=1.5"], "carers.spare_room"),
    ],
)
def test_main_refuses_bad_input_before_hydra_runs(args, field, capsys, tmp_path, monkeypatch):
    line = refused(args, capsys, tmp_path, monkeypatch)
    assert field in line, line


def test_sweep_check_reports_the_failing_run():
    from slsim.experiments.checks import check_overrides
    from slsim.simulation.params import ConfigError

    with pytest.raises(ConfigError, match=r"scheme\.scheme_workers=0.*sweep run: run\.seed=1 scheme\.scheme_workers=0"):
        check_overrides(["-m", "run.seed=1,2", "scheme.scheme_workers=3,0"])
    check_overrides(["-m", "run.seed=range(1,4)", "scheme.scheme_workers=2,3", "hydra/launcher=basic"])


def test_multirun_precheck_catches_jointly_invalid_combinations():
    from slsim.experiments.checks import check_overrides
    from slsim.simulation.params import ConfigError

    # each value is valid with the other key's first value; (age_min=50, age_mean=45) is not
    with pytest.raises(ConfigError, match="carers.age_mean"):
        check_overrides(["-m", "carers.age_min=25,50", "carers.age_mean=54,45"])


# ---------------------------------------------------------------------------
# the run mode the pre-check hands to Hydra (experiments/cli.py: mode_known)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        [],
        ["hydra.mode=RUN"],
        ["experiment=sensitivity"],  # an experiment that sets hydra.mode: MULTIRUN
        ["hydra.mode=MULTIRUN", "run.seed=1,2"],
        ["-m", "run.seed=1,2"],
        ["--run", "experiment=sensitivity"],
    ],
    ids=str,
)
def test_the_pre_checks_run_mode_is_the_one_hydra_finds(args, tmp_path, monkeypatch):
    from hydra._internal.hydra import Hydra
    from hydra._internal.utils import create_config_search_path
    from hydra.core.global_hydra import GlobalHydra

    from slsim.experiments.checks import UNCHECKED, _parse_args, check_overrides
    from slsim.experiments.config import CONFIG_DIR, CONFIG_NAME, modern_overrides

    monkeypatch.chdir(tmp_path)
    args = modern_overrides([*args, f"hydra.run.dir={tmp_path / 'run'}", f"hydra.sweep.dir={tmp_path / 'sweep'}"])
    found = check_overrides(args)
    assert found is not UNCHECKED
    GlobalHydra.instance().clear()
    try:
        hydra = Hydra.create_main_hydra2("slsim", create_config_search_path(str(CONFIG_DIR)))
        own = hydra.get_mode(config_name=CONFIG_NAME, overrides=list(_parse_args(args).overrides))
    finally:
        GlobalHydra.instance().clear()
    assert found == own
    assert list(tmp_path.iterdir()) == []  # the pre-check wrote nothing


def test_help_and_version_are_left_to_hydra():
    from slsim.experiments.checks import UNCHECKED, check_overrides

    assert check_overrides(["--help"]) is UNCHECKED
    assert check_overrides(["--version"]) is UNCHECKED
