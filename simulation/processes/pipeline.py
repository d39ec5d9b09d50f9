"""3. Carer pipeline: new enquiries; served enquiries and assessments progress; approvals; drop-outs.

Enquiries arrive as Poisson counts from publicity and recruitment hours, from
word of mouth (satisfied active households; carer champions), and from foster
carers whose young person turns 18 (they skip the enquiry decision). All are
scaled by the real fee level (``carers.enquiry_fee_elasticity``) and by what
levers and shocks do to enquiries this week.
"""

from slsim.agents.carer import Carer
from slsim.agents.referral import Referral
from slsim.simulation.stages import CarerStage
from slsim.simulation.units import per_week, weekly_probability


def week(model) -> None:
    cp, rng, conditions = model.p.carers, model.rng, model.conditions
    attract = model.economy.real_fee_index**cp.enquiry_fee_elasticity * conditions.enquiry_factor
    publicity = per_week(cp.base_enquiries_per_year) * attract
    campaign = model.hours.recruitment * model.p.workload.enquiries_per_recruitment_hour * attract
    wom = per_week(cp.word_of_mouth_enquiries_per_year) * model.satisfied_households * attract
    wom *= conditions.word_of_mouth_factor
    if conditions.champion_enquiries is not None:
        rate, champions = conditions.champion_enquiries
        wom += rate * min(champions, model.satisfied_households) * attract
    foster = per_week(cp.foster_transitions_per_year)
    # scalar draws: numpy's per-call cost for a small vector is ~15x a scalar draw's
    for source, lam in (("campaign", publicity + campaign), ("word_of_mouth", wom)):
        for _ in range(rng.poisson(lam) if lam > 0 else 0):
            Carer.enquire(model, source, cp.enquiry_weeks)
    for _ in range(rng.poisson(foster) if foster > 0 else 0):
        foster_transition(model)

    carers = model.registry.carers
    p_enquiry_drop = weekly_probability(cp.enquiry_dropout_per_year)
    for carer in list(carers[CarerStage.ENQUIRY].values()):
        if carer.drops_out(p_enquiry_drop):
            carer.leave("enquiry_dropout")
        elif carer.progress_pipeline():
            if carer.decide_to_apply(conditions.enquiry_conversion):
                carer.start_assessment(conditions.assessment_weeks)
            else:
                carer.leave("not_applying")

    p_assess_drop = weekly_probability(cp.assessment_dropout_per_year)
    for carer in list(carers[CarerStage.ASSESSMENT].values()):
        if carer.drops_out(p_assess_drop):
            carer.leave("assessment_dropout")
        elif carer.progress_pipeline():
            carer.approve()


def foster_transition(model) -> None:
    """A foster carer applies with the young person turning 18 in their care: straight into a
    shorter assessment, the young person referred by the transitions team and linked to them."""
    cp, rp = model.p.carers, model.p.referrals
    carer = Carer.enquire(model, "foster", cp.foster_assessment_weeks)
    team = "transitions" if "transitions" in model.teams else next(iter(model.teams))
    person = model.draw.person(model.random, team=team)
    person.update(arrangement="live_in", crisis=False)
    carer.offers = carer.offers | {"live_in", "short_break"}
    carer.skills = carer.skills | {person["need"]}
    carer.max_complexity = max(carer.max_complexity, person["complexity"])
    carer.start_assessment(detail="foster")
    referrer = model.random.choice(model.teams[team])
    tolerance = rp.planned_wait_tolerance_weeks + cp.foster_assessment_weeks
    ref = Referral.refer(model, person, team, referrer, tolerance, route="foster")
    ref.linked_carer = carer
