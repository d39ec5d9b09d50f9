"""Figures of the national report (matplotlib ``Figure`` objects, no pyplot state), one per function,
from the tables of :mod:`slsim.analysis.nation_tables`."""

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from slsim.analysis.nation_tables import CLASSES

PALETTE = "colorblind"
TOTAL_LABELS = {"people_supported": "people supported", "households": "approved carer households"}
CLASS_LABELS = {"grow": "grow", "stall": "stall", "shrink": "shrink"}


def _colours(names) -> dict:
    return dict(zip(names, sns.color_palette(PALETTE, max(len(names), 1))))


def _gbp(x, _=None) -> str:
    if abs(x) >= 1e6:
        return f"£{x / 1e6:,.1f}m".replace(".0m", "m")
    return f"£{x / 1e3:,.0f}k" if x else "£0"


def totals(frame: pd.DataFrame, programmes: list, band: float) -> Figure:
    """National people supported and carer households over time: a line (median) and band a programme."""
    fig = Figure(figsize=(10, 3.8), layout="constrained")
    axes = fig.subplots(1, 2)
    colour = _colours(programmes)
    dashes = dict(zip(programmes, ["-", "--", ":", "-."] * len(programmes)))  # programmes that coincide still show
    for ax, total in zip(axes, TOTAL_LABELS):
        for programme in programmes:
            one = frame[(frame["programme"] == programme) & (frame["total"] == total)].sort_values("week")
            c = colour[programme]
            if (one["runs"] > 1).any():
                ax.fill_between(one["week"], one["low"], one["high"], color=c, alpha=0.18, linewidth=0)
            ax.plot(one["week"], one["median"], color=c, linestyle=dashes[programme], linewidth=1.6, label=programme)
        ax.set_xlabel("week")
        ax.set_ylabel(TOTAL_LABELS[total])
        ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
        ax.set_title(TOTAL_LABELS[total] + " in England's modelled schemes", fontsize=9)
    axes[0].legend(fontsize=7, title="programme", title_fontsize=7, loc="best")
    several = frame["runs"].max() > 1
    fig.suptitle(
        "National totals over time" + (f": median over runs, band holding {band:.0%} of runs" if several else ""),
        fontsize=10,
    )
    return fig


def classes(frame: pd.DataFrame, programmes: list, level: float) -> Figure:
    """Schemes that grow, stall or shrink per programme: bars (mean over runs), lines (interval)."""
    fig = Figure(figsize=(7.5, 3.4), layout="constrained")
    ax = fig.subplots()
    width = 0.8 / max(len(programmes), 1)
    colour = _colours(programmes)
    x = np.arange(len(CLASSES))
    for j, programme in enumerate(programmes):
        one = frame[frame["programme"] == programme].set_index("class").reindex(list(CLASSES))
        pos = x - 0.4 + width * (j + 0.5)
        mean = one["mean"].to_numpy(dtype=float)
        ax.bar(pos, mean, width=width, color=colour[programme], label=programme)
        err = np.vstack([mean - one["ci_low"], one["ci_high"] - mean])
        ok = np.isfinite(err).all(axis=0)
        ax.errorbar(pos[ok], mean[ok], yerr=np.clip(err[:, ok], 0, None), fmt="none", ecolor="black", capsize=2, lw=0.8)
    ax.set_xticks(x, [CLASS_LABELS[c] for c in CLASSES])
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=7, title="programme", title_fontsize=7)
    several = frame["runs"].max() > 1
    ax.set_ylabel("schemes (mean over runs)" if several else "schemes")
    ax.set_title(
        "How many schemes grow, stall or shrink" + (f" (lines: {level:.0%} interval)" if several else ""), fontsize=10
    )
    return fig


def growth_histogram(schemes: pd.DataFrame, runs: pd.DataFrame, programmes: list, bins: int, edges) -> Figure:
    """Histogram of scheme growth per programme, as schemes per run (outlines, one a programme);
    ``edges``: growth above ``edges[0]`` grows, below ``edges[1]`` shrinks (dashed lines)."""
    frame = schemes.merge(runs[["run", "programme"]], on="run")
    fig = Figure(figsize=(7.5, 3.4), layout="constrained")
    ax = fig.subplots()
    span = frame["growth"].to_numpy(dtype=float)
    lo, hi = float(np.nanmin(span)), float(np.nanmax(span))
    cuts = np.linspace(lo, hi if hi > lo else lo + 0.01, bins + 1)
    colour = _colours(programmes)
    for programme in programmes:
        one = frame[frame["programme"] == programme]
        n = one["run"].nunique()
        ax.hist(one["growth"], bins=cuts, weights=np.full(len(one), 1.0 / n), histtype="step", lw=1.6,
                color=colour[programme], label=programme)  # fmt: skip
    for edge in edges:
        ax.axvline(edge, color="grey", linestyle="--", linewidth=0.8)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("growth of people supported over the run (dashed: shrink | stall | grow)")
    ax.set_ylabel("schemes per run")
    ax.legend(fontsize=7, title="programme", title_fontsize=7)
    ax.set_title("Scheme growth: how it is spread across schemes", fontsize=10)
    return fig


def league(frame: pd.DataFrame, colour_by: str, title: str) -> Figure:
    """Ranked dot plot: every scheme's growth against its rank, coloured by ``colour_by``."""
    fig = Figure(figsize=(10, 3.8), layout="constrained")
    ax = fig.subplots()
    groups = sorted(frame[colour_by].unique())
    colour = _colours(groups)
    for group in groups:
        one = frame[frame[colour_by] == group]
        ax.scatter(one["rank"], one["growth"], s=18, color=colour[group], label=group.replace("_", " "))
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("rank (1 = most growth)")
    ax.set_ylabel("growth of people supported")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.legend(fontsize=7, title=colour_by.replace("_", " "), title_fontsize=7, loc="outside right upper")
    ax.set_title(title, fontsize=10)
    return fig


def value(frame: pd.DataFrame, per_gbp: float, level: float) -> Figure:
    """Extra people supported at the end per ``per_gbp`` spent, per programme, with its interval."""
    one = frame[frame["gbp_spent"] > 0].iloc[::-1]
    fig = Figure(figsize=(7.5, 1.5 + 0.45 * max(len(one), 1)), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(one))
    mean = one["people_per_gbp"].to_numpy(dtype=float)
    colours = [sns.color_palette(PALETTE)[0] if m >= 0 else sns.color_palette(PALETTE)[3] for m in mean]
    ax.barh(y, mean, color=colours)
    err = np.vstack([mean - one["people_per_gbp_low"], one["people_per_gbp_high"] - mean])
    ok = np.isfinite(err).all(axis=0)
    ax.errorbar(mean[ok], y[ok], xerr=err[:, ok], fmt="none", ecolor="black", capsize=2, linewidth=0.8)
    ax.set_yticks(y, list(one["programme"]))
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_xlabel(f"extra people supported at the end per {_gbp(per_gbp)} spent")
    ax.set_ylabel("programme")
    ax.set_title(f"What each programme buys per pound (bars: mean; lines: {level:.0%} interval)", fontsize=10)
    return fig
