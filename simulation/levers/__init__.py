"""The growth levers, one module per SASCI capability; :data:`LEVERS` in the order they act.

Each capability module lists its levers in ``LEVERS``; each lever class has
its parameter dataclass (``Params``), so the parameter tree's ``levers`` node
(:class:`LeversParams`, the schema of ``configs/base/levers.yaml``) is built
here from the levers themselves. Adding a lever: a
:class:`~slsim.simulation.levers.base.Lever` subclass and its ``Params`` in its
capability's module, listed in that module's ``LEVERS``, and its parameters in
``configs/base/levers.yaml`` (see ``docs/adding_a_lever.md``).
"""

from dataclasses import field, make_dataclass

from omegaconf import MISSING

from slsim.simulation.levers import collaboration, evidence, leadership, workforce
from slsim.simulation.levers.base import Lever, LeverParams
from slsim.simulation.validation import _Sealed

LEVERS = {cls.name: cls for module in (collaboration, leadership, evidence, workforce) for cls in module.LEVERS}
LEVER_NAMES = tuple(LEVERS)


def _enabled(self) -> tuple:
    """Names of the levers switched on, in LEVER_NAMES order."""
    return tuple(n for n in LEVER_NAMES if getattr(self, n).enabled)


LeversParams = make_dataclass(
    "LeversParams",
    [(name, cls.Params, field(default=MISSING)) for name, cls in LEVERS.items()],
    bases=(_Sealed,),
    namespace={"enabled": _enabled, "__module__": __name__},
)

__all__ = ["LEVERS", "LEVER_NAMES", "Lever", "LeverParams", "LeversParams"]
