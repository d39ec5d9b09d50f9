"""Staff time: a recruitment post takes the carer pipeline it brings (enquiries, then assessments)
from its own hours before the frontline pool (``scheme.recruitment_officers_assess``), and every
hour of the week is spent once."""

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
