"""Investment in the workforce of scheme staff and carers (SASCI 2025, capability 4).

* ``extra_workers`` – scheme-worker posts paid by the lever;
* ``recruitment_post`` – dedicated carer-recruitment posts paid by the lever;
* ``fee_uplift`` – a fee rise from week 1 and an extra annual uplift;
* ``carer_support`` – support groups, training and paid breaks: satisfaction
  up, a cost per household;
* ``referral_incentives`` – a bonus to carers whose word of mouth brings a new
  approved household; word of mouth multiplied.
"""

from simulation.levers.base import Lever
from simulation.stages import Role
from simulation.units import WEEKS_PER_YEAR


class _Posts(Lever):
    role = None

    def posts(self) -> dict:
        return {(f"lever:{self.name}", self.role): self.p.posts}

    def posts_and_fees_cost(self, model, unit_costs: dict) -> float:
        return self.p.posts * unit_costs[self.role] / WEEKS_PER_YEAR


class ExtraWorkers(_Posts):
    name = "extra_workers"
    role = Role.SCHEME_WORKER


class RecruitmentPost(_Posts):
    name = "recruitment_post"
    role = Role.RECRUITMENT_OFFICER


class FeeUplift(Lever):
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
        from simulation.processes.economy import extra_fees

        return extra_fees(model)


class CarerSupport(Lever):
    name = "carer_support"

    def satisfaction_shift(self) -> float:
        return self.p.satisfaction_boost

    def paid_break_weeks(self, weeks: float) -> float:
        return self.p.paid_break_weeks_per_year

    def running_cost(self, model) -> float:
        per_household = model.registry.households() * self.p.cost_per_household_per_year_gbp / WEEKS_PER_YEAR
        return super().running_cost(model) + per_household


class ReferralIncentives(Lever):
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
