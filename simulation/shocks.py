"""Investments and shocks: events that act in a window of weeks (``shocks.events``).

Each event has a kind, a :class:`~slsim.simulation.window.Window` (``start_week``,
``duration_weeks``), a size and, for investments and funding cuts, a post.
Each week the active events of each kind add up:

* ``pandemic`` – severity (0-1): fewer support decisions and enquiries, more
  monitoring, carers less satisfied (``shocks.pandemic``);
* ``cost_of_living`` – extra inflation a year (fees fall behind prices);
* ``sw_turnover_spike`` – social-worker turnover x (1 + size);
* ``carer_retirement_wave`` – carers' retirement hazard x (1 + size);
* ``funding_cut`` – core posts of ``post`` removed while it lasts;
* ``referral_complexity`` – referrals grow more complex: the log-weight of
  complexity band b shifts by ``size x years since the event started x (b - 2)``,
  and the shift reached stays after the event ends;
* ``investment`` – GBP a year buying whole posts of ``post`` (the funding
  cliff comes when it ends).

With no events nothing here changes a value, so the baseline is untouched;
an event of size 0 gives exactly the baseline run.
"""

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Dict

from omegaconf import MISSING

from slsim.simulation.categories import ARRANGEMENTS
from slsim.simulation.mixes import PerArrangement
from slsim.simulation.stages import Role
from slsim.simulation.units import WEEKS_PER_YEAR
from slsim.simulation.validation import (
    HAZARD_MAX,
    MAX_EVENTS,
    MAX_INVESTMENT_GBP,
    WEEKS_MAX,
    ConfigError,
    _Sealed,
    _V,
    _walk,
)
from slsim.simulation.window import Window


# --------------------------------------------------------------------------
# the parameters of events (``shocks.*``)
# --------------------------------------------------------------------------
SHOCK_KINDS = (
    "investment",  # size: GBP per year spent on posts of `post` at their unit cost
    "pandemic",  # size: severity (1 = day services withdrawn as in 2020)
    "cost_of_living",  # size: extra inflation per year above the baseline
    "sw_turnover_spike",  # size: relative increase of social-worker turnover
    "carer_retirement_wave",  # size: relative increase of the retirement hazard
    "funding_cut",  # size: scheme-worker posts removed
    "referral_complexity",  # size: yearly shift of the log-weights of complexity bands toward band 3
)
# the largest size of each kind (base/shocks.yaml): it keeps a run finite, in memory and quick
SHOCK_SIZE_MAX = {
    "investment": MAX_INVESTMENT_GBP,  # GBP a year (posts bought: at most MAX_BOUGHT_POSTS in all)
    "pandemic": 10.0,  # ten times the 2020 severity
    "cost_of_living": 1.0,  # 100% a year of extra inflation
    "sw_turnover_spike": 5.0,  # turnover six times its rate
    "carer_retirement_wave": 10.0,  # retirement hazard eleven times its rate
    "funding_cut": 250.0,  # posts: every scheme-worker (200) or recruitment (50) post
    "referral_complexity": 2.0,  # log-weight a year: band 3 x e^2 (7.4 times) against band 2 after a year
}
POSTS = ("scheme_worker", "recruitment_officer", "outreach_officer")  # what an investment can buy
CUT_POSTS = ("scheme_worker", "recruitment_officer")  # the scheme's own posts, which a funding cut can remove


@dataclass
class ShockEvent(_Sealed):
    kind: str = MISSING
    start_week: int = MISSING
    duration_weeks: int = MISSING
    size: float = MISSING
    post: str = "scheme_worker"  # investment and funding_cut: which post

    def check(self, v: _V):
        if self.kind not in SHOCK_KINDS:
            v.fail("kind", f"one of {', '.join(SHOCK_KINDS)}")
        v.range("start_week", 1, WEEKS_MAX, integer=True)
        v.range("duration_weeks", 1, WEEKS_MAX, integer=True)
        v.non_negative("size", hi=SHOCK_SIZE_MAX[self.kind])
        if self.post not in POSTS:
            v.fail("post", f"one of {', '.join(POSTS)}")
        if self.kind == "funding_cut" and self.post not in CUT_POSTS:
            v.fail("post", f"one of {', '.join(CUT_POSTS)} for funding_cut (the scheme's own posts)")
        if self.kind == "funding_cut" and self.size != int(self.size):
            v.fail("size", "a whole number of posts for funding_cut")

    @property
    def end_week(self) -> int:
        """First week after the event: it acts in weeks start_week .. end_week - 1."""
        return self.start_week + self.duration_weeks

    def active(self, week: int) -> bool:
        return self.start_week <= week < self.start_week + self.duration_weeks


@dataclass
class PandemicEffects(_Sealed):
    satisfaction_drop: float = MISSING
    decision_reduction: float = MISSING
    enquiry_reduction: float = MISSING
    monitoring_increase: float = MISSING
    referral_change: PerArrangement = MISSING
    paused_per_year: PerArrangement = MISSING
    day_support_lasting_loss: float = MISSING

    def check(self, v: _V):
        v.probs("satisfaction_drop", "decision_reduction", "enquiry_reduction", "day_support_lasting_loss")
        v.non_negative("monitoring_increase", hi=10.0)
        v.sub("referral_change").range("live_in", -1.0, 1.0)
        v.sub("referral_change").range("short_break", -1.0, 1.0)
        v.sub("referral_change").range("day_support", -1.0, 1.0)
        v.sub("paused_per_year").non_negative(*ARRANGEMENTS, hi=HAZARD_MAX)


@dataclass
class ShocksParams(_Sealed):
    # an open mapping in the schema (OmegaConf cannot add a new entry to a
    # Dict[str, dataclass] from the command line); each entry is built into a
    # ShockEvent here, refusing unknown and missing keys
    events: Dict[str, Any] = MISSING
    pandemic: PandemicEffects = MISSING
    scale: float = 1.0  # every event's size is multiplied by it (funding_cut posts rounded half up)

    def __post_init__(self):
        _V(self, "shocks").range("scale", 0.0, 100.0)
        if len(self.events) > MAX_EVENTS:
            raise ConfigError(f"shocks.events: {len(self.events)} events; allowed at most {MAX_EVENTS}")
        built = {}
        for name, raw in dict(self.events).items():
            event = raw if isinstance(raw, ShockEvent) else _build_event(name, raw)
            _walk(event, f"shocks.events.{name}")  # before scaling: the size as given must be a number
            if self.scale != 1.0 and not isinstance(raw, ShockEvent):
                size = event.size * self.scale
                event = dataclasses.replace(
                    event, size=float(math.floor(size + 0.5)) if event.kind == "funding_cut" else size
                )
            built[name] = event
        object.__setattr__(self, "events", MappingProxyType(built))
        super().__post_init__()


_EVENT_FIELDS = ("kind", "start_week", "duration_weeks", "size", "post")
_EVENT_REQUIRED = ("kind", "start_week", "duration_weeks", "size")


def _build_event(name: str, raw) -> ShockEvent:
    where = f"shocks.events.{name}"
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}={raw!r}: must be a mapping with keys {', '.join(_EVENT_FIELDS)}")
    for key in raw:
        if key not in _EVENT_FIELDS:
            raise ConfigError(f"{where}.{key}: unknown key (allowed keys: {', '.join(_EVENT_FIELDS)})")
    for key in _EVENT_REQUIRED:
        if key not in raw:
            raise ConfigError(f"{where}.{key}: missing (an event needs {', '.join(_EVENT_REQUIRED)})")
    values = dict(raw)
    size = values["size"]
    # sizes are numbers; keep the weekly columns float (a huge integer is left for the range check)
    if isinstance(size, int) and not isinstance(size, bool) and abs(size) <= 2**53:
        values["size"] = float(size)
    return ShockEvent(**values)


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
        self.pandemic_after = 0.0  # severity of pandemics that have ended (lasting effects)
        self.complexity_shift = 0.0  # log-weight shift of referrals' complexity bands (lasting)
        self.extra_inflation = 0.0  # a year
        self.turnover_factor = 1.0
        self.retirement_factor = 1.0
        self.cuts = {}  # role -> posts removed this week
        self.cut_posts = 0  # posts removed this week (all roles)

    def change_weeks(self) -> set:
        """Weeks in which the posts the events pay for or cut can change."""
        return {x for _, _, w in self.events for x in (w.start_week, w.end_week)}

    def add(self, events: dict) -> None:
        """Events added to a running model (name -> ShockEvent), after those it has."""
        self.events += tuple((name, e, window(e)) for name, e in events.items())

    def begin_week(self, week: int) -> None:
        if not self.events:
            return
        events = [e for _, e, w in self.events if w.active(week)]
        self.pandemic = sum((e.size for e in events if e.kind == "pandemic"), 0.0)
        self.pandemic_after = sum(
            (e.size for _, e, w in self.events if e.kind == "pandemic" and w.end_week <= week), 0.0
        )
        self.complexity_shift = sum(
            (
                e.size * (min(week, w.end_week) - w.start_week) / WEEKS_PER_YEAR
                for _, e, w in self.events
                if e.kind == "referral_complexity" and week >= w.start_week
            ),
            0.0,
        )
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
