"""8. Carers' week: satisfaction moves, households age, some leave; word of mouth is counted;
retiring households hand their people over.

A household that retires while supporting someone gives ``carers.retirement_notice_weeks``
of notice (a planned handover): it takes nobody new, each person placed with it moves to a
compatible household with room as soon as one is found (no wait, no referral), and it leaves
when everyone has moved or the notice ends (anyone still placed is then re-matched).

This week's conditions for every household are computed once
(:class:`slsim.agents.carer.CarerWeek`); each approved household then lives its
week (:meth:`slsim.agents.carer.Carer.live_week`) and leaves if it draws a reason.
Satisfied households with someone placed bring word-of-mouth enquiries next
week; households in the pipeline only age.
"""

import math

from slsim.agents.carer import CarerWeek
from slsim.simulation.processes.matching import candidates
from slsim.simulation.stages import CarerStage


def week(model) -> None:
    cp, conditions = model.p.carers, model.conditions
    conditions = CarerWeek(
        cp,
        model.economy.real_fee_index,
        model.hours.coverage,
        model.random,
        shift=conditions.satisfaction_shift,
        paid_break_weeks=conditions.paid_break_weeks,
        retirement_factor=conditions.retirement_factor,
    )
    threshold = cp.satisfied_threshold
    satisfied = 0
    total, n = 0.0, 0  # satisfaction of the households that stay, for the weekly table
    carers = model.registry.carers
    notice = cp.retirement_notice_weeks
    for stage in CarerStage.HOUSEHOLDS:
        for carer in list(carers[stage].values()):
            if carer.leaving_week is not None:  # retiring: hands over, then leaves
                carer.grow_older()
                if not carer.placed or model.week >= carer.leaving_week:
                    carer.leave("retirement")
                continue
            reason = carer.live_week(conditions)
            if reason == "retirement" and notice and carer.placed:
                carer.give_notice(notice)
            elif reason is not None:
                carer.leave(reason)
                continue
            total += carer.satisfaction
            n += 1
            if carer.placed and carer.recommends(threshold):
                satisfied += 1
    for stage in CarerStage.PIPELINE:
        for carer in carers[stage].values():
            carer.grow_older()
    model.satisfied_households = satisfied
    model.mean_satisfaction = total / n if n else math.nan
    hand_over(model)


def hand_over(model) -> None:
    """People placed with a retiring household move to a compatible household with room as soon
    as one is found (a planned handover: introductions happen during the notice)."""
    retiring = [c for c in model.registry.carers[CarerStage.ACTIVE].values() if c.leaving_week is not None]
    for carer in retiring:
        for ref in list(carer.placed):
            fits = candidates(model, ref)
            if fits:
                ref.hand_over_to(model.random.choice(fits))
