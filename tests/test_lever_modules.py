"""Unit tier: each lever module, on a small initialised model, changes what it says and nothing else.

For every lever: switched on, it changes nothing in warm-up or at week 0
(levers act from week 1), and from week 1 it changes exactly the fields of
the week's conditions (or the hook) it is documented to change; every other
field keeps its baseline value. The baseline itself is checked against the
configured values, so a hook that leaks into another field fails here.
"""

import math

import pytest

from helpers import evolve, params
from slsim.simulation.conditions import Conditions
from slsim.simulation.levers import LEVERS
from slsim.simulation.model import SharedLivesModel
from slsim.simulation.params import LEVER_NAMES
from slsim.simulation.stages import Role

SMALL = (
    "run.warmup_weeks=0",
    "run.years=2",
    "scheme.scheme_workers=2",
    "scheme.initial_carers_approved=6",
    "scheme.initial_people_supported=4",
)
FIELDS = (
    "extra_inflation",
    "turnover_factor",
    "retirement_factor",
    "decision_factor",
    "enquiry_factor",
    "monitoring_factor",
    "satisfaction_shift",
    "paid_break_weeks",
    "leadership_quality",
    "matching_weeks",
    "word_of_mouth_factor",
    "champion_after",
    "champion_contacts_per_year",
    "enquiry_conversion",
    "assessment_weeks",
    "person_agrees",
    "carer_agrees",
    "champion_enquiries",
    "contacts",
    "meetings_due",
    "refer_log_odds",
    "by_default",
)


def snapshot(c: Conditions) -> dict:
    return {f: getattr(c, f) for f in FIELDS}


def with_lever(name, **changes):
    base = params(*SMALL)
    return evolve(base, {f"levers.{name}.enabled": True, **{f"levers.{name}.{k}": v for k, v in changes.items()}})


def conditions_at(p, week: int) -> Conditions:
    c = Conditions(p)
    c.begin_week(week, False)
    return c


def changed(name, week=1, **changes) -> dict:
    """Fields of the week's conditions the lever changes from the baseline (field: (baseline, with lever))."""
    base = snapshot(conditions_at(params(*SMALL), week))
    lever = snapshot(conditions_at(with_lever(name, **changes), week))
    return {f: (base[f], lever[f]) for f in FIELDS if base[f] != lever[f]}


def test_the_registry_is_the_lever_list():
    assert tuple(LEVERS) == LEVER_NAMES
    assert all(cls.name == name for name, cls in LEVERS.items())


def test_the_baseline_conditions_are_the_configured_values():
    p = params(*SMALL)
    c = conditions_at(p, 1)
    assert c.acting == () and c.leadership_quality == p.scheme.leadership_quality
    assert c.matching_weeks == p.workload.matching_weeks and c.assessment_weeks == p.carers.assessment_weeks
    assert (c.person_agrees, c.carer_agrees) == (p.referrals.person_agrees, p.carers.carer_agrees)
    assert c.champion_after == p.social_work.champion_after_successes
    assert c.refer_log_odds == dict.fromkeys(c.refer_log_odds, 0.0)
    assert c.by_default == {t.name: t.sl_by_default for t in p.social_work.teams}
    assert (c.decision_factor, c.enquiry_factor, c.monitoring_factor, c.satisfaction_shift) == (1.0, 1.0, 1.0, 0.0)
    assert c.fee_factor() == 1.0 and c.investment_probability(1e6) == 0.0


@pytest.mark.parametrize("name", LEVER_NAMES)
def test_no_lever_acts_before_week_1(name):
    for week in (-5, 0):
        assert changed(name, week=week) == {}
    c = conditions_at(with_lever(name), 0)
    assert c.acting == () and c.funded_posts(0, 0) == conditions_at(params(*SMALL), 0).funded_posts(0, 0)


def test_collaboration_levers():
    lv = params(*SMALL).levers
    got = changed("colocation")
    assert set(got) == {"refer_log_odds", "contacts"}
    assert {t: v for t, v in got["refer_log_odds"][1].items() if v} == dict.fromkeys(
        lv.colocation.teams, lv.colocation.refer_weight
    )
    assert [t for t, _ in got["contacts"][1]] == list(lv.colocation.teams)
    due = [w for w in range(1, 53) if conditions_at(with_lever("team_meetings"), w).meetings_due]
    assert len(due) == int(lv.team_meetings.meetings_per_year)
    got = changed("team_meetings", week=due[0])
    assert set(got) == {"meetings_due"}
    assert got["meetings_due"][1] == tuple((t, lv.team_meetings.hours_per_meeting) for t in lv.team_meetings.teams)
    got = changed("sl_by_default")
    assert set(got) == {"by_default"} and all(got["by_default"][1][t] for t in lv.sl_by_default.teams)
    got = changed("referral_route", matching_weeks=1)
    assert set(got) == {"refer_log_odds", "matching_weeks"} and got["matching_weeks"][1] == 1
    assert set(got["refer_log_odds"][1].values()) == {lv.referral_route.refer_weight}


def test_leadership_levers():
    p = params(*SMALL)
    assert changed("leadership", quality=0.9) == {"leadership_quality": (p.scheme.leadership_quality, 0.9)}
    c = conditions_at(with_lever("leadership", advocacy=0.3), 1)
    assert c.investment_probability(0.0) == pytest.approx(0.3)
    c = conditions_at(with_lever("commissioner", push=0.4), 1)
    assert changed("commissioner", push=0.4) == {} and c.investment_probability(0.0) == pytest.approx(0.4)
    got = changed("sw_champions", champion_after_successes=1)
    assert set(got) <= {"champion_after", "champion_contacts_per_year"} and got["champion_after"][1] == 1
    model = SharedLivesModel(with_lever("sw_champions", initial_champions_per_team=2))
    model.step()  # week 1: the lever starts
    assert all(sum(w.champion for w in workers) >= 2 for workers in model.teams.values())
    got = changed("carer_champions", champions=3)
    assert set(got) == {"champion_enquiries"} and got["champion_enquiries"][1][1] == 3


def test_evidence_levers():
    lv = params(*SMALL).levers
    c = conditions_at(with_lever("business_case", evidence_weight=0.5), 1)
    threshold = lv.business_case.evidence_threshold_gbp
    assert c.investment_probability(threshold / 2) == pytest.approx(0.25)
    assert c.investment_probability(math.nan) == 0.0 and changed("business_case") == {}
    week = 520  # past every ramp
    got = changed("peer_network", week=week, assessment_reduction=0.5, agreement_gain=0.2, ramp_years=1)
    assert set(got) == {"assessment_weeks", "person_agrees", "carer_agrees"}
    assert got["assessment_weeks"][1] == max(1, round(got["assessment_weeks"][0] * 0.5))
    assert got["person_agrees"][1] == pytest.approx(min(1.0, got["person_agrees"][0] * 1.2))
    early = changed("peer_network", week=1, assessment_reduction=0.5, ramp_years=10)
    assert "person_agrees" not in early or early["person_agrees"][1] < got["person_agrees"][1]  # still ramping
    got = changed("channel_tracking", week=week, conversion_gain=0.5, ramp_years=1)
    assert set(got) == {"enquiry_conversion"}
    assert got["enquiry_conversion"][1] == pytest.approx(min(1.0, got["enquiry_conversion"][0] * 1.5))


def test_workforce_levers():
    p = params(*SMALL)
    for name, role in (("extra_workers", Role.SCHEME_WORKER), ("recruitment_post", Role.RECRUITMENT_OFFICER)):
        assert changed(name, posts=2) == {}
        c = conditions_at(with_lever(name, posts=2), 1)
        assert c.funded_posts(1, 0)[(f"lever:{name}", role)] == 2
        model = SharedLivesModel(with_lever(name, posts=2))
        cost = c.lever_costs(model)[name]
        assert cost == pytest.approx((getattr(p.levers, name).annual_cost_gbp + 2 * c.unit_costs[role]) / 52)
    fee = conditions_at(with_lever("fee_uplift", fee_increase=0.1, extra_uplift_per_year=0.05), 1)
    assert fee.fee_factor() == 1.0  # until the lever starts
    fee.acting[0].start(None)
    fee.on_fee_uplift()
    assert fee.fee_factor() == pytest.approx(1.1 * 1.05)
    got = changed("carer_support", satisfaction_boost=0.1, paid_break_weeks_per_year=6.0)
    assert got == {"satisfaction_shift": (0.0, 0.1), "paid_break_weeks": (p.carers.paid_break_weeks_per_year, 6.0)}
    model = SharedLivesModel(with_lever("carer_support", cost_per_household_per_year_gbp=520.0, annual_cost_gbp=0.0))
    c = conditions_at(model.p, 1)
    assert c.running_costs(model) == pytest.approx(model.registry.households() * 10.0)
    got = changed("referral_incentives", word_of_mouth_multiplier=2.0)
    assert got == {"word_of_mouth_factor": (1.0, 2.0)}
    c = conditions_at(with_lever("referral_incentives", bonus_gbp=100.0, annual_cost_gbp=0.0), 1)

    class Recruit:
        source = "word_of_mouth"

    c.on_approval(Recruit())
    c.on_approval(Recruit())
    assert c.running_costs(model) == pytest.approx(200.0)
    c.begin_week(2, False)
    assert c.running_costs(model) == 0.0  # bonuses are counted a week at a time
