"""Parameters of the run, the scheme and its team, the economy and the council."""

from dataclasses import dataclass

from omegaconf import MISSING

from slsim.simulation.categories import ARRANGEMENTS
from slsim.simulation.validation import HOURS_MAX, MAX_INITIAL_PEOPLE, STAFF_COST_MAX, YEARS_MAX, _Sealed, _V
from slsim.simulation.mixes import ArrangementMix, PerArrangement
from slsim.simulation.units import WEEKS_PER_YEAR


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
        v.non_negative(
            "monitoring_hours_per_household_week",
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
        v.range("matching_weeks", 1, WEEKS_PER_YEAR, integer=True)
        v.range("new_arrangement_monitoring_multiplier", 1.0, 10.0)
        v.probs("outreach_share", "awareness_gain_per_contact")


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
    worker_turnover_per_year: float = MISSING
    vacancy_weeks: int = MISSING
    recruitment_officer_hours_per_week: float = MISSING
    recruitment_officers_assess: bool = MISSING
    recruitment_pause_idle_share: float = MISSING
    initial_people_supported: int = MISSING
    initial_arrangement_mix: ArrangementMix = MISSING
    initial_carers_approved: int = MISSING
    initial_carers_in_assessment: int = MISSING
    initial_enquiries: int = MISSING
    initial_referrals: int = MISSING

    def check(self, v: _V):
        v.range("scheme_workers", 1, 200, integer=True)
        v.non_negative("worker_turnover_per_year", hi=2.0)
        v.range("vacancy_weeks", 0, WEEKS_PER_YEAR, integer=True)
        v.range("worker_hours_per_week", 0.0, 60.0, lo_open=True)
        v.range("productive_share", 0.0, 1.0, lo_open=True)
        v.range("manager_hours_per_week", 0.0, 60.0)
        v.probs("manager_frontline_share", "leadership_quality")
        v.range("leadership_efficiency", 0.0, 0.9)
        v.range("recruitment_officers", 0, 50, integer=True)
        v.range("recruitment_officer_hours_per_week", 0.0, 60.0)
        v.range("recruitment_pause_idle_share", 0.0, 1.0)
        v.non_negative("initial_people_supported", "initial_carers_approved", hi=MAX_INITIAL_PEOPLE, integer=True)
        v.non_negative("initial_carers_in_assessment", "initial_enquiries", "initial_referrals", hi=1000, integer=True)


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
        v.non_negative(
            "scheme_worker_cost_per_year",
            "manager_cost_per_year",
            "recruitment_officer_cost_per_year",
            "outreach_officer_cost_per_year",
            hi=STAFF_COST_MAX,
        )
        v.sub("carer_fee_per_week").non_negative(*ARRANGEMENTS, hi=10_000.0)
        v.sub("savings_per_person_year").non_negative(*ARRANGEMENTS, hi=1_000_000.0)

    def post_costs(self) -> dict:
        """{post an investment or budget can buy: GBP a year one costs}."""
        return {
            "scheme_worker": self.scheme_worker_cost_per_year,
            "recruitment_officer": self.recruitment_officer_cost_per_year,
            "outreach_officer": self.outreach_officer_cost_per_year,
        }


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
