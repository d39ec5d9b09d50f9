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
    # The 2021-22 -> 2024-25 trend (people down 6%, carers up 13%), run with that period's
    # conditions (configs/shocks/period_2021_2025.yaml: referrals growing more complex, cost of
    # living): the model gives people about 0% and carers about +4%. With 73 households most
    # complex referrals still find a household, so few are inappropriate; and nothing in the model
    # raised carer numbers in those years (national recruitment, recovery after the pandemic).
    "people_change_3y": "the period's rising complexity turns few referrals away in the model",
    "carers_change_3y": "no mechanism for the period's growth in carers",
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
