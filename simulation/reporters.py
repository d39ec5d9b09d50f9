"""Named reporters of the weekly table, and the recorder that calls them.

Each reporter is a plain function of the model reading counters the model
keeps up to date as events happen (no rescans of all agents). The recorder
appends one tuple per recorded week; Mesa's DataCollector would deep-copy
every value, which about doubles the cost of a collect (measured in
benchmarks/README.md), so this thin recorder is used instead.

``OUTCOME_DIRECTIONS`` in :mod:`simulation.summary` says whether more is better.
"""

import math
from functools import partial

import pandas as pd

from simulation.params import ARRANGEMENTS, LEVER_NAMES, NEEDS
from simulation.stages import CarerStage, ReferralStage, Role
from simulation.time_budget import ACTIVITIES
from simulation.units import WEEKS_PER_YEAR


def week(m):
    return m.week


def year(m):
    return m.week / WEEKS_PER_YEAR


def people_supported(m):
    return len(m.referrals[ReferralStage.ARRANGED])


def people_of_kind(kind, m):
    return m.people_by_kind[kind]


def people_with_need(need, m):
    return m.people_by_need[need]


def carers_in_stage(stage, m):
    return len(m.carers[stage])


def households(m):
    return len(m.carers[CarerStage.APPROVED]) + len(m.carers[CarerStage.ACTIVE])


def households_per_worker(m):
    workers = sum(1 for s in m.staff if s.role == Role.SCHEME_WORKER)
    return households(m) / workers if workers else math.nan


def referrals_in_stage(stage, m):
    return len(m.referrals[stage])


def flow(name, m):
    return m.flows.get(name, 0)


def referred_cumulative(m):
    return m.referred_total


def initial_people(m):
    return m.initial_people


def ended_cumulative(m):
    return m.closed[ReferralStage.ENDED]


def withdrawn_cumulative(m):
    return m.closed[ReferralStage.WITHDRAWN]


def mean_wait_weeks(m):
    """Mean weeks since referral of people not yet placed (NaN if nobody waits)."""
    total, n = 0, 0
    for stage in (ReferralStage.REFERRED, ReferralStage.MATCHING, ReferralStage.INTRODUCTIONS):
        for ref in m.referrals[stage].values():
            total += m.week - ref.referred_week
            n += 1
    return total / n if n else math.nan


def expected_wait_weeks(m):
    return m.expected_wait


def hours_available(m):
    return m.hours.available


def hours_on(activity, m):
    return getattr(m.hours, activity)


def monitoring_coverage(m):
    return m.hours.coverage


def _sw_stats(m) -> dict:
    """Social-worker sums for this week, computed once per collect and reused."""
    cache = m.__dict__.get("_sw_stats_cache")
    if cache is not None and cache[0] == m.week:
        return cache[1]
    stats = {"n": 0, "awareness": 0.0, "trust": 0.0, "champions": 0, "teams": {}}
    for team, workers in m.teams.items():
        a = 0.0
        for w in workers:
            a += w.awareness
            stats["trust"] += w.trust
            stats["champions"] += w.champion
        stats["teams"][team] = a / len(workers)
        stats["awareness"] += a
        stats["n"] += len(workers)
    m._sw_stats_cache = (m.week, stats)
    return stats


def social_workers(m):
    return _sw_stats(m)["n"]


def sw_mean_awareness(m):
    s = _sw_stats(m)
    return s["awareness"] / s["n"]


def sw_mean_trust(m):
    s = _sw_stats(m)
    return s["trust"] / s["n"]


def sw_champions(m):
    return _sw_stats(m)["champions"]


def team_awareness(team, m):
    return _sw_stats(m)["teams"][team]


def carer_mean_satisfaction(m):
    total, n = 0.0, 0
    for stage in CarerStage.HOUSEHOLDS:
        for carer in m.carers[stage].values():
            total += carer.satisfaction
            n += 1
    return total / n if n else math.nan


def real_fee_index(m):
    return m.real_fee_index


def cost_staff(m):
    """Staff cost this week, GBP at week-0 prices."""
    return m.staff_cost_per_week()


def cost_carer_fees(m):
    """Carer care-and-support fees this week, GBP at week-0 prices."""
    return m.carer_fees_this_week()


def cost_levers_other(m):
    """Lever running costs that are neither posts nor fees (fixed costs, carer support, bonuses), GBP."""
    return m.iv.running_costs(m)


def cost_extra_fees(m):
    """Part of this week's carer fees due to the fee_uplift lever, GBP."""
    factor = m.iv.lever_fee_factor
    return m.carer_fees_this_week() * (1.0 - 1.0 / factor) if factor != 1.0 else 0.0


def _lever_costs(m) -> dict:
    cache = m.__dict__.get("_lever_cost_cache")
    if cache is not None and cache[0] == m.week:
        return cache[1]
    costs = m.iv.lever_costs(m)
    m._lever_cost_cache = (m.week, costs)
    return costs


def cost_of_lever(name, m):
    """Cost attributed to one lever this week (its running cost, posts and extra fees), GBP."""
    return _lever_costs(m).get(name, 0.0)


def cost_investment(m):
    """Posts bought by investment events this week, GBP (part of cost_staff)."""
    return m.staff_cost_per_week("investment:")


def cost_council(m):
    """Posts funded by the commissioner's investments this week, GBP (part of cost_staff)."""
    return m.staff_cost_per_week("council")


def staff_in_post(role, m):
    return sum(1 for s in m.staff if s.role == role)


def council_posts(m):
    return sum(1 for s in m.staff if s.funder == "council")


def pandemic_severity(m):
    return m.iv.pandemic


def extra_inflation(m):
    return m.iv.extra_inflation


def sw_turnover_factor(m):
    return m.iv.turnover_factor


def retirement_factor(m):
    return m.iv.retirement_factor


def posts_cut(m):
    return m.iv.cut_posts


def savings_gross(m):
    """Savings against the alternative setting this week, GBP."""
    s = m.p.economics.savings_per_person_year
    return sum(m.people_by_kind[k] * s.get(k) for k in ARRANGEMENTS) / WEEKS_PER_YEAR


FLOW_COLUMNS = {
    "new_enquiries": "enquiries",
    "new_approvals": "carers_approved",
    "carer_exits": "carer_exits",
    "pipeline_dropouts": "pipeline_dropouts",
    "support_decisions": "support_decisions",
    "referrals_received": "referrals",
    "referrals_placed": "placements",
    "referrals_withdrawn": "withdrawals",
    "arrangements_ended": "arrangements_ended",
    "rematch_referrals": "rematch_referrals",
    "council_investments": "council_investments",
    "breakdowns": "breakdowns",
    "social_worker_turnover": "social_worker_turnover",
}


def build_reporters(model) -> dict:
    """Column name -> reporter, in table order."""
    r = {"week": week, "year": year, "people_supported": people_supported}
    r.update({f"people_{k}": partial(people_of_kind, k) for k in ARRANGEMENTS})
    r.update({f"people_need_{n}": partial(people_with_need, n) for n in NEEDS})
    r.update({f"carers_{s}": partial(carers_in_stage, s) for s in CarerStage.ALIVE})
    r["households"] = households
    r["households_per_worker"] = households_per_worker
    r.update({f"referrals_{s}": partial(referrals_in_stage, s) for s in ReferralStage.OPEN if s != "arranged"})
    r.update({col: partial(flow, key) for col, key in FLOW_COLUMNS.items()})
    r.update(
        referred_cumulative=referred_cumulative,
        initial_people=initial_people,
        ended_cumulative=ended_cumulative,
        withdrawn_cumulative=withdrawn_cumulative,
        mean_wait_weeks=mean_wait_weeks,
        expected_wait_weeks=expected_wait_weeks,
        hours_available=hours_available,
    )
    r.update({f"hours_{a}": partial(hours_on, a) for a in ACTIVITIES})
    r.update(
        monitoring_coverage=monitoring_coverage,
        social_workers=social_workers,
        sw_mean_awareness=sw_mean_awareness,
        sw_mean_trust=sw_mean_trust,
        sw_champions=sw_champions,
    )
    r.update({f"awareness_{t}": partial(team_awareness, t) for t in model.teams})
    r.update(
        carer_mean_satisfaction=carer_mean_satisfaction,
        real_fee_index=real_fee_index,
        cost_staff=cost_staff,
        cost_carer_fees=cost_carer_fees,
        cost_levers_other=cost_levers_other,
        cost_extra_fees=cost_extra_fees,
        savings_gross=savings_gross,
    )
    r.update({f"cost_lever_{n}": partial(cost_of_lever, n) for n in LEVER_NAMES})
    r.update(
        cost_investment=cost_investment,
        cost_council=cost_council,
        scheme_workers_in_post=partial(staff_in_post, Role.SCHEME_WORKER),
        recruitment_officers_in_post=partial(staff_in_post, Role.RECRUITMENT_OFFICER),
        council_posts=council_posts,
        pandemic_severity=pandemic_severity,
        extra_inflation=extra_inflation,
        sw_turnover_factor=sw_turnover_factor,
        retirement_factor=retirement_factor,
        posts_cut=posts_cut,
    )
    return r


class WeeklyRecorder:
    def __init__(self, model):
        self.model = model
        self.reporters = build_reporters(model)
        self._functions = list(self.reporters.values())
        self._savings_column = list(self.reporters).index("savings_gross")
        self.rows = []

    def collect(self):
        m = self.model
        self.rows.append([f(m) for f in self._functions])

    def savings_last_year(self) -> float:
        """Gross savings over the last 52 recorded weeks (scaled up if fewer), GBP/year."""
        i = self._savings_column
        rows = self.rows[-52:]
        if not rows:
            return float("nan")
        return sum(r[i] for r in rows) * 52.0 / len(rows)

    def to_frame(self) -> pd.DataFrame:
        df = pd.DataFrame.from_records(self.rows, columns=list(self.reporters))
        return df.astype({"week": "int32"})
