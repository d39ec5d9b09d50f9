"""The Shared Lives scheme model: one scheme and the social-work teams that refer to it.

Time step: one week. ``step()`` runs the processes of
:data:`slsim.simulation.processes.STEP` in order (interventions → economy → staff
time → carer pipeline → referrals arrive → matching → withdrawals →
arrangements end → carers → social workers; each documented in its module),
then closes the week's books and records it.

Weeks run from ``-run.warmup_weeks`` (not recorded) through 0 (the state
after warm-up, the first row of the weekly table) to ``run.years * 52``.
Warm-up is the first part of :meth:`run` (or of :meth:`warm_up`, for a
caller who steps the model itself); when it ends, prices are rebased so money
is in GBP at week-0 prices.

The model holds the populations (``staff``, ``teams`` of social workers, and
the :class:`~slsim.simulation.registry.Registry` of carers and referrals by stage,
flows and events) and the state shared by everyone: the economy, this
week's staff hours, social workers' belief about the scheme's wait. Agents
change state through their own verbs; processes call them.
"""

import math

import mesa

from slsim.agents.commissioner import Commissioner
from slsim.simulation.budget import spending
from slsim.simulation.conditions import Conditions
from slsim.simulation.params import ModelParams
from slsim.simulation.population import Drawers, build
from slsim.simulation.processes import STEP
from slsim.simulation.processes.economy import Books, Economy
from slsim.simulation.processes.referrals import decision_rates
from slsim.simulation.processes.staff_time import WeekHours
from slsim.simulation.registry import Registry
from slsim.simulation.recorder import WeeklyRecorder
from slsim.simulation.stages import CarerStage


class SharedLivesModel(mesa.Model):
    """A weekly agent-based model of one Shared Lives scheme.

    Takes the model's parameters (a budget already spent as posts and fees:
    :func:`slsim.simulation.budget.apply_budget`); the seed is ``params.run.seed``."""

    processes = STEP

    def __init__(self, params: ModelParams):
        if not isinstance(params, ModelParams):
            raise TypeError("SharedLivesModel takes ModelParams (see slsim.experiments.config.load_params)")
        if any(x > 0 for x in spending(params).values()):
            raise ValueError("a budget must be spent before the model is built: slsim.simulation.budget.apply_budget")
        super().__init__(seed=params.run.seed)
        self.p = params
        self.week = -params.run.warmup_weeks
        self.horizon = params.weeks
        self.registry = Registry()
        self.economy = Economy()
        self.books = Books()
        self.expected_wait = params.social_work.initial_expected_wait_weeks
        self.crisis_confidence = params.social_work.initial_crisis_confidence
        self.hours = WeekHours()
        self.vacancies = []  # (week filled, funder) of scheme-worker posts left vacant, in order of filling
        self.satisfied_households = 0
        self.mean_satisfaction = math.nan  # of approved households, set each week by the carers' process

        k = self.slots_per_place = params.carers.short_breaks_per_place
        self.slots = {"live_in": k, "short_break": 1, "day_support": k}  # room an arrangement takes, in slots
        self.alone_band = params.referrals.live_in_alone_from_band  # live-in from it: the household's only person
        self.draw = Drawers(params)
        self.conditions = Conditions(params)
        self.commissioner = Commissioner(self)
        self.teams = {t.name: [] for t in params.social_work.teams}
        self.team_params = {t.name: t for t in params.social_work.teams}
        self.decision_rates = decision_rates(params)
        build(self)  # staff, social workers, carers and the people placed with them

        households = [c for st in CarerStage.HOUSEHOLDS for c in self.registry.carers[st].values()]
        if households:
            self.mean_satisfaction = sum(c.satisfaction for c in households) / len(households)
        self.recorder = WeeklyRecorder(self)
        if self.week == 0:  # no warm-up: the initial state is week 0
            self._start_recording()

    @property
    def events(self):
        """The event table (:class:`slsim.simulation.events.EventLog`)."""
        return self.registry.events

    def step(self):
        self.week += 1
        self.registry.new_week()
        for _, process in self.processes:
            process(self)
        if self.week == 0:
            self._start_recording()
        elif self.week > 0:
            self._close_week()

    def warm_up(self):
        """Run the warm-up weeks (not recorded); the model is then at week 0."""
        while self.week < 0:
            self.step()
        return self

    def run(self):
        """Warm up, then run to the horizon; the model is then complete."""
        while self.week < self.horizon:
            self.step()
        return self

    def _start_recording(self):
        """Warm-up is over: money from now on is at this week's prices; record week 0."""
        self.economy.rebase()
        self._close_week()

    def _close_week(self):
        self.books.close_week(self)
        self.recorder.collect()

    def lives_alone(self, arrangement: str, complexity: int) -> bool:
        """A live-in person of referrals.live_in_alone_from_band or above is the household's only person."""
        return arrangement == "live_in" and complexity >= self.alone_band

    def observe_wait(self, weeks: float) -> None:
        """Social workers' belief about the scheme's wait moves toward a wait just seen."""
        a = self.p.social_work.expected_wait_smoothing
        self.expected_wait += a * (weeks - self.expected_wait)

    def observe_crisis(self, placed: bool) -> None:
        """Social workers' confidence that the scheme responds in a crisis moves toward a
        crisis referral's outcome: 1 placed within the person's tolerance, 0 routed elsewhere."""
        a = self.p.social_work.crisis_confidence_learning
        self.crisis_confidence += a * ((1.0 if placed else 0.0) - self.crisis_confidence)
