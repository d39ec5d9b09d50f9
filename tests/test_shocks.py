"""Investments and shocks: each moves its own outcome the expected way over its own weeks.

Common random numbers, as in test_directions.py: the preset of each kind
(configs/shocks/*.yaml) runs on the same seeds as the baseline (default
10-year scheme), and each direction claim is about the mean of the paired
differences (with event - without), which must clear zero by ``Z`` standard
errors. Outcomes are measured over the event's own weeks
(``start_week .. start_week + duration_weeks - 1``) where that is where the
mechanism acts. Also here: size-0 identity, events in any order, the
summary's ``shocks`` entry, bad input (exit 2, one line naming the field,
nothing written) and every ready scenario (configs/scenario/*.yaml).
"""

import dataclasses
import math
import statistics

import numpy as np
import pandas as pd
import pytest
import yaml

from helpers import REPO, evolve, params, refused
from slsim.simulation.params import SHOCK_KINDS, ConfigError
from slsim.simulation.run import run_simulation, write_run_folder

SEEDS = tuple(range(101, 113))  # 12 shared seeds
Z = 2.0  # required margin, in standard errors of the mean paired difference
MOST = 0.75  # "in most seeds"

PRESETS = {  # preset (configs/shocks/NAME.yaml) -> the name of its event
    "pandemic": "pandemic",
    "cost_of_living": "cost_of_living",
    "sw_turnover_spike": "sw_turnover_spike",
    "carer_retirement_wave": "carer_retirement_wave",
    "funding_cut": "funding_cut",
    "time_limited_investment": "investment",
    "referral_complexity": "referral_complexity",
}
# scheme workers who leave leave their post vacant for weeks (scheme.worker_turnover_per_year): off
# here, so the posts the events buy and cut are counted exactly
NO_TURNOVER = "scheme.worker_turnover_per_year=0"
ARMS = {"baseline": (NO_TURNOVER,), **{preset: (f"shocks={preset}", NO_TURNOVER) for preset in PRESETS}}

KEPT = (
    "week",
    "people_supported",
    "households_per_worker",
    "people_short_break",
    "people_day_support",
    "support_decisions",
    "referrals_received",
    "new_enquiries",
    "carer_mean_satisfaction",
    "social_worker_turnover",
    "sw_mean_awareness",
    "carer_exits",
    "scheme_workers_in_post",
    "recruitment_officers_in_post",
    "real_fee_index",
    "cost_investment",
    "pandemic_severity",
    "extra_inflation",
    "sw_turnover_factor",
    "retirement_factor",
    "posts_cut",
)
SHOCK_KEYS = {
    "kind",
    "size",
    "start_week",
    "end_week",
    "pre_level",
    "trough",
    "trough_week",
    "depth",
    "depth_pct",
    "recovery_week",
    "weeks_to_recover",
}


@dataclasses.dataclass
class Run:
    """What the tests need from one run (a few weekly columns, not the full tables)."""

    ts: pd.DataFrame  # KEPT columns, indexed by week
    retirement_weeks: np.ndarray  # week of every carer_exit event with detail "retirement"
    summary: dict
    shocks: dict


def measure(result) -> Run:
    ev = result.events
    retire = ev.loc[(ev["event"].astype(str) == "carer_exit") & (ev["detail"].astype(str) == "retirement"), "week"]
    return Run(
        ts=result.timeseries.loc[:, list(KEPT)].set_index("week"),
        retirement_weeks=retire.to_numpy(),
        summary=dict(result.summary),
        shocks=result.shocks,
    )


_cache = {}


def runs(arm: str) -> list:
    """One Run per shared seed for ``arm`` (computed once per module)."""
    if arm not in _cache:
        base = params(*ARMS[arm])
        _cache[arm] = [measure(run_simulation(evolve(base, {"run.seed": s}))) for s in SEEDS]
    return _cache[arm]


@pytest.fixture(scope="module", autouse=True)
def _clear_cache():
    yield
    _cache.clear()


def event(preset: str):
    return params(*ARMS[preset]).shocks.events[PRESETS[preset]]


def during(preset: str):
    """(first week, last week) the preset's event acts."""
    e = event(preset)
    return e.start_week, e.end_week - 1


def window(run: Run, column: str, first: int, last: int, how: str) -> float:
    values = run.ts.loc[first:last, column]
    return float(values.sum() if how == "sum" else values.mean())


def paired_window(preset: str, column: str, first: int, last: int, how: str):
    """Mean and s.e. of (with event - baseline) of ``column`` summed or averaged over weeks first..last."""
    diffs = [
        window(a, column, first, last, how) - window(b, column, first, last, how)
        for a, b in zip(runs(preset), runs("baseline"))
    ]
    return statistics.fmean(diffs), statistics.stdev(diffs) / math.sqrt(len(diffs))


def paired_values(preset: str, value):
    diffs = [value(a) - value(b) for a, b in zip(runs(preset), runs("baseline"))]
    return statistics.fmean(diffs), statistics.stdev(diffs) / math.sqrt(len(diffs))


def check(mean, se, sign, what):
    ok = sign * mean > 0 and sign * mean > Z * se
    assert ok, (
        f"{what}: expected {'up' if sign > 0 else 'down'}; mean paired difference {mean:.4g}, se {se:.4g} "
        f"(needs {Z} se) over seeds {SEEDS[0]}..{SEEDS[-1]}"
    )


def assert_window(preset, column, first, last, how, sign):
    mean, se = paired_window(preset, column, first, last, how)
    check(mean, se, sign, f"{how} of {column} over weeks {first}-{last} with shocks={preset}")


def assert_signal(preset: str, column: str, active_value, idle_value):
    """A recorded condition column equals ``active_value`` exactly in the event's weeks, else ``idle_value``."""
    first, last = during(preset)
    for seed, run in zip(SEEDS, runs(preset)):
        col = run.ts[column]
        inside = (col.index >= first) & (col.index <= last)
        assert (col[inside] == active_value).all(), f"{column} during the event, seed {seed}"
        assert (col[~inside] == idle_value).all(), f"{column} outside the event, seed {seed}"
    for run in runs("baseline"):
        assert (run.ts[column] == idle_value).all()


def test_every_shock_kind_has_a_preset():
    kinds = {event(preset).kind for preset in PRESETS}
    assert kinds == set(SHOCK_KINDS)
    for preset in PRESETS:
        assert list(params(*ARMS[preset]).shocks.events) == [PRESETS[preset]]
    assert params().shocks.events == {}


# ---------------------------------------------------------------------------
# one direction test per kind, over the event's own weeks
# ---------------------------------------------------------------------------
def test_pandemic_stops_day_support_and_short_breaks_and_enquiries_during_the_event():
    """Shared Lives in England 2019-2020: day support and short breaks fell in the pandemic year
    (live-in rose: measured against its target by slsim-validate, not here)."""
    first, last = during("pandemic")
    assert_window("pandemic", "new_enquiries", first, last, "sum", -1)
    stopped = []
    for seed in SEEDS[:4]:
        for shock in (True, False):
            run = run_simulation(params(*(("shocks=pandemic",) if shock else ()), NO_TURNOVER, f"run.seed={seed}"))
            ev = run.events
            ends = ev[(ev["event"] == "arrangement_end") & (ev["detail"] == "pandemic")]
            if not shock:
                assert ends.empty, f"seed {seed}: arrangements stopped by a pandemic without one"
                continue
            assert ends["week"].between(first, last).all(), f"seed {seed}: stopped outside the event"
            kinds = run.referrals.set_index("referral_id")["arrangement"]
            stopped += list(kinds.reindex(ends["referral_id"]).dropna())
    # paused_per_year: day support and short breaks stop, live-in never does
    assert stopped and set(stopped) <= {"day_support", "short_break"}


def test_pandemic_lowers_carer_satisfaction_during_the_event():
    first, last = during("pandemic")
    assert_window("pandemic", "carer_mean_satisfaction", first, last, "mean", -1)


def test_pandemic_severity_is_recorded_in_the_events_weeks_only():
    assert_signal("pandemic", "pandemic_severity", event("pandemic").size, 0.0)


def test_cost_of_living_loses_more_carers_over_the_event_and_after():
    """Most exits are retirements (Shared Lives Plus 2024), so the preset's 8 points of extra
    inflation move exits within 12 seeds' noise; three times it shows the mechanism."""
    first, _ = during("cost_of_living")
    exits = []
    for seed in SEEDS:
        for extra in (("shocks=cost_of_living", "shocks.scale=3"), ()):
            ts = run_simulation(params(*extra, NO_TURNOVER, f"run.seed={seed}")).timeseries.set_index("week")
            exits.append(float(ts.loc[first:, "carer_exits"].sum()))
    diffs = [a - b for a, b in zip(exits[::2], exits[1::2])]
    mean, se = statistics.mean(diffs), statistics.stdev(diffs) / math.sqrt(len(diffs))
    assert mean > 2.0 * se, f"carer exits with 3x the cost-of-living shock: {mean:+.2f} (s.e. {se:.2f})"


def test_cost_of_living_lowers_satisfaction_during_the_event():
    first, last = during("cost_of_living")
    assert_window("cost_of_living", "carer_mean_satisfaction", first, last, "mean", -1)


def test_cost_of_living_pushes_real_fees_below_the_baseline():
    first, last = during("cost_of_living")
    e = event("cost_of_living")
    assert_signal("cost_of_living", "extra_inflation", e.size, 0.0)
    for seed, shock, base in zip(SEEDS, runs("cost_of_living"), runs("baseline")):
        fee, fee0 = shock.ts["real_fee_index"], base.ts["real_fee_index"]
        assert (fee.loc[: first - 1] == fee0.loc[: first - 1]).all(), f"real fees moved before the event, seed {seed}"
        assert (fee.loc[first:] < fee0.loc[first:]).all(), (
            f"real fees not below the baseline from week {first}, seed {seed}"
        )
        # prices rose faster in each of the event's weeks, by exactly the extra inflation
        inflation = params().economics.inflation_per_year
        ratio = fee.loc[last] / fee0.loc[last]
        assert ratio == pytest.approx(
            ((1.0 + inflation) / (1.0 + inflation + e.size)) ** (e.duration_weeks / 52), rel=1e-9
        )


def test_sw_turnover_spike_raises_turnover_and_lowers_awareness_during_the_event():
    first, last = during("sw_turnover_spike")
    assert_signal("sw_turnover_spike", "sw_turnover_factor", 1.0 + event("sw_turnover_spike").size, 1.0)
    assert_window("sw_turnover_spike", "social_worker_turnover", first, last, "sum", +1)
    assert_window("sw_turnover_spike", "sw_mean_awareness", first, last, "mean", -1)


def test_carer_retirement_wave_retires_more_carers_during_the_event():
    first, last = during("carer_retirement_wave")
    assert_signal("carer_retirement_wave", "retirement_factor", 1.0 + event("carer_retirement_wave").size, 1.0)
    mean, se = paired_values(
        "carer_retirement_wave", lambda r: int(((r.retirement_weeks >= first) & (r.retirement_weeks <= last)).sum())
    )
    check(mean, se, +1, f"retirements in weeks {first}-{last}")


def test_funding_cut_removes_posts_while_it_lasts():
    first, last = during("funding_cut")
    size = int(event("funding_cut").size)
    core = params().scheme.scheme_workers
    assert_signal("funding_cut", "posts_cut", size, 0)
    for seed, run in zip(SEEDS, runs("funding_cut")):
        posts = run.ts["scheme_workers_in_post"]
        assert (posts.loc[: first - 1] == core).all(), f"seed {seed}"
        assert (posts.loc[first:last] == core - size).all(), f"seed {seed}"
        assert (posts.loc[last + 1 :] == core).all(), f"seed {seed}"


def test_funding_cut_leaves_fewer_people_supported_at_the_end():
    mean, se = paired_values("funding_cut", lambda r: r.summary["people_supported_end"])
    check(mean, se, -1, "people supported at the end with a funding cut")


def test_time_limited_investment_buys_posts_that_go_when_the_money_ends():
    """The funding cliff: base + 2 posts in weeks 1..156, base again from week 157 (counted with no
    scheme-worker turnover, so every funded post is filled)."""
    first, last = during("time_limited_investment")
    assert (first, last) == (1, 156)
    e = event("time_limited_investment")
    unit = params().economics.scheme_worker_cost_per_year
    bought = int(e.size // unit)
    assert bought == 2
    core = params().scheme.scheme_workers
    base = params(*ARMS["time_limited_investment"], "scheme.worker_turnover_per_year=0")
    seeds = SEEDS[:3]
    for seed, run in zip(seeds, [measure(run_simulation(evolve(base, {"run.seed": s}))) for s in seeds]):
        posts, cost = run.ts["scheme_workers_in_post"], run.ts["cost_investment"]
        assert posts.loc[0] == core, f"seed {seed}"
        assert (posts.loc[first:last] == core + bought).all(), f"seed {seed}"
        assert (posts.loc[last + 1 :] == core).all(), f"seed {seed}: posts did not go at week {last + 1}"
        assert cost.loc[first:last].to_numpy() == pytest.approx(bought * unit / 52.0, rel=1e-12)
        assert (cost.loc[last + 1 :] == 0.0).all() and cost.loc[0] == 0.0
        assert run.summary["investment_cost_gbp"] == pytest.approx(bought * unit * e.duration_weeks / 52.0)


def test_time_limited_investment_lightens_caseloads_while_it_lasts():
    # people supported: the default scheme is referral-bound, so two posts add people within
    # seed noise (+2.4, s.e. 1.6 over 12 seeds); what the posts buy for sure is time per household
    first, last = during("time_limited_investment")
    assert_window("time_limited_investment", "households_per_worker", first, last, "mean", -1)


def test_investment_in_recruitment_officers_buys_those_posts():
    p = params(
        "run.years=4",
        "shocks=time_limited_investment",
        "shocks.events.investment.post=recruitment_officer",
        "scheme.worker_turnover_per_year=0",  # every funded scheme-worker post filled
    )
    ts = run_simulation(p).timeseries.set_index("week")
    n = int(p.shocks.events["investment"].size // p.economics.recruitment_officer_cost_per_year)
    assert n == 2
    officers, workers = ts["recruitment_officers_in_post"], ts["scheme_workers_in_post"]
    assert officers.loc[0] == 0 and (officers.loc[1:156] == n).all() and (officers.loc[157:] == 0).all()
    assert (workers == p.scheme.scheme_workers).all()


def test_investment_in_outreach_officers_buys_outreach_hours_and_raises_awareness():
    """Outreach officers' hours all go to outreach: awareness and referrals rise over the posts' weeks."""
    shock = ("shocks=time_limited_investment", "shocks.events.investment.post=outreach_officer")
    with_posts, without = [], []
    for s in SEEDS[:8]:
        a = run_simulation(params("run.years=4", f"run.seed={s}", NO_TURNOVER, *shock)).timeseries.set_index("week")
        b = run_simulation(params("run.years=4", f"run.seed={s}", NO_TURNOVER)).timeseries.set_index("week")
        with_posts.append(a)
        without.append(b)
    a = with_posts[0]
    assert a.loc[0, "outreach_officers_in_post"] == 0
    assert (a.loc[1:156, "outreach_officers_in_post"] == 2).all() and (
        a.loc[157:, "outreach_officers_in_post"] == 0
    ).all()
    assert (a["scheme_workers_in_post"] == without[0]["scheme_workers_in_post"]).all()
    assert (a.loc[1:156, "hours_outreach"] > without[0].loc[1:156, "hours_outreach"]).all()
    for column, how in (("sw_mean_awareness", "mean"), ("referrals_received", "sum")):
        diffs = [
            float(getattr(x.loc[1:156, column], how)() - getattr(y.loc[1:156, column], how)())
            for x, y in zip(with_posts, without)
        ]
        mean, se = statistics.fmean(diffs), statistics.stdev(diffs) / math.sqrt(len(diffs))
        check(mean, se, +1, f"{how} of {column} over weeks 1-156 with two outreach officers")


def test_funding_cut_cannot_cut_outreach_officers_the_scheme_does_not_have(capsys, tmp_path, monkeypatch):
    line = refused(
        ["shocks=funding_cut", "++shocks.events.funding_cut.post=outreach_officer"], capsys, tmp_path, monkeypatch
    )
    assert "shocks.events.funding_cut.post" in line and "scheme_worker" in line


def test_funding_cut_of_a_recruitment_post_cuts_that_post_or_is_refused():
    overrides = (
        "run.years=3",
        "scheme.recruitment_officers=1",
        "shocks=funding_cut",
        "shocks.events.funding_cut.post=recruitment_officer",
        "shocks.events.funding_cut.start_week=10",
        "shocks.events.funding_cut.duration_weeks=20",
    )
    try:
        p = params(*overrides)
    except ConfigError as exc:  # refusing the combination is fine too
        assert "shocks.events.funding_cut.post" in str(exc)
        return
    ts = run_simulation(p).timeseries.set_index("week")
    assert (ts["scheme_workers_in_post"] == p.scheme.scheme_workers).all(), "a scheme worker was cut instead"
    assert (ts.loc[10:29, "recruitment_officers_in_post"] == 0).all()
    assert (ts.loc[30:, "recruitment_officers_in_post"] == 1).all()


# ---------------------------------------------------------------------------
# the summary's shocks entry
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("preset", list(PRESETS))
def test_shock_outcomes_have_the_documented_keys_and_a_non_negative_depth(preset):
    e = event(preset)
    for seed, run in zip(SEEDS, runs(preset)):
        assert set(run.shocks) == {PRESETS[preset]}
        out = run.shocks[PRESETS[preset]]
        assert set(out) == SHOCK_KEYS, f"seed {seed}"
        assert out["kind"] == e.kind and out["size"] == e.size and out["start_week"] == e.start_week
        assert out["end_week"] == min(e.end_week, params().weeks + 1)
        assert out["depth"] >= 0.0 and out["depth"] == pytest.approx(max(0.0, out["pre_level"] - out["trough"]))
        assert out["depth_pct"] >= 0.0
        assert e.start_week <= out["trough_week"] <= params().weeks
        assert out["trough"] == run.ts.loc[out["trough_week"], "people_supported"]
        if out["recovery_week"] is not None:
            assert out["weeks_to_recover"] == out["recovery_week"] - e.end_week >= 0
        else:
            assert out["weeks_to_recover"] is None
    for run in runs("baseline"):
        assert run.shocks == {}


def test_a_funding_cut_has_a_positive_depth_in_most_seeds():
    deep = sum(run.shocks["funding_cut"]["depth"] > 0 for run in runs("funding_cut"))
    assert deep >= MOST * len(SEEDS), f"depth > 0 in only {deep}/{len(SEEDS)} seeds"


# ---------------------------------------------------------------------------
# size 0 gives exactly the baseline run
# ---------------------------------------------------------------------------
IDENTITY_SEED = 101


@pytest.fixture(scope="module")
def baseline_result():
    return run_simulation(params(f"run.seed={IDENTITY_SEED}"))


def size_zero(preset):
    return run_simulation(
        params(f"run.seed={IDENTITY_SEED}", f"shocks={preset}", f"shocks.events.{PRESETS[preset]}.size=0")
    )


@pytest.fixture(scope="module")
def size_zero_results():
    return {preset: size_zero(preset) for preset in PRESETS}


@pytest.mark.parametrize("preset", list(PRESETS))
def test_size_0_event_gives_the_baseline_values_and_events(preset, baseline_result, size_zero_results, tmp_path):
    zero = size_zero_results[preset]
    assert zero.params.shocks.events[PRESETS[preset]].size == 0.0
    pd.testing.assert_frame_equal(zero.events, baseline_result.events, check_exact=True)
    pd.testing.assert_frame_equal(zero.timeseries, baseline_result.timeseries, check_exact=True, check_dtype=False)
    assert zero.summary == baseline_result.summary
    assert zero.lever_costs == baseline_result.lever_costs == {}
    a = write_run_folder(baseline_result, tmp_path / "baseline", "run: {}\n")
    b = write_run_folder(zero, tmp_path / "zero", "run: {}\n")
    assert (a / "events.parquet").read_bytes() == (b / "events.parquet").read_bytes()


@pytest.mark.parametrize("preset", list(PRESETS))
def test_size_0_event_gives_a_byte_identical_timeseries_parquet(preset, baseline_result, size_zero_results, tmp_path):
    zero = size_zero_results[preset]
    a = write_run_folder(baseline_result, tmp_path / "baseline", "run: {}\n")
    b = write_run_folder(zero, tmp_path / "zero", "run: {}\n")
    assert (a / "timeseries.parquet").read_bytes() == (b / "timeseries.parquet").read_bytes()


# ---------------------------------------------------------------------------
# several events in one run, in any order
# ---------------------------------------------------------------------------
def assert_same_run(a, b):
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries, check_exact=True)
    pd.testing.assert_frame_equal(a.events, b.events, check_exact=True)
    assert a.summary == b.summary
    assert a.shocks == b.shocks
    assert a.lever_costs == b.lever_costs


def test_two_events_in_either_order_give_the_same_run():
    a = run_simulation(params("shocks=[pandemic,cost_of_living]", "run.seed=7"))
    b = run_simulation(params("shocks=[cost_of_living,pandemic]", "run.seed=7"))
    assert set(a.shocks) == {"pandemic", "cost_of_living"}
    assert_same_run(a, b)
    # both act: the pandemic's severity and the extra inflation are both recorded in weeks 105-156
    both = a.timeseries.set_index("week").loc[105:156]
    assert (both["pandemic_severity"] == 1.0).all() and (both["extra_inflation"] == 0.08).all()


def test_every_kind_at_once_in_either_order_gives_the_same_run():
    names = list(PRESETS)
    a = run_simulation(params(f"shocks=[{','.join(names)}]", "run.seed=8", NO_TURNOVER))
    b = run_simulation(params(f"shocks=[{','.join(reversed(names))}]", "run.seed=8", NO_TURNOVER))
    assert set(a.shocks) == set(PRESETS.values())
    assert_same_run(a, b)
    ts = a.timeseries.set_index("week")
    core = params().scheme.scheme_workers
    assert (ts.loc[1:104, "scheme_workers_in_post"] == core + 2).all()  # investment only
    assert (ts.loc[105:156, "scheme_workers_in_post"] == core + 2 - 1).all()  # investment and cut
    assert (ts.loc[157:, "scheme_workers_in_post"] == core - 1).all()  # cut only


def test_events_compose_with_levers():
    p = params("shocks=[pandemic,funding_cut]", "levers=[extra_workers,carer_support]", "run.seed=9", NO_TURNOVER)
    assert p.levers.enabled() == ("extra_workers", "carer_support")
    ts = run_simulation(p).timeseries.set_index("week")
    core = p.scheme.scheme_workers
    assert (ts.loc[1:104, "scheme_workers_in_post"] == core + 1).all()
    assert (ts.loc[105:, "scheme_workers_in_post"] == core).all()  # the cut takes a core post, the lever's stays
    assert (ts.loc[105:156, "pandemic_severity"] == 1.0).all()
    assert (ts.loc[1:, "cost_lever_extra_workers"] > 0).all() and (ts.loc[1:, "cost_lever_carer_support"] > 0).all()


# ---------------------------------------------------------------------------
# bad input: exit 2, one line naming the field, nothing written
# ---------------------------------------------------------------------------
BAD_SHOCKS = {
    "negative duration": (
        ["shocks=pandemic", "shocks.events.pandemic.duration_weeks=-5"],
        ["shocks.events.pandemic.duration_weeks"],
    ),
    "start past the horizon": (["run.years=1", "shocks=pandemic"], ["shocks.events.pandemic.start_week", "52"]),
    "overlapping events of one kind": (
        ["shocks=[pandemic,cost_of_living]", "shocks.events.cost_of_living.kind=pandemic"],
        ["shocks.events.cost_of_living", "shocks.events.pandemic", "overlaps"],
    ),
    "unknown kind": (["shocks=pandemic", "shocks.events.pandemic.kind=plague"], ["shocks.events.pandemic.kind"]),
    "negative size": (["shocks=pandemic", "shocks.events.pandemic.size=-1"], ["shocks.events.pandemic.size"]),
    "part of a post cut": (
        ["shocks=funding_cut", "shocks.events.funding_cut.size=1.5"],
        ["shocks.events.funding_cut.size"],
    ),
    "unknown preset": (["shocks=bogus"], ["shocks", "bogus"]),
    "start past the horizon in a sweep": (
        ["-m", "run.seed=1,2", "run.years=3,1", "shocks=pandemic"],
        ["shocks.events.pandemic.start_week", "run.years=1"],
    ),
    "overlap in a sweep": (
        [
            "--multirun",
            "shocks=[pandemic,sw_turnover_spike]",
            "shocks.events.sw_turnover_spike.kind=sw_turnover_spike,pandemic",
        ],
        ["shocks.events.", "overlaps"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_SHOCKS))
def test_bad_event_exits_2_with_one_line_naming_the_field(case, capsys, tmp_path, monkeypatch):
    args, names = BAD_SHOCKS[case]
    line = refused(args, capsys, tmp_path, monkeypatch)
    for name in names:
        assert name in line, f"{line!r} does not name {name}"


def test_overlap_is_refused_in_python_too():
    p = params("shocks=[pandemic,cost_of_living]")
    clash = dataclasses.replace(p.shocks.events["cost_of_living"], kind="pandemic", start_week=150)
    with pytest.raises(ConfigError, match=r"shocks\.events\.\w+: overlaps shocks\.events\.\w+ \(both pandemic"):
        evolve(p, {"shocks.events": {**p.shocks.events, "cost_of_living": clash}})
    # touching but not overlapping is allowed: the second starts the week after the first ends
    after = dataclasses.replace(clash, start_week=p.shocks.events["pandemic"].end_week)
    evolve(p, {"shocks.events": {**p.shocks.events, "cost_of_living": after}})


DOCUMENTED_EVENT = "+shocks.events.cut={kind:funding_cut,start_week:105,duration_weeks:52,size:1}"


def test_documented_custom_event_override_adds_an_event():
    p = params(DOCUMENTED_EVENT)
    assert p.shocks.events["cut"].kind == "funding_cut" and p.shocks.events["cut"].size == 1


def test_added_event_with_negative_duration_names_the_field(capsys, tmp_path, monkeypatch):
    line = refused(
        ["+shocks.events.x={kind:pandemic,start_week:10,duration_weeks:-5,size:1}"], capsys, tmp_path, monkeypatch
    )
    assert "shocks.events.x.duration_weeks" in line, line


# ---------------------------------------------------------------------------
# every ready scenario composes and runs
# ---------------------------------------------------------------------------
SCENARIOS = sorted(p.stem for p in (REPO / "configs" / "scenario").glob("*.yaml"))


def scenario_equivalent(name: str) -> list:
    """The plain ``levers=``/``shocks=`` overrides a scenario file stands for (from its defaults list)."""
    text = (REPO / "configs" / "scenario" / f"{name}.yaml").read_text()
    overrides = []
    for entry in yaml.safe_load(text).get("defaults", []):
        for key, value in entry.items():
            group = key.removeprefix("override ").lstrip("/")
            overrides.append(f"{group}=[{','.join(value)}]" if isinstance(value, list) else f"{group}={value}")
    return overrides


def test_there_are_ready_scenarios():
    assert len(SCENARIOS) >= 8
    assert {"collaboration", "time_limited_investment", "pandemic", "cost_of_living"} <= set(SCENARIOS)


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_composes_and_runs(name):
    short = ("run.years=3", "run.warmup_weeks=0", "run.seed=3")
    p = params(f"scenario={name}", *short)
    equivalent = scenario_equivalent(name)
    assert equivalent, f"scenario {name} changes nothing"
    assert p == params(*equivalent, *short), f"scenario={name} is not {equivalent}"
    assert p.levers.enabled() or p.shocks.events, f"scenario {name} switches on no lever and no event"
    result = run_simulation(p)
    ts = result.timeseries
    assert ts["week"].tolist() == list(range(3 * 52 + 1))
    assert ts["people_supported"].notna().all() and (ts["people_supported"] >= 0).all()
    assert set(result.shocks) == set(p.shocks.events)
    assert set(result.lever_costs) <= set(p.levers.enabled())
    assert not result.timeseries.equals(run_simulation(params(*short)).timeseries), f"scenario {name} had no effect"


def test_referral_complexity_shifts_referrals_to_higher_bands_and_the_shift_lasts():
    event = "+shocks.events.c={kind:referral_complexity,start_week:1,duration_weeks:104,size:1.0}"
    shifted, base = [], []
    for seed in SEEDS[:4]:
        for out, extra in ((shifted, (event,)), (base, ())):
            run = run_simulation(params("run.years=4", f"run.seed={seed}", NO_TURNOVER, *extra))
            log = run.referrals[run.referrals["route"] == "social_worker"]
            out.append(
                (log.loc[log["week"] <= 104, "complexity"].mean(), log.loc[log["week"] > 104, "complexity"].mean())
            )
    for (during_s, after_s), (during_b, after_b) in zip(shifted, base):
        assert during_s > during_b - 0.05
    assert sum(s[1] - b[1] for s, b in zip(shifted, base)) > 0.4  # after two years at size 1: band 3 x e^2


def test_screening_turns_away_referrals_no_household_could_support():
    no_older = [f"carers.skills.{n}=0" for n in ("older_age", "dementia", "ld_dementia", "physical", "sensory")]
    common = ("run.years=2", "run.seed=5", NO_TURNOVER, *no_older)
    on = run_simulation(params(*common))
    off = run_simulation(params(*common, "referrals.screening=false"))
    screened = on.events[on.events["event"] == "screened_out"]
    assert len(screened) > 0 and set(screened["team"]) >= {"older_adults"}
    assert (screened["referral_id"] == -1).all()  # turned away before a referral exists
    recorded = on.timeseries.set_index("week").loc[1:, "referrals_screened_out"].sum()
    assert recorded == (screened["week"] >= 1).sum()  # flows count recorded weeks (the event log has warm-up too)
    assert (off.events["event"] != "screened_out").all() and off.timeseries["referrals_screened_out"].sum() == 0
