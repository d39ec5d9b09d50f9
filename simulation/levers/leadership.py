"""Leadership at different levels (SASCI 2025, capability 2).

* ``leadership`` – the manager's leadership quality (staff efficiency) and
  advocacy that wins the council's support;
* ``commissioner`` – a commissioner who pushes for growth at the annual review;
* ``sw_champions`` – the most aware social workers of each team champion
  Shared Lives from week 1, and workers become champions sooner;
* ``carer_champions`` – satisfied carers recruit through word of mouth.
"""

from dataclasses import dataclass

from omegaconf import MISSING

from slsim.simulation.levers.base import Lever, LeverParams
from slsim.simulation.units import per_week
from slsim.simulation.validation import MAX_SOCIAL_WORKERS, _V


@dataclass
class LeadershipParams(LeverParams):
    enabled: bool = MISSING
    quality: float = MISSING
    advocacy: float = MISSING
    annual_cost_gbp: float = MISSING

    def check(self, v: _V):
        super().check(v)
        v.probs("quality", "advocacy")


class Leadership(Lever):
    Params = LeadershipParams
    name = "leadership"

    def leadership_quality(self, quality: float) -> float:
        return self.p.quality

    def investment_stay(self, stay: float, savings_last_year: float) -> float:
        return stay * (1.0 - self.p.advocacy)


@dataclass
class CommissionerParams(LeverParams):
    enabled: bool = MISSING
    push: float = MISSING
    annual_cost_gbp: float = MISSING

    def check(self, v: _V):
        super().check(v)
        v.probs("push")


class Commissioner(Lever):
    Params = CommissionerParams
    name = "commissioner"

    def investment_stay(self, stay: float, savings_last_year: float) -> float:
        return stay * (1.0 - self.p.push)


@dataclass
class SwChampionsParams(LeverParams):
    enabled: bool = MISSING
    initial_champions_per_team: int = MISSING
    champion_after_successes: int = MISSING
    contacts_per_year: float = MISSING
    annual_cost_gbp: float = MISSING

    def check(self, v: _V):
        super().check(v)
        v.non_negative("initial_champions_per_team", hi=MAX_SOCIAL_WORKERS, integer=True)
        v.range("champion_after_successes", 1, 1000, integer=True)
        v.non_negative("contacts_per_year", hi=100.0)


class SwChampions(Lever):
    Params = SwChampionsParams
    name = "sw_champions"

    def start(self, model) -> None:
        """The ``initial_champions_per_team`` most aware workers of each team become champions."""
        for workers in model.teams.values():
            for worker in sorted(workers, key=lambda w: (-w.awareness, w.unique_id))[
                : self.p.initial_champions_per_team
            ]:
                worker.champion = True

    def champion_rules(self, rules: tuple) -> tuple:
        return self.p.champion_after_successes, self.p.contacts_per_year


@dataclass
class CarerChampionsParams(LeverParams):
    enabled: bool = MISSING
    champions: int = MISSING
    enquiries_per_champion_per_year: float = MISSING
    annual_cost_gbp: float = MISSING

    def check(self, v: _V):
        super().check(v)
        v.non_negative("champions", hi=100, integer=True)
        v.non_negative("enquiries_per_champion_per_year", hi=50.0)


class CarerChampions(Lever):
    Params = CarerChampionsParams
    name = "carer_champions"

    def champion_enquiries(self) -> tuple:
        return per_week(self.p.enquiries_per_champion_per_year), self.p.champions


LEVERS = (Leadership, Commissioner, SwChampions, CarerChampions)
