"""Validation of the parameter tree: bounds, the validator, immutable nodes.

The root of the tree walks every node and calls its ``check`` with a
validator (:class:`_V`) bound to the node's dotted path, so every error names
its field and what is allowed (:class:`ConfigError`, one line). Every number
has an upper bound (below, or beside its field), documented in the YAML: a
run of the largest sizes must fit in memory and finish in minutes. Parameter
nodes are immutable once built (:class:`_Sealed`).
"""

import math
import re
from collections.abc import Mapping
from dataclasses import FrozenInstanceError, fields, is_dataclass

from slsim.simulation.units import WEEKS_PER_YEAR

# Upper bounds shared by many fields (each is documented beside its fields in the YAML).
# Every number has one: a run of the largest sizes must fit in memory and finish in minutes.
WEIGHT_MAX = 1000.0  # a weight of a mix (normalised on use): shares, percentages or counts
HOURS_MAX = 40.0  # staff hours a week one task takes (per household, person or enquiry)
HAZARD_MAX = 52.0  # a yearly hazard or rate whose weekly probability is drawn: once a week on average
LOG_ODDS_MAX = 20.0  # a weight on the log-odds of referring (20 = odds x 500 million)
STAFF_COST_MAX = 1_000_000.0  # GBP a year one post costs
LEVER_COST_MAX = 10_000_000.0  # GBP a year of a lever's own running cost
YEARS_MAX = 100  # run.years: the longest recorded horizon
WEEKS_MAX = YEARS_MAX * WEEKS_PER_YEAR  # a week number or a duration in weeks
# sizes: what sets the agents a run holds (and so its time and memory); see README "Bad input"
MAX_INITIAL_PEOPLE = 2000  # people (and carer households) at initialisation
MAX_TEAMS = 20  # social-work teams
MAX_SOCIAL_WORKERS = 2000  # social workers, in one team and across teams
MAX_DECISIONS_PER_YEAR = 5000  # support decisions a year across teams (the default makes ~70)
MAX_INVESTMENT_GBP = 10_000_000.0  # GBP a year of an investment event or a budget
MAX_BOUGHT_POSTS = 200  # posts investments and a budget buy, all counted as if at once
MAX_EVENTS = 100  # investment and shock events in a run
MAX_FEE_GROWTH = 10.0  # how far real fee growth may raise fees, and enquiries, over a run


class ConfigError(ValueError):
    """A parameter value outside what the model allows (one-line message)."""


# --------------------------------------------------------------------------
# validation: the root walks the tree and calls each node's ``check`` with a
# validator bound to that node's dotted path, so every error names its field.
# --------------------------------------------------------------------------
class _V:
    # When a dict is put here, every upper bound the checks enforce is recorded in it
    # ({dotted field, list items as name[]: bound}); tests/test_docs.py compares them
    # with the YAML comments, where each bound is documented.
    bounds = None

    def __init__(self, node, path: str):
        self.node, self.path = node, path

    def where(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def sub(self, name: str) -> "_V":
        """A validator of the child node ``name`` (per-arrangement groups whose bounds depend on the field)."""
        return _V(getattr(self.node, name), self.where(name))

    def fail(self, name: str, allowed: str):
        value = getattr(self.node, name)
        raise ConfigError(f"{self.where(name)}={value!r}: allowed {allowed}")

    def range(self, name, lo, hi, *, lo_open=False, hi_open=False, integer=False):
        """``lo <= value <= hi`` (or open ends): a finite number, or an integer. Every number
        has an upper bound, documented beside its field in the YAML (what a run can hold)."""
        value = getattr(self.node, name)
        kind = "integer" if integer else "number"
        low = f"{lo} {'<' if lo_open else '<='} "
        high = f" {'<' if hi_open else '<='} {hi}"
        if _V.bounds is not None:
            key = re.sub(r"\[\d+\]", "[]", self.where(name))
            _V.bounds[key] = max(hi, _V.bounds.get(key, hi))
        if isinstance(value, bool) or not isinstance(value, int if integer else (int, float)):
            self.fail(name, f"{kind} {low}x{high}")
        if not integer and not math.isfinite(value):
            self.fail(name, f"finite {kind} {low}x{high}")
        ok = value > lo if lo_open else value >= lo
        ok = ok and (value < hi if hi_open else value <= hi)
        if not ok:
            self.fail(name, f"{kind} {low}x{high}")

    def probs(self, *names):
        for name in names:
            self.range(name, 0.0, 1.0)

    def non_negative(self, *names, hi, integer=False):
        for name in names:
            self.range(name, 0 if integer else 0.0, hi, integer=integer)


def _walk(node, path: str):
    """Check ``node`` and every dataclass below it, children first; lists become tuples."""
    for f in fields(node):
        value = getattr(node, f.name)
        sub = f"{path}.{f.name}" if path else f.name
        if is_dataclass(value):
            _walk(value, sub)
        elif isinstance(value, Mapping):
            for key, item in value.items():
                if is_dataclass(item):
                    _walk(item, f"{sub}.{key}")
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                if is_dataclass(item):
                    _walk(item, f"{sub}[{i}]")
            if isinstance(value, list):
                object.__setattr__(node, f.name, tuple(value))  # immutable like the rest
    check = getattr(node, "check", None)
    if check is not None:
        check(_V(node, path))


class _Sealed:
    """Immutable once built. (Not ``frozen=True``: OmegaConf makes frozen
    dataclasses read-only nodes, which the YAML could then not merge into.)"""

    def __post_init__(self):
        object.__setattr__(self, "_sealed", True)

    def __setattr__(self, name, value):
        if self.__dict__.get("_sealed"):
            raise FrozenInstanceError(f"cannot assign to field {name!r}: parameters are immutable")
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        raise FrozenInstanceError(f"cannot delete field {name!r}: parameters are immutable")


class _Mix(_Sealed):
    """Non-negative weights over named categories, normalised on use."""

    def check(self, v: _V):
        names = [f.name for f in fields(self)]
        v.non_negative(*names, hi=WEIGHT_MAX)
        if sum(getattr(self, n) for n in names) <= 0:
            raise ConfigError(f"{v.path}: weights must not all be 0 ({', '.join(names)})")

    def shares(self) -> tuple:
        """Weights normalised to sum to 1, in field order."""
        values = [float(getattr(self, f.name)) for f in fields(self)]
        total = sum(values)
        return tuple(x / total for x in values)


# --------------------------------------------------------------------------
# groups
# --------------------------------------------------------------------------
