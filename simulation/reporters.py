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

from simulation.params import ARRANGEMENTS, NEEDS
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
    fees = m.p.economics.carer_fee_per_week
    return m.real_fee_index * sum(m.people_by_kind[k] * fees.get(k) for k in ARRANGEMENTS)


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
        savings_gross=savings_gross,
    )
    return r


class WeeklyRecorder:
    def __init__(self, model):
        self.model = model
        self.reporters = build_reporters(model)
        self._functions = list(self.reporters.values())
        self.rows = []

    def collect(self):
        m = self.model
        self.rows.append([f(m) for f in self._functions])

    def to_frame(self) -> pd.DataFrame:
        df = pd.DataFrame.from_records(self.rows, columns=list(self.reporters))
        return df.astype({"week": "int32"})
