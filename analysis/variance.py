"""How much of an effect's interval is parameter uncertainty, and how much seed noise.

A study run with ``calibration=posterior`` has, in every scenario, ``D`` draws
from a calibration's posterior (column ``draw``), each on ``S`` seeds; runs of
two scenarios with the same seed have the same draw, so the paired difference
``d_ij`` (scenario minus baseline, draw ``i``, seed ``j``) is one option's effect
under parameter set ``i`` and random history ``j``. By the law of total
variance, a difference's variance splits into

* between draws, ``Var(E[d | draw])``: how far the effect moves with the
  parameters (parameter uncertainty), estimated as
  ``max(0, var(draw means) - MSW * mean(1/n_i))``;
* within draws, ``E[Var(d | draw)]``: seed noise, estimated by the pooled
  within-draw variance ``MSW`` (needs draws with two seeds or more).

The effect's interval is that of the mean over draws of each draw's mean
difference (:func:`slsim.analysis.stats.paired_effects`), whose variance is
``(between + MSW * mean(1/n_i)) / D``; its square half-width splits in the same
parts. ``param_share`` and ``seed_share`` are those parts' shares (summing to 1).
"""

import math

import numpy as np
import pandas as pd

from slsim.analysis.stats import draw_of_seed, paired_differences


def has_draws(runs: pd.DataFrame) -> bool:
    """Was the study drawn from a posterior (``calibration=posterior``: every complete run has a draw)?"""
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    return draw_of_seed(ok) is not None


def split(values, draws) -> dict:
    """The variance split of one set of paired differences ``values`` labelled by ``draws`` (module doc)."""
    frame = pd.DataFrame({"d": pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(float), "g": list(draws)})
    frame = frame.dropna()
    groups = frame.groupby("g", sort=True)["d"]
    n = groups.size().to_numpy(float)
    means = groups.mean().to_numpy(float)
    out = {
        "draws": len(n),
        "seeds_per_draw": float(n.mean()) if len(n) else math.nan,
        "between_var": math.nan,
        "within_var": math.nan,
        "mean_var": math.nan,
        "param_share": math.nan,
        "seed_share": math.nan,
    }
    dof = float((n - 1).sum())
    if len(n) < 2 or dof <= 0:
        return out  # no spread between draws, or no draw with two seeds: the parts cannot be told apart
    within = float(groups.var(ddof=1).fillna(0.0).to_numpy(float) @ (n - 1)) / dof
    seed_part = within * float(np.mean(1.0 / n))
    between = max(0.0, float(means.var(ddof=1)) - seed_part)
    total = between + seed_part
    out.update(between_var=between, within_var=within, mean_var=total / len(n))
    if total > 0:
        out.update(param_share=between / total, seed_share=seed_part / total)
    return out


def variance_table(runs: pd.DataFrame, outcome: str, baseline: str, by: str = "scenario") -> pd.DataFrame:
    """Per option (baseline excluded): the split of its paired effect on ``outcome`` (module doc)."""
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    draws = draw_of_seed(ok)
    if draws is None:
        return pd.DataFrame()
    diffs = paired_differences(ok, [outcome], baseline, by=by, pair="seed")
    rows = []
    for scenario, one in diffs.groupby(by, sort=False):
        rows.append({by: scenario, "outcome": outcome, **split(one[outcome], one["seed"].map(draws))})
    return pd.DataFrame(rows)


def pct(x: float) -> str:
    return "–" if x is None or math.isnan(x) else f"{100 * x:.0f}%"


def split_sentence(table: pd.DataFrame) -> str:
    """The report's sentence: the shares of the interval, over the options (their mean), or why none."""
    shares = table.dropna(subset=["param_share"]) if table is not None and len(table) else pd.DataFrame()
    if shares.empty:
        return (
            "The intervals include parameter uncertainty from the posterior draws, but how much of them it is "
            "cannot be told: that needs at least two draws, and draws with two seeds or more "
            "(calibration.seeds_per_draw)."
        )
    p, q = float(shares["param_share"].mean()), float(shares["seed_share"].mean())
    each = "" if len(shares) == 1 else f", on average over the {len(shares)} options (each option's split: Effects)"
    return (
        f"Of the interval's width, {pct(p)} comes from parameter uncertainty (posterior draws) and {pct(q)} "
        f"from seed noise{each}; the shares are of the squared half-width, the variance of the mean effect."
    )


def draws_note(runs: pd.DataFrame) -> str:
    """How many posterior draws and seeds the study ran (for the report's intervals line)."""
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    per = ok.groupby(["scenario", "draw"])["seed"].nunique()
    d = int(ok["draw"].nunique())
    s = f"{per.min():g}" if len(per) and per.min() == per.max() else f"{per.min():g}-{per.max():g}"
    return f"{d} posterior draw{'s' if d != 1 else ''} x {s} seed{'s' if s != '1' else ''} each"


def split_html(table: pd.DataFrame, order=None) -> str:
    """The effects section's table: per option, the between- and within-draw variance and the shares."""
    from slsim.analysis import html as h

    head = [
        h.th("Option", cls="l"),
        h.th("Draws", title="draws"),
        h.th("Seeds a draw", title="seeds_per_draw"),
        h.th("Between draws (parameters), people²", title="between_var: Var(E[d | draw])"),
        h.th("Within draws (seeds), people²", title="within_var: E[Var(d | draw)]"),
        h.th("Interval from parameters", title="param_share"),
        h.th("Interval from seeds", title="seed_share"),
    ]
    frame = table if order is None else order(table)
    rows = [
        [
            h.scenario_td(r.scenario),
            h.td(r.draws),
            h.td(h.number(r.seeds_per_draw, 1)),
            h.td(h.number(r.between_var, 1)),
            h.td(h.number(r.within_var, 1)),
            h.td(pct(r.param_share)),
            h.td(pct(r.seed_share)),
        ]
        for r in frame.itertuples(index=False)
    ]
    note = (
        "Each option's paired effect on people supported at the end, split by the law of total variance: "
        "between draws (how far the effect moves with the posterior's parameter sets) and within draws (seed "
        "noise, the same parameters on other random histories). The shares are of the interval's squared "
        "half-width (the variance of the mean over draws of each draw's mean effect). –: not enough draws or "
        "seeds to tell the parts apart."
    )
    return f"<p class='lead'>{h.esc(split_sentence(table))}</p>" + h.table(head, rows) + f"<p class='note'>{note}</p>"
