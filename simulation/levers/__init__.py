"""The growth levers, one module per SASCI capability; :data:`LEVERS` in the order they act.

Adding a lever: a :class:`~simulation.levers.base.Lever` subclass in its
capability's module, listed in that module's ``LEVERS``, and its parameters in
``configs/base/levers.yaml`` (see ``docs/adding_a_lever.md``).
"""

from simulation.levers import collaboration, evidence, leadership, workforce
from simulation.levers.base import Lever

LEVERS = {cls.name: cls for module in (collaboration, leadership, evidence, workforce) for cls in module.LEVERS}

__all__ = ["LEVERS", "Lever"]
