"""A council social worker who decides whether to refer a person to Shared Lives.

Awareness of Shared Lives (0-1) fades without contact and is raised by scheme
outreach and by champion colleagues; trust (0-1) moves up when a referral is
placed and down when the person is routed elsewhere ("success breeds
success"). The chance of referring is a logistic function of awareness, trust
and the team's "Shared Lives considered by default" policy; in a crisis it is
scaled by the teams' confidence that the scheme can place someone within days
(``crisis_confidence``, learnt from crisis referrals placed or routed
elsewhere: :meth:`slsim.simulation.model.SharedLivesModel.observe_crisis`). After
``champion_after_successes`` placements the worker champions Shared Lives to
colleagues. A leaver (``leave_post``) is replaced in the same place of the
team by a newcomer with low awareness (:mod:`slsim.simulation.processes.social_work`).
"""

import math

import mesa


class SocialWorker(mesa.Agent):
    def __init__(self, model, *, team, awareness, trust, joined_week=None):
        super().__init__(model)
        self.team = team  # team name
        self.awareness = awareness
        self.trust = trust
        self.successes = 0  # referrals placed
        self.failures = 0  # referrals routed elsewhere
        self.joined_week = model.week if joined_week is None else int(joined_week)
        self.champion = False
        self.in_post = True  # False once the worker has left

    @property
    def tenure_weeks(self) -> int:
        return self.model.week - self.joined_week

    def refer_probability(
        self, sw, crisis: bool, crisis_confidence: float, sl_by_default: bool, bonus: float = 0.0
    ) -> float:
        x = (
            bonus  # levers: co-location, a simple referral route (log-odds)
            + sw.refer_intercept
            + sw.refer_awareness_weight * self.awareness
            + sw.refer_trust_weight * (self.trust - 0.5)
            + (sw.refer_default_weight if sl_by_default else 0.0)
        )
        p = 1.0 / (1.0 + math.exp(-x))
        if crisis:
            p *= crisis_confidence
        return p

    def decide_to_refer(self, sw, crisis, crisis_confidence, sl_by_default, bonus=0.0) -> bool:
        return self.random.random() < self.refer_probability(sw, crisis, crisis_confidence, sl_by_default, bonus)

    def hear_about_shared_lives(self, gain: float) -> None:
        """A contact (outreach, a champion) closes part of the gap to full awareness."""
        self.awareness += gain * (1.0 - self.awareness)

    def forget(self, keep: float) -> None:
        self.awareness *= keep

    def learn_placed(self, sw, champion_after: int) -> None:
        self.successes += 1
        self.trust += sw.trust_learning_rate * (1.0 - self.trust)
        self.hear_about_shared_lives(sw.trust_learning_rate)
        if self.successes >= champion_after:
            self.champion = True

    def leave_post(self) -> None:
        """The worker leaves the council (turnover); people they referred no longer teach them."""
        self.in_post = False
        self.remove()

    def learn_routed_elsewhere(self, sw) -> None:
        self.failures += 1
        self.trust -= sw.trust_learning_rate * self.trust
