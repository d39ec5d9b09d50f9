"""The dashboard's model: one scheme, built from the same validated config as ``slsim``.

Mesa's SolaraViz builds (and, on Reset, rebuilds) its model by calling the model
class with the page's inputs as keyword arguments. :class:`DashboardModel` turns
those inputs into ``slsim``-style overrides (:func:`overrides_of`), composes and
checks them exactly as a single ``slsim`` run does (:func:`slsim.experiments.config.load_params`:
group choices, switches, unknown keys, types, ranges), spends any budget, builds
:class:`~slsim.simulation.model.SharedLivesModel` and runs its warm-up, so step 0
is week 0 (the post-warm-up state, the weekly table's first row) and each step is
one recorded week. A refused input does not raise: the model keeps the one-line
message ``slsim`` would print (:attr:`DashboardModel.error`) and does not run.

No Solara here (the page is :mod:`slsim.experiments.dashboard`), so this module is
tested like any other.
"""

import functools
import shlex

import mesa
import pandas as pd

from slsim.experiments.config import group_options, load_params
from slsim.simulation.budget import apply_budget
from slsim.simulation.model import SharedLivesModel
from slsim.simulation.params import ConfigError

# the main parameters as inputs: keyword -> (config key, label, lowest, highest, step of the slider);
# the sliders' ends are a convenient range, not the model's bounds (the config's checks are)
SLIDERS = {
    "years": ("run.years", "Years after warm-up", 1, 30, 1),
    "seed": ("run.seed", "Seed", 0, 1000, 1),
    "scheme_workers": ("scheme.scheme_workers", "Scheme workers", 1, 20, 1),
    "initial_people": ("scheme.initial_people_supported", "People supported at the start", 0, 400, 1),
    "initial_carers": ("scheme.initial_carers_approved", "Carer households approved at the start", 0, 400, 1),
    "enquiries_per_year": ("carers.base_enquiries_per_year", "Carer enquiries a year (publicity)", 0.0, 100.0, 1.0),
    "refer_intercept": ("social_work.refer_intercept", "Social workers' log-odds of referring", -6.0, 2.0, 0.1),
    "live_in_fee": ("economics.carer_fee_per_week.live_in", "Live-in fee, GBP/week", 0.0, 1000.0, 10.0),
}
LEVER_PREFIX = "lever_"
NOT_A_LEVER = ("none", "all")  # options of the levers group that are not one lever
REFUSED_KEYS = ("hydra", "experiment")  # how runs are made, not the scheme: `slsim` takes those


@functools.lru_cache(maxsize=1)
def levers() -> tuple:
    """The levers the page offers: the options of the ``levers`` config group, one lever each."""
    return tuple(o for o in group_options("levers") if o not in NOT_A_LEVER)


@functools.lru_cache(maxsize=1)
def shocks() -> tuple:
    """The shocks the page offers: the options of the ``shocks`` config group (``none`` first)."""
    options = group_options("shocks")
    return ("none", *(o for o in options if o != "none"))


@functools.lru_cache(maxsize=1)
def defaults() -> dict:
    """Keyword -> default value (the default config's), for every slider."""
    params = load_params([])
    out = {}
    for name, (key, *_rest) in SLIDERS.items():
        node = params
        for part in key.split("."):
            node = node[part] if isinstance(node, dict) else getattr(node, part)
        out[name] = node
    return out


def overrides_of(values: dict, shock: str = "none", more: str = "", chosen_levers=()) -> list:
    """``slsim`` command-line overrides for slider ``values`` (keyword -> value), a shock, levers
    switched on and ``more`` (free text: overrides as on the command line; they come last, so
    they win over the inputs, as the last of repeated overrides does for ``slsim``)."""
    out = [f"{SLIDERS[name][0]}={_text(value)}" for name, value in values.items()]
    chosen = [lever for lever in levers() if lever in set(chosen_levers)]
    out.append(f"levers=[{','.join(chosen)}]" if len(chosen) > 1 else f"levers={chosen[0] if chosen else 'none'}")
    out.append(f"shocks={shock}")
    return out + _more(more)


def _text(value) -> str:
    if isinstance(value, float):
        return repr(round(value, 10))  # a slider's float steps (0.30000000000000004) as typed
    return str(value)


def _more(text: str) -> list:
    """The free-text overrides, split as a shell would; ``slsim``'s own settings refused."""
    try:
        words = shlex.split(text or "")
    except ValueError as exc:
        raise ConfigError(f"more overrides: {exc}: allowed key=value ... as on the slsim command line") from exc
    for word in words:
        key = word.split("=", 1)[0].lstrip("+~")
        if word.startswith("-") or "=" not in word:
            raise ConfigError(f"{word}: allowed key=value overrides (flags are for the slsim command)")
        if key.split(".")[0].split("/")[0] in REFUSED_KEYS:
            raise ConfigError(f"{key}: allowed model settings only (experiment and hydra settings are for slsim)")
    return words


class DashboardModel(mesa.Model):
    """One scheme for SolaraViz: inputs as keywords (``lever_NAME=True`` switches a lever on).

    ``error`` is None, or the one-line message for refused inputs (then nothing runs);
    ``overrides`` the ``slsim`` overrides the inputs make; ``scheme`` the warmed-up
    :class:`SharedLivesModel` (None if refused)."""

    def __init__(self, *, shock: str = "none", more: str = "", **kwargs):
        values = {name: kwargs.pop(name, default) for name, default in defaults().items()}
        chosen = []
        for name in list(kwargs):
            if name.startswith(LEVER_PREFIX) and name[len(LEVER_PREFIX) :] in levers():
                if kwargs.pop(name):
                    chosen.append(name[len(LEVER_PREFIX) :])
        if kwargs:
            raise TypeError(f"DashboardModel: unknown inputs {', '.join(sorted(kwargs))}")
        super().__init__(seed=values["seed"] if isinstance(values["seed"], int) else None)
        self.levers_on = tuple(chosen)
        self.shock = shock
        self.error = None
        self.scheme = None
        self.overrides = []
        try:
            self.overrides = overrides_of(values, shock, more, chosen)
            self.scheme = SharedLivesModel(apply_budget(load_params(self.overrides))).warm_up()
        except ConfigError as exc:
            self.error = str(exc)
            self.running = False

    @property
    def command(self) -> str:
        """The ``slsim`` command line of the same run."""
        return shlex.join(["slsim", *self.overrides])

    @property
    def week(self) -> int:
        return self.scheme.week if self.scheme is not None else 0

    @property
    def horizon(self) -> int:
        return self.scheme.horizon if self.scheme is not None else 0

    def step(self):
        """One recorded week; the model stops at the horizon (``run.years``)."""
        if self.scheme is None or self.scheme.week >= self.scheme.horizon:
            self.running = False
            return
        self.scheme.step()
        self.running = self.scheme.week < self.scheme.horizon

    def table(self) -> pd.DataFrame:
        """The weekly table so far (week 0 onwards; empty if the inputs were refused)."""
        return self.scheme.recorder.to_frame() if self.scheme is not None else pd.DataFrame()
