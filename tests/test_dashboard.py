"""The dashboard's model and command without a browser (tests/test_dashboard_browser.py has the page)."""

import subprocess

import pytest

from helpers import BIN, params
from slsim.experiments.config import load_params
from slsim.experiments.dashboard_cli import main as dashboard_main
from slsim.experiments.dashboard_model import SLIDERS, DashboardModel, defaults, levers, overrides_of, shocks
from slsim.simulation.budget import apply_budget
from slsim.simulation.model import SharedLivesModel
from slsim.simulation.params import LEVER_NAMES, ConfigError


def test_inputs_are_the_config_groups_options():
    assert sorted(levers()) == sorted(LEVER_NAMES)  # every configs/levers/NAME.yaml but none and all
    assert shocks()[0] == "none" and "pandemic" in shocks()
    p = params()
    assert defaults()["scheme_workers"] == p.scheme.scheme_workers
    fee = p.economics.carer_fee_per_week
    assert defaults()["live_in_fee"] == (fee["live_in"] if isinstance(fee, dict) else fee.live_in)
    assert set(defaults()) == set(SLIDERS)


def test_week_0_is_the_state_after_warm_up_as_in_a_cli_run():
    m = DashboardModel(years=3, scheme_workers=2, lever_colocation=True, lever_extra_workers=True, shock="pandemic")
    assert m.error is None and m.week == 0 and m.steps == 0
    assert "levers=[colocation,extra_workers]" in m.overrides and "shocks=pandemic" in m.overrides
    for _ in range(5):
        m.step()
    same = SharedLivesModel(apply_budget(load_params(m.overrides)))
    same.warm_up()
    for _ in range(5):
        same.step()
    assert m.table().equals(same.recorder.to_frame())  # the same config, seed and weeks as slsim's


def test_the_model_stops_at_its_horizon():
    m = DashboardModel(years=1)
    while m.running:
        m.step()
    assert m.week == m.horizon == 52 and len(m.table()) == 53
    m.step()
    assert m.week == 52


@pytest.mark.parametrize(
    "inputs",
    [
        {"more": "carers.enquiry_to_assessment=1.5"},
        {"more": "scheme.no_such_key=1"},
        {"more": "levers.colocation.enabled=2"},
        {"shock": "no_such_shock"},
        {"scheme_workers": 500},
    ],
)
def test_a_refused_input_keeps_the_clis_one_line_message(inputs):
    m = DashboardModel(**inputs)
    with pytest.raises(ConfigError) as cli:
        more = inputs.get("more", "")
        values = {k: v for k, v in inputs.items() if k in SLIDERS}
        load_params(overrides_of({**defaults(), **values}, inputs.get("shock", "none"), more))
    assert m.error == str(cli.value) and "\n" not in m.error
    assert m.scheme is None and not m.running and m.table().empty
    m.step()  # nothing runs, nothing raises


@pytest.mark.parametrize("more", ["experiment=levers", "hydra.run.dir=x", "--multirun", "'open quote", "noequals"])
def test_run_settings_and_flags_are_for_slsim(more):
    m = DashboardModel(more=more)
    assert m.error and "\n" not in m.error and m.scheme is None


def test_more_overrides_win_over_the_inputs():
    m = DashboardModel(scheme_workers=2, more="scheme.scheme_workers=5")
    assert m.error is None and m.scheme.p.scheme.scheme_workers == 5


def test_help_and_bad_options(capsys):
    proc = subprocess.run([str(BIN / "slsim-dashboard"), "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith("usage: slsim-dashboard")
    assert "--port" in proc.stdout and "8765" in proc.stdout
    for argv in (["--port", "0"], ["--port", "http"], ["--bogus"], ["--host", "a b"]):
        with pytest.raises(SystemExit) as exit_:
            dashboard_main(argv)
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith("slsim-dashboard: error: ") and err.count("\n") == 1, err
