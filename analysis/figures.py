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
from matplotlib.ticker import FuncFormatter, MaxNLocator

from slsim.analysis.answer import far_options
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


def _spread(points: np.ndarray, size: tuple, steps: int = 300) -> np.ndarray:
    """Label positions (pixels, lower-left corners) near ``points`` that do not overlap: each label starts
    up and right of its point and overlapping pairs are pushed apart until none overlap (or ``steps``)."""
    w, h = size
    pos = points + np.array([4.0, 3.0])
    for _ in range(steps):
        moved = False
        for i in range(len(pos)):
            for j in range(i + 1, len(pos)):
                dx, dy = pos[j] - pos[i]
                if abs(dx) < w and abs(dy) < h:
                    push = (h - abs(dy)) / 2 + 0.5
                    sign = 1.0 if (dy, j) >= (0, i) else -1.0
                    pos[i, 1] -= sign * push
                    pos[j, 1] += sign * push
                    moved = True
        if not moved:
            break
    return pos


def _plane(ax, ce: pd.DataFrame, title: str) -> None:
    colour = sns.color_palette(PALETTE)[0]
    xerr = np.nan_to_num(
        np.vstack([ce["d_cost_year"] - ce["d_cost_year_low"], ce["d_cost_year_high"] - ce["d_cost_year"]])
    )
    yerr = np.nan_to_num(np.vstack([ce["d_people"] - ce["d_people_low"], ce["d_people_high"] - ce["d_people"]]))
    ax.errorbar(
        ce["d_cost_year"],
        ce["d_people"],
        xerr=xerr,
        yerr=yerr,
        fmt="o",
        color=colour,
        ecolor="#ccc",
        elinewidth=0.6,
        capsize=0,
        markersize=4,
        zorder=3,
    )
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.axvline(0, color="grey", linewidth=0.8)
    thousands(ax.xaxis, "£")
    ax.set_xlabel("extra cost a year against the baseline")
    ax.set_ylabel("extra people supported at the end")
    ax.set_title(title, fontsize=9)


def _number_points(ax, ce: pd.DataFrame) -> None:
    """Each point's rank beside it; labels that would overprint are spread, with a thin leader line."""
    fig = ax.figure
    pts = ax.transData.transform(np.column_stack([ce["d_cost_year"], ce["d_people"]]).astype(float))
    px = fig.dpi / 72.0
    pos = _spread(pts, (8.5 * px * 2, 8.5 * px))
    for row, p, q in zip(ce.itertuples(index=False), pts, pos):
        off = (q - p) / px
        far = np.hypot(*(q - p - np.array([4.0, 3.0]))) > 3
        ax.annotate(
            str(row.rank),
            (row.d_cost_year, row.d_people),
            xytext=tuple(off),
            textcoords="offset points",
            fontsize=8,
            fontweight="bold",
            va="bottom",
            ha="left",
            zorder=4,
            arrowprops={"arrowstyle": "-", "color": "#888", "linewidth": 0.5, "shrinkA": 0, "shrinkB": 2}
            if far
            else None,
        )


def ce_plane(ce: pd.DataFrame) -> Figure:
    """Cost-effectiveness plane: extra people at the end (y) against extra cost a year (x), both against the
    baseline with seeds paired, numbered by ``rank`` with a key (columns of
    :func:`slsim.analysis.answer.answer_table`). Options far beyond the rest (e.g. every lever at once) get a
    small panel of their own beside a large one of the others, so those are not squeezed into a corner;
    numbers that would overprint are spread out with leader lines."""
    ce = ce.dropna(subset=["d_people", "d_cost_year"])
    far = ce["scenario"].isin(far_options(ce)).to_numpy()
    key = "\n".join(f"{r.rank:>2}  {short(r.scenario)}" for r in ce.itertuples(index=False))
    split = bool(far.any())
    fig = Figure(figsize=(11.5, max(5.0, 1.2 + 0.19 * len(ce))), layout="constrained")
    grid = fig.add_gridspec(1, 3 if split else 2, width_ratios=[0.8, 1.7, 0.95] if split else [2.3, 0.95])
    axes = [fig.add_subplot(grid[0, i]) for i in range(2 if split else 1)]
    parts = [(axes[0], ce)] if not split else [(axes[0], ce[far]), (axes[1], ce[~far])]
    _plane(axes[0], ce, "every option" + (" (the rest numbered on the right)" if split else ""))
    if split:
        axes[0].xaxis.set_major_locator(MaxNLocator(3))
    if split:
        _plane(axes[1], ce[~far], "the rest, closer: all but " + ", ".join(str(r) for r in ce["rank"][far]))
    keyax = fig.add_subplot(grid[0, -1])
    keyax.axis("off")
    keyax.text(
        0,
        1,
        "key (rank by extra people)\n" + key,
        va="top",
        ha="left",
        fontsize=8,
        family="monospace",
        transform=keyax.transAxes,
    )
    fig.suptitle(
        "Cost-effectiveness plane against the baseline, seeds paired (points: means; grey lines: 95% interval)",
        fontsize=10,
    )
    fig.draw_without_rendering()  # lay out first: labels are spread in pixels
    for ax, frame in parts:
        _number_points(ax, frame)
    return fig


def _likely(curve: pd.DataFrame, top: int) -> list:
    """The (at most ``top``) options whose probability ever exceeds 5%, most likely first."""
    peak = curve.groupby("scenario", sort=False)["probability"].max()
    return [s for s in peak.sort_values(ascending=False, kind="stable").index if peak[s] > 0.05][:top]


def _ceac_panel(ax, curve: pd.DataFrame, ranks: dict, savings, colours: dict, top: int, title: str) -> None:
    shown = _likely(curve, top)
    for scenario in shown:
        colour = colours[scenario]
        one = curve[curve["scenario"] == scenario]
        number = f"{ranks[scenario]} " if scenario in ranks else ""
        ax.plot(one["wtp"], one["probability"], color=colour, linewidth=1.8, label=f"{number}{short(scenario)}")
    rest = curve[~curve["scenario"].isin(shown)].groupby("wtp")["probability"].sum()
    if len(rest) and rest.max() > 0:
        ax.plot(rest.index, rest.to_numpy(), color="grey", linestyle="--", linewidth=1, label="all other options")
    if savings:
        ax.axvline(savings, color="black", linestyle=":", linewidth=1)
        ax.annotate(
            "saving a year per live-in\nperson (assumption)",
            (savings, 1.0),
            xytext=(4, -4),
            textcoords="offset points",
            va="top",
            fontsize=7,
        )
    thousands(ax.xaxis, "£")
    ax.set_ylim(0, 1.04)
    ax.set_xlabel("willingness to pay a year per extra person supported at the end")
    ax.set_ylabel("probability most cost-effective")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_title(title, fontsize=9, loc="left")


def ceac_curve(
    curve: pd.DataFrame, ranks: dict, savings: float | None = None, rest: pd.DataFrame | None = None, top: int = 6
) -> Figure:
    """Cost-effectiveness acceptability curve: the probability that each option is the most cost-effective
    (``probability`` by ``wtp`` and ``scenario``, :func:`slsim.analysis.answer.ceac`). Options never more than 5%
    likely share one grey line; ``ranks`` (scenario -> number) numbers them as in the plane. ``rest``: the
    same curve without the options far beyond the others, drawn in a second panel."""
    panels = 1 if rest is None or rest.empty else 2
    fig = Figure(figsize=(9.5, 3.6 * panels + 0.4), layout="constrained")
    axes = np.atleast_1d(fig.subplots(panels, 1, squeeze=False)).ravel()
    names = list(dict.fromkeys(_likely(curve, top) + (_likely(rest, top) if panels == 2 else [])))
    colours = dict(zip(names, sns.color_palette(PALETTE, max(len(names), 1))))  # an option keeps its colour
    _ceac_panel(axes[0], curve, ranks, savings, colours, top, "every option")
    if panels == 2:
        gone = sorted(set(curve["scenario"]) - set(rest["scenario"]), key=lambda s: ranks.get(s, 0))
        _ceac_panel(
            axes[1],
            rest,
            ranks,
            savings,
            colours,
            top,
            "without " + ", ".join(short(s) for s in gone) + " (a choice among the rest)",
        )
    fig.suptitle(
        "Cost-effectiveness acceptability curve: the share of paired seeds in which each option has the "
        "highest net monetary benefit",
        fontsize=10,
    )
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
