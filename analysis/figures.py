"""Figures (seaborn on matplotlib): each function takes a DataFrame and returns a Figure.

No pyplot state is used (``matplotlib.figure.Figure`` directly), so the
functions work in scripts, notebooks and tests alike, with any backend.
The inputs are the tidy tables of :mod:`analysis.stats`,
:mod:`analysis.costbenefit` and :mod:`analysis.results`.
"""

import math

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

ACTIVITIES = ("monitoring", "matching", "assessment", "outreach", "recruitment")
STAGES = (("new_enquiries", "enquiries"), ("new_approvals", "carers approved"),
          ("households", "households at the end"), ("carers_active", "active households at the end"))
PALETTE = "colorblind"
LABEL_CHARS = 40  # scenario labels longer than this are shortened in figures (tables keep them whole)


def short(label) -> str:
    text = str(label)
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 3] + "..."


def _grid(n: int, ncols: int = 4, size=(3.6, 2.8)):
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(size[0] * ncols, size[1] * nrows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]


def fan_chart(weekly: pd.DataFrame, value: str = "people_supported", scenarios=None) -> Figure:
    """Median of ``value`` over time per scenario, with 50% and 90% bands across runs (small multiples)."""
    scenarios = list(dict.fromkeys(weekly["scenario"])) if scenarios is None else list(scenarios)
    fig, axes = _grid(len(scenarios))
    colour = sns.color_palette(PALETTE)[0]
    for ax, scenario in zip(axes, scenarios):
        one = weekly[weekly["scenario"] == scenario]
        q = one.groupby("week")[value].quantile([0.05, 0.25, 0.5, 0.75, 0.95]).unstack()
        ax.fill_between(q.index, q[0.05], q[0.95], color=colour, alpha=0.2, linewidth=0, label="90% of runs")
        ax.fill_between(q.index, q[0.25], q[0.75], color=colour, alpha=0.4, linewidth=0, label="50% of runs")
        ax.plot(q.index, q[0.5], color=colour, linewidth=1.5, label="median")
        ax.set_title(short(scenario), fontsize=9)
        ax.set_xlabel("week")
        ax.set_ylabel(value.replace("_", " "))
    axes[0].legend(fontsize=7, loc="upper left")
    fig.suptitle(f"{value.replace('_', ' ')} over time: median, 50% and 90% bands across seeds")
    return fig


def pipeline_funnel(weekly: pd.DataFrame, scenarios=None) -> Figure:
    """Carer pipeline: enquiries and approvals over the run, households and active households at the end
    (mean over runs), per scenario."""
    rows = []
    for (run, scenario), ts in weekly.groupby(["run", "scenario"], sort=False):
        ts = ts.sort_values("week")
        rec = ts[ts["week"] >= 1]
        last = ts.iloc[-1]
        for column, label in STAGES:
            value = rec[column].sum() if column.startswith("new_") else last[column]
            rows.append({"scenario": short(scenario), "stage": label, "carers": float(value)})
    frame = pd.DataFrame(rows)
    if scenarios is not None:
        frame = frame[frame["scenario"].isin([short(s) for s in scenarios])]
    n = frame["scenario"].nunique()
    fig = Figure(figsize=(7.5, 1.8 + 0.55 * n), layout="constrained")
    ax = fig.subplots()
    sns.barplot(frame, x="carers", y="scenario", hue="stage", errorbar=None, palette=PALETTE, ax=ax)
    ax.set_xlabel("carer households (mean over runs)")
    ax.set_ylabel("scenario")
    ax.set_title("carer pipeline: from enquiry to active household")
    ax.legend(fontsize=7, loc="upper right", title="stage", title_fontsize=7)
    return fig


def tornado(effects: pd.DataFrame, label: str = "effect") -> Figure:
    """Effects (``effect``, ``ci_low``, ``ci_high`` by ``scenario``), largest first, with their intervals."""
    frame = effects.dropna(subset=["effect"]).copy()
    frame = frame.reindex(frame["effect"].abs().sort_values(ascending=True).index)
    fig = Figure(figsize=(7.5, 1.2 + 0.32 * len(frame)), layout="constrained")
    ax = fig.subplots()
    colours = [sns.color_palette(PALETTE)[0] if e >= 0 else sns.color_palette(PALETTE)[3] for e in frame["effect"]]
    y = np.arange(len(frame))
    ax.barh(y, frame["effect"], color=colours)
    err = np.vstack([frame["effect"] - frame["ci_low"], frame["ci_high"] - frame["effect"]])
    ax.errorbar(frame["effect"], y, xerr=np.nan_to_num(err), fmt="none", ecolor="black", capsize=2, linewidth=0.8)
    ax.set_yticks(y, [short(s) for s in frame["scenario"]])
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_xlabel(label)
    ax.set_ylabel("scenario")
    ax.set_title("effect against the baseline, seeds paired (bars: mean; lines: 95% CI)")
    return fig


def sensitivity_indices(indices: pd.DataFrame) -> Figure:
    """Sobol first- and total-order indices (or Morris mu*) with 95% intervals, a panel per output."""
    outputs = list(dict.fromkeys(indices["output"]))
    sobol = "S1" in indices.columns and indices["S1"].notna().any()
    fig = Figure(figsize=(7.5, 0.8 + 0.45 * indices["parameter"].nunique() * len(outputs)), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(outputs), 1, squeeze=False)).ravel()
    for ax, output in zip(axes, outputs):
        one = indices[indices["output"] == output]
        params = list(one["parameter"])
        y = np.arange(len(params))
        if sobol:
            for k, (name, conf, shift) in enumerate((("S1", "S1_conf", -0.2), ("ST", "ST_conf", 0.2))):
                ax.barh(y + shift, one[name], height=0.4, label=name, color=sns.color_palette(PALETTE)[k])
                ax.errorbar(one[name], y + shift, xerr=one[conf].abs(), fmt="none", ecolor="black", capsize=2,
                            linewidth=0.8)
            ax.set_xlabel("Sobol index (S1 first order, ST total order; lines: 95% CI)")
        else:
            ax.barh(y, one["mu_star"], color=sns.color_palette(PALETTE)[0], label="mu*")
            ax.errorbar(one["mu_star"], y, xerr=one["mu_star_conf"].abs(), fmt="none", ecolor="black", capsize=2)
            ax.set_xlabel("Morris mu* (mean absolute elementary effect; lines: 95% CI)")
        ax.set_yticks(y, params, fontsize=8)
        ax.set_ylabel("parameter")
        ax.set_title(str(output), fontsize=9)
        ax.legend(fontsize=7)
    return fig


def ce_plane(ce: pd.DataFrame) -> Figure:
    """Cost-effectiveness plane: extra people supported (y) against extra cost (x), per scenario, with
    intervals (columns ``d_cost``, ``d_cost_low``, ``d_cost_high``, ``d_people``, ``d_people_low``, ``d_people_high``)."""
    fig = Figure(figsize=(7.5, 5.5), layout="constrained")
    ax = fig.subplots()
    xerr = np.nan_to_num(np.vstack([ce["d_cost"] - ce["d_cost_low"], ce["d_cost_high"] - ce["d_cost"]]))
    yerr = np.nan_to_num(np.vstack([ce["d_people"] - ce["d_people_low"], ce["d_people_high"] - ce["d_people"]]))
    ax.errorbar(ce["d_cost"], ce["d_people"], xerr=xerr, yerr=yerr, fmt="o", color=sns.color_palette(PALETTE)[0],
                ecolor="grey", elinewidth=0.7, capsize=2, markersize=4)
    for row in ce.itertuples(index=False):
        ax.annotate(short(row.scenario), (row.d_cost, row.d_people), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x / 1000:,.0f}"))
    ax.set_xlabel("extra cost over the run against the baseline, GBP thousands (additional cost, paired)")
    ax.set_ylabel("extra people supported at the end (paired)")
    ax.set_title("cost-effectiveness plane (points: means; lines: 95% CI)")
    return fig


def shock_recovery(shocks: pd.DataFrame) -> Figure:
    """Depth of the fall in people supported and weeks to recover, by shock (``kind``) and ``group``."""
    fig = Figure(figsize=(10, 4.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    sns.barplot(shocks, x="kind", y="depth", hue="group", errorbar="se", palette=PALETTE, ax=left)
    left.set_ylabel("depth (people below pre-shock level)")
    left.set_xlabel("shock")
    recovered = shocks.dropna(subset=["weeks_to_recover"])
    if len(recovered):
        sns.barplot(recovered, x="kind", y="weeks_to_recover", hue="group", errorbar="se", palette=PALETTE, ax=right)
    right.set_ylabel("weeks to recover (runs that did)")
    right.set_xlabel("shock")
    for ax in (left, right):
        ax.tick_params(axis="x", labelrotation=30, labelsize=7)
        if ax.get_legend() is not None:
            ax.legend(fontsize=7, title=None)
    fig.suptitle("resilience: depth of the fall and weeks from the shock's end to recovery (bars: mean; lines: s.e.)")
    return fig


def staff_time(weekly: pd.DataFrame, scenario=None) -> Figure:
    """Staff hours by activity over time (mean over the scenario's runs), stacked."""
    one = weekly if scenario is None else weekly[weekly["scenario"] == scenario]
    columns = [f"hours_{a}" for a in ACTIVITIES]
    mean = one.groupby("week")[columns].mean()
    fig = Figure(figsize=(7.5, 3.8), layout="constrained")
    ax = fig.subplots()
    ax.stackplot(mean.index, [mean[c] for c in columns], labels=list(ACTIVITIES),
                 colors=sns.color_palette(PALETTE, len(columns)))
    top = float(mean.sum(axis=1).max()) if len(mean) else 1.0
    ax.set_ylim(0, top * 1.18 if top > 0 else 1.0)  # room for the legend above the stack
    ax.set_xlabel("week")
    ax.set_ylabel("staff hours per week")
    ax.set_title(f"staff time by activity{'' if scenario is None else f' ({scenario})'}")
    ax.legend(fontsize=7, loc="upper left", ncols=5)
    return fig
