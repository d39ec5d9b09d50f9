"""Growth levers: each moves its own mechanism's outcome the expected way, costs what it says.

Common random numbers, as in test_directions.py: every arm runs the same
seeds (default 10-year scheme), and each direction claim is about the mean of
the paired differences (lever on - lever off), which must clear zero by
``Z`` standard errors. Runs are cached per arm for the module and reduced to
the few numbers the tests need (see :func:`measure`).

Each lever is tested on the outcome its mechanism acts on
(simulation/levers/, simulation/conditions.py), not only on people supported:

============================  =====================================================
lever                         outcome (lever on vs off, same seeds)
============================  =====================================================
colocation                    mean awareness of the co-located team; its referrals
team_meetings                 mean awareness of every team met
sl_by_default                 referrals from every team named
referral_route                referrals received
leadership                    staff hours available (efficiency); people supported
commissioner, business_case   council investments and council-funded posts; people
sw_champions                  champions in post; mean social-worker awareness
carer_champions               word-of-mouth enquiries
peer_network                  weeks from assessment start to approval (down)
channel_tracking              share of enquiries that go on to assessment
extra_workers                 people supported; households per worker (down)
recruitment_post              new enquiries; carers recruited
fee_uplift                    carers lost (down); mean carer satisfaction
carer_support                 mean carer satisfaction; carers lost (down)
referral_incentives           word-of-mouth enquiries
============================  =====================================================
"""

import dataclasses
import math
import statistics

import pandas as pd
import pytest

from helpers import evolve, params, refused
from slsim.simulation.params import LEVER_NAMES
from slsim.simulation.run import run_simulation
from slsim.simulation.units import WEEKS_PER_YEAR

SEEDS = tuple(range(101, 113))  # 12 shared seeds
# the council's decision is one draw a year, so when (and whether) posts come varies a lot
# from seed to seed: the commissioner and business-case levers get twice the seeds
COUNCIL_SEEDS = tuple(range(101, 125))
Z = 2.0  # required margin, in standard errors of the mean paired difference
MOST = 0.75  # "in most seeds"

TEAMS = tuple(t.name for t in params().social_work.teams)

ARMS = {
    "baseline": (),
    **{name: (f"levers={name}",) for name in LEVER_NAMES},
    "all": ("levers=all",),
    "colocation_fee_uplift": ("levers=[colocation,fee_uplift]",),
    "colocation_transitions": ("levers=colocation", "levers.colocation.teams=[transitions]"),
}


@dataclasses.dataclass
class Run:
    """What the tests need from one run (the full tables are not kept)."""

    out: dict  # outcome name -> number
    row0: pd.Series  # the week-0 row of the weekly table
    pre_events: pd.DataFrame  # events up to and including week 0
    lever_costs: dict  # RunResult.lever_costs
    cost_columns: dict  # lever -> sum of cost_lever_<lever> over recorded weeks
    week1: pd.Series  # the week-1 row


def measure(result) -> Run:
    ts, ev = result.timeseries, result.events
    rec = ts.iloc[1:]
    e = ev.loc[ev["week"] >= 1]
    kind, detail = e["event"].astype(str), e["detail"].astype(str)
    out = dict(result.summary)
    for team in TEAMS:
        out[f"awareness_{team}"] = float(rec[f"awareness_{team}"].mean())
        out[f"referrals_from_{team}"] = int(((kind == "referral") & (e["team"] == team) & (detail != "rematch")).sum())
    out["mean_sw_awareness"] = float(rec["sw_mean_awareness"].mean())
    out["mean_hours_available"] = float(rec["hours_available"].mean())
    out["mean_sw_champions"] = float(rec["sw_champions"].mean())
    out["max_council_posts"] = int(rec["council_posts"].max())
    out["mean_council_posts"] = float(rec["council_posts"].mean())
    out["mean_carer_satisfaction"] = float(rec["carer_mean_satisfaction"].mean())
    out["word_of_mouth_enquiries"] = int(((kind == "enquiry") & (detail == "word_of_mouth")).sum())
    out["new_enquiries"] = int(rec["new_enquiries"].sum())
    out["word_of_mouth_approvals"] = int(((kind == "carer_approved") & (detail == "word_of_mouth")).sum())
    out["households_weeks"] = int(rec["households"].sum())
    out["extra_fees"] = float(rec["cost_extra_fees"].sum())
    # peer_network: weeks from the start of a (non-foster) assessment to approval, per carer
    all_kind, all_detail = ev["event"].astype(str), ev["detail"].astype(str)
    starts = ev.loc[
        (all_kind == "assessment_start") & (all_detail != "foster") & (ev["week"] >= 1), ["carer_id", "week"]
    ]
    approved = ev.loc[all_kind == "carer_approved", ["carer_id", "week"]]
    joined = starts.merge(approved, on="carer_id", suffixes=("_start", "_approved"))
    out["assessment_weeks"] = float((joined["week_approved"] - joined["week_start"]).mean())
    # channel_tracking: share of (non-foster) enquiries in recorded weeks that went on to assessment
    enquiries = e.loc[(kind == "enquiry") & (detail != "foster"), "carer_id"]
    assessed = ev.loc[all_kind == "assessment_start", "carer_id"]
    out["enquiry_to_assessment_share"] = float(enquiries.isin(assessed).mean())
    return Run(
        out=out,
        row0=ts.iloc[0].copy(),
        pre_events=ev.loc[ev["week"] <= 0].reset_index(drop=True),
        lever_costs=dict(result.lever_costs),
        cost_columns={n: float(rec[f"cost_lever_{n}"].sum()) for n in LEVER_NAMES},
        week1=ts.iloc[1].copy(),
    )


_cache = {}


def runs(arm: str, seeds: tuple = SEEDS) -> list:
    """One Run per seed for ``arm`` (each computed once per module)."""
    missing = [s for s in seeds if (arm, s) not in _cache]
    if missing:
        base = params(*ARMS[arm])
        for s in missing:
            _cache[arm, s] = measure(run_simulation(evolve(base, {"run.seed": s})))
    return [_cache[arm, s] for s in seeds]


@pytest.fixture(scope="module", autouse=True)
def _clear_cache():
    yield
    _cache.clear()


def paired(arm_a: str, arm_b: str, key: str, seeds: tuple = SEEDS):
    """Mean and standard error of (a - b) over the shared seeds."""
    diffs = [a.out[key] - b.out[key] for a, b in zip(runs(arm_a, seeds), runs(arm_b, seeds))]
    mean = statistics.fmean(diffs)
    se = statistics.stdev(diffs) / math.sqrt(len(diffs))
    return mean, se


def assert_up(arm_a: str, key: str, arm_b: str = "baseline", seeds: tuple = SEEDS):
    """``key`` is higher in ``arm_a`` than in ``arm_b`` by more than Z standard errors."""
    mean, se = paired(arm_a, arm_b, key, seeds)
    assert mean > 0 and mean > Z * se, (
        f"{key}: expected {arm_a} > {arm_b}; mean paired difference {mean:.4g}, se {se:.4g} "
        f"(needs > {Z} se) over seeds {seeds[0]}..{seeds[-1]}"
    )


def assert_down(arm_a: str, key: str, arm_b: str = "baseline", seeds: tuple = SEEDS):
    """``key`` is lower in ``arm_a`` than in ``arm_b`` by more than Z standard errors."""
    mean, se = paired(arm_a, arm_b, key, seeds)
    assert mean < 0 and -mean > Z * se, (
        f"{key}: expected {arm_a} < {arm_b}; mean paired difference {mean:.4g}, se {se:.4g} "
        f"(needs < -{Z} se) over seeds {seeds[0]}..{seeds[-1]}"
    )


# ---------------------------------------------------------------------------
# selection: levers=NAME, levers=[A,B], levers=all
# ---------------------------------------------------------------------------
def test_baseline_has_no_lever_on():
    assert params().levers.enabled() == ()
    assert params("levers=none").levers.enabled() == ()


@pytest.mark.parametrize("name", LEVER_NAMES)
def test_levers_name_enables_exactly_that_lever(name):
    assert params(*ARMS[name]).levers.enabled() == (name,)


def test_levers_all_enables_all_sixteen():
    assert params("levers=all").levers.enabled() == LEVER_NAMES
    assert len(LEVER_NAMES) == 16


def test_a_list_of_levers_enables_exactly_those():
    assert params("levers=[colocation,fee_uplift]").levers.enabled() == ("colocation", "fee_uplift")
    assert params("levers=[fee_uplift,colocation]").levers.enabled() == ("colocation", "fee_uplift")


def test_lever_override_changes_only_that_value():
    p = params(*ARMS["colocation_transitions"])
    assert p.levers.enabled() == ("colocation",)
    assert p.levers.colocation.teams == ("transitions",)
    default = params("levers=colocation")
    assert dataclasses.replace(p.levers.colocation, teams=default.levers.colocation.teams) == default.levers.colocation


# ---------------------------------------------------------------------------
# levers act from week 1: week 0 is the baseline's week 0
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("arm", [*LEVER_NAMES, "all"])
def test_week_0_is_the_baselines_week_0(arm):
    for seed, lever, base in zip(SEEDS, runs(arm), runs("baseline")):
        pd.testing.assert_series_equal(lever.row0, base.row0, check_exact=True, obj=f"week-0 row, {arm}, seed {seed}")
        pd.testing.assert_frame_equal(
            lever.pre_events, base.pre_events, check_exact=True, obj=f"events to week 0, {arm}, seed {seed}"
        )


# ---------------------------------------------------------------------------
# one direction test per lever, on its own mechanism's outcome
# ---------------------------------------------------------------------------
def test_colocation_raises_awareness_and_referrals_of_the_colocated_team():
    assert params("levers=colocation").levers.colocation.teams == ("learning_disability",)
    assert_up("colocation", "awareness_learning_disability")
    assert_up("colocation", "referrals_from_learning_disability")


def test_colocation_override_moves_the_effect_to_the_named_team():
    assert_up("colocation_transitions", "awareness_transitions")
    assert_up("colocation_transitions", "referrals_from_transitions")
    # the learning disability team no longer gets the co-location gain
    assert_up("colocation", "awareness_learning_disability", "colocation_transitions")
    assert_up("colocation_transitions", "awareness_transitions", "colocation")


def test_team_meetings_raise_awareness_of_every_team_met():
    met = params("levers=team_meetings").levers.team_meetings.teams
    assert met == ("learning_disability", "transitions")
    for team in met:
        assert_up("team_meetings", f"awareness_{team}")


def test_sl_by_default_raises_referrals_from_every_team_named():
    named = params("levers=sl_by_default").levers.sl_by_default.teams
    assert named == ("learning_disability", "transitions", "brokerage")
    for team in named:
        assert_up("sl_by_default", f"referrals_from_{team}")


def test_referral_route_raises_referrals_received():
    assert_up("referral_route", "referrals_received")


def test_leadership_raises_staff_hours_and_people_supported():
    assert_up("leadership", "mean_hours_available")
    assert_up("leadership", "people_supported_mean")


def _council_invests(arm):
    """The council invests (and council-funded posts appear) in most seeds; never in the baseline."""
    seeds = COUNCIL_SEEDS
    cap = params(*ARMS[arm]).council.max_extra_posts
    lever, base = runs(arm, seeds), runs("baseline", seeds)
    assert all(r.out["council_investments"] == 0 and r.out["max_council_posts"] == 0 for r in base)
    invested = sum(r.out["council_investments"] > 0 for r in lever)
    posts = sum(r.out["max_council_posts"] > 0 for r in lever)
    assert invested >= MOST * len(seeds), f"{arm}: council invested in only {invested}/{len(seeds)} seeds"
    assert posts >= MOST * len(seeds), f"{arm}: council posts appeared in only {posts}/{len(seeds)} seeds"
    assert all(r.out["max_council_posts"] <= cap for r in lever), "more council posts than council.max_extra_posts"
    assert all(r.out["council_cost_gbp"] > 0 for r in lever if r.out["max_council_posts"] > 0)
    assert_up(arm, "mean_council_posts", seeds=seeds)
    # council posts are scheme workers: fewer households each. People supported: the default
    # scheme is referral-bound (30% of households idle, configs/targets/sector.yaml), so posts that
    # come a year or more in add people within seed noise; extra_workers shows posts -> people
    assert_down(arm, "mean_households_per_worker", seeds=seeds)


def test_commissioner_leads_to_council_posts_and_fewer_households_per_worker():
    _council_invests("commissioner")


def test_business_case_leads_to_council_posts_and_fewer_households_per_worker():
    _council_invests("business_case")


def test_sw_champions_add_champions_and_raise_awareness():
    assert_up("sw_champions", "mean_sw_champions")
    assert_up("sw_champions", "mean_sw_awareness")
    per_team = params("levers=sw_champions").levers.sw_champions.initial_champions_per_team
    for seed, lever in zip(SEEDS, runs("sw_champions")):
        # the most aware worker(s) of each team are made champions at week 1
        assert lever.week1["sw_champions"] >= per_team * len(TEAMS), f"seed {seed}"


def test_carer_champions_raise_word_of_mouth_enquiries():
    assert_up("carer_champions", "word_of_mouth_enquiries")


def test_referral_incentives_raise_word_of_mouth_enquiries():
    assert_up("referral_incentives", "word_of_mouth_enquiries")


def test_peer_network_shortens_assessments():
    assert_down("peer_network", "assessment_weeks")


def test_channel_tracking_converts_more_enquiries_to_assessments():
    assert_up("channel_tracking", "enquiry_to_assessment_share")


def test_extra_workers_support_more_people_with_fewer_households_each():
    assert_up("extra_workers", "people_supported_mean")
    assert_down("extra_workers", "mean_households_per_worker")
    posts = params("levers=extra_workers").levers.extra_workers.posts
    for lever, base in zip(runs("extra_workers"), runs("baseline")):
        assert lever.week1["scheme_workers_in_post"] == base.row0["scheme_workers_in_post"] + posts


def test_recruitment_post_brings_enquiries_and_carers():
    assert_up("recruitment_post", "new_enquiries")
    assert_up("recruitment_post", "carers_recruited")
    posts = params("levers=recruitment_post").levers.recruitment_post.posts
    for lever, base in zip(runs("recruitment_post"), runs("baseline")):
        assert lever.week1["recruitment_officers_in_post"] == base.row0["recruitment_officers_in_post"] + posts


def test_fee_uplift_raises_satisfaction():
    # carers lost: most exits are retirements (Shared Lives Plus 2024), so the lever's effect on
    # them is within 12 seeds' noise; satisfaction is what it moves
    assert_up("fee_uplift", "mean_carer_satisfaction")
    rise = params("levers=fee_uplift").levers.fee_uplift.fee_increase
    for lever, base in zip(runs("fee_uplift"), runs("baseline")):
        assert lever.week1["real_fee_index"] == pytest.approx(base.week1["real_fee_index"] * (1.0 + rise), rel=1e-12)


def test_carer_support_raises_satisfaction():
    assert_up("carer_support", "mean_carer_satisfaction")  # carers lost: as fee_uplift


# ---------------------------------------------------------------------------
# combinations compose
# ---------------------------------------------------------------------------
def test_two_levers_together_each_keep_their_effect():
    arm = "colocation_fee_uplift"
    assert_up(arm, "awareness_learning_disability")
    assert_up(arm, "referrals_from_learning_disability")
    assert_up(arm, "mean_carer_satisfaction")
    assert_up(arm, "mean_carer_satisfaction")


def test_all_levers_together_support_more_people():
    assert_up("all", "people_supported_mean")
    assert_up("all", "mean_sw_awareness")
    assert_up("all", "word_of_mouth_enquiries")


def test_all_levers_act_from_week_1():
    p = params("levers=all")
    lv = p.levers
    for seed, lever, base in zip(SEEDS, runs("all"), runs("baseline")):
        w1, b1 = lever.week1, base.week1
        assert w1["scheme_workers_in_post"] == b1["scheme_workers_in_post"] + lv.extra_workers.posts, seed
        assert w1["recruitment_officers_in_post"] == b1["recruitment_officers_in_post"] + lv.recruitment_post.posts, (
            seed
        )
        assert w1["real_fee_index"] == pytest.approx(
            b1["real_fee_index"] * (1.0 + lv.fee_uplift.fee_increase), rel=1e-12
        )
        assert w1["sw_champions"] >= lv.sw_champions.initial_champions_per_team * len(TEAMS), seed
        assert w1["hours_available"] > b1["hours_available"], seed
    assert sum(r.out["max_council_posts"] > 0 for r in runs("all")) >= MOST * len(SEEDS)


# ---------------------------------------------------------------------------
# costs: each lever costs what its parameters say, and nothing when off
# ---------------------------------------------------------------------------
def expected_cost(name: str, p, run: Run) -> float:
    """Cost of lever ``name`` over the recorded weeks, from its parameters and the run's own counts."""
    lv, e = p.levers, p.economics
    years = p.weeks / WEEKS_PER_YEAR
    cost = getattr(lv, name).annual_cost_gbp * years
    if name == "extra_workers":
        cost += lv.extra_workers.posts * e.scheme_worker_cost_per_year * years
    elif name == "recruitment_post":
        cost += lv.recruitment_post.posts * e.recruitment_officer_cost_per_year * years
    elif name == "carer_support":
        cost += run.out["households_weeks"] * lv.carer_support.cost_per_household_per_year_gbp / WEEKS_PER_YEAR
    elif name == "referral_incentives":
        cost += run.out["word_of_mouth_approvals"] * lv.referral_incentives.bonus_gbp
    elif name == "fee_uplift":
        cost += run.out["extra_fees"]
    return cost


def test_baseline_has_no_lever_cost():
    for run in runs("baseline"):
        assert run.lever_costs == {}
        assert all(v == 0.0 for v in run.cost_columns.values())
        assert run.out["lever_cost_gbp"] == 0.0


@pytest.mark.parametrize("name", LEVER_NAMES)
def test_each_lever_costs_what_its_parameters_say_and_others_cost_nothing(name):
    p = params(*ARMS[name])
    for seed, run in zip(SEEDS, runs(name)):
        expected = expected_cost(name, p, run)
        for other in LEVER_NAMES:
            if other != name:
                assert run.cost_columns[other] == 0.0, f"cost_lever_{other} is not 0 with only {name} on (seed {seed})"
        assert run.cost_columns[name] == pytest.approx(expected, rel=1e-9), f"seed {seed}"
        if expected > 0:
            assert set(run.lever_costs) == {name}, f"seed {seed}: {run.lever_costs}"
            assert run.lever_costs[name] == pytest.approx(expected, rel=1e-9)
        else:  # zero-cost levers (team_meetings; commissioner, whose posts are council staff costs)
            assert run.lever_costs == {}, f"seed {seed}: {run.lever_costs}"
        assert run.out["lever_cost_gbp"] == pytest.approx(expected, rel=1e-9)


def test_lever_costs_add_up_with_every_lever_on():
    p = params("levers=all")
    for seed, run in zip(SEEDS, runs("all")):
        expected = {n: expected_cost(n, p, run) for n in LEVER_NAMES}
        assert set(run.lever_costs) == {n for n, c in expected.items() if c > 0}, f"seed {seed}"
        for n in LEVER_NAMES:
            assert run.cost_columns[n] == pytest.approx(expected[n], rel=1e-9), f"{n}, seed {seed}"
        assert run.out["lever_cost_gbp"] == pytest.approx(sum(expected.values()), rel=1e-9)


# ---------------------------------------------------------------------------
# bad input: exit 2, one line naming the field, nothing written
# ---------------------------------------------------------------------------
BAD_LEVERS = {  # case -> (arguments, texts the error line must contain)
    "unknown lever": (["levers=bogus"], ["levers", "bogus"]),
    "unknown lever in a list": (["levers=[colocation,bogus]"], ["levers", "bogus"]),
    "unknown lever key": (["levers.bogus.enabled=true"], ["levers.bogus"]),
    "unknown co-located team": (
        ["levers.colocation.teams=[nope]"],
        ["levers.colocation.teams[0]", "nope", "unknown team"],
    ),
    "unknown team met": (
        ["levers=team_meetings", "levers.team_meetings.teams=[transitions,nope]"],
        ["levers.team_meetings.teams[1]", "nope"],
    ),
    "unknown sl_by_default team": (["levers.sl_by_default.teams=[nope]"], ["levers.sl_by_default.teams[0]"]),
    "strength out of range": (
        ["levers=fee_uplift", "levers.fee_uplift.fee_increase=5"],
        ["levers.fee_uplift.fee_increase"],
    ),
    "unknown lever in a sweep": (["-m", "run.seed=1,2", "levers=colocation,bogus"], ["levers", "bogus"]),
    "strength out of range in a sweep": (
        ["--multirun", "levers=colocation", "levers.colocation.refer_weight=0.5,-1"],
        ["levers.colocation.refer_weight=-1", "sweep run"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_LEVERS))
def test_bad_lever_input_exits_2_with_one_line_naming_the_field(case, capsys, tmp_path, monkeypatch):
    args, names = BAD_LEVERS[case]
    line = refused(args, capsys, tmp_path, monkeypatch)
    for name in names:
        assert name in line, f"{line!r} does not name {name}"


def test_a_sweep_accepts_a_lever_list_override():
    from slsim.experiments.checks import check_overrides

    check_overrides(["levers=colocation", "levers.colocation.teams=[transitions]"])  # fine in a single run
    check_overrides(["-m", "run.seed=1,2", "levers=colocation", "levers.colocation.teams=[transitions]"])
