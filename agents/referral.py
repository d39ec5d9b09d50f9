"""A person referred to the scheme, from referral to the end of their arrangement.

Stage: referred (waiting for a compatible carer with a free place) -> matching
(the scheme exchanges information with one carer) -> introductions (visits;
both sides must then agree) -> arranged -> ended (planned, breakdown, death,
or back to referred when the carer leaves, to be matched again); or withdrawn (routed elsewhere) when the wait exceeds the
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
        self.scan_version = -1  # length of the model's opened-places log at the last search (-1: search all)
        self.arranged_week = None
        self.arrangement_no = 0  # arrangements this person has had (a carer leaving means another)
        self.end_rate = 0.0  # yearly planned-end + death hazard, set when arranged
        self._death = 0.0

    # -- waiting ------------------------------------------------------------
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
