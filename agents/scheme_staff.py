"""Scheme staff: the registered manager, scheme workers and recruitment officers.

Each has contracted hours; a share is productive casework time, scaled by the
manager's leadership. Scheme workers hold a caseload of carer households
(allocated at approval to the worker with the fewest). The team spends its
pooled frontline hours by priority each week (see
:func:`slsim.simulation.processes.staff_time.allocate_staff_time`): monitoring first, then
matching and introductions, then carer enquiries and assessments, then outreach
and recruitment with what is left. Recruitment officers' hours go to the carer
pipeline only (the enquiries and assessments first when ``scheme.recruitment_officers_assess``,
then recruitment); outreach officers (bought by an investment event) spend
theirs on outreach to social-work teams only.
"""

import mesa

from slsim.simulation.stages import Role
from slsim.simulation.units import WEEKS_PER_YEAR

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

    def leave_post(self) -> None:
        """The post goes (its funding ended or was cut): households are handed back for reallocation."""
        self.model.staff.remove(self)
        for carer in list(self.caseload.values()):
            self.hand_over(carer)
        self.remove()

    def take_on(self, carer) -> None:
        self.caseload[carer.unique_id] = carer
        carer.worker = self

    def hand_over(self, carer) -> None:
        self.caseload.pop(carer.unique_id, None)
        carer.worker = None


class StaffList(list):
    """The scheme team in post (a list of :class:`SchemeStaff`, in order of appointment).

    ``version`` changes whenever posts are created or removed, so the cost of
    the team is computed once per change (:meth:`cost_per_week`)."""

    def __init__(self, members=()):
        super().__init__(members)
        self.version = 0
        self._costs = {}

    @property
    def scheme_workers(self) -> list:
        return [s for s in self if s.role == Role.SCHEME_WORKER]

    def changed(self) -> None:
        self.version += 1

    def cost_per_week(self, unit_costs: dict, funder_prefix: str = "") -> float:
        """Cost of the posts in post this week (optionally of one funder), GBP; ``unit_costs``: GBP/year by role."""
        key = (len(self), self.version, funder_prefix)
        cached = self._costs.get(key)
        if cached is None:
            cached = sum(unit_costs[s.role] for s in self if s.funder.startswith(funder_prefix)) / WEEKS_PER_YEAR
            self._costs = {k: v for k, v in self._costs.items() if k[:2] == key[:2]}
            self._costs[key] = cached
        return cached
