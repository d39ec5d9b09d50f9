"""The validation figure: every target as a band and the model's mean with its 95% interval.

``validation_figure(table)`` takes the table of :mod:`slsim.experiments.validate`
(one row per target: ``target``, ``unit``, ``value``, ``lo``, ``hi``, ``mean``,
``ci_lo``, ``ci_hi``, ``status``) and returns a Figure. Targets have different
units, so each row is drawn on its own normalised axis: the target's interval
maps to [0, 1] (``(x - lo) / (hi - lo)``); the published value is a tick inside
the band, the model's mean a dot with its interval over seeds. Points beyond
the plotted range are drawn at its edge as arrows, with the model's number
written beside the row. Rows not measured (or not modelled yet) show only the band. No pyplot state.
"""

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

LEFT, RIGHT = -1.5, 2.5  # plotted range of the normalised axis (the band is 0-1)
COLOURS = {"pass": "#1b7837", "fail": "#b2182b", "not modelled yet": "#888888", "not measured": "#888888"}
STATUSES = tuple(COLOURS)


def normalise(x, lo: float, hi: float) -> float:
    """Position of ``x`` on the target's normalised axis (the band is [0, 1])."""
    return (x - lo) / (hi - lo) if hi > lo else (0.5 if x == lo else math.copysign(math.inf, x - lo))


def _fmt(x) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3g}"


def validation_figure(table: pd.DataFrame, title: str = "Model against published targets") -> Figure:
    n = len(table)
    fig = Figure(figsize=(12.0, 0.42 * n + 1.8), layout="constrained")
    ax = fig.add_subplot()
    ax.axvspan(0.0, 1.0, color="#d9ead3", zorder=0, label="target interval")
    for i, row in enumerate(table.itertuples(index=False)):
        y = n - 1 - i
        lo, hi = row.lo, row.hi
        ax.plot([normalise(row.value, lo, hi)] * 2, [y - 0.3, y + 0.3], color="#555555", lw=1.2, zorder=2)
        colour = COLOURS.get(row.status, "#888888")
        if not math.isnan(row.mean):
            m = normalise(row.mean, lo, hi)
            a, b = normalise(row.ci_lo, lo, hi), normalise(row.ci_hi, lo, hi)
            if not (math.isnan(a) or math.isnan(b)):
                ax.plot([np.clip(a, LEFT, RIGHT), np.clip(b, LEFT, RIGHT)], [y, y], color=colour, lw=2.2, zorder=3)
            if LEFT <= m <= RIGHT:
                ax.plot(m, y, "o", color=colour, ms=6, zorder=4)
            else:
                ax.plot(LEFT if m < LEFT else RIGHT, y, "<" if m < LEFT else ">", color=colour, ms=9, zorder=4)
        model = f"model {_fmt(row.mean)}" if not math.isnan(row.mean) else row.status
        ax.text(RIGHT + 0.05, y, f"{model}  (target {_fmt(row.value)}, {_fmt(lo)} to {_fmt(hi)} {row.unit})",
                va="center", fontsize=8, color=colour)  # fmt: skip
    ax.set_yticks(range(n), [str(t) for t in table["target"][::-1]], fontsize=8)
    ax.set_xlim(LEFT, RIGHT)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xticks([LEFT, 0.0, 0.5, 1.0, RIGHT], ["far below", "low end", "mid", "high end", "far above"])
    ax.set_xlabel(
        "each row on its own scale: green band = target interval, grey tick = published value,\n"
        "dot and line = model mean and its 95% interval over seeds",
        fontsize=9,
    )
    counts = table["status"].value_counts()
    parts = [f"{counts.get(s, 0)} {s}" for s in STATUSES if counts.get(s, 0) or s in ("pass", "fail")]
    ax.set_title(f"{title}: {', '.join(parts)}", fontsize=10, loc="left")
    ax.grid(axis="x", color="#eeeeee", zorder=0)
    return fig
