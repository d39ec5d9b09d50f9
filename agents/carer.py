"""A Shared Lives carer household.

Stage: enquiry -> assessment -> approved (nobody placed) <-> active (supporting
1-3 people) -> left. The household's make-up (places, arrangement types
offered, needs it can support, highest complexity band) is fixed at enquiry.
Satisfaction moves each week toward a target set by the real fee level, the
household's load, the support it gets from the scheme and its paid breaks;
leaving is a hazard that rises with age and dissatisfaction.

The model moves carers between stages (it keeps the per-stage registries);
the carer's verbs decide *whether*, the model records *that*.
"""

import math

import mesa

from simulation.params import BANDS, NEEDS
from simulation.units import WEEKS_PER_YEAR


class Carer(mesa.Agent):
    """A self-employed carer household approved (or being approved) by the scheme."""

    def __init__(
        self,
        model,
        *,
        stage,
        source,
        capacity,
        offers,
        skills,
        max_complexity,
        age,
        temperament,
        satisfaction,
        work_weeks_needed=0,
    ):
        super().__init__(model)
        self.stage = stage
        self.source = source  # "campaign", "word_of_mouth", "foster", "initial"
        self.capacity = capacity  # places, 1-3
        self.offers = offers  # frozenset of arrangement types
        self.skills = skills  # frozenset of needs it can support
        self.max_complexity = max_complexity  # 1-3
        self.age = age  # years
        self.temperament = temperament  # own offset to target satisfaction
        self.satisfaction = satisfaction  # 0-1
        self.placed = []  # Referral agents in arrangement with this household
        self.live_in_count = 0  # of whom live-in
        self.reserved = 0  # places held for referrals in matching/introductions
        self.work_weeks = 0  # served weeks in the current pipeline stage
        self.work_weeks_needed = work_weeks_needed
        self.served = False  # scheme time reached this household's pipeline work this week
        self.worker = None  # allocated scheme worker (SchemeStaff) once approved
        self.stage_week = model.week

    # -- state ------------------------------------------------------------
    @property
    def free_places(self) -> int:
        return self.capacity - len(self.placed) - self.reserved

    def can_support(self, referral) -> bool:
        """Household make-up fits the person (ignores free places).

        The model's matching applies the same rule inline, for speed
        (``SharedLivesModel._candidates``); tests hold the two together.
        """
        return (
            referral.arrangement in self.offers
            and referral.need in self.skills
            and referral.complexity <= self.max_complexity
        )

    def take_in(self, referral) -> None:
        self.placed.append(referral)
        if referral.arrangement == "live_in":
            self.live_in_count += 1

    def let_go(self, referral) -> None:
        self.placed.remove(referral)
        if referral.arrangement == "live_in":
            self.live_in_count -= 1

    # -- pipeline ---------------------------------------------------------
    def progress_pipeline(self) -> bool:
        """Count a week of served enquiry/assessment work; True when complete."""
        if self.served:
            self.work_weeks += 1
        return self.work_weeks >= self.work_weeks_needed

    def decide_to_apply(self, p_apply: float) -> bool:
        """After the enquiry visit, does the household apply for assessment?"""
        return self.random.random() < p_apply

    def drops_out(self, p_week: float) -> bool:
        return self.random.random() < p_week

    # -- matching ---------------------------------------------------------
    def agree_to_match(self, p_agree: float) -> bool:
        """After introductions the household agrees with probability p (times satisfaction)."""
        return self.random.random() < p_agree * (0.5 + 0.5 * self.satisfaction)

    # -- the week of an approved household --------------------------------
    def live_week(self, w: "CarerWeek"):
        """Satisfaction moves toward its target, the household ages a week and
        decides whether to leave. Returns the reason for leaving, or None."""
        placed = self.placed
        target = w.target_base + self.temperament - w.workload_weight * (len(placed) / self.capacity)
        if self.live_in_count:
            target += w.breaks
        target = 0.0 if target < 0.0 else 1.0 if target > 1.0 else target
        sat = self.satisfaction = self.satisfaction + w.adjust * (target - self.satisfaction)
        age = self.age = self.age + w.year
        # yearly hazards of leaving: other, retirement, dissatisfied, idle
        h_other = w.base_exit
        h_retire = w.retire_at_70 * math.exp(w.age_slope * (age - 70.0))
        h_dissat = w.dissatisfied * (1.0 - sat) ** 2
        h_idle = w.idle if not placed else 0.0
        total = h_other + h_retire + h_dissat + h_idle
        rnd = w.random
        if rnd.random() >= -math.expm1(-total / WEEKS_PER_YEAR):
            return None
        pick = rnd.random() * total - h_other
        if pick < 0.0:
            return "other"
        pick -= h_retire
        if pick < 0.0:
            return "retirement"
        pick -= h_dissat
        return "dissatisfied" if pick < 0.0 else "idle"

    def grow_older(self) -> None:
        self.age += 1.0 / WEEKS_PER_YEAR

    def recommends(self, threshold: float) -> bool:
        """A satisfied approved household brings word-of-mouth enquiries."""
        return self.satisfaction >= threshold


class CarerWeek:
    """This week's conditions for every household, computed once per week.

    Satisfaction target = satisfaction_base + temperament
        + fee_weight * (real fee index - 1)
        - workload_weight * (people placed / capacity - 0.5)
        - support_weight * (1 - monitoring coverage)
        + breaks_weight * paid_break_weeks / 6   (households with someone live-in)
        + shift (pandemic: -satisfaction_drop * size; carer support lever: +boost)
    clipped to [0, 1]; satisfaction closes ``satisfaction_adjust_per_week`` of the gap.
    """

    __slots__ = (
        "target_base", "workload_weight", "breaks", "adjust", "year", "base_exit",
        "retire_at_70", "age_slope", "dissatisfied", "idle", "random",
    )

    def __init__(
        self, cp, real_fee_index: float, coverage: float, random, *, shift=0.0, paid_break_weeks=None, retirement_factor=1.0
    ):
        self.target_base = (
            cp.satisfaction_base
            + cp.fee_weight * (real_fee_index - 1.0)
            + cp.workload_weight * 0.5
            - cp.support_weight * (1.0 - coverage)
        )
        if shift:
            self.target_base += shift  # shocks (pandemic) and levers (carer support)
        breaks = cp.paid_break_weeks_per_year if paid_break_weeks is None else paid_break_weeks
        self.workload_weight = cp.workload_weight
        self.breaks = cp.breaks_weight * breaks / 6.0
        self.adjust = cp.satisfaction_adjust_per_week
        self.year = 1.0 / WEEKS_PER_YEAR
        self.base_exit = cp.base_exit_per_year
        self.retire_at_70 = cp.retirement_exit_at_70_per_year * retirement_factor
        self.age_slope = cp.retirement_age_slope
        self.dissatisfied = cp.dissatisfied_exit_per_year
        self.idle = cp.idle_exit_per_year
        self.random = random


def draw_carer(model, source: str, cp) -> dict:
    """Household make-up of a new enquiry, from the model's generators."""
    rnd = model.random
    capacity = rnd.choices((1, 2, 3), weights=cp.capacity_mix.shares())[0]
    if rnd.random() < cp.spare_room:
        offers = {"live_in", "short_break"}
        if rnd.random() < cp.day_support_with_room:
            offers.add("day_support")
    else:
        offers = {"day_support"}
    skills = frozenset(n for n in NEEDS if rnd.random() < getattr(cp.skills, n))
    max_complexity = 1 + rnd.choices(range(len(BANDS)), weights=cp.complexity_mix.shares())[0]
    age = min(cp.age_max, max(cp.age_min, rnd.gauss(cp.age_mean, cp.age_sd)))
    return dict(
        source=source,
        capacity=capacity,
        offers=frozenset(offers),
        skills=skills,
        max_complexity=max_complexity,
        age=age,
        temperament=rnd.gauss(0.0, cp.satisfaction_sd),
        satisfaction=cp.initial_satisfaction,
    )

