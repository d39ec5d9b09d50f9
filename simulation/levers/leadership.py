"""Leadership at different levels (SASCI 2025, capability 2).

* ``leadership`` – the manager's leadership quality (staff efficiency) and
  advocacy that wins the council's support;
* ``commissioner`` – a commissioner who pushes for growth at the annual review;
* ``sw_champions`` – the most aware social workers of each team champion
  Shared Lives from week 1, and workers become champions sooner;
* ``carer_champions`` – satisfied carers recruit through word of mouth.
"""

from simulation.levers.base import Lever
from simulation.units import per_week


class Leadership(Lever):
    name = "leadership"

    def leadership_quality(self, quality: float) -> float:
        return self.p.quality

    def investment_stay(self, stay: float, savings_last_year: float) -> float:
        return stay * (1.0 - self.p.advocacy)


class Commissioner(Lever):
    name = "commissioner"

    def investment_stay(self, stay: float, savings_last_year: float) -> float:
        return stay * (1.0 - self.p.push)


class SwChampions(Lever):
    name = "sw_champions"

    def start(self, model) -> None:
        """The ``initial_champions_per_team`` most aware workers of each team become champions."""
        for workers in model.teams.values():
            for worker in sorted(workers, key=lambda w: (-w.awareness, w.unique_id))[: self.p.initial_champions_per_team]:
                worker.champion = True

    def champion_rules(self, rules: tuple) -> tuple:
        return self.p.champion_after_successes, self.p.contacts_per_year


class CarerChampions(Lever):
    name = "carer_champions"

    def champion_enquiries(self) -> tuple:
        return per_week(self.p.enquiries_per_champion_per_year), self.p.champions


LEVERS = (Leadership, Commissioner, SwChampions, CarerChampions)
