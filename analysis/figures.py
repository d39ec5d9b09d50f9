"""Figures (seaborn on matplotlib): each function takes a DataFrame and returns a Figure.

No pyplot state is used (``matplotlib.figure.Figure`` directly), so the
functions work in scripts, notebooks and tests alike, with any backend.
The inputs are the tidy tables of :mod:`slsim.analysis.stats`,
:mod:`slsim.analysis.costbenefit` and :mod:`slsim.analysis.results`.
"""

import math

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from slsim.analysis.labels import column_label, scenario_label
from slsim.analysis.stats import mean_ci

ACTIVITIES = ("monitoring", "matching", "assessment", "outreach", "recruitment")
STAGES = (
    ("new_enquiries", "enquiries"),
    ("new_approvals", "carers approved"),
    ("households", "households at the end"),
    ("carers_active", "active households at the end"),
)
PALETTE = "colorblind"
LABEL_CHARS = 40  # scenario labels longer than this are shortened in figures (tables keep them whole)


def short(label) -> str:
    """A scenario's plain label (:func:`slsim.analysis.labels.scenario_label`), shortened to ``LABEL_CHARS``."""
    text = scenario_label(label)
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 3] + "..."


def thousands(ax_axis, unit: str = "") -> None:
    """Tick labels in thousands with separators, never an offset ('1e6') that could overlap the label."""
    ax_axis.set_major_formatter(FuncFormatter(lambda x, _: f"{unit}{x / 1000:,.0f}k" if x else "0"))


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
    fig = Figure(figsize=(7.5, 1.4 + 0.32 * len(frame)), layout="constrained")
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
    fig.suptitle(
        "Effect against the baseline, seeds paired\n(bars: mean; black lines: 95% interval; blue gain, orange loss)",
        fontsize=10,
    )
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
                ax.errorbar(
                    one[name], y + shift, xerr=one[conf].abs(), fmt="none", ecolor="black", capsize=2, linewidth=0.8
                )
            ax.set_xlabel("Sobol index (S1 first order, ST total order; lines: 95% CI)")
        else:
            ax.barh(y, one["mu_star"], color=sns.color_palette(PALETTE)[0], label="mu*")
            ax.errorbar(one["mu_star"], y, xerr=one["mu_star_conf"].abs(), fmt="none", ecolor="black", capsize=2)
            ax.set_xlabel("Morris mu* (mean absolute elementary effect; lines: 95% CI)")
        if float(np.nanmax(np.abs(ax.get_xlim()))) >= 1e4:
            thousands(ax.xaxis)
        ax.set_yticks(y, params, fontsize=8)
        ax.set_ylabel("parameter")
        ax.set_title(column_label(output), fontsize=9)
        ax.legend(fontsize=7)
    return fig


def _grouped_bars(ax, frame: pd.DataFrame, value: str, kinds: list, groups: list, palette) -> None:
    """Bars of the mean of ``value`` by kind (x) and group (colour), 95% Student-t intervals as lines."""
    width = 0.8 / max(len(groups), 1)
    for j, (group, colour) in enumerate(zip(groups, palette)):
        stats = [mean_ci(frame[(frame["kind"] == k) & (frame["group"] == group)][value]) for k in kinds]
        x = np.arange(len(kinds)) - 0.4 + width * (j + 0.5)
        mean = np.array([c["mean"] for c in stats], dtype=float)
        err = np.nan_to_num(np.vstack([mean - [c["ci_low"] for c in stats], [c["ci_high"] for c in stats] - mean]))
        ax.bar(x, np.nan_to_num(mean), width=width, color=colour, label=short(group))
        some = np.isfinite(mean)  # no line where no run recovered
        ax.errorbar(x[some], mean[some], yerr=err[:, some], fmt="none", ecolor="black", capsize=2, linewidth=0.8)
    ax.set_xticks(
        np.arange(len(kinds)), [scenario_label(f"shocks={k}") for k in kinds], rotation=25, ha="right", fontsize=7
    )


def shock_recovery(shocks: pd.DataFrame) -> Figure:
    """Depth of the fall in people supported and weeks to recover, by shock (``kind``) and ``group``;
    bars are means, lines 95% intervals (Student t across seeds, as every other figure)."""
    kinds = list(dict.fromkeys(shocks["kind"]))
    groups = list(dict.fromkeys(shocks["group"]))
    palette = sns.color_palette(PALETTE, max(len(groups), 1))
    fig = Figure(figsize=(10, 4.6 + 0.18 * math.ceil(len(groups) / 3)), layout="constrained")
    left, right = fig.subplots(1, 2)
    _grouped_bars(left, shocks, "depth", kinds, groups, palette)
    left.set_ylabel("depth (people below pre-shock level)")
    left.set_xlabel("shock")
    _grouped_bars(right, shocks.dropna(subset=["weeks_to_recover"]), "weeks_to_recover", kinds, groups, palette)
    right.set_ylabel("weeks to recover (runs that did)")
    right.set_xlabel("shock")
    handles, names = left.get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncols=min(3, len(groups)), fontsize=7, frameon=False)
    fig.suptitle(
        "Resilience: depth of the fall, and weeks from the shock's end to recovery\n(bars: mean; lines: 95% interval)",
        fontsize=10,
    )
    return fig


def staff_time(weekly: pd.DataFrame, scenario=None) -> Figure:
    """Staff hours by activity over time (mean over the scenario's runs), stacked."""
    one = weekly if scenario is None else weekly[weekly["scenario"] == scenario]
    columns = [f"hours_{a}" for a in ACTIVITIES]
    mean = one.groupby("week")[columns].mean()
    fig = Figure(figsize=(7.5, 3.8), layout="constrained")
    ax = fig.subplots()
    ax.stackplot(
        mean.index, [mean[c] for c in columns], labels=list(ACTIVITIES), colors=sns.color_palette(PALETTE, len(columns))
    )
    top = float(mean.sum(axis=1).max()) if len(mean) else 1.0
    ax.set_ylim(0, top * 1.18 if top > 0 else 1.0)  # room for the legend above the stack
    ax.set_xlabel("week")
    ax.set_ylabel("staff hours per week")
    ax.set_title(f"staff time by activity{'' if scenario is None else f' ({short(scenario)})'}")
    ax.legend(fontsize=7, loc="upper left", ncols=5)
    return fig
