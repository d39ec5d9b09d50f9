"""A person referred to the scheme, from referral to the end of their arrangement.

Stage: referred (waiting for a compatible carer with a free place) -> matching
(the scheme exchanges information with one carer) -> introductions (visits;
both sides must then agree) -> arranged -> ended (planned, breakdown, death,
carer left); or withdrawn (routed elsewhere) when the wait exceeds the
person's tolerance. A declined match sends the person back to referred, and
that carer is not proposed again.
"""

import math

import mesa

from simulation.stages import CarerStage, ReferralStage
from simulation.units import WEEKS_PER_YEAR

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
        self.scan_version = -1  # supply version last searched at
        self.arranged_week = None
        self.end_rate = 0.0  # yearly planned-end + death hazard, set when arranged
        self._death = 0.0

    # -- waiting ------------------------------------------------------------
    @property
    def weeks_waiting(self) -> int:
        return self.model.week - self.referred_week

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
        death = rp.death_per_year * (rp.death_multiplier_older if self.need in OLDER_NEEDS else 1.0)
        self.end_rate = rp.planned_end_per_year.get(self.arrangement) + death
        self._death = death

    def ending(self, rp, coverage: float, carer_satisfaction: float):
        """Reason the arrangement ends this week, or None (planned/breakdown/death)."""
        unsupported = 1.0 + rp.breakdown_unsupported_multiplier * (1.0 - coverage)
        dissatisfied = 1.0 + rp.breakdown_dissatisfied_multiplier * max(0.0, 0.5 - carer_satisfaction)
        breakdown = rp.breakdown_per_year * unsupported * dissatisfied
        total = self.end_rate + breakdown
        if self.random.random() >= -math.expm1(-total / WEEKS_PER_YEAR):
            return None
        pick = self.random.random() * total
        if pick < breakdown:
            return "breakdown"
        return "death" if pick < breakdown + self._death else "planned"
