"""Investments and shocks: events that act in a window of weeks (``shocks.events``).

Each event has a kind, a :class:`~simulation.window.Window` (``start_week``,
``duration_weeks``), a size and, for investments and funding cuts, a post.
Each week the active events of each kind add up:

* ``pandemic`` – severity (0-1): fewer support decisions and enquiries, more
  monitoring, carers less satisfied (``shocks.pandemic``);
* ``cost_of_living`` – extra inflation a year (fees fall behind prices);
* ``sw_turnover_spike`` – social-worker turnover x (1 + size);
* ``carer_retirement_wave`` – carers' retirement hazard x (1 + size);
* ``funding_cut`` – core posts of ``post`` removed while it lasts;
* ``investment`` – GBP a year buying whole posts of ``post`` (the funding
  cliff comes when it ends).

With no events nothing here changes a value, so the baseline is untouched;
an event of size 0 gives exactly the baseline run.
"""

from simulation.stages import Role
from simulation.window import Window

POST_ROLE = {
    "scheme_worker": Role.SCHEME_WORKER,
    "recruitment_officer": Role.RECRUITMENT_OFFICER,
    "outreach_officer": Role.OUTREACH_OFFICER,
}


def window(event) -> Window:
    return Window(event.start_week, event.duration_weeks)


class Shocks:
    """The events of a run and what the active ones impose this week."""

    def __init__(self, params):
        self.events = tuple((name, e, window(e)) for name, e in params.shocks.events.items())
        self.pandemic = 0.0  # severity this week
        self.extra_inflation = 0.0  # a year
        self.turnover_factor = 1.0
        self.retirement_factor = 1.0
        self.cuts = {}  # role -> posts removed this week
        self.cut_posts = 0  # posts removed this week (all roles)

    def change_weeks(self) -> set:
        """Weeks in which the posts the events pay for or cut can change."""
        return {x for _, _, w in self.events for x in (w.start_week, w.end_week)}

    def begin_week(self, week: int) -> None:
        if not self.events:
            return
        events = [e for _, e, w in self.events if w.active(week)]
        self.pandemic = sum((e.size for e in events if e.kind == "pandemic"), 0.0)
        self.extra_inflation = sum((e.size for e in events if e.kind == "cost_of_living"), 0.0)
        self.turnover_factor = 1.0 + sum(e.size for e in events if e.kind == "sw_turnover_spike")
        self.retirement_factor = 1.0 + sum(e.size for e in events if e.kind == "carer_retirement_wave")
        self.cuts = {}
        for e in events:
            if e.kind == "funding_cut":
                role = POST_ROLE[e.post]
                self.cuts[role] = self.cuts.get(role, 0) + int(e.size)
        self.cut_posts = sum(self.cuts.values())

    def posts(self, week: int, unit_costs: dict) -> dict:
        """{(funder, role): posts} the active investments buy this week (whole posts at their unit cost)."""
        out = {}
        for name, e, w in self.events:
            if e.kind == "investment" and w.active(week):
                role = POST_ROLE[e.post]
                out[(f"investment:{name}", role)] = int(e.size // unit_costs[role]) if unit_costs[role] > 0 else 0
        return out
