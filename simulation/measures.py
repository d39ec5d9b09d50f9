"""What one run says about the published targets: ``measure(result) -> {name: number}``.

Each :class:`Measure` is a name, a unit, what it is, and a function of the run's
tables (the weekly table, the event table and the referral table of
:class:`slsim.simulation.run.RunResult`); ``configs/targets/*.yaml`` names them
(:mod:`slsim.experiments.targets`). No model imports (numpy and pandas only),
like :mod:`slsim.simulation.outputs`.

Windows, in recorded weeks (week 0 is the state after warm-up; flows count from week 1):

* "at the end": the mean over the last 52 recorded weeks (the whole run if shorter);
* rates per year: over weeks 1 to the horizon;
* the three-year trend: the mean over weeks 144-156 against weeks 0-12 (NaN in a run under 3 years);
* the pandemic: people by arrangement over the 13 weeks before the first week with
  ``pandemic_severity`` > 0, against weeks 40-52 of the event (or its last 13 weeks if shorter),
  as in annual counts a year apart (NaN in a run without a pandemic).

A measure is NaN when the run cannot give it: the model does not record what it
needs yet (e.g. scheme-staff turnover), or nothing happened to measure (no
approvals, no referrals from a team). :mod:`slsim.experiments.validate` reports a
NaN as "not measured", never as a pass or a fail.
"""

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from slsim.simulation.units import WEEKS_PER_YEAR

MANAGERS = 1  # every scheme has one registered manager (simulation/population.py build_staff); not a column
PIPELINE_EXIT_REASONS = ("enquiry_dropout", "not_applying", "assessment_dropout")  # exits before approval
OLDER_NEEDS = ("older_age", "dementia", "ld_dementia")
KINDS = ("live_in", "short_break", "day_support")  # arrangement types
TREND_YEARS = 3
WINDOW = 13  # weeks averaged at each end of a trend or pandemic comparison
STAFF_TURNOVER_COLUMN = "scheme_worker_leavers"  # weekly leavers of scheme-worker posts, when the model records them


class RunView:
    """One run's tables, with the windows several measures share."""

    def __init__(self, timeseries: pd.DataFrame, events: pd.DataFrame, referrals: pd.DataFrame | None = None):
        ts = timeseries.sort_values("week")
        self.ts = ts.set_index("week", drop=False)
        self.last_week = int(ts["week"].iloc[-1])
        self.rec = self.ts.loc[1:]  # weeks with flows
        self.years = self.last_week / WEEKS_PER_YEAR
        self.end = self.ts.loc[max(0, self.last_week - WEEKS_PER_YEAR + 1) :]
        self.all_events = events
        self.events = events[events["week"] >= 1]
        self.referrals = None if referrals is None else referrals[referrals["week"] >= 1]

    def staff(self, frame: pd.DataFrame) -> pd.Series:
        return (
            frame["scheme_workers_in_post"]
            + frame["recruitment_officers_in_post"]
            + frame["outreach_officers_in_post"]
            + MANAGERS
        )

    def window_mean(self, column: str, first: int, last: int) -> float:
        values = self.ts.loc[first:last, column]
        return float(values.mean()) if len(values) else math.nan


@dataclass(frozen=True)
class Measure:
    name: str
    unit: str
    description: str
    function: Callable[[RunView], float]


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den else math.nan


def _end_mean(column: str):
    return lambda v: float(v.end[column].mean())


def _end_share(column: str):
    return lambda v: _ratio(v.end[column].sum(), v.end["people_supported"].sum())


def _need(need: str):
    return _end_share(f"people_need_{need}")


def _per_person(v: RunView) -> float:
    return _ratio(v.end["households"].mean(), v.end["people_supported"].mean())


def _people_per_staff(v: RunView) -> float:
    return float((v.end["people_supported"] / v.staff(v.end)).mean())


def _idle_share(v: RunView) -> float:
    households = v.end["households"]
    return float((v.end["carers_approved"] / households.where(households > 0)).mean())


def _carer_exit_rate(v: RunView) -> float:
    return _ratio(v.rec["carer_exits"].sum(), v.rec["households"].mean() * v.years)


def _household_exits(v: RunView) -> pd.Series:
    exits = v.events[v.events["event"] == "carer_exit"]["detail"].astype(str)
    return exits[~exits.isin(PIPELINE_EXIT_REASONS)]


def _exit_share(reason: str):
    return lambda v: float((_household_exits(v) == reason).mean()) if len(_household_exits(v)) else math.nan


def _approval_weeks(v: RunView) -> float:
    """Median weeks from enquiry to approval, of households approved in recorded weeks."""
    ev = v.all_events
    enquired = ev[ev["event"] == "enquiry"].groupby("carer_id")["week"].min()
    approved = v.events[v.events["event"] == "carer_approved"].set_index("carer_id")["week"]
    waits = (approved - enquired.reindex(approved.index)).dropna()
    return float(waits.median()) if len(waits) else math.nan


def _team_share(team: str, needs: tuple):
    def team_share(v: RunView) -> float:
        if v.referrals is None:
            return math.nan
        refs = v.referrals[(v.referrals["team"] == team) & (v.referrals["route"] == "social_worker")]
        return float(refs["need"].isin(needs).mean()) if len(refs) else math.nan

    return team_share


_mh_team = _team_share("mental_health", ("mental_health",))
_older_team = _team_share("older_adults", OLDER_NEEDS)


def _crisis_share(v: RunView) -> float:
    if v.referrals is None:
        return math.nan
    refs = v.referrals[v.referrals["route"] == "social_worker"]
    return float(refs["crisis"].mean()) if len(refs) else math.nan


def _foster(v: RunView) -> float:
    """Young people placed through the foster route a year (each counted at their first placement)."""
    if v.referrals is None or v.years <= 0:
        return math.nan
    foster = v.referrals.loc[v.referrals["route"] == "foster", "referral_id"]
    placed = v.events[(v.events["event"] == "placement") & v.events["referral_id"].isin(foster)]
    return placed["referral_id"].nunique() / v.years


def _staff_turnover(v: RunView) -> float:
    if STAFF_TURNOVER_COLUMN not in v.ts.columns:
        return math.nan  # not modelled yet: scheme posts change only with funding
    return _ratio(v.rec[STAFF_TURNOVER_COLUMN].sum(), v.rec["scheme_workers_in_post"].mean() * v.years)


def _trend(column: str):
    def trend(v: RunView) -> float:
        last = TREND_YEARS * WEEKS_PER_YEAR
        if v.last_week < last:
            return math.nan
        start = v.window_mean(column, 0, WINDOW - 1)
        return _ratio(v.window_mean(column, last - WINDOW + 1, last), start) - 1.0

    return trend


def pandemic_window(v: RunView):
    """(first, last) week of the first pandemic in the run, or None."""
    if "pandemic_severity" not in v.ts.columns:
        return None
    on = v.ts.index[v.ts["pandemic_severity"].to_numpy() > 0]
    if len(on) == 0:
        return None
    first = int(on[0])
    gaps = np.flatnonzero(np.diff(on.to_numpy()) > 1)
    last = int(on[gaps[0]]) if len(gaps) else int(on[-1])
    return first, last


def _pandemic(kind: str):
    def pandemic_change(v: RunView) -> float:
        window = pandemic_window(v)
        if window is None:
            return math.nan
        first, last = window
        before = v.window_mean(f"people_{kind}", max(0, first - WINDOW), first - 1)
        until = min(last, first + WEEKS_PER_YEAR - 1)
        during = v.window_mean(f"people_{kind}", max(first, until - WINDOW + 1), until)
        return _ratio(during, before) - 1.0

    return pandemic_change


SHARE, RATE, CHANGE = "share 0-1", "per year", "relative change"
_M = Measure
MEASURES = (
    _M("people_per_scheme", "people", "people supported, last year", _end_mean("people_supported")),
    _M("carers_per_scheme", "households", "approved carer households, last year", _end_mean("households")),
    _M(
        "staff_per_scheme",
        "posts",
        "scheme staff in post (manager included), last year",
        lambda v: v.staff(v.end).mean(),
    ),
    _M("people_per_staff", "people per post", "people supported per scheme staff member, last year", _people_per_staff),
    _M(
        "carers_per_person", "households per person", "approved households per person supported, last year", _per_person
    ),
    _M("idle_carer_share", SHARE, "approved households with nobody placed, last year", _idle_share),
    _M("carer_exits_per_carer_year", RATE, "approved households leaving, per approved household", _carer_exit_rate),
    _M("carer_exit_share_retirement", SHARE, "approved households' exits for retirement", _exit_share("retirement")),
    _M(
        "carer_exit_share_dissatisfied",
        SHARE,
        "approved households' exits from dissatisfaction",
        _exit_share("dissatisfied"),
    ),
    _M("approval_weeks_median", "weeks", "median weeks from a household's enquiry to its approval", _approval_weeks),
    *(
        _M(f"share_{k}", SHARE, f"people supported in {k} arrangements, last year", _end_share(f"people_{k}"))
        for k in KINDS
    ),
    _M(
        "need_share_learning_disability",
        SHARE,
        "people whose need is a learning disability, last year",
        _need("learning_disability"),
    ),
    _M("need_share_mental_health", SHARE, "people whose need is mental ill health, last year", _need("mental_health")),
    _M(
        "mental_health_team_share_mental_health",
        SHARE,
        "mental_health team's referrals for mental ill health",
        _mh_team,
    ),
    _M(
        "older_adults_team_share_older_needs",
        SHARE,
        "older_adults team's referrals with an older-age need",
        _older_team,
    ),
    _M("crisis_share_of_referrals", SHARE, "social workers' referrals made in crisis", _crisis_share),
    _M("foster_transitions_per_year", "people per year", "young people placed through the foster route", _foster),
    _M("scheme_worker_turnover_per_year", RATE, "scheme workers leaving, per scheme worker in post", _staff_turnover),
    _M("people_change_3y", CHANGE, "people supported, first three recorded years", _trend("people_supported")),
    _M("carers_change_3y", CHANGE, "approved households, first three recorded years", _trend("households")),
    *(
        _M(f"pandemic_change_{k}", CHANGE, f"people in {k} arrangements, pandemic's first year", _pandemic(k))
        for k in KINDS
    ),
)
MEASURE_NAMES = tuple(m.name for m in MEASURES)
BY_NAME = {m.name: m for m in MEASURES}


def measure_tables(timeseries: pd.DataFrame, events: pd.DataFrame, referrals=None) -> dict:
    """Every measure from a run's tables (``referrals`` None: the measures that need it are NaN)."""
    view = RunView(timeseries, events, referrals)
    return {m.name: float(m.function(view)) for m in MEASURES}


NOT_MODELLED = "not modelled yet"
_NEEDS_REFERRALS = ("mental_health_team_share_mental_health", "older_adults_team_share_older_needs")
_NEEDS_REFERRALS += ("crisis_share_of_referrals", "foster_transitions_per_year")


def why_not(v: RunView, name: str) -> str:
    """Why measure ``name`` is NaN in this run: starts with :data:`NOT_MODELLED` when the model lacks it."""
    if name == "scheme_worker_turnover_per_year" and STAFF_TURNOVER_COLUMN not in v.ts.columns:
        return f"{NOT_MODELLED}: scheme posts change only with funding (no '{STAFF_TURNOVER_COLUMN}' column)"
    if name in _NEEDS_REFERRALS and v.referrals is None:
        return "no referral table (RunResult.referrals; run folders do not keep it)"
    if name.endswith("_3y") and v.last_week < TREND_YEARS * WEEKS_PER_YEAR:
        return f"the run is shorter than {TREND_YEARS} years"
    if name.startswith("pandemic_") and pandemic_window(v) is None:
        return "no pandemic in the run"
    return "nothing to measure in this run (no such events)"


def explain(result) -> dict:
    """For each measure that is NaN in this run, why (see :func:`why_not`)."""
    view = RunView(result.timeseries, result.events, result.referrals)
    return {m.name: why_not(view, m.name) for m in MEASURES if math.isnan(m.function(view))}


def measure(result) -> dict:
    """Every measure of one run (a :class:`slsim.simulation.run.RunResult`), name -> float (NaN: not measured)."""
    return measure_tables(result.timeseries, result.events, result.referrals)
