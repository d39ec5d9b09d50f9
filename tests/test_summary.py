"""Hand-computed checks of the run summary on tiny synthetic tables."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from slsim.simulation.outputs import OUTCOME_DIRECTIONS, mean_wait_to_placement, payback_week, summarise


# ---------------------------------------------------------------------------
# payback_week
# ---------------------------------------------------------------------------
def pb(net, cost, weeks=None):
    weeks = np.arange(1, len(net) + 1) if weeks is None else np.asarray(weeks)
    return payback_week(weeks, np.asarray(net, float), np.asarray(cost, float))


def test_payback_never_when_nothing_extra_was_spent():
    assert pb([5, 5, 5], [0, 0, 0]) is None


def test_payback_never_when_cumulative_net_ends_negative():
    assert pb([-10, 2, 3], [1, 1, 1]) is None  # cumulative -10, -8, -5
    assert pb([5, -10], [1, 1]) is None  # positive first, negative at the end


def test_payback_immediately():
    assert pb([5, 5, 5], [1, 1, 1]) == 1


def test_payback_after_a_dip():
    # cumulative -10, -15, -7, 3, 5: non-negative from week 4 on
    assert pb([-10, -5, 8, 10, 2], [1, 1, 1, 1, 1]) == 4


def test_payback_is_from_the_last_time_it_turned_non_negative():
    # cumulative 5, -5, -2, 2, 3: positive at week 1 but dips again; stays >= 0 only from week 4
    assert pb([5, -10, 3, 4, 1], [1, 1, 1, 1, 1]) == 4


def test_payback_reaching_exactly_zero_counts():
    assert pb([-2, 2, 0], [1, 1, 1]) == 2  # cumulative -2, 0, 0


def test_payback_waits_until_money_was_spent():
    # net is never negative, but nothing extra was spent before week 3
    assert pb([1, 1, 1], [0, 0, 2]) == 3


def test_payback_returns_the_week_label_as_int():
    week = pb([-1, 3, 1], [1, 1, 1], weeks=np.array([10, 11, 12], dtype=np.int32))
    assert week == 11 and type(week) is int


# ---------------------------------------------------------------------------
# mean_wait_to_placement
# ---------------------------------------------------------------------------
def events(rows):
    return pd.DataFrame(rows, columns=["week", "event", "referral_id"])


WAIT_EVENTS = events(
    [
        (-10, "placement", 4),  # placed at initialisation: no referral, not a wait
        (-5, "referral", 1),
        (0, "referral", 3),
        (0, "placement", 3),  # wait 0, but placed before the first recorded week
        (2, "referral", 2),
        (3, "placement", 1),  # wait 8
        (4, "placement", 2),  # wait 2
        (4, "referral", 5),  # never placed
        (5, "withdrawal", 5),
    ]
)


def test_mean_wait_counts_recorded_placements_of_referred_people():
    assert mean_wait_to_placement(WAIT_EVENTS) == pytest.approx((8 + 2) / 2)


def test_mean_wait_from_an_earlier_first_week():
    assert mean_wait_to_placement(WAIT_EVENTS, first_week=0) == pytest.approx((8 + 2 + 0) / 3)


def test_mean_wait_times_a_second_placement_from_the_rematch():
    """A person whose carer left is re-referred ("referral" again) and placed again."""
    ev = events(
        [
            (2, "referral", 1),
            (6, "placement", 1),  # wait 4
            (7, "arrangement_end", 1),
            (7, "referral", 1),  # re-referred when the carer left
            (9, "placement", 1),  # wait 2 (from the rematch, not from week 2)
            (-5, "placement", 2),  # initial arrangement ...
            (3, "referral", 2),  # ... whose carer left in week 3
            (8, "placement", 2),  # wait 5
        ]
    )
    assert mean_wait_to_placement(ev) == pytest.approx((4 + 2 + 5) / 3)


def test_mean_wait_when_the_carer_leaves_in_the_week_of_placement():
    ev = events(
        [
            (2, "referral", 1),
            (6, "placement", 1),  # wait 4
            (6, "arrangement_end", 1),  # the carer leaves in step 8 of the same week
            (6, "referral", 1),  # rematch
            (9, "placement", 1),  # wait 3
        ]
    )
    assert mean_wait_to_placement(ev) == pytest.approx((4 + 3) / 2)


def test_mean_wait_is_nan_without_placements():
    assert math.isnan(mean_wait_to_placement(events([(1, "referral", 1), (2, "withdrawal", 1)])))
    assert math.isnan(mean_wait_to_placement(events([(-3, "placement", 9)])))  # initial placements only


# ---------------------------------------------------------------------------
# summarise
# ---------------------------------------------------------------------------
def weekly(**columns):
    """A weekly table, weeks 0..n-1, with every column summarise reads (zeros unless given)."""
    n = len(next(iter(columns.values())))
    base = {
        "week": np.arange(n, dtype=np.int32),
        "people_supported": [10] * n,
        "households": [8] * n,
        "households_per_worker": [4.0] * n,
        "new_approvals": [0] * n,
        "carer_exits": [0] * n,
        "referrals_received": [0] * n,
        "referrals_placed": [0] * n,
        "referrals_withdrawn": [0] * n,
        "breakdowns": [0] * n,
        "hours_outreach": [0.0] * n,
        "hours_recruitment": [0.0] * n,
        "sw_mean_awareness": [0.5] * n,
        "carer_mean_satisfaction": [0.7] * n,
        "cost_staff": [100.0] * n,
        "cost_carer_fees": [0.0] * n,
        "cost_levers_other": [0.0] * n,
        "cost_extra_fees": [0.0] * n,
        "cost_investment": [0.0] * n,
        "cost_council": [0.0] * n,
        "council_investments": [0] * n,
        "savings_gross": [1000.0] * n,
    }
    base.update(columns)
    return pd.DataFrame(base)


NO_EVENTS = events([])


def test_summarise_hand_computed_growth():
    ts = weekly(
        people_supported=[10, 11, 12, 14],
        households=[8, 8, 9, 10],
        households_per_worker=[4.0, 4.0, 4.5, 5.0],
        new_approvals=[7, 1, 1, 2],  # week 0 is the state, not a recorded week
        referrals_received=[3, 2, 0, 4],
        hours_outreach=[9.0, 1.0, 2.0, 3.0],
        hours_recruitment=[9.0, 3.0, 2.0, 1.0],
        carer_mean_satisfaction=[0.7, 0.6, 0.5, np.nan],
    )
    s = summarise(ts, NO_EVENTS)
    assert s["people_supported_start"] == 10 and s["people_supported_end"] == 14
    assert s["people_supported_mean"] == pytest.approx((11 + 12 + 14) / 3)
    assert s["growth_people"] == 4 and s["growth_pct"] == pytest.approx(40.0)
    assert s["weeks_of_care"] == 11 + 12 + 14
    assert s["households_start"] == 8 and s["households_end"] == 10
    assert s["carers_recruited"] == 4
    assert s["referrals_received"] == 6
    assert s["mean_households_per_worker"] == pytest.approx((4.0 + 4.5 + 5.0) / 3)
    assert s["mean_growth_hours_per_week"] == pytest.approx(4.0)
    assert s["final_sw_awareness"] == 0.5
    assert s["final_carer_satisfaction"] is None  # NaN -> None
    assert s["mean_wait_to_placement_weeks"] is None  # no placements -> NaN -> None
    # constant staff cost: nothing extra spent
    assert s["staff_cost_gbp"] == pytest.approx(300.0)
    assert s["additional_cost_gbp"] == 0.0
    assert s["payback_week"] is None and s["cost_per_additional_person_gbp"] is None


def test_summarise_hand_computed_money():
    ts = weekly(
        people_supported=[10, 10, 12, 14],
        cost_staff=[100.0, 150.0, 150.0, 150.0],  # additional 50/week
        cost_carer_fees=[7.0, 20.0, 20.0, 20.0],
        savings_gross=[1000.0, 1000.0, 1100.0, 1300.0],  # growth savings 0, 100, 300
    )
    s = summarise(ts, NO_EVENTS)
    assert s["additional_cost_gbp"] == pytest.approx(150.0)
    assert s["growth_savings_gbp"] == pytest.approx(400.0)
    assert s["gross_savings_gbp"] == pytest.approx(3400.0)
    assert s["net_benefit_gbp"] == pytest.approx(250.0)
    assert s["payback_week"] == 2  # cumulative net -50, 0, 250
    assert s["cost_per_additional_person_gbp"] == pytest.approx(150.0 / 4)
    assert s["total_cost_gbp"] == pytest.approx(450.0 + 60.0)
    assert s["carer_fee_cost_gbp"] == pytest.approx(60.0)


def test_summarise_growth_pct_undefined_from_zero():
    s = summarise(weekly(people_supported=[0, 1, 2]), NO_EVENTS)
    assert s["growth_pct"] is None and s["growth_people"] == 2


def test_summarise_returns_every_outcome_json_safe():
    ts = weekly(people_supported=[0, 0], carer_mean_satisfaction=[np.nan, np.nan])
    s = summarise(ts, NO_EVENTS)
    assert set(s) == set(OUTCOME_DIRECTIONS)
    for key, value in s.items():
        assert value is None or type(value) in (int, float), f"{key}: {type(value).__name__}"
        assert not (isinstance(value, float) and math.isnan(value)), f"{key} is NaN, not None"
    json.dumps(s, allow_nan=False)


def test_outcome_directions_are_declared():
    assert set(OUTCOME_DIRECTIONS.values()) <= {"maximize", "minimize", "info"}


def test_summarise_counts_lever_running_costs_and_extra_fees_as_additional():
    ts = weekly(
        people_supported=[10, 10, 10, 10],
        cost_staff=[100.0, 140.0, 140.0, 100.0],  # a post for two weeks: +40, +40, 0
        cost_levers_other=[0.0, 10.0, 10.0, 10.0],  # a lever's running cost
        cost_extra_fees=[0.0, 5.0, 5.0, 5.0],  # fee_uplift's part of the fees
        cost_carer_fees=[50.0, 55.0, 55.0, 55.0],
        cost_lever_fee_uplift=[0.0, 15.0, 15.0, 15.0],
        cost_lever_extra_workers=[0.0, 40.0, 40.0, 0.0],
        cost_investment=[0.0, 0.0, 0.0, 0.0],
    )
    s = summarise(ts, NO_EVENTS)
    assert s["additional_cost_gbp"] == pytest.approx(80.0 + 30.0 + 15.0)
    assert s["lever_cost_gbp"] == pytest.approx(45.0 + 80.0)
    assert s["total_cost_gbp"] == pytest.approx(380.0 + 165.0 + 30.0)
    assert s["net_benefit_gbp"] == pytest.approx(-125.0)
    assert s["payback_week"] is None


def test_shock_outcomes_depth_and_recovery_by_hand():
    from types import SimpleNamespace

    from slsim.simulation.outputs import shock_outcomes

    people = [20, 20, 20, 20, 18, 15, 16, 19, 20, 21]  # weeks 0..9
    ts = weekly(people_supported=people)
    event = SimpleNamespace(kind="pandemic", size=1.0, start_week=4, duration_weeks=2)  # weeks 4-5
    out = shock_outcomes(ts, {"p": event}, before_weeks=3)["p"]
    assert out["pre_level"] == 20.0  # weeks 1-3
    assert out["trough"] == 15.0 and out["trough_week"] == 5 and out["depth"] == 5.0
    assert out["depth_pct"] == pytest.approx(25.0)
    assert out["end_week"] == 6 and out["recovery_week"] == 8 and out["weeks_to_recover"] == 2


def test_shock_outcomes_never_recovered():
    from types import SimpleNamespace

    from slsim.simulation.outputs import shock_outcomes

    ts = weekly(people_supported=[20, 20, 20, 12, 11, 12])
    event = SimpleNamespace(kind="funding_cut", size=1.0, start_week=3, duration_weeks=10)
    out = shock_outcomes(ts, {"cut": event}, before_weeks=2)["cut"]
    assert out["recovery_week"] is None and out["weeks_to_recover"] is None
    assert out["depth"] == 9.0 and out["end_week"] == 6  # clipped to the recorded weeks
