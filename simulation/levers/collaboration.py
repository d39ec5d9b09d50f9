"""Collaboration with social workers (SASCI 2025, capability 1): levers that change referrals.

* ``colocation`` – scheme staff work alongside some social-work teams: their
  workers meet the scheme at a yearly rate (awareness) and refer more readily;
* ``team_meetings`` – regular meetings with some teams, booked from the team's
  outreach hours when due;
* ``sl_by_default`` – Shared Lives considered by default in some teams' care
  planning;
* ``referral_route`` – a simple referral route and a fast response: referring
  is easier and matching quicker.
"""

from dataclasses import dataclass
from typing import List

from omegaconf import MISSING

from slsim.simulation.levers.base import Lever, LeverParams
from slsim.simulation.units import WEEKS_PER_YEAR, weekly_probability
from slsim.simulation.validation import HOURS_MAX, LOG_ODDS_MAX, _V


@dataclass
class ColocationParams(LeverParams):
    enabled: bool = MISSING
    teams: List[str] = MISSING
    contacts_per_worker_per_year: float = MISSING
    refer_weight: float = MISSING
    annual_cost_gbp: float = MISSING

    def check(self, v: _V):
        super().check(v)
        v.non_negative("contacts_per_worker_per_year", hi=100.0)
        v.non_negative("refer_weight", hi=LOG_ODDS_MAX)


class Colocation(Lever):
    Params = ColocationParams
    name = "colocation"

    def refer_log_odds(self, team: str) -> float:
        return self.p.refer_weight if team in self.p.teams else 0.0

    def contacts(self) -> tuple:
        p_week = weekly_probability(self.p.contacts_per_worker_per_year)
        return tuple((team, p_week) for team in self.p.teams)


@dataclass
class TeamMeetingsParams(LeverParams):
    enabled: bool = MISSING
    teams: List[str] = MISSING
    meetings_per_year: float = MISSING
    hours_per_meeting: float = MISSING
    annual_cost_gbp: float = MISSING

    def check(self, v: _V):
        super().check(v)
        v.range("meetings_per_year", 0.0, float(WEEKS_PER_YEAR))
        v.non_negative("hours_per_meeting", hi=HOURS_MAX)


class TeamMeetings(Lever):
    Params = TeamMeetingsParams
    name = "team_meetings"

    def meetings_due(self, week: int) -> tuple:
        per_week = self.p.meetings_per_year / WEEKS_PER_YEAR  # due when the running count ticks over
        if int(week * per_week) > int((week - 1) * per_week):
            return tuple((team, self.p.hours_per_meeting) for team in self.p.teams)
        return ()


@dataclass
class SlByDefaultParams(LeverParams):
    enabled: bool = MISSING
    teams: List[str] = MISSING
    annual_cost_gbp: float = MISSING


class SlByDefault(Lever):
    Params = SlByDefaultParams
    name = "sl_by_default"

    def by_default(self, team: str) -> bool:
        return team in self.p.teams


@dataclass
class ReferralRouteParams(LeverParams):
    enabled: bool = MISSING
    refer_weight: float = MISSING
    matching_weeks: int = MISSING
    annual_cost_gbp: float = MISSING

    def check(self, v: _V):
        super().check(v)
        v.non_negative("refer_weight", hi=LOG_ODDS_MAX)
        v.range("matching_weeks", 1, WEEKS_PER_YEAR, integer=True)


class ReferralRoute(Lever):
    Params = ReferralRouteParams
    name = "referral_route"

    def refer_log_odds(self, team: str) -> float:
        return self.p.refer_weight

    def matching_weeks(self, weeks: int, week: int) -> int:
        return min(weeks, self.p.matching_weeks)


LEVERS = (Colocation, TeamMeetings, SlByDefault, ReferralRoute)
