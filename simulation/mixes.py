"""Mixes (weights normalised on use) and values per need or per arrangement."""

from dataclasses import dataclass

from omegaconf import MISSING

from slsim.simulation.categories import NEEDS
from slsim.simulation.validation import _Mix, _Sealed, _V


@dataclass
class CapacityMix(_Mix):
    one: float = MISSING
    two: float = MISSING
    three: float = MISSING


@dataclass
class BandMix(_Mix):
    band1: float = MISSING
    band2: float = MISSING
    band3: float = MISSING


@dataclass
class PerNeed(_Sealed):
    """One number per need, in the order of ``NEEDS``."""

    learning_disability: float = MISSING
    mental_health: float = MISSING
    pmld: float = MISSING
    physical: float = MISSING
    sensory: float = MISSING
    older_age: float = MISSING
    ld_dementia: float = MISSING
    dementia: float = MISSING
    acquired_brain_injury: float = MISSING


@dataclass
class NeedsMix(_Mix, PerNeed):
    """Weights over needs (normalised on use)."""


@dataclass
class SkillProbabilities(PerNeed):
    """Probability that a new carer household can support each need."""

    def check(self, v: _V):
        v.probs(*NEEDS)


@dataclass
class PerArrangement(_Sealed):
    """One number per arrangement type (weeks, rates or £, as the field says)."""

    live_in: float = MISSING
    short_break: float = MISSING
    day_support: float = MISSING

    # no check of its own: the unit (and so the upper bound) depends on the field; the
    # parent checks it with ``v.sub(field).non_negative(*ARRANGEMENTS, hi=...)``

    def get(self, kind: str) -> float:
        return float(getattr(self, kind))


@dataclass
class ArrangementMix(_Mix, PerArrangement):
    """Weights over arrangement types (normalised on use)."""
