"""The default scheme against every published target, over 20 seeds (slow: ~40 runs in all).

Every target of configs/targets/sector.yaml must pass (the model's mean over seeds inside the
target's interval, slsim-validate's rule), except the open gaps below, each with its reason.
A gap that starts passing fails this test too, so the list cannot go stale: remove it then.
"""

import pytest

from slsim.experiments.targets import load_targets
from slsim.experiments.validate import validate

SEEDS = 20
KNOWN_GAPS = {
    # The 2021-22 -> 2024-25 fall in people supported (-6.2%), run with that period's conditions
    # (configs/shocks/period_2021_2025.yaml: the reported staff growth, referrals growing more
    # complex at the calibrated rate, the cost of living). Carers' +13% is reproduced; people stay
    # about level (-0.5% in the period calibration's predictive check, configs/calibration/period/;
    # about +3% over these seeds): the staff growth brings referrals as well as carers, and even
    # the fastest complexity trend the prior allows takes only a few per cent off people.
    "people_change_3y": "people stay about level in the 2021-25 period, against -6%"
}


@pytest.fixture(scope="module")
def table():
    return validate(load_targets(), SEEDS, jobs=1).set_index("target")


def test_every_target_passes_but_the_open_gaps(table):
    failing = sorted(table.index[table["status"] != "pass"])
    unexpected = [
        f"{n}: {table.loc[n, 'status']} (mean {table.loc[n, 'mean']:.3g})" for n in failing if n not in KNOWN_GAPS
    ]
    assert not unexpected, f"targets failing over {SEEDS} seeds: {unexpected}"


def test_the_open_gaps_are_still_open(table):
    closed = [n for n in KNOWN_GAPS if table.loc[n, "status"] == "pass"]
    assert not closed, f"now passing, remove from KNOWN_GAPS: {closed}"
