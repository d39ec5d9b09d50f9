"""Cost-effectiveness figures: the cost-effectiveness plane (numbered, non-overlapping labels,
far options in a panel of their own) and the cost-effectiveness acceptability curve. Each
function takes the tidy tables of :mod:`slsim.analysis.answer` and returns a Figure; re-exported
by :mod:`slsim.analysis.figures`.
"""

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from slsim.analysis.answer import far_options
from slsim.analysis.figures import PALETTE, short, thousands


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
