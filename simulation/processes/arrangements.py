"""7. Arrangements end: breakdowns (this week's hazard), arrangements a pandemic stops
(``shocks.pandemic.paused_per_year``), then planned endings and deaths due.

Breakdowns are drawn by thinning: a binomial count of candidates at this
week's upper-bound hazard, each accepted with the ratio of its own hazard
(:class:`slsim.agents.referral.ArrangementWeek`). Planned endings and deaths have a
constant hazard, so their week is drawn at placement (the registry's
``scheduled_ends`` heap) and they happen when it comes, unless that
arrangement has already ended.
"""

import heapq

from slsim.agents.referral import ArrangementWeek
from slsim.simulation.stages import ReferralStage
from slsim.simulation.units import weekly_probability


def week(model) -> None:
    conditions = ArrangementWeek(model.p.referrals, model.hours.coverage)
    arranged = model.registry.referrals[ReferralStage.ARRANGED]
    k = model.rng.binomial(len(arranged), conditions.p_upper) if arranged and conditions.p_upper > 0 else 0
    if k:
        for ref in model.random.sample(list(arranged.values()), k):
            if ref.breaks_down(conditions):
                ref.end("breakdown")
    paused = model.conditions.paused
    if paused:  # a pandemic: day support and short breaks stop for some (the person stays at home)
        rnd = model.random
        probs = {k: weekly_probability(h) for k, h in paused.items()}
        for ref in list(arranged.values()):
            p = probs[ref.arrangement]
            if p > 0.0 and rnd.random() < p:
                ref.end("pandemic")
    due = model.registry.scheduled_ends
    while due and due[0][0] <= model.week:
        _, ref_id, number, reason = heapq.heappop(due)
        ref = arranged.get(ref_id)
        if ref is not None and ref.arrangement_no == number:  # still that arrangement
            ref.end(reason)
