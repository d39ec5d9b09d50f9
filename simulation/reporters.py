"""Named reporters of the weekly table (:mod:`slsim.simulation.recorder` calls them).

Each reporter is a plain function of the model reading counters the model
keeps up to date as events happen (no rescans of all agents). A family of
columns (people by need, flows, cost by lever, ...) has one reporter that
returns them together, so a week costs one call per family.

Flow columns and the summary's outcomes are declared in :mod:`slsim.simulation.outputs`.
"""

import math
from operator import attrgetter

from slsim.simulation.outputs import FLOW_COLUMNS
from slsim.simulation.params import ARRANGEMENTS, LEVER_NAMES, NEEDS
from slsim.simulation.processes import economy
from slsim.simulation.processes.staff_time import ACTIVITIES
from slsim.simulation.stages import CarerStage, ReferralStage, Role
from slsim.simulation.units import WEEKS_PER_YEAR


def week(m):
    return m.week


def year(m):
    return m.week / WEEKS_PER_YEAR


def people_supported(m):
    return len(m.registry.referrals[ReferralStage.ARRANGED])


def households(m):
    return m.registry.households()


def households_per_worker(m):
    workers = sum(1 for s in m.staff if s.role == Role.SCHEME_WORKER)
    return households(m) / workers if workers else math.nan


def referred_cumulative(m):
    return m.registry.referred_total


def initial_people(m):
    return m.registry.initial_people


def ended_cumulative(m):
    return m.registry.closed[ReferralStage.ENDED]


def withdrawn_cumulative(m):
    return m.registry.closed[ReferralStage.WITHDRAWN]


def mean_wait_weeks(m):
    """Mean weeks since referral of people not yet placed (NaN if nobody waits)."""
    total, n = 0, 0
    for stage in (ReferralStage.REFERRED, ReferralStage.MATCHING, ReferralStage.INTRODUCTIONS):
        for ref in m.registry.referrals[stage].values():
            total += m.week - ref.referred_week
            n += 1
    return total / n if n else math.nan


def expected_wait_weeks(m):
    return m.expected_wait


def hours_available(m):
    return m.hours.available


def monitoring_coverage(m):
    return m.hours.coverage


def social_work_stats(m) -> tuple:
    """Social workers, mean awareness, mean trust, champions, then mean awareness by team."""
    n, awareness, trust, champions, by_team = 0, 0.0, 0.0, 0, []
    for workers in m.teams.values():
        a = 0.0
        for w in workers:
            a += w.awareness
            trust += w.trust
            champions += w.champion
        by_team.append(a / len(workers))
        awareness += a
        n += len(workers)
    return (n, awareness / n, trust / n, champions, *by_team)


def carer_mean_satisfaction(m):
    """Mean satisfaction of approved households (NaN if none); summed as carers_week visits them."""
    return m.mean_satisfaction


def real_fee_index(m):
    return m.economy.real_fee_index


def cost_staff(m):
    """Staff cost this week, GBP at week-0 prices."""
    return economy.staff_cost(m)


def cost_carer_fees(m):
    """Carer care-and-support fees this week, GBP at week-0 prices."""
    return economy.carer_fees(m)


def cost_levers_other(m):
    """Lever running costs that are neither posts nor fees (fixed costs, carer support, bonuses), GBP."""
    return m.conditions.running_costs(m)


def cost_extra_fees(m):
    """Part of this week's carer fees due to the fee_uplift lever, GBP."""
    return economy.extra_fees(m)


def cost_investment(m):
    """Posts bought by investment events this week, GBP (part of cost_staff)."""
    return economy.staff_cost(m, "investment:")


def cost_council(m):
    """Posts funded by the commissioner's investments this week, GBP (part of cost_staff)."""
    return economy.staff_cost(m, "council")


def savings_gross(m):
    """Savings against the alternative setting this week, GBP."""
    return economy.gross_savings(m)


# -- groups: one named reporter for a family of columns (one call per week) --
def people_by_kind(m):
    return list(map(m.registry.people_by_kind.__getitem__, ARRANGEMENTS))


def people_by_need(m):
    return list(map(m.registry.people_by_need.__getitem__, NEEDS))


def carers_by_stage(m):
    return list(map(len, map(m.registry.carers.__getitem__, CarerStage.ALIVE)))


WAITING_STAGES = tuple(s for s in ReferralStage.OPEN if s != ReferralStage.ARRANGED)


def referrals_by_stage(m):
    return list(map(len, map(m.registry.referrals.__getitem__, WAITING_STAGES)))


_FLOW_KEYS = tuple(FLOW_COLUMNS.values())


def flows(m):
    return list(map(m.registry.flows.__getitem__, _FLOW_KEYS))


_HOURS = attrgetter(*ACTIVITIES)


def hours_by_activity(m):
    return _HOURS(m.hours)


_NO_LEVER_COSTS = (0.0,) * len(LEVER_NAMES)


def cost_by_lever(m):
    """Cost attributed to each lever this week (running cost, posts, extra fees), GBP."""
    costs = m.conditions.lever_costs(m)
    return list(map(costs.get, LEVER_NAMES, _NO_LEVER_COSTS)) if costs else _NO_LEVER_COSTS


def staff_in_post_by_role(m):
    workers = officers = outreach = council = 0
    for s in m.staff:
        if s.role == Role.SCHEME_WORKER:
            workers += 1
        elif s.role == Role.RECRUITMENT_OFFICER:
            officers += 1
        elif s.role == Role.OUTREACH_OFFICER:
            outreach += 1
        council += s.funder == "council"
    return workers, officers, outreach, council


def shock_conditions(m):
    """What active events impose this week (baseline: 0, 0, 1, 1, 0)."""
    s = m.conditions.shocks
    return s.pandemic, s.extra_inflation, s.turnover_factor, s.retirement_factor, s.cut_posts
