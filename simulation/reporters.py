"""Named reporters of the weekly table, and the recorder that calls them.

Each reporter is a plain function of the model reading counters the model
keeps up to date as events happen (no rescans of all agents). A family of
columns (people by need, flows, cost by lever, ...) has one reporter that
returns them together, so a week costs one call per family. The recorder
appends one tuple per recorded week; Mesa's DataCollector would deep-copy
every value, which about doubles the cost of a collect (measured in
benchmarks/README.md), so this thin recorder is used instead.

Flow columns and the summary's outcomes are declared in :mod:`slsim.simulation.outputs`.
"""

import math
from functools import partial
from operator import attrgetter

import numpy as np
import pandas as pd

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


_FLOW_KEYS = tuple(FLOW_COLUMNS.values())


def build_reporter_groups(model) -> list:
    """[(column names, reporter)] in table order; a reporter of several columns returns a tuple."""
    one = lambda name, fn: ((name,), fn)  # noqa: E731 - a single-column entry
    return [
        one("week", week),
        one("year", year),
        one("people_supported", people_supported),
        (tuple(f"people_{k}" for k in ARRANGEMENTS), people_by_kind),
        (tuple(f"people_need_{n}" for n in NEEDS), people_by_need),
        (tuple(f"carers_{s}" for s in CarerStage.ALIVE), carers_by_stage),
        one("households", households),
        one("households_per_worker", households_per_worker),
        (tuple(f"referrals_{s}" for s in WAITING_STAGES), referrals_by_stage),
        (tuple(FLOW_COLUMNS), flows),
        one("referred_cumulative", referred_cumulative),
        one("initial_people", initial_people),
        one("ended_cumulative", ended_cumulative),
        one("withdrawn_cumulative", withdrawn_cumulative),
        one("mean_wait_weeks", mean_wait_weeks),
        one("expected_wait_weeks", expected_wait_weeks),
        one("hours_available", hours_available),
        (tuple(f"hours_{a}" for a in ACTIVITIES), hours_by_activity),
        one("monitoring_coverage", monitoring_coverage),
        (
            (
                "social_workers",
                "sw_mean_awareness",
                "sw_mean_trust",
                "sw_champions",
                *(f"awareness_{t}" for t in model.teams),
            ),
            social_work_stats,
        ),
        one("carer_mean_satisfaction", carer_mean_satisfaction),
        one("real_fee_index", real_fee_index),
        one("cost_staff", cost_staff),
        one("cost_carer_fees", cost_carer_fees),
        one("cost_levers_other", cost_levers_other),
        one("cost_extra_fees", cost_extra_fees),
        one("savings_gross", savings_gross),
        (tuple(f"cost_lever_{n}" for n in LEVER_NAMES), cost_by_lever),
        one("cost_investment", cost_investment),
        one("cost_council", cost_council),
        (
            ("scheme_workers_in_post", "recruitment_officers_in_post", "outreach_officers_in_post", "council_posts"),
            staff_in_post_by_role,
        ),
        (
            ("pandemic_severity", "extra_inflation", "sw_turnover_factor", "retirement_factor", "posts_cut"),
            shock_conditions,
        ),
    ]


def _column(reporter, i, m):
    return reporter(m)[i]


def build_reporters(model) -> dict:
    """Column name -> a reporter of that column alone (e.g. for Mesa's DataCollector)."""
    out = {}
    for names, fn in build_reporter_groups(model):
        if len(names) == 1:
            out[names[0]] = fn
        else:
            out.update({name: partial(_column, fn, i) for i, name in enumerate(names)})
    return out


class WeeklyRecorder:
    """Calls the reporters once a week; expands groups into columns once, at the end.

    A week is stored as the list of what each reporter returned (a value, or a
    tuple for a group); ``rows`` and ``to_frame`` expand them into columns.
    """

    def __init__(self, model):
        self.model = model
        groups = build_reporter_groups(model)
        self.columns = [name for names, _ in groups for name in names]
        self.reporters = build_reporters(model)  # column -> reporter, same order as columns
        self._functions = [fn for _, fn in groups]
        self._widths = [len(names) if len(names) > 1 else 0 for names, _ in groups]  # 0: one value
        self._weeks = []

    def collect(self):
        m = self.model
        self._weeks.append([f(m) for f in self._functions])

    def _expand(self, week: list) -> list:
        row = []
        for value, width in zip(week, self._widths):
            if width:
                row.extend(value)
            else:
                row.append(value)
        return row

    @property
    def rows(self) -> list:
        """One list of column values per recorded week."""
        return [self._expand(w) for w in self._weeks]

    def last_row(self) -> dict:
        """The latest recorded week, column -> value."""
        return dict(zip(self.columns, self._expand(self._weeks[-1])))

    def to_frame(self) -> pd.DataFrame:
        data = {}
        names = iter(self.columns)
        for slot, width in zip(zip(*self._weeks), self._widths):
            if width:
                for column in zip(*slot):
                    data[next(names)] = _column(column)
            else:
                data[next(names)] = _column(slot)
        df = pd.DataFrame(data, columns=self.columns) if self._weeks else pd.DataFrame(columns=self.columns)
        return df.astype({"week": "int32"})


_NUMPY_DTYPE = {
    frozenset({int}): "int64",
    frozenset({float}): "float64",
    frozenset({int, float}): "float64",
    frozenset({bool}): "bool",
}


def _column(values: tuple):
    """A column as the array pandas would infer from the Python values, built directly by numpy where
    the values are plain ints, floats or bools (pandas' inference is most of to_frame's time)."""
    dtype = _NUMPY_DTYPE.get(frozenset(map(type, values)))
    return np.array(values, dtype=dtype) if dtype else values
