"""Scheme staff: the registered manager, scheme workers and recruitment officers.

Each has contracted hours; a share is productive casework time, scaled by the
manager's leadership. Scheme workers hold a caseload of carer households
(allocated at approval to the worker with the fewest). The team spends its
pooled frontline hours by priority each week (see
:func:`simulation.time_budget.allocate_staff_time`): monitoring first, then
matching and introductions, then carer enquiries and assessments, then outreach
and recruitment with what is left. Recruitment officers' hours go to carer
recruitment only; outreach officers (bought by an investment event) spend
theirs on outreach to social-work teams only.
"""

import mesa

from simulation.stages import Role

# posts whose hours are reserved for one activity; everyone else's go to the frontline pool
RESERVED_FOR = {Role.RECRUITMENT_OFFICER: "recruitment", Role.OUTREACH_OFFICER: "outreach"}


class SchemeStaff(mesa.Agent):
    def __init__(self, model, *, role, hours_per_week, frontline_share=1.0, leadership=0.5, funder="core"):
        super().__init__(model)
        self.role = role
        self.funder = funder  # core, lever:<name>, investment:<event>, council
        self.hours_per_week = hours_per_week
        self.frontline_share = frontline_share  # share of productive hours on frontline work
        self.leadership = leadership  # manager's leadership quality, 0-1
        self.caseload = {}  # carer unique_id -> Carer (scheme workers)

    def productive_hours(self, productive_share: float, efficiency: float) -> float:
        return self.hours_per_week * productive_share * efficiency

    def week_hours(self, productive_share: float, efficiency: float) -> tuple:
        """(use, hours) this week: ``frontline`` (monitoring, matching, assessments, growth work;
        the manager's frontline share of it), or ``recruitment`` / ``outreach`` for reserved posts."""
        hours = self.productive_hours(productive_share, efficiency)
        use = RESERVED_FOR.get(self.role)
        return (use, hours) if use else ("frontline", hours * self.frontline_share)

    def take_on(self, carer) -> None:
        self.caseload[carer.unique_id] = carer
        carer.worker = self

    def hand_over(self, carer) -> None:
        self.caseload.pop(carer.unique_id, None)
        carer.worker = None
