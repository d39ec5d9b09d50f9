"""Which levers matter where: a lever study run on several kinds of scheme (``scheme_type=``).

A sweep whose scenarios vary ``scheme_type`` (configs/scheme_type/) and ``levers`` gets one figure:
the paired effect of each lever on people supported at the end, against the baseline
(``levers=none``) *of the same kind of scheme*, seeds paired, as a heatmap of levers by kinds,
with each kind's binding constraint read from its baseline runs:

* **staff-bound**: the team has less than ``constraint_growth_hours`` hours a week left for
  outreach and recruitment (``mean_growth_hours_per_week``): monitoring eats the time growth needs;
* **carer-bound**: more than ``constraint_withdrawn_share`` of referrals are withdrawn while
  waiting (``referrals_withdrawn / referrals_received``): people wait for carers;
* **referral-bound**: neither: approved households wait for referrals.

Never imports the model (numbers from the sweep table only).
"""

import re

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from slsim.analysis.labels import scenario_label
from slsim.analysis.stats import mean_ci

KIND = re.compile(r"(?:^|\s)scheme_type=(\S+)")
LEVER = re.compile(r"(?:^|\s)levers=(\S+)")
NONE = "none"
KIND_LABELS = {
    "typical": "Typical (national average)",
    "small_urban": "Small urban council",
    "large_county": "Large county",
    "voluntary_sector": "Voluntary-sector run",
    "new_scheme": "New scheme",
}


def kinds_and_levers(ok: pd.DataFrame) -> pd.DataFrame | None:
    """``ok`` with ``kind`` and ``lever`` columns, or None unless at least two kinds each have a baseline."""
    if ok.empty:
        return None
    kind = ok["scenario"].str.extract(KIND)[0]
    lever = ok["scenario"].str.extract(LEVER)[0]
    if kind.isna().any() or lever.isna().any():
        return None
    table = ok.assign(kind=kind, lever=lever)
    with_baseline = table.loc[table["lever"] == NONE, "kind"].unique()
    if len(set(table["kind"])) < 2 or set(table["kind"]) - set(with_baseline):
        return None
    return table


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


def constraints(table: pd.DataFrame, growth_hours: float, withdrawn_share: float) -> pd.DataFrame:
    """Each kind's binding constraint, from its baseline runs (means over seeds)."""
    rows = []
    for kind, group in table[table["lever"] == NONE].groupby("kind", sort=False):
        hours = float(group["mean_growth_hours_per_week"].mean())
        received = float(group["referrals_received"].sum())
        share = float(group["referrals_withdrawn"].sum()) / received if received else float("nan")
        if hours < growth_hours:
            label = "staff-bound"
        elif share > withdrawn_share:
            label = "carer-bound"
        else:
            label = "referral-bound"
        rows.append({"kind": kind, "growth_hours_per_week": hours, "withdrawn_share": share, "constraint": label})
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
    top = float(np.nanmax(np.abs(mean.to_numpy()))) or 1.0
    fig = Figure(figsize=(1.9 * len(kinds) + 3.2, 0.42 * len(levers) + 1.8), layout="constrained")
    ax = fig.subplots()
    ax.imshow(mean.to_numpy(dtype=float), cmap="RdBu", vmin=-top, vmax=top, aspect="auto")
    for i, lever in enumerate(levers):
        for j, kind in enumerate(kinds):
            value = mean.loc[lever, kind]
            if np.isnan(value):
                continue
            sure = bool(clears.loc[lever, kind])
            ax.text(
                j, i, f"{value:+.0f}", ha="center", va="center", fontsize=9, fontweight="bold" if sure else "normal"
            )
            if not sure:
                ax.add_patch(_hatch(j, i))
    constraint = dict(zip(binding["kind"], binding["constraint"]))
    ax.set_xticks(range(len(kinds)), [f"{KIND_LABELS.get(k, k)}\n({constraint[k]})" for k in kinds], fontsize=8)
    ax.set_yticks(range(len(levers)), [scenario_label(f"levers={lever}") for lever in levers], fontsize=8)
    ax.set_title(
        "Extra people supported at the end against each kind's own baseline\n"
        "(mean over paired seeds; hatched: the 95% interval crosses zero)",
        fontsize=9,
    )
    return fig


def _hatch(j, i):
    from matplotlib.patches import Rectangle

    return Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", edgecolor="0.6", linewidth=0)


def summary_sentence(effects: pd.DataFrame, binding: pd.DataFrame) -> str:
    """Which levers clear zero in which kinds, in words."""
    parts = []
    for kind, constraint in zip(binding["kind"], binding["constraint"]):
        own = effects[(effects["kind"] == kind) & (effects["ci_low"] > 0)].sort_values("mean", ascending=False)
        names = [scenario_label(f"levers={lever}").lower() for lever in own["lever"][:3]]
        gain = ", ".join(names) if names else "no single lever"
        parts.append(f"{KIND_LABELS.get(kind, kind)} ({constraint}): {gain} clear zero")
    return "; ".join(parts) + "."


def scheme_types_section(results, s, figure, add, csv) -> None:
    """Add the section's body (nothing unless the sweep varies scheme_type with a baseline in each kind)."""
    from slsim.analysis import html as h

    table = kinds_and_levers(results.ok) if results.kind == "sweep" else None
    if table is None:
        return
    effects = effects_by_kind(table, "people_supported_end", s.confidence)
    binding = constraints(table, s.constraint_growth_hours, s.constraint_withdrawn_share)
    if effects.empty:
        return
    figure(
        "schemetypes",
        "scheme_types",
        heatmap(effects, binding),
        "Effect of each lever on people supported at the end, against the baseline of the same kind of "
        "scheme, seeds paired; under each kind, its binding constraint.",
    )
    add(
        "schemetypes",
        "<p>Each kind of scheme is compared with its own baseline (no lever), seed by seed. The binding "
        f"constraint is read from that baseline: <b>staff-bound</b> when fewer than "
        f"{s.constraint_growth_hours:g} hours a week are left for outreach and recruitment, "
        f"<b>carer-bound</b> when more than {s.constraint_withdrawn_share:.0%} of referrals are withdrawn "
        "while waiting, <b>referral-bound</b> otherwise (households wait for referrals).</p>"
        f"<p>{h.esc(summary_sentence(effects, binding))}</p>",
    )
    csv("scheme_types", effects.merge(binding, on="kind"))
