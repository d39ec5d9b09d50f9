"""The council's commissioner: an annual review that may fund scheme-worker posts.

In the baseline the commissioner never invests. Levers give it reasons to
(:meth:`slsim.simulation.conditions.Conditions.investment_probability`): a
commissioner who pushes for growth, a manager whose advocacy wins support,
and a business case whose strength grows with the savings measured over the
last year. An investment funds ``council.posts_per_investment`` posts for
``council.investment_years``, up to ``council.max_extra_posts`` at once; the
posts go when the money ends.
"""

import mesa

from slsim.simulation.units import weeks


class Commissioner(mesa.Agent):
    def __init__(self, model):
        super().__init__(model)
        self.investments = 0
        self.funding = []  # (week the money ends, posts) of each investment

    def review(self, conditions, council, savings_last_year: float) -> int:
        """Decide this year's investment; returns the number of posts funded."""
        p = conditions.investment_probability(savings_last_year)
        if p <= 0.0:
            return 0  # no reason to invest: no random draw, the baseline is untouched
        room = council.max_extra_posts - self.posts_now()
        if room <= 0 or self.random.random() >= p:
            return 0
        n = min(council.posts_per_investment, room)
        self.funding.append((self.model.week + weeks(council.investment_years), n))
        conditions.posts_may_change = True
        self.investments += 1
        return n

    def posts_now(self) -> int:
        """Posts the council pays for this week."""
        week = self.model.week
        return sum(n for end, n in self.funding if end > week)

    def funding_ends(self, week: int) -> bool:
        return any(end == week for end, _ in self.funding)

    def funded_posts(self) -> int:
        """Posts the council pays for this week, forgetting investments that have ended."""
        week = self.model.week
        self.funding = [(end, n) for end, n in self.funding if end > week]
        return sum(n for _, n in self.funding)
