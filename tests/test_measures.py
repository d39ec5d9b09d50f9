"""Measures (simulation/measures.py) on small hand-built runs with known answers, and on a real run."""

import math
import numpy as np
import pandas as pd
import pytest

from helpers import params
from slsim.simulation.measures import MEASURE_NAMES, PIPELINE_EXIT_REASONS, explain, measure, measure_tables
from slsim.simulation.run import RunResult, run_simulation

WEEKS = 156  # three recorded years


def timeseries(weeks=WEEKS, **columns) -> pd.DataFrame:
    """A weekly table with the columns the measures read; ``columns``: name -> value or per-week array."""
    base = dict(
        people_supported=70,
        people_live_in=42,
        people_short_break=21,
        people_day_support=7,
        people_need_learning_disability=49,
        people_need_mental_health=7,
        households=35,
        carers_approved=7,
        scheme_workers_in_post=3,
        recruitment_officers_in_post=1,
        outreach_officers_in_post=0,
        carer_exits=0,
        pandemic_severity=0.0,
    )
    base.update(columns)
    week = np.arange(weeks + 1)
    return pd.DataFrame({"week": week, **{k: np.broadcast_to(v, week.shape).copy() for k, v in base.items()}})


def events(rows) -> pd.DataFrame:
    """Event table from (week, event, referral_id, carer_id, detail) rows."""
    df = pd.DataFrame(rows, columns=["week", "event", "referral_id", "carer_id", "detail"])
    return df.astype({"week": "int32", "referral_id": "int64", "carer_id": "int64"})


def referrals(rows) -> pd.DataFrame:
    """Referral table from (week, referral_id, team, need, crisis, route) rows."""
    return pd.DataFrame(rows, columns=["week", "referral_id", "team", "need", "crisis", "route"])


NO_EVENTS = events([])


def result(ts, log=NO_EVENTS, refs=None) -> RunResult:
    """A hand-built RunResult (no model run): only its tables matter to the measures."""
    return RunResult(params=None, timeseries=ts, events=log, summary={}, lever_costs={}, shocks={}, referrals=refs)


def test_levels_at_the_end_are_last_year_means():
    people = np.where(np.arange(WEEKS + 1) <= WEEKS - 52, 60, 70)  # 70 in the last 52 weeks
    m = measure_tables(timeseries(people_supported=people), NO_EVENTS)
    assert m["people_per_scheme"] == 70
    assert m["carers_per_scheme"] == 35
    assert m["staff_per_scheme"] == 5  # 3 workers + 1 officer + the manager
    assert m["people_per_staff"] == 14
    assert m["carers_per_person"] == 0.5
    assert m["idle_carer_share"] == pytest.approx(0.2)
    assert (m["share_live_in"], m["share_short_break"], m["share_day_support"]) == pytest.approx((0.6, 0.3, 0.1))
    assert m["need_share_learning_disability"] == pytest.approx(0.7)
    assert m["need_share_mental_health"] == pytest.approx(0.1)


def test_carer_exits_rate_and_reasons():
    exits = np.zeros(WEEKS + 1, int)
    exits[1:16] = 1  # 15 household exits over three years, 35 households
    log = events(
        [(w, "carer_exit", -1, 10 + w, "retirement") for w in (3, 9, 27)]
        + [(40, "carer_exit", -1, 50, "dissatisfied"), (-5, "carer_exit", -1, 51, "retirement")]  # warm-up: out
        + [(w, "carer_exit", -1, 60 + w, "not_applying") for w in range(1, 6)]  # pipeline: not households
    )
    m = measure_tables(timeseries(carer_exits=exits), log)
    assert m["carer_exits_per_carer_year"] == pytest.approx(15 / 35 / 3)
    assert m["carer_exit_share_retirement"] == pytest.approx(0.75)
    assert m["carer_exit_share_dissatisfied"] == pytest.approx(0.25)


def test_approval_weeks_is_the_median_from_enquiry_for_recorded_approvals():
    log = events(
        [(-10, "enquiry", -1, 1, ""), (10, "carer_approved", -1, 1, "")]  # 20 weeks (enquired in warm-up)
        + [(5, "enquiry", -1, 2, ""), (20, "carer_approved", -1, 2, "")]  # 15
        + [(0, "enquiry", -1, 3, ""), (30, "carer_approved", -1, 3, "")]  # 30
        + [(-30, "enquiry", -1, 4, ""), (-1, "carer_approved", -1, 4, "")]  # approved in warm-up: out
        + [(12, "carer_approved", -1, 5, "")]  # initial household, no enquiry: out
    )
    assert measure_tables(timeseries(), log)["approval_weeks_median"] == 20


def test_referral_measures_by_team_crisis_and_foster():
    refs = referrals(
        [
            (w, i, "mental_health", n, False, "social_worker")
            for w, i, n in (
                (1, 1, "mental_health"),
                (2, 2, "mental_health"),
                (3, 3, "mental_health"),
                (4, 4, "learning_disability"),
            )
        ]  # fmt: skip
        + [
            (5, 10 + i, "older_adults", n, i == 0, "social_worker")
            for i, n in enumerate(("dementia", "older_age", "learning_disability", "ld_dementia", "physical"))
        ]  # fmt: skip
        + [(-3, 20, "older_adults", "physical", True, "social_worker")]  # warm-up: out
        + [
            (6, 100, "transitions", "learning_disability", False, "foster"),
            (7, 101, "transitions", "physical", False, "foster"),
        ]  # fmt: skip
        + [(8, 102, "transitions", "learning_disability", False, "foster")]  # never placed
    )
    log = events([(9, "placement", 100, 1, "live_in"), (60, "placement", 100, 2, "live_in"), (20, "placement", 101, 3, "live_in")])  # fmt: skip
    m = measure(result(timeseries(), log, refs))
    assert m == measure_tables(timeseries(), log, refs)
    assert m["mental_health_team_share_mental_health"] == pytest.approx(0.75)
    assert m["older_adults_team_share_older_needs"] == pytest.approx(0.6)
    assert m["crisis_share_of_referrals"] == pytest.approx(1 / 9)  # foster referrals are not decisions
    assert m["foster_transitions_per_year"] == pytest.approx(2 / 3)  # 100 placed twice counts once


def test_without_a_referral_table_its_measures_are_nan_with_the_reason():
    run = result(timeseries())
    m, why = measure(run), explain(run)
    for name in ("mental_health_team_share_mental_health", "crisis_share_of_referrals", "foster_transitions_per_year"):
        assert math.isnan(m[name]) and "referral table" in why[name]


def test_staff_turnover_is_not_modelled_until_the_model_records_leavers():
    run = result(timeseries())
    assert math.isnan(measure(run)["scheme_worker_turnover_per_year"])
    assert explain(run)["scheme_worker_turnover_per_year"].startswith("not modelled yet")
    leavers = np.zeros(WEEKS + 1, int)
    leavers[[10, 100]] = 1
    m = measure_tables(timeseries(scheme_worker_leavers=leavers), NO_EVENTS)
    assert m["scheme_worker_turnover_per_year"] == pytest.approx(2 / 3 / 3)


def test_three_year_trend_and_its_absence_in_a_short_run():
    week = np.arange(WEEKS + 1)
    m = measure_tables(timeseries(people_supported=np.where(week < 100, 60, 70)), NO_EVENTS)
    assert m["people_change_3y"] == pytest.approx(70 / 60 - 1)
    assert m["carers_change_3y"] == 0
    short = result(timeseries(weeks=104))
    assert math.isnan(measure(short)["people_change_3y"])
    assert "shorter than 3 years" in explain(short)["people_change_3y"]


def test_pandemic_change_compares_the_quarter_before_with_the_end_of_its_first_year():
    week = np.arange(WEEKS + 1)
    on = (week >= 60) & (week < 112)  # weeks 60-111
    live_in = np.where(week < 60, 40, np.where(week >= 99, 44, 10))  # weeks 99-111 are the window
    day = np.where(week < 60, 20, 15)
    ts = timeseries(pandemic_severity=on.astype(float), people_live_in=live_in, people_day_support=day)
    m = measure_tables(ts, NO_EVENTS)
    assert m["pandemic_change_live_in"] == pytest.approx(0.1)
    assert m["pandemic_change_day_support"] == pytest.approx(-0.25)
    assert m["pandemic_change_short_break"] == 0
    plain = result(timeseries())
    assert math.isnan(measure(plain)["pandemic_change_live_in"])
    assert explain(plain)["pandemic_change_live_in"] == "no pandemic in the run"


def test_a_real_run_gives_every_measure_consistently_with_its_tables():
    run = run_simulation(params("run.seed=3", "run.years=4", "shocks=pandemic"))
    m = measure(run)
    assert tuple(m) == MEASURE_NAMES
    # every measure is modelled; a small team may refer nobody in four years (nothing to measure)
    assert set(explain(run)) <= {"older_adults_team_share_older_needs", "mental_health_team_share_mental_health"}
    assert m["share_live_in"] + m["share_short_break"] + m["share_day_support"] == pytest.approx(1.0)
    ev, ts = run.events, run.timeseries
    exits = ev[(ev["event"] == "carer_exit") & (ev["week"] >= 1)]
    households = exits[~exits["detail"].isin(PIPELINE_EXIT_REASONS)]
    assert len(households) == ts["carer_exits"].iloc[1:].sum()  # the exit reasons split households from pipeline
    refs = run.referrals
    assert len(refs[refs["week"] >= 1]) == ts["referrals_received"].iloc[1:].sum()  # one row per referral made
    assert set(refs["referral_id"]) <= set(ev.loc[ev["event"] == "referral", "referral_id"])
    assert 0 <= m["idle_carer_share"] <= 1 and m["approval_weeks_median"] > 0
