"""The policy answer: options ranked against the baseline, what they cost a year, how sure we are.

Everything here is against the baseline scenario *on the same seed* (the same
random history until a lever changes something), so a difference is the
option's effect, not luck:

* ``d_people``: extra people supported at the end (:func:`slsim.analysis.stats.paired_effects`);
* ``d_cost_year``: extra cost a year (the run's additional cost, paired, divided
  by the recorded years): posts, lever running costs and fee rises;
* ``d_net_year``: net benefit a year: extra savings minus extra cost;
* ``clears``: ``more`` (the 95% interval of ``d_people`` lies above zero),
  ``fewer`` (below zero) or ``no`` (it crosses zero, or there is no interval);
* ``cost_per_person_year``: ``d_cost_year / d_people``, only where the effect
  clears zero upwards and the option costs money (a ratio to noise is not
  shown; ``cpp_note`` says why).

:func:`ceac` is the cost-effectiveness acceptability curve: at each
willingness to pay per extra person a year (WTP), the share of seeds in which
each option (baseline included) has the highest net monetary benefit
``WTP x d_people - d_cost_year``; ties share the seed equally, so the
probabilities sum to 1 at every WTP.
"""

import math

import numpy as np
import pandas as pd

from slsim.analysis.stats import paired_differences, paired_effects

NOTES = {
    "nocost": "no cost data",
    "crosses": "interval crosses zero",
    "fewer": "fewer people",
    "saves": "saves money",
    "": "",
}


def _named(effects: pd.DataFrame, name: str, scale: float = 1.0) -> pd.DataFrame:
    out = effects[["scenario", "effect", "ci_low", "ci_high"]].copy()
    out[["effect", "ci_low", "ci_high"]] = out[["effect", "ci_low", "ci_high"]] / scale
    return out.rename(columns={"effect": name, "ci_low": f"{name}_low", "ci_high": f"{name}_high"})


def clears(low: float, high: float) -> str:
    """'more' if the interval lies above zero, 'fewer' if below, else 'no' (NaN: no interval)."""
    if not math.isnan(low) and low > 0:
        return "more"
    if not math.isnan(high) and high < 0:
        return "fewer"
    return "no"


def answer_table(
    runs: pd.DataFrame, cb: pd.DataFrame, baseline: str, years: float, level: float = 0.95
) -> pd.DataFrame:
    """One row per option (baseline excluded), ranked by extra people at the end, largest first
    (ties keep the study's order); columns as in the module doc, plus ``rank`` and ``pairs``."""
    eff = paired_effects(runs, "people_supported_end", baseline, level=level)
    years = years if years and years > 0 else 1.0
    table = eff[["scenario", "pairs"]].merge(_named(eff, "d_people"), on="scenario")
    for column, name in (("additional_cost_gbp", "d_cost_year"), ("net_benefit_gbp", "d_net_year")):
        table = table.merge(
            _named(paired_effects(cb, column, baseline, level=level), name, years), on="scenario", how="left"
        )
    table["clears"] = [clears(lo, hi) for lo, hi in zip(table["d_people_low"], table["d_people_high"])]
    cpp, notes = [], []
    for row in table.itertuples(index=False):
        if row.clears == "no":
            cpp.append(math.nan), notes.append("crosses")
        elif row.clears == "fewer":
            cpp.append(math.nan), notes.append("fewer")
        elif pd.isna(row.d_cost_year):
            cpp.append(math.nan), notes.append("nocost")
        elif not row.d_cost_year > 0:
            cpp.append(math.nan), notes.append("saves")
        else:
            cpp.append(row.d_cost_year / row.d_people), notes.append("")
    table["cost_per_person_year"], table["cpp_note"] = cpp, notes
    table = table.sort_values("d_people", ascending=False, kind="stable").reset_index(drop=True)
    table.insert(0, "rank", range(1, len(table) + 1))
    return table


def paired_by_seed(runs: pd.DataFrame, cb: pd.DataFrame, baseline: str, years: float) -> pd.DataFrame:
    """Per option and seed: ``d_people`` and ``d_cost_year`` against the baseline on that seed."""
    years = years if years and years > 0 else 1.0
    people = paired_differences(runs, ["people_supported_end"], baseline)
    cost = paired_differences(cb, ["additional_cost_gbp"], baseline)
    both = people.merge(cost, on=["scenario", "seed"])
    return pd.DataFrame(
        {
            "scenario": both["scenario"],
            "seed": both["seed"],
            "d_people": both["people_supported_end"].astype(float),
            "d_cost_year": both["additional_cost_gbp"].astype(float) / years,
        }
    )


def ceac(pairs: pd.DataFrame, baseline: str, wtps) -> pd.DataFrame:
    """Long table (wtp, scenario, probability): the share of seeds in which each option, the baseline
    included (its differences are 0), has the highest net monetary benefit at that WTP.

    ``pairs``: :func:`paired_by_seed`'s columns. Only the seeds every option has are used, so each
    seed is one draw of the whole study; an option's probability is its share of those seeds, a seed
    where k options tie for the best counting 1/k for each."""
    options = [baseline, *dict.fromkeys(pairs["scenario"])]
    people = pairs.pivot_table(index="scenario", columns="seed", values="d_people", aggfunc="mean")
    cost = pairs.pivot_table(index="scenario", columns="seed", values="d_cost_year", aggfunc="mean")
    seeds = [s for s in people.columns if people[s].notna().all() and cost[s].notna().all()]
    if not seeds:
        return pd.DataFrame(columns=["wtp", "scenario", "probability"])
    others = options[1:]
    p = np.vstack([np.zeros(len(seeds)), people.loc[others, seeds].to_numpy(dtype=float)])
    c = np.vstack([np.zeros(len(seeds)), cost.loc[others, seeds].to_numpy(dtype=float)])
    rows = []
    for wtp in wtps:
        nmb = float(wtp) * p - c
        best = np.isclose(nmb, nmb.max(axis=0), rtol=1e-12, atol=1e-6)
        share = (best / best.sum(axis=0)).mean(axis=1)
        rows.extend({"wtp": float(wtp), "scenario": o, "probability": float(q)} for o, q in zip(options, share))
    return pd.DataFrame(rows)


def far_options(table: pd.DataFrame, ratio: float = 3.0, most: int = 3) -> list:
    """Options far beyond the rest on the plane, e.g. every lever at once: the largest (at most ``most``)
    by |extra cost a year| or |extra people|, if they exceed the next largest by more than ``ratio`` times;
    two options or more always remain."""
    frame = table.dropna(subset=["d_people", "d_cost_year"])
    far = set()
    for column in ("d_cost_year", "d_people"):
        v = np.abs(frame[column].to_numpy(dtype=float))
        order = np.argsort(-v, kind="stable")
        for i in range(min(most, len(v) - 2)):
            if v[order[i]] > ratio * v[order[i + 1]]:
                far |= set(frame["scenario"].iloc[order[: i + 1]])
                break
    return [s for s in frame["scenario"] if s in far] if len(frame) - len(far) >= 2 else []


def ceac_summary(curve: pd.DataFrame, wtps) -> pd.DataFrame:
    """At each WTP of ``wtps`` (nearest on the curve): the option most likely to be the most
    cost-effective and that probability."""
    rows = []
    grid = np.array(sorted(curve["wtp"].unique()))
    for wtp in wtps:
        at = grid[np.argmin(np.abs(grid - wtp))]
        one = curve[curve["wtp"] == at].sort_values("probability", ascending=False, kind="stable")
        rows.append({"wtp": at, "scenario": one["scenario"].iloc[0], "probability": one["probability"].iloc[0]})
    return pd.DataFrame(rows)


def _join(names: list) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def findings(table: pd.DataFrame, label, seeds: int, savings: float) -> list:
    """Plain sentences (text, no markup) saying what the answer table means."""
    n = len(table)
    more = table[table["clears"] == "more"]
    fewer = table[table["clears"] == "fewer"]
    out = []
    told = f"cannot be told apart from the baseline with {seeds} seed{'s' if seeds != 1 else ''}"
    worse = f"{len(fewer)} {'does' if len(fewer) == 1 else 'do'} measurably worse"
    if more.empty:
        out.append(
            f"None of the {n} option{'s' if n != 1 else ''} adds people supported with the 95% interval "
            "clear of zero: "
            + (
                f"{worse} and the rest {told}."
                if len(fewer)
                else f"none can be told apart from the baseline with {seeds} seed{'s' if seeds != 1 else ''}."
            )
        )
    else:
        names = [f"{label(r.scenario)} ({r.d_people:+,.0f})" for r in more.itertuples()]
        out.append(
            f"{len(more)} of {n} option{'s' if n != 1 else ''} add{'s' if len(more) == 1 else ''} people "
            f"supported with the 95% interval clear of zero: {_join(names)}."
        )
        priced = more.dropna(subset=["cost_per_person_year"])
        if len(priced) > 1:
            cheap = priced.loc[priced["cost_per_person_year"].idxmin()]
            out.append(
                f"Of these, {label(cheap['scenario'])} costs least per extra person "
                f"({money(cheap['cost_per_person_year'])} a year each)."
            )
        elif len(priced) == 1:
            out.append(
                f"{label(priced['scenario'].iloc[0])} costs {money(priced['cost_per_person_year'].iloc[0])} "
                "a year per extra person."
            )
        rest, unclear = n - len(more), n - len(more) - len(fewer)
        if rest and not len(fewer):
            out.append(f"The other {rest} {told}.")
        elif rest:
            out.append(f"Of the other {rest}, " + (f"{worse} and {unclear} {told}." if unclear else f"{worse}."))
    pays = table[table["d_net_year_low"] > 0]
    if pays.empty:
        out.append(
            f"At a saving of {money(savings)} per live-in person a year, no option's net benefit is clear of zero."
        )
    else:
        out.append(
            f"At a saving of {money(savings)} per live-in person a year, "
            f"{_join([label(s) for s in pays['scenario']])} save{'s' if len(pays) == 1 else ''} "
            "more than the extra cost, with the interval clear of zero."
        )
    return out


def money(x: float, sign: bool = False) -> str:
    """Pounds in a short form: £850, £4.5k, £45k, £1.2m (a minus sign before the £; ``sign``: + too)."""
    if x is None or isinstance(x, str) or math.isnan(x):
        return "–"
    a = abs(x)
    if a >= 1e6:
        body = f"{a / 1e6:,.1f}m"
    elif a >= 1e4:
        body = f"{a / 1e3:,.0f}k"
    elif a >= 1e3:
        body = f"{a / 1e3:,.1f}k"
    else:
        body = f"{a:,.0f}"
    prefix = "−" if x < 0 and body.strip("0.km,") else ("+" if sign and x > 0 else "")
    return f"{prefix}£{body}"


def uncertainty(seeds: int, draws: str | None = None) -> str:
    """What the report's intervals include, and what they leave out (``draws``: a study drawn from a
    calibration's posterior, e.g. '20 posterior draws x 2 seeds each')."""
    if draws:
        return (
            f"Intervals are 95% intervals of the mean over {draws} (paired with the baseline on the same draw "
            "and seed where compared; each draw's mean first): they carry the uncertainty in the calibrated "
            "parameters (the posterior) as well as the model's run-to-run randomness. Parameters the "
            "calibration does not vary (lever strengths, the saving per person ...) are still fixed."
        )
    return (
        f"Intervals are 95% intervals of the mean over {seeds} seed{'s' if seeds != 1 else ''} (paired with "
        "the baseline where compared): they show the model's run-to-run randomness only, not uncertainty in "
        "its parameters (saving per person, lever strengths, recruitment rates ...), which calibration will "
        "add later; the true uncertainty is wider."
    )
