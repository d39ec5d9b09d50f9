"""Investment in the workforce of scheme staff and carers (SASCI 2025, capability 4).

* ``extra_workers`` – scheme-worker posts paid by the lever;
* ``recruitment_post`` – dedicated carer-recruitment posts paid by the lever;
* ``fee_uplift`` – a fee rise from week 1 and an extra annual uplift;
* ``carer_support`` – support groups, training and paid breaks: satisfaction
  up, a cost per household;
* ``referral_incentives`` – a bonus to carers whose word of mouth brings a new
  approved household; word of mouth multiplied.
"""

from dataclasses import dataclass

from omegaconf import MISSING

from slsim.simulation.levers.base import Lever, LeverParams
from slsim.simulation.stages import Role
from slsim.simulation.units import WEEKS_PER_YEAR
from slsim.simulation.validation import _V


class _Posts(Lever):
    """A lever that pays for ``posts`` posts of ``role``."""

    role = None

    def posts(self) -> dict:
        return {(f"lever:{self.name}", self.role): self.p.posts}

    def posts_and_fees_cost(self, model, unit_costs: dict) -> float:
        return self.p.posts * unit_costs[self.role] / WEEKS_PER_YEAR


@dataclass
class ExtraWorkersParams(LeverParams):
    enabled: bool = MISSING
    posts: int = MISSING
    annual_cost_gbp: float = MISSING

    def check(self, v: _V):
        super().check(v)
        v.range("posts", 0, 100, integer=True)


class ExtraWorkers(_Posts):
    Params = ExtraWorkersParams
    name = "extra_workers"
    role = Role.SCHEME_WORKER


@dataclass
class RecruitmentPostParams(LeverParams):
    enabled: bool = MISSING
    posts: int = MISSING
    annual_cost_gbp: float = MISSING

    def check(self, v: _V):
        super().check(v)
        v.range("posts", 0, 20, integer=True)


class RecruitmentPost(_Posts):
    Params = RecruitmentPostParams
    name = "recruitment_post"
    role = Role.RECRUITMENT_OFFICER


@dataclass
class FeeUpliftParams(LeverParams):
    enabled: bool = MISSING
    fee_increase: float = MISSING
    extra_uplift_per_year: float = MISSING
    annual_cost_gbp: float = MISSING

    def check(self, v: _V):
        super().check(v)
        v.range("fee_increase", -0.5, 2.0)
        v.range("extra_uplift_per_year", -0.2, 0.5)


class FeeUplift(Lever):
    Params = FeeUpliftParams
    name = "fee_uplift"

    def __init__(self, params, model_params):
        super().__init__(params, model_params)
        self.factor = 1.0

    def start(self, model) -> None:
        self.factor = 1.0 + self.p.fee_increase

    def fee_factor(self) -> float:
        return self.factor

    def on_fee_uplift(self) -> None:
        self.factor *= 1.0 + self.p.extra_uplift_per_year

    def posts_and_fees_cost(self, model, unit_costs: dict) -> float:
        from slsim.simulation.processes.economy import extra_fees

        return extra_fees(model)


@dataclass
class CarerSupportParams(LeverParams):
    enabled: bool = MISSING
    paid_break_weeks_per_year: float = MISSING
    satisfaction_boost: float = MISSING
    cost_per_household_per_year_gbp: float = MISSING
    annual_cost_gbp: float = MISSING

    def check(self, v: _V):
        super().check(v)
        v.range("paid_break_weeks_per_year", 0.0, float(WEEKS_PER_YEAR))
        v.probs("satisfaction_boost")
        v.non_negative("cost_per_household_per_year_gbp", hi=100_000.0)


class CarerSupport(Lever):
    Params = CarerSupportParams
    name = "carer_support"

    def satisfaction_shift(self) -> float:
        return self.p.satisfaction_boost

    def paid_break_weeks(self, weeks: float) -> float:
        return self.p.paid_break_weeks_per_year

    def running_cost(self, model) -> float:
        per_household = model.registry.households() * self.p.cost_per_household_per_year_gbp / WEEKS_PER_YEAR
        return super().running_cost(model) + per_household


@dataclass
class ReferralIncentivesParams(LeverParams):
    enabled: bool = MISSING
    bonus_gbp: float = MISSING
    word_of_mouth_multiplier: float = MISSING
    annual_cost_gbp: float = MISSING

    def check(self, v: _V):
        super().check(v)
        v.non_negative("bonus_gbp", hi=100_000.0)
        v.range("word_of_mouth_multiplier", 1.0, 10.0)


class ReferralIncentives(Lever):
    Params = ReferralIncentivesParams
    name = "referral_incentives"

    def __init__(self, params, model_params):
        super().__init__(params, model_params)
        self.bonuses = 0  # word-of-mouth recruits approved this week

    def begin_week(self, week: int) -> None:
        self.bonuses = 0

    def word_of_mouth(self, factor: float) -> float:
        return factor * self.p.word_of_mouth_multiplier

    def on_approval(self, carer) -> None:
        if carer.source == "word_of_mouth":
            self.bonuses += 1

    def running_cost(self, model) -> float:
        return super().running_cost(model) + self.bonuses * self.p.bonus_gbp


LEVERS = (ExtraWorkers, RecruitmentPost, FeeUplift, CarerSupport, ReferralIncentives)
