"""A person referred to the scheme, from referral to the end of their arrangement.

Stage: referred (waiting for a compatible carer with a free place) -> matching
(the scheme exchanges information with one carer) -> introductions (visits;
both sides must then agree) -> arranged -> ended (planned, breakdown, death,
or back to referred when the carer leaves, to be matched again); or withdrawn (routed elsewhere) when the wait exceeds the
person's tolerance. A declined match sends the person back to referred, and
that carer is not proposed again.

The person's verbs change its own state, its carer's and the model's registry
(:class:`slsim.simulation.registry.Registry`): ``refer`` (a new referral),
``propose_to`` (a carer for matching), ``introduce``, ``place``,
``decline`` (back to waiting), ``withdraw``, ``release`` (an arrangement
ends), ``end``, ``rematch`` (the carer left). The processes in
:mod:`slsim.simulation.processes` call them in the step order.
"""

import heapq

import math

import mesa

from slsim.simulation.stages import CarerStage, ReferralStage
from slsim.simulation.units import WEEKS_PER_YEAR

OLDER_NEEDS = frozenset({"older_age", "dementia", "ld_dementia"})


class Referral(mesa.Agent):
    """One person needing support, referred by a social worker (or placed at initialisation)."""

    def __init__(
        self,
        model,
        *,
        need,
        complexity,
        arrangement,
        crisis,
        team,
        referrer,
        tolerance_weeks,
        stage=ReferralStage.REFERRED,
    ):
        super().__init__(model)
        self.need = need
        self.complexity = complexity  # 1-3
        self.arrangement = arrangement  # live_in, short_break, day_support
        self.crisis = crisis  # True: crisis, False: planned
        self.slots = model.slots[arrangement]  # room it takes in a household, in slots
        self.alone = model.lives_alone(arrangement, complexity)  # the household's only person
        self.taken = 0  # slots held or taken in its household (all the household's free slots if alone)
        self.team = team  # referring team name ("" at initialisation)
        self.referrer = referrer  # the SocialWorker who referred (None at initialisation)
        self.stage = stage
        self.referred_week = model.week
        self.withdraw_week = model.week + tolerance_weeks
        self.carer = None  # the carer in matching, introductions or arrangement
        self.linked_carer = None  # a foster carer transitioning with this young person
        self.excluded = set()  # carer ids that declined or were declined
        self.work_weeks = 0
        self.served = False
        self.scan_version = -1  # length of the model's opened-places log at the last search (-1: search all)
        self.arranged_week = None
        self.arrangement_no = 0  # arrangements this person has had (a carer leaving means another)
        self.end_rate = 0.0  # yearly planned-end + death hazard, set when arranged
        self._death = 0.0

    # -- verbs -----------------------------------------------------------------
    @classmethod
    def refer(cls, model, person: dict, team: str, worker, tolerance_weeks: int, route="social_worker") -> "Referral":
        """A social worker of ``team`` refers ``person``; they wait up to ``tolerance_weeks``.
        ``route``: how the referral came (:data:`slsim.simulation.events.REFERRAL_ROUTES`)."""
        ref = cls(model, **person, team=team, referrer=worker, tolerance_weeks=tolerance_weeks)
        reg = model.registry
        reg.referrals[ReferralStage.REFERRED][ref.unique_id] = ref
        reg.referred_total += 1
        reg.referral_log.record(model.week, ref, route)
        reg.record(
            model.week,
            "referral",
            "referrals",
            referral=ref.unique_id,
            social_worker=worker.unique_id,
            team=team,
            detail=ref.arrangement,
        )
        return ref

    @classmethod
    def placed_at_start(cls, model, person: dict, carer) -> "Referral":
        """Someone already living with (or visiting) ``carer`` when the run starts, settled in."""
        ref = cls(model, **person, team="", referrer=None, tolerance_weeks=0, stage=ReferralStage.ARRANGED)
        model.registry.initial_people += 1
        model.registry.referrals[ReferralStage.ARRANGED][ref.unique_id] = ref
        ref._arrange(carer, "initial")
        ref.arranged_week = model.week - model.p.workload.new_arrangement_weeks
        return ref

    def move_to(self, stage) -> None:
        """Into ``stage``'s registry; this week's hours were for the old stage."""
        referrals = self.model.registry.referrals
        del referrals[self.stage][self.unique_id]
        self.stage = stage
        self.served = False
        referrals[stage][self.unique_id] = self

    def propose_to(self, carer) -> None:
        """Matching starts with ``carer``, who holds a place for this person meanwhile."""
        carer.hold(self)
        self.carer = carer
        self.work_weeks = 0
        self.move_to(ReferralStage.MATCHING)
        self.model.registry.record(self.model.week, "matching_start", referral=self.unique_id, carer=carer.unique_id)

    def introduce(self) -> None:
        """Matching done: introductions (visits) start."""
        self.work_weeks = 0
        self.move_to(ReferralStage.INTRODUCTIONS)
        self.model.registry.record(
            self.model.week, "introductions_start", referral=self.unique_id, carer=self.carer.unique_id
        )

    def place(self) -> None:
        """Both sides agreed after introductions: the arrangement starts; the referrer learns."""
        model = self.model
        self.move_to(ReferralStage.ARRANGED)
        self._arrange(self.carer, self.arrangement, flow="placements")
        model.observe_wait(model.week - self.referred_week)
        if self.crisis:
            model.observe_crisis(placed=True)
        if self.referrer is not None and self.referrer.in_post:
            self.referrer.learn_placed(model.p.social_work, model.conditions.champion_after)

    def _arrange(self, carer, detail: str, flow: str | None = None) -> None:
        model, reg = self.model, self.model.registry
        self.carer = carer
        self.arranged_week = model.week
        self.set_end_rate(model.p.referrals)
        self.arrangement_no += 1
        scheduled = self.schedule_end(model.rng, model.week)
        if scheduled is not None:
            heapq.heappush(reg.scheduled_ends, (scheduled[0], self.unique_id, self.arrangement_no, scheduled[1]))
        carer.take(self)
        reg.people_by_kind[self.arrangement] += 1
        reg.people_by_need[self.need] += 1
        reg.record(model.week, "placement", flow, referral=self.unique_id, carer=carer.unique_id, detail=detail)

    def decline(self, detail: str) -> None:
        """The match fell through (declined, or the carer left): back to waiting, that carer excluded."""
        carer = self.carer
        self.excluded.add(carer.unique_id)
        self.carer = None
        self.work_weeks = 0
        self.scan_version = -1
        self.move_to(ReferralStage.REFERRED)
        reg = self.model.registry
        reg.opened.append(carer)
        reg.record(self.model.week, "match_declined", referral=self.unique_id, carer=carer.unique_id, detail=detail)

    def withdraw(self) -> None:
        """Routed elsewhere after waiting past tolerance (a carer in matching gets the place back)."""
        model, reg = self.model, self.model.registry
        if self.carer is not None:
            self.carer.unhold(self)
            reg.opened.append(self.carer)
            self.carer = None
        self._close(ReferralStage.WITHDRAWN)
        reg.count("withdrawals")
        model.observe_wait(model.week - self.referred_week)
        if self.crisis:
            model.observe_crisis(placed=False)
        reg.record(model.week, "withdrawal", referral=self.unique_id, team=self.team)
        if self.referrer is not None and self.referrer.in_post:
            self.referrer.learn_routed_elsewhere(model.p.social_work)

    def release(self, reason: str) -> None:
        """The arrangement ends (``reason``): the carer's place opens."""
        carer, reg = self.carer, self.model.registry
        carer.let_go(self)
        reg.people_by_kind[self.arrangement] -= 1
        reg.people_by_need[self.need] -= 1
        reg.record(
            self.model.week,
            "arrangement_end",
            "arrangements_ended",
            referral=self.unique_id,
            carer=carer.unique_id,
            detail=reason,
        )

    def hand_over_to(self, carer) -> None:
        """A planned move from a retiring household to ``carer``, introductions done during the
        notice: the arrangement moves with no wait and no referral."""
        old = self.carer
        self.release("handover")
        self.excluded.add(old.unique_id)
        self._arrange(carer, "handover")

    def end(self, reason: str) -> None:
        """The arrangement ends and so does the person's time with the scheme."""
        self.release(reason)
        self._close(ReferralStage.ENDED)
        if reason == "breakdown":
            self.model.registry.count("breakdowns")

    def rematch(self) -> None:
        """The carer left: the arrangement ends and the person waits to be matched again."""
        model, reg = self.model, self.model.registry
        carer = self.carer
        self.release("carer_left")
        self.excluded.add(carer.unique_id)
        self.carer = None
        self.work_weeks = 0
        self.scan_version = -1
        self.crisis = False
        self.referred_week = model.week
        self.withdraw_week = model.week + model.p.referrals.planned_wait_tolerance_weeks
        self.move_to(ReferralStage.REFERRED)
        reg.record(
            model.week, "referral", "rematch_referrals", referral=self.unique_id, team=self.team, detail="rematch"
        )

    def _close(self, stage) -> None:
        reg = self.model.registry
        del reg.referrals[self.stage][self.unique_id]
        self.stage = stage
        self.carer = None
        reg.closed[stage] += 1
        self.remove()

    # -- questions ---------------------------------------------------------------
    def gives_up(self) -> bool:
        """Routed elsewhere: the wait has passed the person's tolerance."""
        return self.model.week > self.withdraw_week

    def choose_carer(self, candidates):
        """Pick among compatible carers with a free place (a linked foster carer first)."""
        linked = self.linked_carer
        if linked is not None:
            if linked in candidates:
                return linked
            if linked.stage in CarerStage.PIPELINE:
                return None  # wait for the foster carer's approval
        return self.random.choice(candidates) if candidates else None

    # -- matching and introductions -----------------------------------------
    def progress(self, weeks_needed: int) -> bool:
        """Count a served week of matching/introductions; True when the stage is complete."""
        if self.served:
            self.work_weeks += 1
        return self.work_weeks >= weeks_needed

    def agree_to_match(self, p_agree: float) -> bool:
        return self.random.random() < p_agree

    # -- arrangement ----------------------------------------------------------
    def set_end_rate(self, rp) -> None:
        """Yearly hazards of a planned ending and of death, constant over the arrangement."""
        death = rp.death_per_year * (rp.death_multiplier_older if self.need in OLDER_NEEDS else 1.0)
        self.end_rate = rp.planned_end_per_year.get(self.arrangement) + death
        self._death = death

    def schedule_end(self, rng, week: int):
        """Draw the week and kind of this arrangement's planned ending or death.

        The hazard is constant, so the first week with an event is geometric: exactly
        the same as drawing a weekly Bernoulli from the placement week on.
        Returns (week, reason) or None when the hazard is zero.
        """
        if self.end_rate <= 0.0:
            return None
        weeks = int(rng.geometric(-math.expm1(-self.end_rate / WEEKS_PER_YEAR)))
        reason = "death" if self.random.random() * self.end_rate < self._death else "planned"
        return week + weeks - 1, reason

    def breaks_down(self, w: "ArrangementWeek") -> bool:
        """Given this arrangement is a thinning candidate (drawn at the upper-bound
        hazard), does it break down? Accept with p(actual) / p(upper)."""
        d = 0.5 - self.carer.satisfaction
        hazard = w.breakdown * (1.0 + w.dissatisfied_mult * (d if d > 0.0 else 0.0))
        return self.random.random() * w.p_upper < -math.expm1(-hazard / WEEKS_PER_YEAR)


class ArrangementWeek:
    """This week's breakdown conditions, computed once per week.

    Yearly breakdown hazard of an arrangement = breakdown_per_year
    * (1 + breakdown_unsupported_multiplier * (1 - monitoring coverage))
    * (1 + breakdown_dissatisfied_multiplier * max(0, 0.5 - carer satisfaction)).
    ``p_upper`` is the weekly probability at the largest value that can take
    this week (carer satisfaction 0), used for thinning.
    """

    __slots__ = ("breakdown", "dissatisfied_mult", "p_upper")

    def __init__(self, rp, coverage: float):
        self.breakdown = rp.breakdown_per_year * (1.0 + rp.breakdown_unsupported_multiplier * (1.0 - coverage))
        self.dissatisfied_mult = rp.breakdown_dissatisfied_multiplier
        upper = self.breakdown * (1.0 + 0.5 * self.dissatisfied_mult)
        self.p_upper = -math.expm1(-upper / WEEKS_PER_YEAR)
