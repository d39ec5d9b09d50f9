"""Which levers matter where: a lever study run on several kinds of scheme (``scheme_type=``).

A sweep whose scenarios vary ``scheme_type`` (configs/scheme_type/) and ``levers`` gets one figure:
the paired effect of each lever on people supported at the end, against the baseline
(``levers=none``) *of the same kind of scheme*, seeds paired, as a heatmap of levers by kinds,
with each kind's binding constraint read from its baseline runs (thresholds in
configs/analysis.yaml), in this order:

* **staff-bound**: the team has fewer than ``constraint_growth_hours`` hours a week left for
  outreach and recruitment (``mean_growth_hours_per_week`` of the sweep table; else the weekly
  ``hours_outreach + hours_recruitment``), or meets less than ``constraint_min_coverage`` of its
  monitoring demand (weekly ``monitoring_coverage``, mean over weeks);
* **referral-bound**: more than ``constraint_idle_share`` of approved households have nobody placed
  (weekly ``carers_approved / households``, mean over weeks) and at most
  ``constraint_withdrawn_share`` of referrals are withdrawn while waiting
  (``referrals_withdrawn / referrals_received`` of the sweep table);
* **carer-bound**: otherwise (many withdrawals, or few idle households).

Numbers come from the sweep table and the weekly table the report already holds (``weekly.parquet``
when the sweep wrote it, else each run's ``timeseries.parquet``); a criterion whose columns are
missing is left out. The report's answer, effects and costs use one kind only
(:func:`focus`): the kind of ``--baseline``, else the typical scheme. Never imports the model.
"""

import math
import re

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from slsim.analysis.labels import SCHEME_TYPES, scenario_label
from slsim.analysis.stats import mean_ci

KIND = re.compile(r"(?:^|\s)scheme_type=(\S+)")
LEVER = re.compile(r"(?:^|\s)levers=(\S+)")
NONE = "none"
TYPICAL = "typical"


def kind_label(kind: str) -> str:
    return SCHEME_TYPES.get(kind, f"{kind.replace('_', ' ')} scheme")


def kinds_and_levers(ok: pd.DataFrame) -> pd.DataFrame | None:
    """``ok`` with ``kind`` and ``lever`` columns, or None unless at least two kinds each have a baseline."""
    if ok.empty or "scenario" not in ok:
        return None
    kind = ok["scenario"].astype(str).str.extract(KIND)[0]
    lever = ok["scenario"].astype(str).str.extract(LEVER)[0]
    if kind.isna().any() or lever.isna().any():
        return None
    table = ok.assign(kind=kind, lever=lever)
    with_baseline = table.loc[table["lever"] == NONE, "kind"].unique()
    if len(set(table["kind"])) < 2 or set(table["kind"]) - set(with_baseline):
        return None
    return table


def focus(runs: pd.DataFrame, baseline: str | None) -> tuple | None:
    """For a sweep over kinds: (kind, its baseline scenario, its scenarios) that the answer, effects and
    costs use: the kind of ``baseline`` if given, else the typical scheme (else the first kind). None
    for any other sweep."""
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    table = kinds_and_levers(ok)
    if table is None:
        return None
    if baseline:
        match = KIND.search(baseline)
        if not match:
            return None  # a baseline across kinds: the user's choice, all scenarios
        kind = match.group(1)
    else:
        kind = TYPICAL if TYPICAL in set(table["kind"]) else table["kind"].iloc[0]
    own = table[table["kind"] == kind]
    base = baseline or own.loc[own["lever"] == NONE, "scenario"].iloc[0]
    return kind, base, list(dict.fromkeys(own["scenario"]))


def effects_by_kind(table: pd.DataFrame, outcome: str, level: float) -> pd.DataFrame:
    """Per kind and lever: the mean paired difference against that kind's baseline, its interval."""
    rows = []
    for kind, group in table.groupby("kind", sort=False):
        base = group[group["lever"] == NONE].groupby("seed")[outcome].mean()
        for lever, runs in group[group["lever"] != NONE].groupby("lever", sort=False):
            diff = (runs.groupby("seed")[outcome].mean() - base).dropna()
            if len(diff):
                ci = mean_ci(diff.to_numpy(dtype=float), level)
                rows.append({"kind": kind, "lever": lever, "pairs": len(diff), **ci})
    return pd.DataFrame(rows)


def _weekly_mean(weekly: pd.DataFrame, runs, values) -> float:
    """Mean over ``runs`` of each run's mean over weeks of ``values(weekly rows)``; NaN without data."""
    if weekly is None or weekly.empty or "run" not in weekly:
        return math.nan
    rows = weekly[weekly["run"].isin(set(runs))]
    try:
        per_run = values(rows).groupby(rows["run"]).mean()
    except KeyError:
        return math.nan
    return float(per_run.mean()) if len(per_run) else math.nan


def _share(group: pd.DataFrame, part: str, whole: str) -> float:
    if part not in group or whole not in group:
        return math.nan
    total = float(group[whole].sum())
    return float(group[part].sum()) / total if total else math.nan


def constraints(table: pd.DataFrame, weekly: pd.DataFrame | None, s) -> pd.DataFrame:
    """Each kind's binding constraint and the numbers behind it, from its baseline runs."""
    rows = []
    for kind, group in table[table["lever"] == NONE].groupby("kind", sort=False):
        if "mean_growth_hours_per_week" in group:
            hours = float(group["mean_growth_hours_per_week"].mean())
        else:
            hours = _weekly_mean(weekly, group["run"], lambda w: w["hours_outreach"] + w["hours_recruitment"])
        coverage = _weekly_mean(weekly, group["run"], lambda w: w["monitoring_coverage"])
        idle = _weekly_mean(
            weekly, group["run"], lambda w: w["carers_approved"] / w["households"].where(w["households"] > 0)
        )
        withdrawn = _share(group, "referrals_withdrawn", "referrals_received")
        if hours < s.constraint_growth_hours or coverage < s.constraint_min_coverage:
            label = "staff-bound"
        elif not idle <= s.constraint_idle_share and not withdrawn > s.constraint_withdrawn_share:  # NaN: unknown
            label = "referral-bound"
        else:
            label = "carer-bound"
        rows.append(
            {
                "kind": kind,
                "growth_hours_per_week": hours,
                "monitoring_coverage": coverage,
                "idle_share": idle,
                "withdrawn_share": withdrawn,
                "constraint": label,
            }
        )
    return pd.DataFrame(rows)


def heatmap(effects: pd.DataFrame, binding: pd.DataFrame) -> Figure:
    """Levers (rows) by kinds (columns): the mean effect; cells whose interval crosses zero are hatched."""
    kinds = list(binding["kind"])
    levers = list(dict.fromkeys(effects["lever"]))
    mean = effects.pivot(index="lever", columns="kind", values="mean").reindex(index=levers, columns=kinds)
    clears = (
        effects.assign(clears=(effects["ci_low"] > 0) | (effects["ci_high"] < 0))
        .pivot(index="lever", columns="kind", values="clears")
        .reindex(index=levers, columns=kinds)
    )
    values = mean.to_numpy(dtype=float)
    top = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 0.0
    top = top or 1.0
    fig = Figure(figsize=(max(8.0, 1.9 * len(kinds) + 3.6), 0.42 * len(levers) + 2.2), layout="constrained")
    ax = fig.subplots()
    shown = np.where(clears.to_numpy(dtype=bool), values, values * 0.35)  # unsure cells: paler
    image = ax.imshow(shown, cmap="RdBu", vmin=-top, vmax=top, aspect="auto")
    for i, lever in enumerate(levers):
        for j, kind in enumerate(kinds):
            value = mean.loc[lever, kind]
            if np.isnan(value):
                ax.text(j, i, "not run", ha="center", va="center", fontsize=7, color="0.5")
                continue
            sure = bool(clears.loc[lever, kind])
            text = f"{value:+.0f}" if abs(value) >= 1 else f"{value:+.1f}"
            ax.text(
                j,
                i,
                text if sure else f"({text})",
                ha="center",
                va="center",
                fontsize=9,
                fontweight="bold" if sure else "normal",
                color="black" if sure else "0.35",
            )
            if not sure:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", edgecolor="0.7", linewidth=0))
    constraint = dict(zip(binding["kind"], binding["constraint"]))
    ax.set_xticks(range(len(kinds)), [f"{kind_label(k)}\n({constraint[k]})" for k in kinds], fontsize=8)
    ax.set_yticks(range(len(levers)), [scenario_label(f"levers={lever}") for lever in levers], fontsize=8)
    ax.tick_params(axis="x", top=True, labeltop=True, bottom=False, labelbottom=False)
    fig.colorbar(image, ax=ax, shrink=0.8, label="extra people")
    ax.set_title(
        "Extra people supported at the end: each lever against its own kind's baseline, seeds paired\n"
        "bold: the 95% interval clears zero; pale, hatched, (in brackets): it crosses zero",
        fontsize=9,
    )
    return fig


WHY = {
    "staff-bound": "the team has little time left for growth",
    "referral-bound": "households wait for referrals",
    "carer-bound": "people wait for carers",
}


def _numbers(row) -> str:
    parts = []
    if not math.isnan(row.growth_hours_per_week):
        parts.append(f"{row.growth_hours_per_week:.0f} hours a week for outreach and recruitment")
    if not math.isnan(row.monitoring_coverage):
        parts.append(f"{row.monitoring_coverage:.1%} of monitoring done")
    if not math.isnan(row.idle_share):
        parts.append(f"{row.idle_share:.0%} of households with nobody placed")
    if not math.isnan(row.withdrawn_share):
        parts.append(f"{row.withdrawn_share:.0%} of referrals withdrawn")
    return ", ".join(parts)


def summary_sentences(effects: pd.DataFrame, binding: pd.DataFrame) -> list:
    """Per kind, in words: its constraint and why, which levers clear zero (up, then down)."""
    out = []
    for row in binding.itertuples(index=False):
        own = effects[effects["kind"] == row.kind].sort_values("mean", ascending=False)
        up = [scenario_label(f"levers={x}") for x in own.loc[own["ci_low"] > 0, "lever"]]
        down = [scenario_label(f"levers={x}") for x in own.loc[own["ci_high"] < 0, "lever"]]
        text = f"{kind_label(row.kind)} is {row.constraint} ({WHY[row.constraint]}: {_numbers(row)}). "
        text += f"Clear gains: {', '.join(up)}." if up else "No lever clears zero upwards."
        if down:
            text += f" Clear losses: {', '.join(down)}."
        out.append(text)
    return out


def scheme_types_section(results, s, figure, add, csv) -> None:
    """Add the section's body (nothing unless the sweep varies scheme_type with a baseline in each kind)."""
    from slsim.analysis import html as h

    table = kinds_and_levers(results.ok) if results.kind == "sweep" else None
    if table is None:
        return
    effects = effects_by_kind(table, "people_supported_end", s.confidence)
    if effects.empty:
        return
    binding = constraints(table, results.weekly, s)
    figure(
        "schemetypes",
        "scheme_types",
        heatmap(effects, binding),
        "Which levers matter where: each lever's effect on people supported at the end, against the "
        "baseline (no lever) of the same kind of scheme, seeds paired; under each kind, its binding constraint.",
    )
    items = "".join(f"<li>{h.esc(x)}</li>" for x in summary_sentences(effects, binding))
    add(
        "schemetypes",
        "<p>Each kind of scheme is compared with its own baseline (no lever), seed by seed. Its binding "
        "constraint is read from that baseline: <b>staff-bound</b> when fewer than "
        f"{s.constraint_growth_hours:g} hours a week are left for outreach and recruitment or less than "
        f"{s.constraint_min_coverage:.0%} of monitoring is done; otherwise <b>referral-bound</b> when more "
        f"than {s.constraint_idle_share:.0%} of approved households have nobody placed and at most "
        f"{s.constraint_withdrawn_share:.0%} of referrals are withdrawn while waiting; otherwise "
        "<b>carer-bound</b> (assumptions, configs/analysis.yaml).</p>"
        f"<ul class='kinds'>{items}</ul>",
    )
    csv("scheme_types", effects.merge(binding, on="kind"))
