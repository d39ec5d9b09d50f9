"""The recorder of the weekly table: which reporters (:mod:`slsim.simulation.reporters`) make
which columns, and :class:`WeeklyRecorder`, which calls them once per recorded week.

The recorder appends one tuple per recorded week; Mesa's DataCollector would deep-copy
every value, which about doubles the cost of a collect (measured in
benchmarks/README.md), so this thin recorder is used instead.
"""

from functools import partial

import numpy as np
import pandas as pd

from slsim.simulation.outputs import FLOW_COLUMNS
from slsim.simulation.params import ARRANGEMENTS, LEVER_NAMES, NEEDS
from slsim.simulation.processes.staff_time import ACTIVITIES
from slsim.simulation import reporters as r
from slsim.simulation.stages import CarerStage


def build_reporter_groups(model) -> list:
    """[(column names, reporter)] in table order; a reporter of several columns returns a tuple."""
    one = lambda name, fn: ((name,), fn)  # noqa: E731 - a single-column entry
    return [
        one("week", r.week),
        one("year", r.year),
        one("people_supported", r.people_supported),
        (tuple(f"people_{k}" for k in ARRANGEMENTS), r.people_by_kind),
        (tuple(f"people_need_{n}" for n in NEEDS), r.people_by_need),
        (tuple(f"carers_{s}" for s in CarerStage.ALIVE), r.carers_by_stage),
        one("households", r.households),
        one("households_per_worker", r.households_per_worker),
        (tuple(f"referrals_{s}" for s in r.WAITING_STAGES), r.referrals_by_stage),
        (tuple(FLOW_COLUMNS), r.flows),
        one("referred_cumulative", r.referred_cumulative),
        one("initial_people", r.initial_people),
        one("ended_cumulative", r.ended_cumulative),
        one("withdrawn_cumulative", r.withdrawn_cumulative),
        one("mean_wait_weeks", r.mean_wait_weeks),
        one("expected_wait_weeks", r.expected_wait_weeks),
        one("hours_available", r.hours_available),
        (tuple(f"hours_{a}" for a in ACTIVITIES), r.hours_by_activity),
        one("monitoring_coverage", r.monitoring_coverage),
        (
            (
                "social_workers",
                "sw_mean_awareness",
                "sw_mean_trust",
                "sw_champions",
                *(f"awareness_{t}" for t in model.teams),
            ),
            r.social_work_stats,
        ),
        one("carer_mean_satisfaction", r.carer_mean_satisfaction),
        one("real_fee_index", r.real_fee_index),
        one("cost_staff", r.cost_staff),
        one("cost_carer_fees", r.cost_carer_fees),
        one("cost_levers_other", r.cost_levers_other),
        one("cost_extra_fees", r.cost_extra_fees),
        one("savings_gross", r.savings_gross),
        (tuple(f"cost_lever_{n}" for n in LEVER_NAMES), r.cost_by_lever),
        one("cost_investment", r.cost_investment),
        one("cost_council", r.cost_council),
        (
            ("scheme_workers_in_post", "recruitment_officers_in_post", "outreach_officers_in_post", "council_posts"),
            r.staff_in_post_by_role,
        ),
        (
            ("pandemic_severity", "extra_inflation", "sw_turnover_factor", "retirement_factor", "posts_cut"),
            r.shock_conditions,
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
                    data[next(names)] = _array(column)
            else:
                data[next(names)] = _array(slot)
        df = pd.DataFrame(data, columns=self.columns) if self._weeks else pd.DataFrame(columns=self.columns)
        return df.astype({"week": "int32"})


_NUMPY_DTYPE = {
    frozenset({int}): "int64",
    frozenset({float}): "float64",
    frozenset({int, float}): "float64",
    frozenset({bool}): "bool",
}


def _array(values: tuple):
    """A column as the array pandas would infer from the Python values, built directly by numpy where
    the values are plain ints, floats or bools (pandas' inference is most of to_frame's time)."""
    dtype = _NUMPY_DTYPE.get(frozenset(map(type, values)))
    return np.array(values, dtype=dtype) if dtype else values
