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
    # The 2021-22 -> 2024-25 trend (people down 6%, carers up 13%) is a period with its own
    # conditions (rising complexity of referrals, cost of living, recovery from the pandemic);
    # the default scheme under unchanged conditions is steady by design (tests/test_steady_state.py),
    # and no preset reproduces that period yet.
    "people_change_3y": "the 2021-25 period's conditions are not modelled as a preset yet",
    "carers_change_3y": "as people_change_3y",
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
