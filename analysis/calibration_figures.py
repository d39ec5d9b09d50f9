"""The calibration's diagnostic figures (``slsim-calibrate``): each function takes tables, returns a Figure.

* :func:`marginals_figure`: per parameter, the weighted kernel density of its
  posterior (the last generation dark, earlier ones lighter), between the prior's
  bounds (the x axis spans them; the prior's density is the dotted line); an
  integer parameter as bars, the weight on each whole number.
* :func:`epsilon_figure`: the acceptance threshold by generation (log scale when it
  spans more than tenfold) and the acceptance rate.
* :func:`predictive_figure`: each fitted target's band and the posterior
  predictive (mean and 5-95% of draws), on the validation figure's normalised
  axes (:func:`slsim.analysis.validation_figure.validation_figure`).

No model imports, no pyplot state.
"""

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from slsim.analysis.validation_figure import validation_figure

COLUMNS = 4


def _kde(values: np.ndarray, weights: np.ndarray, grid: np.ndarray) -> np.ndarray | None:
    ok = np.isfinite(values)
    values, weights = values[ok], weights[ok]
    if len(values) < 2 or np.ptp(values) == 0 or weights.sum() <= 0:
        return None
    try:
        return stats.gaussian_kde(values, weights=weights / weights.sum())(grid)
    except (np.linalg.LinAlgError, ValueError):
        return None


def _integer_bars(ax, prior, particles: pd.DataFrame, last) -> None:
    """An integer parameter: the last generation's weight on each whole number, the prior's as outlines."""
    values = np.arange(int(prior.lo), int(prior.hi) + 1)
    one = particles[(particles["parameter"] == prior.parameter) & (particles["generation"] == last)]
    weights = one.groupby(one["value"].round().astype(int))["weight"].sum()
    mass = weights.reindex(values, fill_value=0.0).to_numpy(float) / max(weights.sum(), 1e-300)
    ax.bar(values, mass, width=0.7, color="#2166ac", label=f"generation {last}")
    ax.bar(values, np.full(len(values), 1.0 / len(values)), width=0.7, fill=False, edgecolor="#555555", ls=":",
           label="prior")  # fmt: skip
    ax.set_xticks(values)
    ax.set_xlim(prior.lo - 0.6, prior.hi + 0.6)


def marginals_figure(particles: pd.DataFrame, priors: pd.DataFrame) -> Figure:
    """``particles``: generation, weight, parameter, value; ``priors``: parameter, lo, hi, unit,
    integer (whole numbers: bars), density (a callable of a grid, or None)."""
    n = len(priors)
    cols = min(COLUMNS, n)
    rows = math.ceil(n / cols)
    fig = Figure(figsize=(3.6 * cols, 2.5 * rows + 0.6), layout="constrained")
    generations = sorted(particles["generation"].unique())
    last = generations[-1] if generations else None
    for k, prior in enumerate(priors.itertuples(index=False)):
        ax = fig.add_subplot(rows, cols, k + 1)
        if prior.integer:
            _integer_bars(ax, prior, particles, last)
            _label(ax, prior, k)
            continue
        span = prior.hi - prior.lo
        grid = np.linspace(prior.lo - 0.02 * span, prior.hi + 0.02 * span, 200)
        for g in generations:
            one = particles[(particles["parameter"] == prior.parameter) & (particles["generation"] == g)]
            dens = _kde(one["value"].to_numpy(float), one["weight"].to_numpy(float), grid)
            if dens is None:
                continue
            fresh = g == last
            ax.plot(grid, dens, color="#2166ac" if fresh else "#9ecae1", lw=2.0 if fresh else 1.0,
                    label=f"generation {g}" if fresh else None)  # fmt: skip
        if prior.density is not None:
            ax.plot(grid, prior.density(grid), color="#555555", ls=":", lw=1.0, label="prior")
        for end in (prior.lo, prior.hi):
            ax.axvline(end, color="#b2182b", lw=0.8, ls="--")
        ax.set_xlim(grid[0], grid[-1])
        _label(ax, prior, k)
    fig.suptitle(
        "Posterior of each parameter (weighted kernel density; earlier generations lighter); "
        "red dashed lines: the prior's bounds",
        fontsize=9,
    )
    return fig


def _label(ax, prior, k: int) -> None:
    ax.set_ylim(bottom=0)
    ax.set_yticks([])
    ax.set_title(str(prior.parameter), fontsize=8, loc="left")
    ax.set_xlabel(str(prior.unit), fontsize=7)
    ax.tick_params(labelsize=7)
    if k == 0:
        ax.legend(fontsize=7, frameon=False)


def epsilon_figure(generations: pd.DataFrame) -> Figure:
    """``generations``: generation, epsilon, acceptance_rate."""
    fig = Figure(figsize=(7.0, 3.6), layout="constrained")
    ax = fig.add_subplot()
    eps = generations["epsilon"].to_numpy(float)
    ax.plot(generations["generation"], eps, "o-", color="#2166ac")
    if len(eps) and eps.min() > 0 and eps.max() / eps.min() > 10:
        ax.set_yscale("log")
    else:
        ax.set_ylim(bottom=0)
    ax.set_xlabel("generation")
    ax.set_ylabel("epsilon: the distance accepted", color="#2166ac", fontsize=9)
    ax.axhline(1.0, color="#1b7837", lw=0.8, ls="--", label="1: a particle inside every band is within it")
    ax.legend(fontsize=8, frameon=False, loc="lower left")
    ax.set_xticks(list(generations["generation"]))
    rate = ax.twinx()
    rate.plot(generations["generation"], generations["acceptance_rate"] * 100, "s--", color="#b2182b", ms=4)
    rate.set_ylabel("acceptance rate, %", color="#b2182b", fontsize=9)
    rate.set_ylim(bottom=0)
    ax.set_title("Acceptance threshold and rate by generation", fontsize=10, loc="left")
    return fig


def predictive_figure(table: pd.DataFrame, draws: str) -> Figure:
    """``table``: one row per target (target, unit, value, lo, hi, mean, ci_lo, ci_hi, status)."""
    fig = validation_figure(table, title=f"Posterior predictive ({draws}) against the targets")
    fig.axes[0].set_xlabel(
        "each row on its own scale: green band = target interval, grey tick = published value,\n"
        "dot and line = mean and 5-95% of the posterior predictive draws",
        fontsize=9,
    )
    return fig
