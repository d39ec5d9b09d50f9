"""The tables the report shows, computed from a study's results (one function, :func:`analyse`).

Every cost-benefit figure is against the baseline with seeds paired
(:mod:`slsim.analysis.answer`); each run's own figures against its week 0 are kept
only as the per-run CSV and the "what each scenario spends" totals.
"""

import re
from pathlib import Path

import numpy as np
import pandas as pd

from slsim.analysis.answer import answer_table, ceac, far_options, paired_by_seed
from slsim.analysis.costbenefit import cost_benefit, paired_payback
from slsim.analysis.results import AnalysisError, Results
from slsim.analysis.scheme_types import focus
from slsim.analysis.settings import Settings
from slsim.analysis.stats import default_baseline, growth, paired_effects, scenario_means
from slsim.analysis.variance import draws_note, has_draws, variance_table
from slsim.simulation.units import WEEKS_PER_YEAR

KEY_OUTCOMES = (
    "people_supported_end",
    "growth_people",
    "weeks_of_care",
    "carers_recruited",
    "carers_lost",
    "referrals_received",
    "referrals_placed",
    "referrals_withdrawn",
    "mean_wait_to_placement_weeks",
    "mean_households_per_worker",
    "final_sw_awareness",
)
SPENDING = ("scheme_cost_gbp", "lever_cost_gbp", "investment_cost_gbp", "carer_fees_gbp", "gross_savings_gbp")
# against the baseline, seeds paired: (column of the per-run cost-benefit table, name in the report)
PAIRED_MONEY = (
    ("additional_cost_gbp", "d_cost"),
    ("extra_posts_gbp", "d_posts"),
    ("lever_running_gbp", "d_running"),
    ("extra_fees_gbp", "d_fees"),
    ("growth_savings_gbp", "d_savings"),
    ("net_benefit_gbp", "d_net_benefit"),
)


def savings_of(results: Results, settings: Settings) -> dict:
    """GBP/person/year by arrangement: live-in from the settings, the others from the runs' config."""
    econ = results.config.get("economics", {}).get("savings_per_person_year", {})
    return {
        "live_in": settings.savings_per_person_year,
        "short_break": float(econ.get("short_break", 0.0)),
        "day_support": float(econ.get("day_support", 0.0)),
    }


def shock_table(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per run and (non-investment) event, from the sweep table's ``shock.<event>.<field>`` columns."""
    pattern = re.compile(r"^shock\.(.+)\.kind$")
    events = sorted(m.group(1) for c in runs.columns if (m := pattern.match(c)))
    ok = runs[runs["status"] == "ok"]
    parts = []
    for event in events:
        cols = {f"shock.{event}.{f}": f for f in ("kind", "size", "depth", "weeks_to_recover")}
        part = ok[["run", "scenario", *[c for c in cols if c in ok]]].rename(columns=cols).assign(event=event)
        parts.append(part[part["kind"].notna() & (part["kind"] != "investment")])
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if frame.empty:
        return frame
    frame["group"] = [_without_shock(s) for s in frame["scenario"]]
    return frame


def _without_shock(label: str) -> str:
    parts = [p for p in str(label).split() if not p.startswith("shocks=")]
    return " ".join(parts) or "shock alone"


def paired_money(cb: pd.DataFrame, baseline: str, years: float, level: float, ranges=()) -> pd.DataFrame:
    """Per option: each money column's paired difference from the baseline over the run (``d_cost``,
    ``d_cost_low``, ``d_cost_high`` ...), net benefit at each saving of ``ranges``, and the same cost
    a year (``d_cost_year`` ...)."""
    pairs = list(PAIRED_MONEY) + [(f"net_benefit_gbp_at_{int(r)}", f"d_net_benefit_at_{int(r)}") for r in ranges]
    out = None
    for column, name in pairs:
        if column not in cb:
            continue
        eff = paired_effects(cb, column, baseline, level=level)
        part = eff[["scenario", "effect", "ci_low", "ci_high"]].rename(
            columns={"effect": name, "ci_low": f"{name}_low", "ci_high": f"{name}_high"}
        )
        out = part if out is None else out.merge(part, on="scenario", how="outer")
    years = years if years and years > 0 else 1.0
    for name in ("d_cost", "d_posts", "d_running", "d_fees"):
        for end in ("", "_low", "_high"):
            if f"{name}{end}" in out:
                out[f"{name}_year{end}"] = out[f"{name}{end}"] / years
    return out


def analyse(results: Results, settings: Settings) -> dict:
    """Every table of the report, by name."""
    runs, weekly = results.runs, results.weekly
    out = {}
    baseline = settings.baseline or default_baseline(runs["scenario"])
    if settings.baseline and settings.baseline not in set(runs["scenario"]):
        raise AnalysisError(
            f"baseline={settings.baseline!r}: not a scenario of this study "
            f"(scenarios: {', '.join(dict.fromkeys(runs['scenario']))})"
        )
    focused = focus(runs, baseline)  # a sweep over kinds of scheme: the answer is for one kind
    if focused is not None:
        kind, baseline, scenarios = focused
        out["focus_kind"] = kind
    else:
        scenarios = list(dict.fromkeys(runs["scenario"]))
    out["baseline"] = baseline
    out["years"] = years = float(weekly["week"].max()) / WEEKS_PER_YEAR if len(weekly) else 0.0
    level = settings.confidence
    outcomes = [o for o in KEY_OUTCOMES if o in runs.columns]
    out["means"] = scenario_means(runs, outcomes, level=level)
    savings = savings_of(results, settings)
    cb = cost_benefit(weekly, savings, settings.savings_range)
    out["cost_benefit_runs"] = cb
    out["spending"] = scenario_means(cb, [c for c in SPENDING if c in cb], level=level)
    g = growth(weekly, settings.target_people)
    out["growth_runs"] = g
    out["growth"] = scenario_means(g, ["cagr"], level=level)
    out["target"] = g.groupby("scenario", sort=False)["weeks_to_target"].agg(
        median_weeks_to_target="median", share_reaching_target=lambda s: float(s.notna().mean())
    )
    out["shocks"] = shock_table(runs)
    if baseline is not None and len(scenarios) > 1:
        runs, cb, weekly = (t[t["scenario"].isin(scenarios)] for t in (runs, cb, weekly))
        out["effects"] = paired_effects(runs, "people_supported_end", baseline, level=level)
        if has_draws(runs):  # calibration=posterior: how much of each interval is parameter uncertainty
            out["variance"] = variance_table(runs, "people_supported_end", baseline)
            out["draws_note"] = draws_note(runs)
        out["answer"] = answer_table(runs, cb, baseline, years, level)
        out["pairs"] = pairs = paired_by_seed(runs, cb, baseline, years)
        wtps = np.linspace(0.0, max(2 * settings.savings_per_person_year, 20000.0), 161)
        out["ceac"] = ceac(pairs, baseline, wtps)
        far = far_options(out["answer"])
        out["ceac_rest"] = ceac(pairs[~pairs["scenario"].isin(far)], baseline, wtps) if far else None
        money = paired_money(cb, baseline, years, level, settings.savings_range)
        pay = (
            paired_payback(weekly, savings, baseline)
            .groupby("scenario", sort=False)["payback_week"]
            .agg(median_payback_week="median", share_paid_back=lambda s: float(s.notna().mean()))
        )
        out["paired_money"] = money.merge(pay, left_on="scenario", right_index=True, how="left")
    return out


ODD_FILE = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"


def assumptions_table(results: Results) -> pd.DataFrame:
    """Every parameter of docs/ODD.md's generated table: its value in this study, default and source."""
    if not ODD_FILE.exists():
        return pd.DataFrame()
    text = ODD_FILE.read_text()
    start, end = text.find("<!-- params:start -->"), text.find("<!-- params:end -->")
    rows = []
    flat = _flatten(results.config)
    varying = set(results.runs.columns)
    for line in text[start:end].splitlines():
        m = re.match(r"^\| `([^`]+)` \| (.*?) \| (.*) \|$", line)
        if not m:
            continue
        name, default, source = m.groups()
        value = "varies" if name in varying else flat.get(name, "")
        rows.append(
            {
                "parameter": name,
                "value in this study": value,
                "default": default,
                "unit, source or assumption": source,
                "assumption": "yes" if re.search(r"assumption|calibrated", source, re.I) else "",
            }
        )
    return pd.DataFrame(rows)


def _flatten(node, prefix="", out=None):
    out = {} if out is None else out
    if isinstance(node, dict):
        for k, v in node.items():
            _flatten(v, f"{prefix}.{k}" if prefix else str(k), out)
    else:
        out[prefix] = node if not isinstance(node, list) else ", ".join(map(str, node))
    return out
