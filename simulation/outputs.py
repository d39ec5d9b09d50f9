"""What a run reports: the weekly flows and the outcomes of ``summary.json``, each declared once.

No model imports (numpy and pandas only), so ``analysis/`` may import this
module and still never import the model.

* :data:`FLOW_COLUMNS`: weekly table column -> the flow counted by
  :meth:`slsim.simulation.registry.Registry.record` (:data:`FLOWS`);
* :data:`OUTCOMES`: one :class:`Outcome` per summary value (name, whether
  more is better as in EMA Workbench's MAXIMIZE/MINIMIZE, and the function
  that computes it from the run); ``summary.json``'s outcomes and its
  ``directions`` both come from this list;
* :func:`payback_week`, the payback rule, used by the summary and by
  :mod:`slsim.analysis.costbenefit`.

Money is in GBP at week-0 prices. "Growth" is measured against the run's own
state at week 0 (after warm-up):

* ``gross_savings_gbp`` – every recorded week of care against the alternative
  setting (the published saving per person is net of the Shared Lives package);
* ``growth_savings_gbp`` – the part of that from people above the week-0 level
  (negative if the scheme shrank);
* ``additional_cost_gbp`` – costs above the week-0 level: posts above week 0's
  (levers, investments, the council; negative for posts cut), lever running
  costs (fixed, carer support, referral bonuses) and the extra carer fees of
  the fee_uplift lever;
* ``net_benefit_gbp`` = growth savings - additional cost;
* ``payback_week`` – first week from which cumulative net benefit stays >= 0
  to the end, once additional money has been spent (None if never, or if
  nothing extra was spent);
* ``cost_per_additional_person_gbp`` – additional cost / (people at end - at
  start), when both are positive.
"""

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Callable

import numpy as np
import pandas as pd

MAXIMIZE, MINIMIZE, INFO = "maximize", "minimize", "info"

# weekly table column -> flow key (the registry's counter), in table order
FLOW_COLUMNS = {
    "new_enquiries": "enquiries",
    "new_approvals": "carers_approved",
    "carer_exits": "carer_exits",
    "pipeline_dropouts": "pipeline_dropouts",
    "support_decisions": "support_decisions",
    "referrals_received": "referrals",
    "referrals_placed": "placements",
    "referrals_withdrawn": "withdrawals",
    "referrals_screened_out": "screened_out",
    "arrangements_ended": "arrangements_ended",
    "rematch_referrals": "rematch_referrals",
    "council_investments": "council_investments",
    "breakdowns": "breakdowns",
    "social_worker_turnover": "social_worker_turnover",
    "scheme_worker_leavers": "scheme_worker_leavers",
}
FLOWS = tuple(FLOW_COLUMNS.values())


def payback_week(weeks, net, cost):
    """First week from which cumulative net benefit stays >= 0, after money was spent (None if never)."""
    cum_net, cum_cost = np.cumsum(net), np.cumsum(cost)
    if len(cum_cost) == 0 or cum_cost[-1] <= 0 or cum_net[-1] < 0:
        return None
    negative = np.flatnonzero(cum_net < 0)
    start = 0 if negative.size == 0 else negative[-1] + 1
    spent = np.flatnonzero(cum_cost > 0)
    return int(weeks[max(start, spent[0])])


def mean_wait_to_placement(events: pd.DataFrame, first_week: int = 1) -> float:
    """Mean weeks from (re-)referral to placement, for placements in recorded weeks.

    A person re-matched after their carer left has a second referral event; each
    placement is timed from that person's latest referral event *before it in
    the event log* (the log is in the order things happened, so a rematch later
    in the same week as a placement is not taken for its start).
    """
    latest: dict = {}  # referral_id -> week of its latest referral event so far in the log
    waits = []
    kinds, ids, weeks = (events[c].tolist() for c in ("event", "referral_id", "week"))
    for kind, rid, week in zip(kinds, ids, weeks):
        if kind == "referral":
            latest[rid] = week
        elif kind == "placement" and week >= first_week and rid in latest:
            waits.append(week - latest[rid])
    # whole weeks: the float sum is exact, so this equals the mean of any summation order
    return float(sum(waits)) / len(waits) if waits else math.nan


class Run:
    """One run's tables, with the pieces several outcomes share computed once."""

    def __init__(self, ts: pd.DataFrame, events: pd.DataFrame):
        self.ts, self.events = ts, events
        self.first, self.rec = ts.iloc[0], ts.iloc[1:]
        self.start = int(self.first["people_supported"])
        self.end = int(ts["people_supported"].iloc[-1])

    def total(self, column: str):
        return self.rec[column].sum()

    @cached_property
    def growth_savings(self) -> np.ndarray:
        return (self.rec["savings_gross"] - self.first["savings_gross"]).to_numpy()

    @cached_property
    def additional(self) -> np.ndarray:
        rec, first = self.rec, self.first
        return (rec["cost_staff"] - first["cost_staff"] + rec["cost_levers_other"] + rec["cost_extra_fees"]).to_numpy()

    @cached_property
    def additional_total(self) -> float:
        return float(self.additional.sum())


@dataclass(frozen=True)
class Outcome:
    name: str
    direction: str  # MAXIMIZE, MINIMIZE or INFO
    function: Callable[[Run], object]


def _last(column):
    def last(r: Run):
        return r.ts[column].iloc[-1]

    return last


def _count(column):
    def count(r: Run):
        return int(r.total(column))

    return count


def _sum(column):
    def total(r: Run):
        return r.total(column)

    return total


def _growth_pct(r: Run):
    return 100.0 * (r.end - r.start) / r.start if r.start else math.nan


def _total_cost(r: Run):
    return r.total("cost_staff") + r.total("cost_carer_fees") + r.total("cost_levers_other")


def _net_benefit(r: Run):
    return float((r.growth_savings - r.additional).sum())


def _payback(r: Run):
    return payback_week(r.rec["week"].to_numpy(), r.growth_savings - r.additional, r.additional)


def _cost_per_person(r: Run):
    add = r.additional_total
    return add / (r.end - r.start) if r.end > r.start and add > 0 else None


def _lever_cost(r: Run):
    return float(r.rec[[c for c in r.ts.columns if c.startswith("cost_lever_")]].to_numpy().sum())


OUTCOMES = (
    Outcome("people_supported_start", INFO, lambda r: r.start),
    Outcome("people_supported_end", MAXIMIZE, lambda r: r.end),
    Outcome("people_supported_mean", MAXIMIZE, lambda r: r.rec["people_supported"].mean()),
    Outcome("growth_people", MAXIMIZE, lambda r: r.end - r.start),
    Outcome("growth_pct", MAXIMIZE, _growth_pct),
    Outcome("weeks_of_care", MAXIMIZE, _count("people_supported")),
    Outcome("households_start", INFO, lambda r: int(r.first["households"])),
    Outcome("households_end", MAXIMIZE, lambda r: int(r.ts["households"].iloc[-1])),
    Outcome("carers_recruited", MAXIMIZE, _count("new_approvals")),
    Outcome("carers_lost", MINIMIZE, _count("carer_exits")),
    Outcome("referrals_received", MAXIMIZE, _count("referrals_received")),
    Outcome("referrals_placed", MAXIMIZE, _count("referrals_placed")),
    Outcome("referrals_withdrawn", MINIMIZE, _count("referrals_withdrawn")),
    Outcome("breakdowns", MINIMIZE, _count("breakdowns")),
    Outcome("mean_wait_to_placement_weeks", MINIMIZE, lambda r: mean_wait_to_placement(r.events)),
    Outcome("mean_households_per_worker", INFO, lambda r: r.rec["households_per_worker"].mean()),
    Outcome(
        "mean_growth_hours_per_week", MAXIMIZE, lambda r: (r.rec["hours_outreach"] + r.rec["hours_recruitment"]).mean()
    ),
    Outcome("final_sw_awareness", MAXIMIZE, _last("sw_mean_awareness")),
    Outcome("final_carer_satisfaction", MAXIMIZE, _last("carer_mean_satisfaction")),
    Outcome("staff_cost_gbp", MINIMIZE, _sum("cost_staff")),
    Outcome("carer_fee_cost_gbp", INFO, _sum("cost_carer_fees")),
    Outcome("total_cost_gbp", MINIMIZE, _total_cost),
    Outcome("gross_savings_gbp", MAXIMIZE, _sum("savings_gross")),
    Outcome("growth_savings_gbp", MAXIMIZE, lambda r: float(r.growth_savings.sum())),
    Outcome("additional_cost_gbp", MINIMIZE, lambda r: r.additional_total),
    Outcome("net_benefit_gbp", MAXIMIZE, _net_benefit),
    Outcome("payback_week", MINIMIZE, _payback),
    Outcome("cost_per_additional_person_gbp", MINIMIZE, _cost_per_person),
    Outcome("lever_cost_gbp", MINIMIZE, _lever_cost),
    Outcome("investment_cost_gbp", MINIMIZE, _sum("cost_investment")),
    Outcome("council_cost_gbp", MINIMIZE, _sum("cost_council")),
    Outcome("council_investments", INFO, _count("council_investments")),
)
OUTCOME_DIRECTIONS = {o.name: o.direction for o in OUTCOMES}


def _num(x):
    """JSON-safe number: Python int/float, None for NaN."""
    if x is None:
        return None
    if isinstance(x, (np.integer, int)):
        return int(x)
    x = float(x)
    return None if math.isnan(x) else x


def summarise(ts: pd.DataFrame, events: pd.DataFrame) -> dict:
    """Outcomes of one run from its weekly table and event table (see :data:`OUTCOMES`)."""
    run = Run(ts, events)
    return {o.name: _num(o.function(run)) for o in OUTCOMES}


def lever_costs(ts: pd.DataFrame) -> dict:
    """Total cost attributed to each lever over the recorded weeks, GBP (levers with any cost)."""
    rec = ts.iloc[1:]
    out = {}
    for col in ts.columns:
        if col.startswith("cost_lever_"):
            total = float(rec[col].sum())
            if total:
                out[col[len("cost_lever_") :]] = total
    return out


def shock_outcomes(ts: pd.DataFrame, events: dict, before_weeks: int = 13) -> dict:
    """Depth of the fall and weeks to recover, per investment or shock event.

    ``pre_level``: mean people supported over the ``before_weeks`` weeks before the
    event; ``trough``: the lowest level from its start to the end of the run (or
    to recovery); ``depth`` = pre_level - trough (>= 0); ``recovery_week``: first
    week from the event's end at which people supported is back to pre_level,
    ``weeks_to_recover`` = recovery_week - end_week (None if not within the run).
    """
    people = ts.set_index("week")["people_supported"]
    last = int(people.index.max())
    out = {}
    for name, e in events.items():
        start, end = e.start_week, e.start_week + e.duration_weeks
        before = people.loc[max(0, start - before_weeks) : start - 1]
        pre = float(before.mean()) if len(before) else float(people.loc[start])
        after_end = people.loc[end:] if end <= last else people.iloc[0:0]
        back = after_end[after_end >= pre]
        recovery = int(back.index[0]) if len(back) else None
        window = people.loc[start : (recovery if recovery is not None else last)]
        trough = float(window.min())
        out[name] = {
            "kind": e.kind,
            "size": float(e.size),
            "start_week": start,
            "end_week": min(end, last + 1),
            "pre_level": pre,
            "trough": trough,
            "trough_week": int(window.idxmin()),
            "depth": max(0.0, pre - trough),
            "depth_pct": 100.0 * max(0.0, pre - trough) / pre if pre else None,
            "recovery_week": recovery,
            "weeks_to_recover": (recovery - end) if recovery is not None else None,
        }
    return out
