"""Staff time: a recruitment post takes the carer pipeline it brings (enquiries, then assessments)
from its own hours before the frontline pool (``scheme.recruitment_officers_assess``), it promotes
the scheme to social workers instead of marketing for carers while too many approved households
wait for a match (``scheme.recruitment_pause_idle_share``), and every hour of the week is spent once."""

import math

import pytest

from helpers import params
from slsim.simulation.model import SharedLivesModel
from slsim.simulation.processes.staff_time import allocate_staff_time
from slsim.simulation.stages import CarerStage

SCHEME = (
    "run.warmup_weeks=0",
    "scheme.recruitment_officers=1",
    "scheme.initial_enquiries=3",
    "scheme.initial_carers_in_assessment=5",
    "scheme.recruitment_pause_idle_share=1.0",  # the post markets whatever the share of idle households
)


def _week(*overrides):
    model = SharedLivesModel(params(*SCHEME, *overrides))
    hours = allocate_staff_time(model)
    c = model.registry.carers
    served = [t.served for stage in (CarerStage.ENQUIRY, CarerStage.ASSESSMENT) for t in c[stage].values()]
    spent = hours.monitoring + hours.matching + hours.assessment + hours.outreach + hours.recruitment
    assert math.isclose(spent, hours.available), (spent, hours.available)  # every hour spent once
    return model, hours, served


def test_the_post_takes_its_pipeline_so_the_team_keeps_its_outreach():
    model, own, served = _week("scheme.recruitment_officers_assess=true")
    _, pooled, served_pooled = _week("scheme.recruitment_officers_assess=false")
    w = model.p.workload
    demand = 3 * w.enquiry_hours_per_week + 5 * w.assessment_hours_per_week
    assert all(served) and all(served_pooled)
    assert own.assessment == pytest.approx(demand) == pooled.assessment
    # the pipeline's hours came out of the post's, so the frontline pool's outreach share is back
    assert own.outreach - pooled.outreach == pytest.approx(demand * w.outreach_share)
    assert pooled.recruitment - own.recruitment == pytest.approx(demand * w.outreach_share)


def test_a_post_short_of_hours_hands_the_rest_of_the_pipeline_to_the_team():
    # 5 contracted hours (~4 productive) cover two enquiries; the rest falls to the pool, in order
    model, hours, served = _week(
        "scheme.recruitment_officers_assess=true", "scheme.recruitment_officer_hours_per_week=5"
    )
    w = model.p.workload
    assert all(served)
    assert hours.assessment == pytest.approx(3 * w.enquiry_hours_per_week + 5 * w.assessment_hours_per_week)
    left = 5 * model.p.scheme.productive_share  # leadership 0.5: efficiency 1
    own_used = 2 * w.enquiry_hours_per_week
    pool_share = hours.recruitment - (left - own_used)
    assert pool_share == pytest.approx(hours.outreach * (1 - w.outreach_share) / w.outreach_share)


def _idle(model) -> float:
    c = model.registry.carers
    return len(c[CarerStage.APPROVED]) / model.registry.households()


def test_a_post_promotes_the_scheme_instead_of_recruiting_while_carers_wait():
    model, markets, _ = _week()
    idle = _idle(model)
    assert 0.0 < idle < 1.0  # the starting scheme has some households with nobody placed
    _, promotes, _ = _week(f"scheme.recruitment_pause_idle_share={idle - 0.01:.4f}")
    _, still_markets, _ = _week(f"scheme.recruitment_pause_idle_share={idle + 0.01:.4f}")
    w, sc = model.p.workload, model.p.scheme
    pipeline = 3 * w.enquiry_hours_per_week + 5 * w.assessment_hours_per_week
    left = sc.recruitment_officer_hours_per_week * sc.productive_share - pipeline  # leadership 0.5: efficiency 1
    assert left > 0
    # above the share: the post's hours left after its pipeline go to outreach, all of them
    assert promotes.outreach - markets.outreach == pytest.approx(left)
    assert markets.recruitment - promotes.recruitment == pytest.approx(left)
    assert promotes.assessment == pytest.approx(pipeline)  # the pipeline is still served first
    # at or below it: nothing moves
    assert (still_markets.outreach, still_markets.recruitment) == (markets.outreach, markets.recruitment)


def test_the_pause_moves_nothing_without_a_post():
    # the frontline team's split (workload.outreach_share) does not depend on idle households
    _, never, _ = _week("scheme.recruitment_officers=0")
    _, always, _ = _week("scheme.recruitment_officers=0", "scheme.recruitment_pause_idle_share=0.0")
    assert (always.outreach, always.recruitment) == (never.outreach, never.recruitment)
    assert never.recruitment > 0
