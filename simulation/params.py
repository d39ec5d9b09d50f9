"""The typed parameter tree of slsim.

One immutable dataclass per config group. The YAML files under ``configs/`` hold
every default value, with its unit and source (or *assumption*) beside it;
fields here are ``MISSING`` so there is exactly one place a number lives.
The tree is registered with Hydra's ConfigStore as the schema of the YAML
(``register_schema``), so a wrong type or an unknown key fails at composition,
and the root's ``__post_init__`` checks ranges, naming each field by its
dotted path, when the config is turned into objects. Only the root
(:class:`SlsimConfig`) validates: a group built on its own (for example
``dataclasses.replace(params.scheme, ...)``) is checked when it is put back
into a root with ``dataclasses.replace(params, scheme=...)``, and the model
accepts only a root.

Conventions (Starsim-style, see docs/ODD.md):
* rates are **per year** (``*_per_year``) and converted to weekly
  probabilities in one place, :mod:`simulation.units`;
* durations are in **weeks** (``*_weeks``) unless the name says years;
* money is in **£ at week-0 prices**;
* probabilities and shares lie in [0, 1].
"""

import math
import re
from dataclasses import dataclass
from typing import Any, Dict, List

from omegaconf import MISSING

from simulation.budget import BUDGET_CHANNELS, BUDGET_POST_CHANNELS, BudgetParams, BudgetShares, week0_fee_bill  # noqa: F401
from simulation.levers import LEVER_NAMES, LeversParams  # noqa: F401 (each lever's parameters live in its module)
from simulation.shocks import CUT_POSTS, POSTS, SHOCK_KINDS, ShockEvent, ShocksParams  # noqa: F401

from simulation.categories import ARRANGEMENTS, BANDS, NEEDS  # noqa: F401 (re-exported)

from simulation.validation import (  # noqa: F401 (ConfigError and the bounds, for callers)
    ConfigError,
    WEIGHT_MAX,
    HOURS_MAX,
    HAZARD_MAX,
    LOG_ODDS_MAX,
    STAFF_COST_MAX,
    LEVER_COST_MAX,
    YEARS_MAX,
    WEEKS_MAX,
    MAX_INITIAL_PEOPLE,
    MAX_TEAMS,
    MAX_SOCIAL_WORKERS,
    MAX_DECISIONS_PER_YEAR,
    MAX_INVESTMENT_GBP,
    MAX_BOUGHT_POSTS,
    MAX_EVENTS,
    MAX_FEE_GROWTH,
    _Mix,
    _Sealed,
    _V,
    _walk,
)


@dataclass
class RunParams(_Sealed):
    years: int = MISSING
    warmup_weeks: int = MISSING
    seed: int = MISSING

    def check(self, v: _V):
        v.range("years", 1, YEARS_MAX, integer=True)
        v.range("warmup_weeks", 0, 520, integer=True)
        v.range("seed", 0, 2**63 - 1, integer=True)


@dataclass
class WorkloadParams(_Sealed):
    monitoring_hours_per_household_week: float = MISSING
    monitoring_hours_per_arrangement_week: float = MISSING
    new_arrangement_weeks: int = MISSING
    new_arrangement_monitoring_multiplier: float = MISSING
    matching_weeks: int = MISSING
    matching_hours_per_week: float = MISSING
    introduction_hours_per_week: float = MISSING
    enquiry_hours_per_week: float = MISSING
    assessment_hours_per_week: float = MISSING
    outreach_share: float = MISSING
    social_workers_reached_per_outreach_hour: float = MISSING
    awareness_gain_per_contact: float = MISSING
    enquiries_per_recruitment_hour: float = MISSING

    def check(self, v: _V):
        v.non_negative("monitoring_hours_per_household_week",
            "monitoring_hours_per_arrangement_week",
            "matching_hours_per_week",
            "introduction_hours_per_week",
            "enquiry_hours_per_week",
            "assessment_hours_per_week",
            hi=HOURS_MAX,
        )
        v.non_negative("social_workers_reached_per_outreach_hour", hi=10.0)
        v.non_negative("enquiries_per_recruitment_hour", hi=1.0)
        v.non_negative("new_arrangement_weeks", hi=520, integer=True)
        v.range("matching_weeks", 1, 52, integer=True)
        v.range("new_arrangement_monitoring_multiplier", 1.0, 10.0)
        v.probs("outreach_share", "awareness_gain_per_contact")


@dataclass
class CapacityMix(_Mix):
    one: float = MISSING
    two: float = MISSING
    three: float = MISSING


@dataclass
class BandMix(_Mix):
    band1: float = MISSING
    band2: float = MISSING
    band3: float = MISSING


@dataclass
class PerNeed(_Sealed):
    """One number per need, in the order of ``NEEDS``."""

    learning_disability: float = MISSING
    mental_health: float = MISSING
    pmld: float = MISSING
    physical: float = MISSING
    sensory: float = MISSING
    older_age: float = MISSING
    ld_dementia: float = MISSING
    dementia: float = MISSING
    acquired_brain_injury: float = MISSING


@dataclass
class NeedsMix(_Mix, PerNeed):
    """Weights over needs (normalised on use)."""


@dataclass
class SkillProbabilities(PerNeed):
    """Probability that a new carer household can support each need."""

    def check(self, v: _V):
        v.probs(*NEEDS)




@dataclass
class PerArrangement(_Sealed):
    """One number per arrangement type (weeks, rates or £, as the field says)."""

    live_in: float = MISSING
    short_break: float = MISSING
    day_support: float = MISSING

    # no check of its own: the unit (and so the upper bound) depends on the field; the
    # parent checks it with ``v.sub(field).non_negative(*ARRANGEMENTS, hi=...)``

    def get(self, kind: str) -> float:
        return float(getattr(self, kind))


@dataclass
class ArrangementMix(_Mix, PerArrangement):
    """Weights over arrangement types (normalised on use)."""


@dataclass
class SchemeParams(_Sealed):
    name: str = MISSING
    scheme_workers: int = MISSING
    worker_hours_per_week: float = MISSING
    productive_share: float = MISSING
    manager_hours_per_week: float = MISSING
    manager_frontline_share: float = MISSING
    leadership_quality: float = MISSING
    leadership_efficiency: float = MISSING
    recruitment_officers: int = MISSING
    recruitment_officer_hours_per_week: float = MISSING
    initial_people_supported: int = MISSING
    initial_arrangement_mix: ArrangementMix = MISSING
    initial_carers_approved: int = MISSING
    initial_carers_in_assessment: int = MISSING
    initial_enquiries: int = MISSING

    def check(self, v: _V):
        v.range("scheme_workers", 1, 200, integer=True)
        v.range("worker_hours_per_week", 0.0, 60.0, lo_open=True)
        v.range("productive_share", 0.0, 1.0, lo_open=True)
        v.range("manager_hours_per_week", 0.0, 60.0)
        v.probs("manager_frontline_share", "leadership_quality")
        v.range("leadership_efficiency", 0.0, 0.9)
        v.range("recruitment_officers", 0, 50, integer=True)
        v.range("recruitment_officer_hours_per_week", 0.0, 60.0)
        v.non_negative("initial_people_supported", "initial_carers_approved", hi=MAX_INITIAL_PEOPLE, integer=True)
        v.non_negative("initial_carers_in_assessment", "initial_enquiries", hi=1000, integer=True)


@dataclass
class CarerParams(_Sealed):
    base_enquiries_per_year: float = MISSING
    enquiry_fee_elasticity: float = MISSING
    word_of_mouth_enquiries_per_year: float = MISSING
    satisfied_threshold: float = MISSING
    foster_transitions_per_year: float = MISSING
    enquiry_weeks: int = MISSING
    enquiry_dropout_per_year: float = MISSING
    enquiry_to_assessment: float = MISSING
    assessment_weeks: int = MISSING
    foster_assessment_weeks: int = MISSING
    assessment_dropout_per_year: float = MISSING
    capacity_mix: CapacityMix = MISSING
    spare_room: float = MISSING
    day_support_with_room: float = MISSING
    skills: SkillProbabilities = MISSING
    complexity_mix: BandMix = MISSING
    age_mean: float = MISSING
    age_sd: float = MISSING
    age_min: float = MISSING
    age_max: float = MISSING
    base_exit_per_year: float = MISSING
    retirement_exit_at_70_per_year: float = MISSING
    retirement_age_slope: float = MISSING
    dissatisfied_exit_per_year: float = MISSING
    idle_exit_per_year: float = MISSING
    initial_satisfaction: float = MISSING
    satisfaction_base: float = MISSING
    satisfaction_sd: float = MISSING
    satisfaction_adjust_per_week: float = MISSING
    fee_weight: float = MISSING
    workload_weight: float = MISSING
    support_weight: float = MISSING
    breaks_weight: float = MISSING
    paid_break_weeks_per_year: float = MISSING
    carer_agrees: float = MISSING

    def check(self, v: _V):
        v.non_negative("base_enquiries_per_year", hi=1000.0)
        v.non_negative("enquiry_fee_elasticity", hi=5.0)
        v.non_negative("word_of_mouth_enquiries_per_year", hi=5.0)
        v.non_negative("foster_transitions_per_year", hi=100.0)
        v.non_negative("enquiry_dropout_per_year",
            "assessment_dropout_per_year",
            "base_exit_per_year",
            "retirement_exit_at_70_per_year",
            "dissatisfied_exit_per_year",
            "idle_exit_per_year",
            hi=HAZARD_MAX,
        )
        v.non_negative("retirement_age_slope", hi=1.0)
        v.non_negative("fee_weight", "workload_weight", "support_weight", "breaks_weight", hi=10.0)
        v.non_negative("satisfaction_sd", hi=1.0)
        v.range("enquiry_weeks", 1, 104, integer=True)
        v.range("assessment_weeks", 1, 208, integer=True)
        v.range("foster_assessment_weeks", 1, 208, integer=True)
        v.probs("satisfied_threshold",
            "enquiry_to_assessment",
            "spare_room",
            "day_support_with_room",
            "initial_satisfaction",
            "satisfaction_base",
            "satisfaction_adjust_per_week",
            "carer_agrees",
        )
        v.range("age_min", 18.0, 100.0)
        v.range("age_max", 18.0, 100.0)
        v.range("age_max", self.age_min, 100.0)
        v.range("age_mean", 18.0, 100.0)
        v.range("age_mean", self.age_min, self.age_max)
        v.range("age_sd", 0.0, 50.0)
        v.range("paid_break_weeks_per_year", 0.0, 52.0)


@dataclass
class ReferralParams(_Sealed):
    needs_mix: NeedsMix = MISSING
    arrangement_mix: ArrangementMix = MISSING
    complexity_mix: BandMix = MISSING
    crisis_wait_tolerance_weeks: int = MISSING
    planned_wait_tolerance_weeks: int = MISSING
    introduction_weeks: PerArrangement = MISSING
    person_agrees: float = MISSING
    planned_end_per_year: PerArrangement = MISSING
    breakdown_per_year: float = MISSING
    breakdown_unsupported_multiplier: float = MISSING
    breakdown_dissatisfied_multiplier: float = MISSING
    death_per_year: float = MISSING
    death_multiplier_older: float = MISSING

    def check(self, v: _V):
        v.range("crisis_wait_tolerance_weeks", 0, 520, integer=True)
        v.range("planned_wait_tolerance_weeks", 0, 520, integer=True)
        v.probs("person_agrees")
        v.non_negative("breakdown_per_year", "death_per_year", hi=HAZARD_MAX)
        v.non_negative("breakdown_unsupported_multiplier", "breakdown_dissatisfied_multiplier", hi=100.0)
        v.range("death_multiplier_older", 1.0, 100.0)
        v.sub("introduction_weeks").non_negative(*ARRANGEMENTS, hi=52.0)
        v.sub("planned_end_per_year").non_negative(*ARRANGEMENTS, hi=HAZARD_MAX)
        for kind in ARRANGEMENTS:
            if self.introduction_weeks.get(kind) != int(self.introduction_weeks.get(kind)):
                raise ConfigError(
                    f"referrals.introduction_weeks.{kind}={self.introduction_weeks.get(kind)!r}: "
                    "must be a whole number of weeks"
                )


@dataclass
class TeamParams(_Sealed):
    name: str = MISSING
    social_workers: int = MISSING
    decisions_per_worker_per_year: float = MISSING
    crisis_share: float = MISSING
    sl_by_default: bool = MISSING

    def check(self, v: _V):
        if not str(self.name).isidentifier():
            v.fail("name", "a non-empty identifier (letters, digits, _)")
        v.range("social_workers", 1, MAX_SOCIAL_WORKERS, integer=True)
        v.non_negative("decisions_per_worker_per_year", hi=100.0)
        v.probs("crisis_share")


@dataclass
class SocialWorkParams(_Sealed):
    teams: List[TeamParams] = MISSING  # a tuple once validated
    initial_awareness_mean: float = MISSING
    newcomer_awareness_mean: float = MISSING
    awareness_concentration: float = MISSING
    awareness_decay_per_year: float = MISSING
    trust_prior: float = MISSING
    trust_learning_rate: float = MISSING
    refer_intercept: float = MISSING
    refer_awareness_weight: float = MISSING
    refer_trust_weight: float = MISSING
    refer_default_weight: float = MISSING
    crisis_wait_scale_weeks: float = MISSING
    initial_expected_wait_weeks: float = MISSING
    expected_wait_smoothing: float = MISSING
    turnover_per_year: float = MISSING
    champion_after_successes: int = MISSING
    champion_contacts_per_year: float = MISSING

    def check(self, v: _V):
        if not 1 <= len(self.teams) <= MAX_TEAMS:
            raise ConfigError(f"social_work.teams: {len(self.teams)} teams; allowed 1 to {MAX_TEAMS} teams")
        workers = sum(t.social_workers for t in self.teams)
        if workers > MAX_SOCIAL_WORKERS:
            raise ConfigError(
                f"social_work.teams: {workers} social workers in all; allowed at most {MAX_SOCIAL_WORKERS} "
                "across the teams (each is an agent every week)"
            )
        decisions = sum(t.social_workers * t.decisions_per_worker_per_year for t in self.teams)
        if decisions > MAX_DECISIONS_PER_YEAR:
            raise ConfigError(
                f"social_work.teams: {decisions:g} support decisions a year (social_workers x "
                f"decisions_per_worker_per_year, summed over teams); allowed at most {MAX_DECISIONS_PER_YEAR}"
            )
        names = [team.name for team in self.teams]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise ConfigError(f"social_work.teams[{i}].name={name!r}: team names must be unique")
        v.probs("initial_awareness_mean",
            "newcomer_awareness_mean",
            "trust_prior",
            "trust_learning_rate",
            "expected_wait_smoothing",
        )
        for name in ("initial_awareness_mean", "newcomer_awareness_mean", "trust_prior"):
            v.range(name, 0.0, 1.0, lo_open=True, hi_open=True)
        v.range("awareness_concentration", 0.0, 1000.0, lo_open=True)
        v.range("crisis_wait_scale_weeks", 0.0, 520.0, lo_open=True)
        v.non_negative("awareness_decay_per_year", hi=HAZARD_MAX)
        v.non_negative("refer_awareness_weight", "refer_trust_weight", "refer_default_weight", hi=LOG_ODDS_MAX)
        v.non_negative("initial_expected_wait_weeks", hi=520.0)
        v.non_negative("turnover_per_year", hi=2.0)
        v.non_negative("champion_contacts_per_year", hi=100.0)
        v.range("refer_intercept", -LOG_ODDS_MAX, LOG_ODDS_MAX)
        v.range("champion_after_successes", 1, 1000, integer=True)


@dataclass
class EconomicsParams(_Sealed):
    inflation_per_year: float = MISSING
    fee_uplift_per_year: float = MISSING
    carer_fee_per_week: PerArrangement = MISSING
    savings_per_person_year: PerArrangement = MISSING
    scheme_worker_cost_per_year: float = MISSING
    manager_cost_per_year: float = MISSING
    recruitment_officer_cost_per_year: float = MISSING
    outreach_officer_cost_per_year: float = MISSING

    def check(self, v: _V):
        v.range("inflation_per_year", -0.5, 1.0)
        v.range("fee_uplift_per_year", -0.5, 1.0)
        v.non_negative("scheme_worker_cost_per_year",
            "manager_cost_per_year",
            "recruitment_officer_cost_per_year",
            "outreach_officer_cost_per_year",
            hi=STAFF_COST_MAX,
        )
        v.sub("carer_fee_per_week").non_negative(*ARRANGEMENTS, hi=10_000.0)
        v.sub("savings_per_person_year").non_negative(*ARRANGEMENTS, hi=1_000_000.0)


@dataclass
class CouncilParams(_Sealed):
    """The commissioner's annual review: how an investment decision buys posts."""

    review_every_weeks: int = MISSING
    posts_per_investment: int = MISSING
    investment_years: float = MISSING
    max_extra_posts: int = MISSING

    def check(self, v: _V):
        v.range("review_every_weeks", 1, 520, integer=True)
        v.range("posts_per_investment", 1, 20, integer=True)
        v.range("investment_years", 0.0, float(YEARS_MAX), lo_open=True)
        v.non_negative("max_extra_posts", hi=100, integer=True)


# experiment settings of a run (not model parameters: how runs are made)
SAMPLE_METHODS = ("none", "sobol", "morris")
MAX_SAMPLE_ROWS = 200_000  # rows of a SALib sample (the design matrix is built in every job)
MAX_SAMPLE_PARAMETERS = 50  # parameters a sample varies
EXPERIMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,99}")  # a plain folder name (multirun/<name>/)


def sample_rows(method: str, n: int, d: int, second_order: bool = False) -> int:
    """Rows of a SALib sample of ``d`` parameters: Saltelli's scheme (sobol) or Morris trajectories."""
    if method == "sobol":
        return n * (2 * d + 2 if second_order else d + 2)
    if method == "morris":
        return n * (d + 1)
    return 0


def sample_rows_of(node) -> int:
    """``${slsim_sample_rows:${experiment.sample}}``: the sample's rows, for a sweep's range()."""
    return sample_rows(str(node.method), int(node.n), len(node.parameters), bool(node.second_order))


@dataclass
class SampleParams(_Sealed):
    method: str = MISSING
    n: int = MISSING
    seed: int = MISSING
    second_order: bool = MISSING
    levels: int = MISSING
    index: int = MISSING
    rows_per_job: int = MISSING
    parameters: Dict[str, List[Any]] = MISSING  # numbers, checked below (OmegaConf refuses [1, 5] as List[float])
    outputs: List[str] = MISSING

    def check(self, v: _V):
        if self.method not in SAMPLE_METHODS:
            v.fail("method", f"one of {', '.join(SAMPLE_METHODS)}")
        v.range("n", 1, 2**16, integer=True)
        v.range("seed", 0, 2**32 - 1, integer=True)
        v.range("levels", 2, 100, integer=True)
        v.range("index", 0, MAX_SAMPLE_ROWS, integer=True)
        v.range("rows_per_job", 1, MAX_SAMPLE_ROWS, integer=True)
        if self.method == "none":
            return
        if self.method == "sobol" and self.n & (self.n - 1):
            v.fail("n", "a power of 2 for sobol (Saltelli's scheme keeps its balance properties only then)")
        if self.method == "morris" and self.n < 2:
            v.fail("n", "integer >= 2 trajectories for morris")
        if not 2 <= len(self.parameters) <= MAX_SAMPLE_PARAMETERS:
            raise ConfigError(
                f"{v.where('parameters')}: {len(self.parameters)} given; allowed: 2 to {MAX_SAMPLE_PARAMETERS} "
                "entries 'dotted.key: [low, high]'"
            )
        for key, bounds in self.parameters.items():
            numbers = all(
                isinstance(b, (int, float)) and not isinstance(b, bool) and math.isfinite(b) for b in bounds
            )
            if len(bounds) != 2 or not numbers or not bounds[0] < bounds[1]:
                raise ConfigError(
                    f"{v.where('parameters')}.{key}={list(bounds)}: allowed [low, high], finite numbers with low < high"
                )
        if not self.outputs:
            raise ConfigError(f"{v.where('outputs')}: empty; allowed: summary outcome names")
        rows = sample_rows(self.method, self.n, len(self.parameters), bool(self.second_order))
        if rows > MAX_SAMPLE_ROWS:
            raise ConfigError(
                f"{v.where('n')}={self.n}: the sample would have {rows} rows; allowed at most {MAX_SAMPLE_ROWS} "
                "(a smaller n, or fewer parameters)"
            )
        if self.index >= rows:
            v.fail("index", f"integer 0 <= x < {rows} (rows of the sample)")


@dataclass
class ExperimentParams(_Sealed):
    name: str = MISSING
    replicates: int = MISSING
    objective: str = MISSING
    per_week: bool = MISSING
    sample: SampleParams = MISSING

    def check(self, v: _V):
        from simulation.outputs import OUTCOME_DIRECTIONS  # outcome names (outputs.py needs no params)

        v.range("replicates", 1, 100_000, integer=True)
        if self.objective not in OUTCOME_DIRECTIONS:
            v.fail("objective", f"a summary outcome: {', '.join(OUTCOME_DIRECTIONS)}")
        for i, name in enumerate(self.sample.outputs):
            if name not in OUTCOME_DIRECTIONS:
                raise ConfigError(
                    f"{v.where('sample.outputs')}[{i}]={name!r}: allowed summary outcomes: {', '.join(OUTCOME_DIRECTIONS)}"
                )
        if not isinstance(self.name, str) or not EXPERIMENT_NAME.fullmatch(self.name):
            v.fail(
                "name",
                "a plain folder name: 1-100 letters, digits, '.', '_', '+' or '-', starting with a letter or digit",
            )


@dataclass
class SlsimConfig(_Sealed):
    """Root of the parameter tree: what ``configs/config.yaml`` composes to."""

    run: RunParams = MISSING
    scheme: SchemeParams = MISSING
    workload: WorkloadParams = MISSING
    carers: CarerParams = MISSING
    referrals: ReferralParams = MISSING
    social_work: SocialWorkParams = MISSING
    economics: EconomicsParams = MISSING
    council: CouncilParams = MISSING
    levers: LeversParams = MISSING
    shocks: ShocksParams = MISSING
    budget: BudgetParams = MISSING
    experiment: ExperimentParams = MISSING

    def __post_init__(self):
        _walk(self, "")
        super().__post_init__()

    def check(self, v: _V):
        """Cross-group rules: names that must exist, events inside the horizon, no contradictions."""
        teams = {t.name for t in self.social_work.teams}
        for lever in ("colocation", "team_meetings", "sl_by_default"):
            for i, name in enumerate(getattr(self.levers, lever).teams):
                if name not in teams:
                    raise ConfigError(
                        f"levers.{lever}.teams[{i}]={name!r}: unknown team (teams: {', '.join(sorted(teams))})"
                    )
        horizon = self.run.years * 52
        by_kind = {}
        for name, event in self.shocks.events.items():
            if event.start_week > horizon:
                raise ConfigError(
                    f"shocks.events.{name}.start_week={event.start_week}: allowed 1 <= x <= {horizon} "
                    f"(the horizon, run.years * 52)"
                )
            by_kind.setdefault(event.kind, []).append((name, event))
        for kind, named in by_kind.items():
            if kind == "investment":
                continue  # investments add up
            named.sort(key=lambda ne: ne[1].start_week)
            for (n1, e1), (n2, e2) in zip(named, named[1:]):
                if e2.start_week < e1.end_week:
                    raise ConfigError(
                        f"shocks.events.{n2}: overlaps shocks.events.{n1} (both {kind}, weeks "
                        f"{e1.start_week}-{e1.end_week - 1} and {e2.start_week}-{e2.end_week - 1}); "
                        "allowed: events of one kind that do not overlap"
                    )
        self._check_budget(horizon)
        self._check_sizes()

    def _spent(self) -> dict:
        """{channel: GBP/year} the budget spends ({} when nothing is spent)."""
        b, shares = self.budget, self.budget.shares.normalised()
        if b.gbp_per_year <= 0 or not any(shares.values()):
            return {}
        return {c: b.gbp_per_year * share for c, share in shares.items()}

    def _budget_fee_rise(self) -> float:
        """The real fee rise the budget buys (a fraction; 0 without one)."""
        money = self._spent()
        if not money.get("fees"):
            return 0.0
        bill = week0_fee_bill(self)
        return money["fees"] / bill if bill > 0 else math.inf

    def _check_sizes(self) -> None:
        """What the run will hold must fit: events, posts bought, and how far fees can carry enquiries."""
        money = self._spent()
        budget_events = [c for c in BUDGET_POST_CHANNELS if money.get(c, 0) > 0]
        if len(self.shocks.events) + len(budget_events) > MAX_EVENTS:
            raise ConfigError(
                f"shocks.events: {len(self.shocks.events)} events (and {len(budget_events)} from the budget); "
                f"allowed at most {MAX_EVENTS} in all"
            )
        e = self.economics
        unit = {
            "scheme_worker": e.scheme_worker_cost_per_year,
            "recruitment_officer": e.recruitment_officer_cost_per_year,
            "outreach_officer": e.outreach_officer_cost_per_year,
        }
        events = self.shocks.events.items()
        bought = [(f"shocks.events.{n}", ev.size, ev.post) for n, ev in events if ev.kind == "investment"]
        bought += [(f"budget.shares.{c}", money[c], BUDGET_POST_CHANNELS[c]) for c in budget_events]
        posts = 0
        for where, gbp, post in bought:
            posts += int(gbp // unit[post]) if unit[post] > 0 else 0
            if posts > MAX_BOUGHT_POSTS:
                raise ConfigError(
                    f"{where}: investments and the budget would buy {posts} or more posts (GBP a year / "
                    f"economics.{post}_cost_per_year, counted as if all at once); allowed at most {MAX_BOUGHT_POSTS}"
                )
        # real fees: fee_uplift_per_year against inflation, compounded over warm-up and horizon,
        # raise enquiries as (real fee index)^carers.enquiry_fee_elasticity (model.carer_pipeline)
        lv = self.levers.fee_uplift
        rise = self._budget_fee_rise() + (lv.fee_increase if lv.enabled else 0.0)
        if self._spent().get("fees") and not -0.5 <= rise <= 2.0:
            raise ConfigError(
                f"budget.gbp_per_year={self.budget.gbp_per_year}: the fee share buys a real fee rise of {rise:.3g} "
                f"(money / the week-0 fee bill, with levers.fee_uplift.fee_increase); allowed -0.5 <= x <= 2.0"
            )
        extra = lv.extra_uplift_per_year if lv.enabled else 0.0
        per_year = (1 + e.fee_uplift_per_year) * (1 + max(extra, 0.0)) / (1 + e.inflation_per_year)
        years = (self.run.warmup_weeks + self.weeks) / 52 + 2  # whole uplifts either side of the span
        log_growth = math.log1p(max(rise, 0.0)) + years * math.log(max(per_year, 1.0))
        log_enquiries = log_growth * self.carers.enquiry_fee_elasticity
        if max(log_growth, log_enquiries) > math.log(MAX_FEE_GROWTH):
            def fold(x):
                return f"{math.exp(min(x, 700.0)):.3g}"

            raise ConfigError(
                f"economics.fee_uplift_per_year={e.fee_uplift_per_year}: real carer fees could grow up to "
                f"{fold(log_growth)}-fold over the run (against economics.inflation_per_year={e.inflation_per_year}, "
                "with the fee_uplift lever and a budget's fee rise, over warm-up and horizon), multiplying "
                f"enquiries up to {fold(log_enquiries)}-fold (carers.enquiry_fee_elasticity="
                f"{self.carers.enquiry_fee_elasticity}); allowed at most {MAX_FEE_GROWTH:g}-fold"
            )

    def _check_budget(self, horizon: int) -> None:
        """A budget that will be spent must fit the run (simulation/budget.py spends it)."""
        b, money = self.budget, self.budget.shares.normalised()
        if b.gbp_per_year <= 0 or not any(money.values()):
            return  # nothing is spent
        if b.start_week > horizon:
            raise ConfigError(f"budget.start_week={b.start_week}: allowed 1 <= x <= {horizon} (the horizon, run.years * 52)")
        for channel in BUDGET_POST_CHANNELS:
            name = f"budget_{channel}"
            if money[channel] > 0 and name in self.shocks.events:
                raise ConfigError(f"shocks.events.{name}: the name is kept for the budget; allowed: another name")
        if money["fees"] > 0:
            if b.start_week != 1:
                raise ConfigError(
                    f"budget.start_week={b.start_week}: a fee rise starts in week 1 (with levers); "
                    "allowed: 1, or budget.shares.fees 0"
                )
            if week0_fee_bill(self) <= 0:
                raise ConfigError(
                    "budget.shares.fees: the week-0 fee bill is 0 (no people or no fees); allowed: fees 0"
                )

    @property
    def weeks(self) -> int:
        """Recorded horizon in weeks (after warm-up)."""
        return self.run.years * 52


SCHEMA_NAME = "slsim_schema"


def register_schema() -> None:
    """Register the tree with Hydra's ConfigStore as the YAML's schema."""
    from hydra.core.config_store import ConfigStore
    from omegaconf import OmegaConf

    ConfigStore.instance().store(name=SCHEMA_NAME, node=SlsimConfig)
    if not OmegaConf.has_resolver("slsim_sample_rows"):
        OmegaConf.register_new_resolver("slsim_sample_rows", sample_rows_of)
