"""Cost-benefit per run, from its weekly table, at any saving per person.

For each run (weeks 1..T recorded; week 0 is the reference state after warm-up):

* ``scheme_cost_gbp`` = sum of ``cost_staff`` (every post, core and bought);
* ``lever_cost_gbp`` = sum of ``cost_lever_*``; ``investment_cost_gbp`` = sum of
  ``cost_investment``; ``carer_fees_gbp`` = sum of ``cost_carer_fees``;
* savings in week w = (people live-in x s_live_in + short breaks x s_short_break
  + day support x s_day_support) / 52, GBP; ``gross_savings_gbp`` = their sum;
  ``growth_savings_gbp`` = sum of (savings_w - savings_0);
* ``additional_cost_gbp`` = sum of (cost_staff_w - cost_staff_0 + cost_levers_other_w
  + cost_extra_fees_w): posts above week 0's, lever running costs and extra fees;
  its parts: ``extra_posts_gbp`` (posts above week 0's), ``lever_running_gbp``
  (``cost_levers_other``) and ``extra_fees_gbp``;
* ``net_benefit_gbp`` = growth savings - additional cost;
  ``benefit_cost_ratio`` = growth savings / additional cost (when that is > 0);
* ``payback_week``: first week from which cumulative net benefit stays >= 0 to the
  end, once money has been spent (NaN if never, or nothing extra was spent);
* ``cost_per_additional_person_gbp`` = additional cost / (people at end - at week 0),
  when both are positive.

At the run's own savings these equal the model's ``summary.json`` (a test
checks it); the analysis recomputes them so the saving per person can be
varied (``configs/analysis.yaml``: GBP 20,000, range 12,000-26,000).
"""

import math

import numpy as np
import pandas as pd

from slsim.simulation import outputs  # declarations only: no model imports
from slsim.simulation.units import WEEKS_PER_YEAR

ARRANGEMENTS = ("live_in", "short_break", "day_support")
COLUMNS = (
    "scheme_cost_gbp",
    "lever_cost_gbp",
    "investment_cost_gbp",
    "carer_fees_gbp",
    "gross_savings_gbp",
    "growth_savings_gbp",
    "additional_cost_gbp",
    "net_benefit_gbp",
    "benefit_cost_ratio",
    "payback_week",
    "cost_per_additional_person_gbp",
    "extra_posts_gbp",
    "lever_running_gbp",
    "extra_fees_gbp",
)


def payback_week(weeks, net, cost) -> float:
    """The model's payback rule (:func:`slsim.simulation.outputs.payback_week`), NaN where it gives None."""
    week = outputs.payback_week(weeks, net, cost)
    return math.nan if week is None else float(week)


class _Run:
    """One run's weekly table as arrays (week 0 first), read once for every saving rate."""

    def __init__(self, ts: pd.DataFrame):
        ts = ts.sort_values("week")
        self.weeks = ts["week"].to_numpy()[1:]
        self.people = {a: ts[f"people_{a}"].to_numpy(dtype=float) for a in ARRANGEMENTS}
        self.supported = ts["people_supported"].to_numpy(dtype=float)
        staff = ts["cost_staff"].to_numpy(dtype=float)
        self.staff = staff[1:]
        self.posts = staff[1:] - staff[0]
        self.running = ts["cost_levers_other"].to_numpy(dtype=float)[1:]
        self.fees = ts["cost_extra_fees"].to_numpy(dtype=float)[1:]
        self.additional = self.posts + self.running + self.fees
        lever_cols = [c for c in ts.columns if c.startswith("cost_lever_")]
        self.levers = float(ts[lever_cols].to_numpy()[1:].sum()) if lever_cols else 0.0
        self.investment = float(ts["cost_investment"].to_numpy(dtype=float)[1:].sum())
        self.carer_fees = float(ts["cost_carer_fees"].to_numpy(dtype=float)[1:].sum())

    def savings(self, savings: dict) -> np.ndarray:
        """Savings by week, week 0 first, GBP."""
        return sum(self.people[a] * float(savings.get(a, 0.0)) for a in ARRANGEMENTS) / WEEKS_PER_YEAR

    def growth(self, savings: dict) -> np.ndarray:
        """Savings above week 0's by recorded week, GBP."""
        weekly = self.savings(savings)
        return weekly[1:] - weekly[0]


def run_cost_benefit(ts, savings: dict) -> dict:
    """The figures of the module doc for one run's weekly table (or its :class:`_Run`);
    ``savings``: GBP/person/year by arrangement."""
    r = ts if isinstance(ts, _Run) else _Run(ts)
    growth, additional = r.growth(savings), r.additional
    add_total, growth_total = float(additional.sum()), float(growth.sum())
    start, end = float(r.supported[0]), float(r.supported[-1])
    return {
        "scheme_cost_gbp": float(r.staff.sum()),
        "lever_cost_gbp": r.levers,
        "investment_cost_gbp": r.investment,
        "carer_fees_gbp": r.carer_fees,
        "gross_savings_gbp": float(r.savings(savings)[1:].sum()),
        "growth_savings_gbp": growth_total,
        "additional_cost_gbp": add_total,
        "net_benefit_gbp": growth_total - add_total,
        "benefit_cost_ratio": growth_total / add_total if add_total > 0 else math.nan,
        "payback_week": payback_week(r.weeks, growth - additional, additional),
        "cost_per_additional_person_gbp": add_total / (end - start) if end > start and add_total > 0 else math.nan,
        "extra_posts_gbp": float(r.posts.sum()),
        "lever_running_gbp": float(r.running.sum()),
        "extra_fees_gbp": float(r.fees.sum()),
    }


def cost_benefit(weekly: pd.DataFrame, savings: dict, savings_range=()) -> pd.DataFrame:
    """One row per run: the module doc's figures at ``savings``, and net benefit at each live-in
    saving in ``savings_range`` (columns ``net_benefit_gbp_at_<GBP>``)."""
    rows = []
    for (run, scenario, seed), ts in weekly.groupby(["run", "scenario", "seed"], sort=False):
        r = _Run(ts)
        row = {"run": run, "scenario": scenario, "seed": seed, **run_cost_benefit(r, savings)}
        for rate in savings_range:
            row[f"net_benefit_gbp_at_{int(rate)}"] = float(
                r.growth({**savings, "live_in": rate}).sum() - r.additional.sum()
            )
        rows.append(row)
    return pd.DataFrame(rows)


def paired_payback(weekly: pd.DataFrame, savings: dict, baseline: str) -> pd.DataFrame:
    """Payback against the baseline, seeds paired: per scenario and seed, the first week from which the
    cumulative extra net benefit (scenario - baseline on that seed) stays >= 0, once extra money has
    been spent (:func:`payback_week` on the weekly differences; NaN if never, or nothing extra spent)."""
    series = {}
    for key, ts in weekly.groupby(["scenario", "seed"], sort=False):
        r = _Run(ts)
        series[key] = (r.weeks, r.growth(savings) - r.additional, r.additional)
    rows = []
    for (scenario, seed), (weeks, net, add) in series.items():
        base = series.get((baseline, seed))
        if scenario == baseline or base is None or len(base[0]) != len(weeks):
            continue
        rows.append(
            {"scenario": scenario, "seed": seed, "payback_week": payback_week(weeks, net - base[1], add - base[2])}
        )
    return pd.DataFrame(rows, columns=["scenario", "seed", "payback_week"])
