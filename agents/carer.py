"""A Shared Lives carer household.

Stage: enquiry -> assessment -> approved (nobody placed) <-> active (someone
placed) -> left. A household has 1-3 places; a live-in or day-support
arrangement fills a place, a short break a share of one
(``carers.short_breaks_per_place`` people's breaks fit in a place over a year),
counted in whole slots (``free_slots``). The household's make-up (places, arrangement types
offered, needs it can support, highest complexity band) is fixed at enquiry.
Satisfaction moves each week toward a target set by the real fee level, the
household's load, the support it gets from the scheme and its paid breaks;
leaving is a hazard that rises with age and dissatisfaction.

The household's verbs change its own state and the model's registry
(:class:`slsim.simulation.registry.Registry`): ``enquire`` (a new household),
``start_assessment``, ``approve``, ``take``/``let_go`` (a person placed or
gone), ``leave``. Its questions (``drops_out``, ``decide_to_apply``,
``agree_to_match``, ``live_week``) draw from the model's generators; the
processes in :mod:`slsim.simulation.processes` call both in the step order.
"""

import math

import mesa

from slsim.simulation.params import BANDS, NEEDS
from slsim.simulation.stages import CarerStage, ReferralStage
from slsim.simulation.units import WEEKS_PER_YEAR


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
        self.reserved = 0  # referrals in matching/introductions holding room here
        self.full_slots = capacity * model.slots_per_place  # room when nobody is placed or held, in slots
        self.free_slots = self.full_slots  # room left, in slots (a place = slots_per_place)
        self.work_weeks = 0  # served weeks in the current pipeline stage
        self.work_weeks_needed = work_weeks_needed
        self.served = False  # scheme time reached this household's pipeline work this week
        self.worker = None  # allocated scheme worker (SchemeStaff) once approved
        self.leaving_week = None  # set when the household gives notice of retirement (planned handover)
        self.stage_week = model.week

    # -- verbs: changes of stage ---------------------------------------------
    @classmethod
    def enquire(cls, model, source: str, weeks_needed: int, stage=CarerStage.ENQUIRY) -> "Carer":
        """A new household (make-up drawn for ``source``) joins the pipeline at ``stage``."""
        carer = cls(model, stage=stage, work_weeks_needed=weeks_needed, **draw_carer(model, source, model.p.carers))
        model.registry.carers[stage][carer.unique_id] = carer
        if stage == CarerStage.ENQUIRY:
            model.registry.record(model.week, "enquiry", "enquiries", carer=carer.unique_id, detail=source)
        return carer

    def move_to(self, stage) -> None:
        """Into ``stage``'s registry; this week's hours were for the old stage."""
        carers = self.model.registry.carers
        del carers[self.stage][self.unique_id]
        self.stage = stage
        self.served = False
        self.stage_week = self.model.week
        carers[stage][self.unique_id] = self

    def start_assessment(self, weeks_needed: int | None = None, detail: str | None = None) -> None:
        """The household applies: assessment starts (``weeks_needed``: a fresh count of served weeks)."""
        self.move_to(CarerStage.ASSESSMENT)
        if weeks_needed is not None:
            self.work_weeks, self.work_weeks_needed = 0, weeks_needed
        self.model.registry.record(
            self.model.week, "assessment_start", carer=self.unique_id, detail=detail or self.source
        )

    def approve(self) -> None:
        """Assessment complete: an approved household with a scheme worker and places open."""
        model = self.model
        self.move_to(CarerStage.APPROVED)
        self.allocate_worker()
        model.registry.opened.append(self)
        model.registry.record(model.week, "carer_approved", "carers_approved", carer=self.unique_id, detail=self.source)
        model.conditions.on_approval(self)

    def allocate_worker(self) -> None:
        """To the scheme worker with the fewest households (if there is one)."""
        workers = self.model.staff.scheme_workers
        if workers:
            min(workers, key=lambda s: (len(s.caseload), s.unique_id)).take_on(self)

    def leave(self, reason: str) -> None:
        """The household leaves: people placed are re-matched, matches in hand go back to waiting."""
        model = self.model
        household = self.stage in CarerStage.HOUSEHOLDS
        for ref in list(self.placed):
            ref.rematch()
        if self.reserved:
            referrals = model.registry.referrals
            for stage in (ReferralStage.MATCHING, ReferralStage.INTRODUCTIONS):
                for ref in list(referrals[stage].values()):
                    if ref.carer is self:
                        self.unhold(ref)
                        ref.decline("carer_left")
        del model.registry.carers[self.stage][self.unique_id]
        self.stage = CarerStage.LEFT
        if self.worker is not None:
            self.worker.hand_over(self)
        flow = "carer_exits" if household else "pipeline_dropouts"
        model.registry.record(model.week, "carer_exit", flow, carer=self.unique_id, detail=reason)
        self.remove()

    def give_notice(self, weeks: int) -> None:
        """The household will retire in ``weeks``: it takes nobody new, and the people placed with it
        are handed over to other households meanwhile (:func:`slsim.simulation.processes.carers.hand_over`)."""
        self.leaving_week = self.model.week + weeks
        self.model.registry.record(self.model.week, "carer_notice", carer=self.unique_id, detail="retirement")

    # -- state ------------------------------------------------------------
    @property
    def free_places(self) -> float:
        """Room left, in places (a short break takes a share of one)."""
        return self.free_slots / self.model.slots_per_place

    @property
    def load(self) -> float:
        """Share of the household's room taken by people placed and matches in hand, 0-1."""
        return 1.0 - self.free_slots / (self.capacity * self.model.slots_per_place)

    def hold(self, referral) -> None:
        """Room held for ``referral`` while matching and introductions go on."""
        self.reserved += 1
        self._claim(referral)

    def unhold(self, referral) -> None:
        """The room held for ``referral`` is released (placed, declined, withdrawn or the carer left)."""
        self.reserved -= 1
        self.free_slots += referral.taken

    def _claim(self, referral) -> None:
        """Room taken for ``referral``: its slots, or every free slot for someone who lives alone."""
        referral.taken = self.free_slots if referral.alone else referral.slots
        self.free_slots -= referral.taken

    def has_room_for(self, referral) -> bool:
        """Room for ``referral``: its slots free, and for someone who lives alone (a live-in
        person of referrals.live_in_alone_from_band or above) nobody else placed or held.
        Matching applies the same rule inline (:func:`slsim.simulation.processes.matching.candidates`)."""
        return self.free_slots >= referral.slots and (not referral.alone or self.free_slots == self.full_slots)

    def can_support(self, referral) -> bool:
        """Household make-up fits the person (ignores free places).

        Matching applies the same rule inline, for speed
        (:func:`slsim.simulation.processes.matching.candidates`); tests hold the two together.
        """
        return (
            referral.arrangement in self.offers
            and referral.need in self.skills
            and referral.complexity <= self.max_complexity
        )

    def take(self, referral) -> None:
        """A person placed with the household; an approved household becomes active."""
        self.placed.append(referral)
        self._claim(referral)
        if referral.arrangement == "live_in":
            self.live_in_count += 1
        if self.stage == CarerStage.APPROVED:
            self.move_to(CarerStage.ACTIVE)

    def let_go(self, referral) -> None:
        """A person's arrangement with the household ended; with nobody left it is approved again."""
        self.placed.remove(referral)
        self.free_slots += referral.taken
        if referral.arrangement == "live_in":
            self.live_in_count -= 1
        if not self.placed and self.stage == CarerStage.ACTIVE:
            self.move_to(CarerStage.APPROVED)
        self.model.registry.opened.append(self)

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
        target = w.target_base + self.temperament - w.workload_weight * self.load
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
        - workload_weight * (load - 0.5)   (load: share of the household's room taken)
        - support_weight * (1 - monitoring coverage)
        + breaks_weight * paid_break_weeks / 6   (households with someone live-in)
        + shift (pandemic: -satisfaction_drop * size; carer support lever: +boost)
    clipped to [0, 1]; satisfaction closes ``satisfaction_adjust_per_week`` of the gap.
    """

    __slots__ = (
        "target_base",
        "workload_weight",
        "breaks",
        "adjust",
        "year",
        "base_exit",
        "retire_at_70",
        "age_slope",
        "dissatisfied",
        "idle",
        "random",
    )

    def __init__(
        self,
        cp,
        real_fee_index: float,
        coverage: float,
        random,
        *,
        shift=0.0,
        paid_break_weeks=None,
        retirement_factor=1.0,
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
    if source == "initial":  # a household approved years ago: the stock's older age profile
        age = min(cp.initial_age_max, max(cp.age_min, rnd.gauss(cp.initial_age_mean, cp.initial_age_sd)))
    else:
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
