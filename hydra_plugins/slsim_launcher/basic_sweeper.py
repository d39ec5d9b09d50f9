"""Hydra's basic sweeper, composing each job once instead of twice.

``configs/hydra/sweeper/basic.yaml`` targets :class:`SlsimBasicSweeper` (its fields
are Hydra's ``BasicSweeperConf``). Hydra's sweeper composes every job of a batch to
check it before launching ("this repeats work the launcher will do"), then the
basic launcher composes each job again, in the same process: two compositions a
job at ~0.3-0.5 s each, most of a re-run of a finished sweep. Here the launcher
is handed the composition the check made (each used once, never shared), so a
job is composed once. A launcher that composes in other processes (joblib, Ray,
submitit) composes there as before: the checked compositions are not sent to it.
Nothing else changes: the same configs, checked before any job starts.
"""

from collections import defaultdict
from typing import Any, Sequence

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper  # Hydra's own sweeper: no public path
from hydra.types import HydraContext


class ComposedOnce:
    """A config loader handing out each checked job composition once (see module doc)."""

    def __init__(self, loader) -> None:
        self.loader = loader
        self.checked = defaultdict(list)  # job overrides -> compositions checked and not yet launched

    def check(self, master_config, batch: Sequence[Sequence[str]]) -> None:
        self.checked.clear()  # a new batch: the last one's leftovers were launched elsewhere
        for overrides in batch:
            config = self.loader.load_sweep_config(master_config=master_config, sweep_overrides=list(overrides))
            self.checked[tuple(overrides)].append(config)

    def load_sweep_config(self, master_config, sweep_overrides) -> Any:
        waiting = self.checked.get(tuple(sweep_overrides))
        if waiting:
            return waiting.pop(0)
        return self.loader.load_sweep_config(master_config=master_config, sweep_overrides=sweep_overrides)

    def __getattr__(self, name):  # everything else is the loader's
        return getattr(self.loader, name)

    def __getstate__(self):  # sent to other processes: the loader alone (they compose their own jobs)
        return {"loader": self.loader, "checked": defaultdict(list)}

    def __setstate__(self, state) -> None:
        self.__dict__.update(state)


class SlsimBasicSweeper(BasicSweeper):
    def setup(self, *, hydra_context: HydraContext, task_function, config) -> None:
        loader = ComposedOnce(hydra_context.config_loader)
        super().setup(
            hydra_context=HydraContext(config_loader=loader, callbacks=hydra_context.callbacks),
            task_function=task_function,
            config=config,
        )

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        self.hydra_context.config_loader.check(self.config, batch)
