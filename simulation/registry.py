"""Who is where and what happened: the model's one ledger.

The agents' verbs keep it up to date as things happen, so nothing rescans all
agents to find a stage:

* ``carers[stage]`` and ``referrals[stage]``: dicts keyed by ``unique_id``
  (insertion-ordered, so iteration is deterministic), one per open stage;
* ``closed``: how many referrals ended or were withdrawn;
* ``flows``: this week's counts (keys: :data:`slsim.simulation.outputs.FLOWS`),
  reset at the start of every week;
* ``events``: the event table (:class:`slsim.simulation.events.EventLog`);
* ``referral_log``: one row per referral made (:class:`slsim.simulation.events.ReferralLog`);
* ``opened``: a log of carers where a place may have opened (approval, an
  ending, a release), which matching reads from where it last looked;
* ``scheduled_ends``: a heap of (week, referral id, arrangement number,
  "planned" | "death") drawn at placement;
* tallies of people in arrangement by kind and by need, people placed at
  initialisation and people referred.

:meth:`Registry.record` is the one call that logs an event and counts its
flow, so the event table and the weekly flows cannot disagree.
"""

from slsim.simulation.events import EventLog, ReferralLog
from slsim.simulation.outputs import FLOWS
from slsim.simulation.params import ARRANGEMENTS, NEEDS
from slsim.simulation.stages import CarerStage, ReferralStage


class Registry:
    def __init__(self):
        self.carers = {s: {} for s in CarerStage.ALIVE}
        self.referrals = {s: {} for s in ReferralStage.OPEN}
        self.closed = {ReferralStage.ENDED: 0, ReferralStage.WITHDRAWN: 0}
        self.flows = dict.fromkeys(FLOWS, 0)
        self.events = EventLog()
        self.referral_log = ReferralLog()
        self.opened = []
        self.scheduled_ends = []
        self.people_by_kind = dict.fromkeys(ARRANGEMENTS, 0)
        self.people_by_need = dict.fromkeys(NEEDS, 0)
        self.initial_people = 0  # people placed at initialisation (not referred)
        self.referred_total = 0

    def new_week(self) -> None:
        self.flows = dict.fromkeys(FLOWS, 0)

    def record(self, week: int, event: str, flow: str | None = None, **parties) -> None:
        """Log ``event`` (with the ids and detail in ``parties``) and count one of ``flow``."""
        if flow is not None:
            self.flows[flow] += 1
        self.events.record(week, event, **parties)

    def count(self, flow: str, n: int = 1) -> None:
        """Count ``n`` of ``flow`` without an event (support decisions, council investments)."""
        self.flows[flow] += n

    def households(self) -> int:
        """Approved households: nobody placed, or supporting someone."""
        return len(self.carers[CarerStage.APPROVED]) + len(self.carers[CarerStage.ACTIVE])

    def idle_share(self) -> float:
        """Share of approved households with nobody placed (0 without households)."""
        households = self.households()
        return len(self.carers[CarerStage.APPROVED]) / households if households else 0.0
