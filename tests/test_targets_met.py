"""The default scheme against every published target, over 20 seeds (slow: ~40 runs in all).

Every target of configs/targets/sector.yaml must pass (the model's mean over seeds inside the
target's interval, slsim-validate's rule), except the open gaps below, each with its reason.
A gap that starts passing fails this test too, so the list cannot go stale: remove it then.
"""

import pytest

from slsim.experiments.targets import load_targets
from slsim.experiments.validate import validate

SEEDS = 20
KNOWN_GAPS: dict = {
    # none open. The last one closed: people_change_3y (-6.2% over 2021-22 to 2024-25) once the
    # period's runs start from 2021-22's staffing (three scheme workers, scheme.scheme_workers=3 in
    # the targets' overrides) and the complexity trend is re-calibrated from there
    # (configs/calibration/period/): -0.5% over these seeds, inside [-12%, 0] but near its top.
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
