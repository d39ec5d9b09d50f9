"""The council's commissioner: an annual review that may fund scheme-worker posts.

In the baseline the commissioner never invests. Three levers give it reasons
to (``Interventions.investment_probability``): a commissioner who pushes for
growth, a manager whose advocacy wins support, and a business case whose
strength grows with the savings measured over the last year. An investment
funds ``council.posts_per_investment`` posts for ``council.investment_years``,
up to ``council.max_extra_posts`` at once; the posts go when the money ends.
"""

import mesa


class Commissioner(mesa.Agent):
    def __init__(self, model):
        super().__init__(model)
        self.investments = 0

    def review(self, interventions, council, savings_last_year: float) -> int:
        """Decide this year's investment; returns the number of posts funded."""
        p = interventions.investment_probability(interventions.evidence(savings_last_year))
        if p <= 0.0:
            return 0  # no reason to invest: no random draw, the baseline is untouched
        room = council.max_extra_posts - interventions.council_posts_now()
        if room <= 0 or self.random.random() >= p:
            return 0
        n = min(council.posts_per_investment, room)
        interventions.council_invests(n)
        self.investments += 1
        return n
