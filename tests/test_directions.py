"""Direction tests: a lever moved one way moves an outcome the expected way.

Common random numbers: every arm runs the same seeds, and each claim is about
the mean of the paired differences, which must clear zero by a margin of
``Z`` standard errors (not a single lucky run). Runs are the default 10-year
scheme, cached per arm for the module.
"""

import math
import statistics

import pytest

from helpers import evolve, params
from slsim.simulation.run import run_simulation

SEEDS = tuple(range(101, 115))  # 14 shared seeds
Z = 2.0  # required margin, in standard errors of the mean paired difference

ARMS = {
    "workers_2": ("scheme.scheme_workers=2",),
    "workers_4": ("scheme.scheme_workers=4",),
    "workers_5": ("scheme.scheme_workers=5",),
    "default": (),
    "high_sw_turnover": ("social_work.turnover_per_year=0.6",),
}

_cache = {}


def outcomes(arm: str) -> list:
    """Summaries of one arm over the shared seeds (computed once per module)."""
    if arm not in _cache:
        base = params(*ARMS[arm])
        _cache[arm] = [run_simulation(evolve(base, {"run.seed": s})).summary for s in SEEDS]
    return _cache[arm]


def paired(arm_a: str, arm_b: str, key: str):
    """Mean and standard error of (a - b) over the shared seeds."""
    diffs = [a[key] - b[key] for a, b in zip(outcomes(arm_a), outcomes(arm_b))]
    mean = statistics.fmean(diffs)
    se = statistics.stdev(diffs) / math.sqrt(len(diffs))
    return mean, se


def assert_greater(arm_a, arm_b, key):
    mean, se = paired(arm_a, arm_b, key)
    assert mean > Z * se and mean > 0, (
        f"{key}: expected {arm_a} > {arm_b}; mean paired difference {mean:.3f}, se {se:.3f} "
        f"(needs > {Z} se) over seeds {SEEDS[0]}..{SEEDS[-1]}"
    )


@pytest.fixture(scope="module", autouse=True)
def _clear_cache():
    yield
    _cache.clear()


def test_the_arms_really_differ():
    """Guard: the overrides reached the model (otherwise every test below is vacuous)."""
    assert params(*ARMS["workers_5"]).scheme.scheme_workers == 5
    assert params(*ARMS["workers_2"]).scheme.scheme_workers == 2
    assert params(*ARMS["high_sw_turnover"]).social_work.turnover_per_year == 0.6
    assert params().social_work.turnover_per_year < 0.6


def test_more_scheme_workers_support_more_people():
    assert_greater("workers_5", "workers_2", "people_supported_mean")


def test_smaller_team_carries_more_households_per_worker():
    assert_greater("workers_2", "workers_4", "mean_households_per_worker")


def test_smaller_team_has_fewer_growth_hours():
    """Outreach + recruitment hours are what is left after monitoring and casework."""
    assert_greater("workers_4", "workers_2", "mean_growth_hours_per_week")


def test_smaller_team_supports_fewer_people():
    assert_greater("workers_4", "workers_2", "people_supported_mean")
    assert_greater("workers_4", "workers_2", "weeks_of_care")


def test_higher_social_worker_turnover_means_fewer_referrals():
    assert_greater("default", "high_sw_turnover", "referrals_received")


def test_higher_social_worker_turnover_lowers_awareness():
    assert_greater("default", "high_sw_turnover", "final_sw_awareness")
