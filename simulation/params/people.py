"""Parameters of carers, referrals and the social-work teams."""

from typing import List, Optional

from dataclasses import dataclass

from omegaconf import MISSING

from slsim.simulation.categories import ARRANGEMENTS
from slsim.simulation.validation import (
    HAZARD_MAX,
    LOG_ODDS_MAX,
    MAX_DECISIONS_PER_YEAR,
    MAX_SOCIAL_WORKERS,
    MAX_TEAMS,
    ConfigError,
    _Sealed,
    _V,
)
from slsim.simulation.units import WEEKS_PER_YEAR
from slsim.simulation.mixes import ArrangementMix, BandMix, CapacityMix, NeedsMix, PerArrangement, SkillProbabilities


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
    short_breaks_per_place: int = MISSING
    spare_room: float = MISSING
    day_support_with_room: float = MISSING
    skills: SkillProbabilities = MISSING
    complexity_mix: BandMix = MISSING
    age_mean: float = MISSING
    age_sd: float = MISSING
    age_min: float = MISSING
    age_max: float = MISSING
    initial_age_mean: float = MISSING
    initial_age_sd: float = MISSING
    initial_age_max: float = MISSING
    base_exit_per_year: float = MISSING
    retirement_exit_at_70_per_year: float = MISSING
    retirement_age_slope: float = MISSING
    dissatisfied_exit_per_year: float = MISSING
    idle_exit_per_year: float = MISSING
    retirement_notice_weeks: int = MISSING
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
        v.non_negative(
            "enquiry_dropout_per_year",
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
        v.range("short_breaks_per_place", 1, 12, integer=True)
        v.range("retirement_notice_weeks", 0, WEEKS_PER_YEAR, integer=True)
        v.range("enquiry_weeks", 1, 2 * WEEKS_PER_YEAR, integer=True)
        v.range("assessment_weeks", 1, 208, integer=True)
        v.range("foster_assessment_weeks", 1, 208, integer=True)
        v.probs(
            "satisfied_threshold",
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
        v.range("initial_age_max", self.age_min, 100.0)
        v.range("initial_age_mean", 18.0, 100.0)
        v.range("initial_age_mean", self.age_min, self.initial_age_max)
        v.range("initial_age_sd", 0.0, 50.0)
        v.range("paid_break_weeks_per_year", 0.0, float(WEEKS_PER_YEAR))


@dataclass
class ReferralParams(_Sealed):
    needs_mix: NeedsMix = MISSING
    arrangement_mix: ArrangementMix = MISSING
    complexity_mix: BandMix = MISSING
    crisis_wait_tolerance_weeks: int = MISSING
    planned_wait_tolerance_weeks: int = MISSING
    introduction_weeks: PerArrangement = MISSING
    crisis_matching_weeks: int = MISSING
    crisis_introduction_weeks: int = MISSING
    person_agrees: float = MISSING
    screening: bool = MISSING
    live_in_alone_from_band: int = MISSING
    planned_end_per_year: PerArrangement = MISSING
    breakdown_per_year: float = MISSING
    breakdown_unsupported_multiplier: float = MISSING
    breakdown_dissatisfied_multiplier: float = MISSING
    death_per_year: float = MISSING
    death_multiplier_older: float = MISSING

    def check(self, v: _V):
        v.range("crisis_wait_tolerance_weeks", 0, 520, integer=True)
        v.range("planned_wait_tolerance_weeks", 0, 520, integer=True)
        v.range("crisis_matching_weeks", 0, WEEKS_PER_YEAR, integer=True)
        v.range("crisis_introduction_weeks", 0, WEEKS_PER_YEAR, integer=True)
        v.probs("person_agrees")
        v.range("live_in_alone_from_band", 1, 4, integer=True)  # 4: nobody lives alone
        v.non_negative("breakdown_per_year", "death_per_year", hi=HAZARD_MAX)
        v.non_negative("breakdown_unsupported_multiplier", "breakdown_dissatisfied_multiplier", hi=100.0)
        v.range("death_multiplier_older", 1.0, 100.0)
        v.sub("introduction_weeks").non_negative(*ARRANGEMENTS, hi=float(WEEKS_PER_YEAR))
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
    needs_mix: Optional[NeedsMix] = None  # this team's referrals' needs; None: referrals.needs_mix

    def check(self, v: _V):
        if not str(self.name).isidentifier():
            v.fail("name", "a non-empty identifier (letters, digits, _)")
        v.range("social_workers", 1, MAX_SOCIAL_WORKERS, integer=True)
        v.non_negative("decisions_per_worker_per_year", hi=100.0)
        v.probs("crisis_share")


@dataclass
class SocialWorkParams(_Sealed):
    teams: List[TeamParams] = MISSING  # a tuple once validated
    team_scale: float = MISSING
    initial_awareness_mean: float = MISSING
    newcomer_awareness_mean: float = MISSING
    awareness_concentration: float = MISSING
    awareness_decay_per_year: float = MISSING
    trust_prior: float = MISSING
    initial_trust: float = MISSING
    initial_champion_share: float = MISSING
    trust_learning_rate: float = MISSING
    refer_intercept: float = MISSING
    refer_awareness_weight: float = MISSING
    refer_trust_weight: float = MISSING
    refer_default_weight: float = MISSING
    initial_crisis_confidence: float = MISSING
    crisis_confidence_learning: float = MISSING
    initial_expected_wait_weeks: float = MISSING
    expected_wait_smoothing: float = MISSING
    turnover_per_year: float = MISSING
    champion_after_successes: int = MISSING
    champion_contacts_per_year: float = MISSING

    def size(self, team: TeamParams) -> int:
        """Social workers in ``team``: its configured number x ``team_scale`` (a larger or smaller council), at least 1."""
        return max(1, int(team.social_workers * self.team_scale + 0.5))

    def check(self, v: _V):
        if not 1 <= len(self.teams) <= MAX_TEAMS:
            raise ConfigError(f"social_work.teams: {len(self.teams)} teams; allowed 1 to {MAX_TEAMS} teams")
        v.range("team_scale", 0.1, 10.0)
        workers = sum(self.size(t) for t in self.teams)
        if workers > MAX_SOCIAL_WORKERS:
            raise ConfigError(
                f"social_work.teams: {workers} social workers in all (x team_scale); allowed at most {MAX_SOCIAL_WORKERS} "
                "across the teams (each is an agent every week)"
            )
        decisions = sum(self.size(t) * t.decisions_per_worker_per_year for t in self.teams)
        if decisions > MAX_DECISIONS_PER_YEAR:
            raise ConfigError(
                f"social_work.teams: {decisions:g} support decisions a year (social_workers x "
                f"decisions_per_worker_per_year, summed over teams); allowed at most {MAX_DECISIONS_PER_YEAR}"
            )
        names = [team.name for team in self.teams]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise ConfigError(f"social_work.teams[{i}].name={name!r}: team names must be unique")
        v.probs(
            "initial_awareness_mean",
            "newcomer_awareness_mean",
            "trust_prior",
            "trust_learning_rate",
            "expected_wait_smoothing",
            "initial_champion_share",
        )
        for name in ("initial_awareness_mean", "newcomer_awareness_mean", "trust_prior", "initial_trust"):
            v.range(name, 0.0, 1.0, lo_open=True, hi_open=True)
        v.range("awareness_concentration", 0.0, 1000.0, lo_open=True)
        v.probs("initial_crisis_confidence", "crisis_confidence_learning")
        v.non_negative("awareness_decay_per_year", hi=HAZARD_MAX)
        v.non_negative("refer_awareness_weight", "refer_trust_weight", "refer_default_weight", hi=LOG_ODDS_MAX)
        v.non_negative("initial_expected_wait_weeks", hi=520.0)
        v.non_negative("turnover_per_year", hi=2.0)
        v.non_negative("champion_contacts_per_year", hi=100.0)
        v.range("refer_intercept", -LOG_ODDS_MAX, LOG_ODDS_MAX)
        v.range("champion_after_successes", 1, 1000, integer=True)
