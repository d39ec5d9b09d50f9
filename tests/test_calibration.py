"""The default "typical English scheme" sits near the national figures of LGA 2025 after warm-up.

The anchors and their sources (the LGA's 2025 guidance, by section) are in
docs/design.md, section 6.

Means over 16 seeds of the recorded 10 years, with tolerances wide enough for
seed noise (s.e. of the mean people supported is ~1.3) but narrow enough that
a change to the defaults that moves the scheme off the national anchors fails.
"""

import pytest

from slsim.experiments.calibration import TARGETS, calibration_table


@pytest.fixture(scope="module")
def table():
    return calibration_table(seeds=range(1, 17))


def test_people_supported_near_national_per_scheme_figure(table):
    assert table["people_supported"]["mean"] == pytest.approx(TARGETS["people_supported"], rel=0.10)


@pytest.mark.parametrize("kind", ["live_in", "short_break", "day_support"])
def test_arrangement_mix_near_published_shares(table, kind):
    key = f"share_{kind}"
    assert table[key]["mean"] == pytest.approx(TARGETS[key], abs=0.05)


def test_learning_disability_is_the_main_need(table):
    key = "share_need_learning_disability"
    assert table[key]["mean"] == pytest.approx(TARGETS[key], abs=0.06)


def test_caseload_within_the_lga_guide(table):
    assert table["households_per_worker"]["mean"] <= TARGETS["households_per_worker"]


def test_scheme_is_not_collapsing_or_exploding(table):
    # a typical scheme is roughly stable over 10 years without levers
    assert table["people_supported_end"]["mean"] == pytest.approx(table["people_supported"]["mean"], rel=0.15)
