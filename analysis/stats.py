"""Means with confidence intervals across seeds, paired effects, growth.

Every function takes a tidy table (one row per run, or per run and week) and
returns a tidy table. Intervals are Student-t intervals of a mean over
seeds: ``mean +- t(level, n-1) * sd / sqrt(n)``; with one seed the interval
is undefined (NaN).
"""

import math

import numpy as np
import pandas as pd
from scipy import stats as st

from slsim.simulation.units import WEEKS_PER_YEAR

LEVEL = 0.95


def mean_ci(values, level: float = LEVEL) -> dict:
    """{n, mean, sd, se, ci_low, ci_high} of ``values`` (NaN dropped)."""
    x = pd.to_numeric(pd.Series(values), errors="coerce").dropna().to_numpy(dtype=float)
    n = len(x)
    if n == 0:
        return {"n": 0, "mean": math.nan, "sd": math.nan, "se": math.nan, "ci_low": math.nan, "ci_high": math.nan}
    mean = float(x.mean())
    if n == 1:
        return {"n": 1, "mean": mean, "sd": math.nan, "se": math.nan, "ci_low": math.nan, "ci_high": math.nan}
    sd = float(x.std(ddof=1))
    se = sd / math.sqrt(n)
    half = float(st.t.ppf(0.5 + level / 2, n - 1)) * se
    return {"n": n, "mean": mean, "sd": sd, "se": se, "ci_low": mean - half, "ci_high": mean + half}


def scenario_means(runs: pd.DataFrame, outcomes, by: str = "scenario", level: float = LEVEL) -> pd.DataFrame:
    """Mean and CI of each outcome per scenario (complete runs only): one row per scenario and outcome."""
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    rows = []
    for scenario, group in ok.groupby(by, sort=False):
        for outcome in outcomes:
            if outcome in group:
                rows.append({by: scenario, "outcome": outcome, **mean_ci(group[outcome], level)})
    return pd.DataFrame(rows)


def paired_effects(
    runs: pd.DataFrame, outcome: str, baseline: str, by: str = "scenario", pair: str = "seed", level: float = LEVEL
) -> pd.DataFrame:
    """Effect of each scenario on ``outcome`` against ``baseline``, seeds paired.

    For every scenario, the differences (scenario - baseline) over the seeds
    both have, then their mean and CI: one row per scenario (baseline excluded).
    A study drawn from a posterior (every run has a ``draw``, :func:`draw_of_seed`)
    has several seeds a draw: the differences are averaged within each draw and
    the interval is that of the mean over draws (``sd``: of the draw means), so it
    carries parameter uncertainty as well as seed noise (split by
    :mod:`slsim.analysis.variance`); ``pairs`` still counts seeds."""
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    if baseline not in set(ok[by]):
        raise ValueError(f"baseline scenario {baseline!r} not in the table (scenarios: {sorted(set(ok[by]))})")
    draws = draw_of_seed(ok) if pair == "seed" else None
    base = ok[ok[by] == baseline].groupby(pair)[outcome].mean()
    rows = []
    for scenario, group in ok.groupby(by, sort=False):
        if scenario == baseline:
            continue
        own = group.groupby(pair)[outcome].mean()
        common = own.index.intersection(base.index)
        diff = (own.loc[common] - base.loc[common]).astype(float)
        if draws is not None:
            diff = diff.groupby(diff.index.map(draws)).mean()
        rows.append({by: scenario, "outcome": outcome, "pairs": len(common), **_renamed(mean_ci(diff, level))})
    return pd.DataFrame(rows)


def draw_of_seed(runs: pd.DataFrame):
    """{seed: posterior draw} when every run of the table has a draw (``calibration=posterior``), else None."""
    if "draw" not in runs or runs.empty:
        return None
    draw = pd.to_numeric(runs["draw"], errors="coerce").astype(float)  # NA (no posterior) as NaN
    if not (draw.notna().all() and (draw >= 0).all()):
        return None
    return dict(zip(runs["seed"], draw.astype(int)))


def _renamed(ci: dict) -> dict:
    return {("effect" if k == "mean" else k): v for k, v in ci.items() if k != "n"}


def cagr(start: float, end: float, years: float) -> float:
    """Compound annual growth rate from ``start`` to ``end`` over ``years`` (NaN if undefined)."""
    if start is None or end is None or not years or start <= 0 or end < 0:
        return math.nan
    return (end / start) ** (1.0 / years) - 1.0


def growth(weekly: pd.DataFrame, target: float) -> pd.DataFrame:
    """Per run: people at week 0 and at the end, CAGR, and the first week at or above ``target`` (NaN if never)."""
    rows = []
    for (run, scenario, seed), ts in weekly.groupby(["run", "scenario", "seed"], sort=False):
        ts = ts.sort_values("week")
        people = ts["people_supported"].to_numpy(dtype=float)
        weeks = ts["week"].to_numpy()
        years = (weeks[-1] - weeks[0]) / WEEKS_PER_YEAR
        reached = np.flatnonzero(people >= target)
        rows.append(
            {
                "run": run,
                "scenario": scenario,
                "seed": seed,
                "people_start": people[0],
                "people_end": people[-1],
                "cagr": cagr(people[0], people[-1], years),
                "weeks_to_target": float(weeks[reached[0]]) if reached.size else math.nan,
            }
        )
    return pd.DataFrame(rows)


def default_baseline(scenarios) -> str | None:
    """The baseline scenario of a sweep: 'levers=none', 'budget=none', 'shocks=none' or 'baseline', if present."""
    names = list(dict.fromkeys(scenarios))
    for candidate in ("levers=none", "budget=none", "shocks=none", "baseline"):
        if candidate in names:
            return candidate
    return None


def paired_differences(
    runs: pd.DataFrame, outcomes, baseline: str, by: str = "scenario", pair: str = "seed"
) -> pd.DataFrame:
    """Per scenario and seed, ``outcome`` minus the baseline's on the same seed (the rows whose means
    :func:`paired_effects` takes): columns ``by``, ``pair`` and one per outcome; baseline excluded."""
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    if baseline not in set(ok[by]):
        raise ValueError(f"baseline scenario {baseline!r} not in the table (scenarios: {sorted(set(ok[by]))})")
    outcomes = list(outcomes)
    means = ok.groupby([by, pair], sort=False)[outcomes].mean()
    base = means.xs(baseline, level=by)
    parts = []
    for scenario in dict.fromkeys(ok[by]):
        if scenario == baseline:
            continue
        own = means.xs(scenario, level=by)
        common = own.index.intersection(base.index)
        diff = (own.loc[common] - base.loc[common]).astype(float)
        parts.append(diff.reset_index().assign(**{by: scenario}))
    if not parts:
        return pd.DataFrame(columns=[by, pair, *outcomes])
    return pd.concat(parts, ignore_index=True)[[by, pair, *outcomes]]
