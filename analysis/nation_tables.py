"""The national report's numbers, each a tidy table computed from :class:`~slsim.analysis.nation_results.Nation`.

* :func:`totals`: national people supported and carer households a week, per programme: the median
  over its runs and a band holding ``band`` of them (quantiles);
* :func:`classes`: schemes that grow, stall or shrink, per programme: mean count over runs and its
  Student-t interval (:func:`slsim.analysis.stats.mean_ci`), clipped to 0 and the schemes a run has;
* :func:`value`: what each programme buys against the comparison programme, runs paired by
  (nation seed, posterior draw): extra people supported at the end (mean of the paired differences,
  Student-t interval), GBP spent over the run (``gbp_spent_per_year`` x the years it is spent), cost per
  extra person (mean GBP / mean extra people; its interval is the mean GBP over the ends of the extra
  people's interval, shown only when that interval lies above zero) and extra people per
  ``per_gbp`` (mean extra people / mean GBP x per_gbp, interval likewise), ranked by the latter;
* :func:`league`: each scheme's median growth over the runs of one programme on one nation seed (the
  first: another nation seed draws other schemes under the same ids), i.e. over its posterior draws, ranked.
"""

import math

import numpy as np
import pandas as pd

from slsim.analysis.stats import mean_ci

TOTALS = ("people_supported", "households")
CLASSES = ("grow", "stall", "shrink")


def totals(national: pd.DataFrame, runs: pd.DataFrame, band: float) -> pd.DataFrame:
    """A row per programme, week and total: median, low, high (the band's quantiles), runs."""
    frame = national.merge(runs[["run", "programme"]], on="run")
    lo, hi = (1 - band) / 2, 1 - (1 - band) / 2
    rows = []
    for (programme, week), group in frame.groupby(["programme", "week"], sort=False):
        for total in TOTALS:
            x = group[total].to_numpy(dtype=float)
            rows.append(
                {
                    "programme": programme,
                    "week": int(week),
                    "total": total,
                    "median": float(np.median(x)),
                    "low": float(np.quantile(x, lo)),
                    "high": float(np.quantile(x, hi)),
                    "runs": len(x),
                }
            )
    return pd.DataFrame(rows)


def classes(runs: pd.DataFrame, level: float) -> pd.DataFrame:
    """A row per programme and class (grow, stall, shrink): runs, mean schemes, ci_low, ci_high."""
    rows = []
    for programme, group in runs.groupby("programme", sort=False):
        most = float(group[list(CLASSES)].sum(axis=1).max())  # schemes in a run
        for klass in CLASSES:
            ci = mean_ci(group[klass], level)
            rows.append(
                {"programme": programme, "class": klass, "runs": ci["n"], "mean": ci["mean"]}
                | {"ci_low": max(ci["ci_low"], 0.0), "ci_high": min(ci["ci_high"], most)}
            )
    return pd.DataFrame(rows)


def paired(runs: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """A row per programme run with a baseline run of the same (seed, draw): programme, seed, draw,
    extra_people (people at the end minus the baseline's), gbp_spent (the programme's, over the run)."""
    base = runs[runs["programme"] == baseline].groupby(["seed", "draw"])["people_end"].mean()
    own = runs[runs["programme"] != baseline]
    keyed = own.set_index(["seed", "draw"])
    common = keyed.index.isin(base.index)
    out = keyed[common].reset_index()
    out["extra_people"] = out["people_end"].to_numpy(dtype=float) - base.loc[keyed.index[common]].to_numpy()
    return out[["programme", "seed", "draw", "extra_people", "gbp_spent"]]


def _ratio(num: float, den: float) -> float:
    return num / den if den and not math.isnan(den) and not math.isnan(num) else math.nan


def value(runs: pd.DataFrame, baseline: str, level: float, per_gbp: float) -> pd.DataFrame:
    """A row per programme other than ``baseline`` (see module doc), ranked: most extra people per
    ``per_gbp`` first; programmes that spend nothing or have no pairs last."""
    pairs = paired(runs, baseline)
    meta = runs.groupby("programme", sort=False).agg(
        allocation=("allocation", "first"),
        gbp_per_year=("gbp_per_year", "mean"),
        posts_bought=("posts_bought", "mean"),
        gbp_spent_per_year=("gbp_spent_per_year", "mean"),
    )
    rows = []
    for programme in meta.index:
        if programme == baseline:
            continue
        mine = pairs[pairs["programme"] == programme]
        eff = mean_ci(mine["extra_people"], level)
        gbp = float(mine["gbp_spent"].mean()) if len(mine) else math.nan
        clear = eff["ci_low"] > 0  # NaN (no interval) compares False
        cost = _ratio(gbp, eff["mean"]) if eff["mean"] > 0 else math.nan
        rows.append(
            {
                "programme": programme,
                **meta.loc[programme].to_dict(),
                "pairs": eff["n"],
                "gbp_spent": gbp,
                "extra_people": eff["mean"],
                "extra_people_low": eff["ci_low"],
                "extra_people_high": eff["ci_high"],
                "clear": bool(clear),
                "cost_per_extra_person": cost,
                "cost_per_extra_person_low": _ratio(gbp, eff["ci_high"]) if clear else math.nan,
                "cost_per_extra_person_high": _ratio(gbp, eff["ci_low"]) if clear else math.nan,
                "people_per_gbp": _ratio(eff["mean"] * per_gbp, gbp),
                "people_per_gbp_low": _ratio(eff["ci_low"] * per_gbp, gbp),
                "people_per_gbp_high": _ratio(eff["ci_high"] * per_gbp, gbp),
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    key = out["people_per_gbp"].where(out["gbp_spent"] > 0)
    out = out.assign(_k=key.fillna(-math.inf)).sort_values("_k", ascending=False, kind="stable")
    out = out.drop(columns="_k").reset_index(drop=True)
    out.insert(0, "rank", range(1, len(out) + 1))
    return out


def league(schemes: pd.DataFrame, runs: pd.DataFrame, programme: str) -> tuple:
    """(nation seed, table): a row per scheme of ``programme``'s runs on its first nation seed: id,
    region, kind, operator, median people at week 0 and growth over the runs (draws), runs, rank
    (1 = most growth; ties by id)."""
    own = runs[runs["programme"] == programme]
    seed = own["seed"].min()
    mine = schemes[schemes["run"].isin(own.loc[own["seed"] == seed, "run"])]
    out = mine.groupby("id", sort=True).agg(
        region=("region", "first"),
        kind=("kind", "first"),
        operator=("operator", "first"),
        people_start=("people_start", "median"),
        growth=("growth", "median"),
        runs=("run", "nunique"),
    )
    out = out.reset_index().sort_values(["growth", "id"], ascending=[False, True], kind="stable")
    out.insert(0, "rank", range(1, len(out) + 1))
    return int(seed), out.reset_index(drop=True)
