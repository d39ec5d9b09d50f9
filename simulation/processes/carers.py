"""8. Carers' week: satisfaction moves, households age, some leave; word of mouth is counted.

This week's conditions for every household are computed once
(:class:`slsim.agents.carer.CarerWeek`); each approved household then lives its
week (:meth:`slsim.agents.carer.Carer.live_week`) and leaves if it draws a reason.
Satisfied households with someone placed bring word-of-mouth enquiries next
week; households in the pipeline only age.
"""

import math

from slsim.agents.carer import CarerWeek
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
    for stage in CarerStage.HOUSEHOLDS:
        for carer in list(carers[stage].values()):
            reason = carer.live_week(conditions)
            if reason is not None:
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
