"""The ``slsim`` command: the Hydra app around :func:`slsim.experiments.jobs.run_job`.

    slsim                                     # default scheme, 10 years
    slsim run.years=5 run.seed=7 scheme.scheme_workers=2
    slsim hydra.run.dir=outputs/my_run        # choose the run folder
    slsim experiment=levers                   # a study (configs/experiment/, a sweep), resumable
    slsim experiment=levers hydra/launcher=joblib   # on every local core

``-m +experiment=NAME`` (the older spelling) works too. Before Hydra creates
a folder, the command line is checked (:mod:`slsim.experiments.checks`): bad input
prints one line naming the field and what is allowed and exits with code 2,
leaving nothing behind. Ctrl-C and SIGTERM stop in one line
(:mod:`slsim.experiments.interrupts`).
"""

import contextlib
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from slsim.experiments.checks import UNCHECKED, check_overrides
from slsim.experiments.interrupts import stop_cleanly
from slsim.experiments.config import CONFIG_DIR, CONFIG_NAME, modern_overrides
from slsim.experiments.settings import register_schema
from slsim.simulation.params import ConfigError

EXIT_BAD_INPUT = 2
EXIT_RUN_FAILED = 1  # a single run raised; a sweep records failures and goes on


def fail(message: str) -> None:
    print(f"slsim: error: {message}", file=sys.stderr)
    sys.exit(EXIT_BAD_INPUT)


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name=CONFIG_NAME)
def hydra_app(cfg: DictConfig) -> float:
    from hydra.types import RunMode

    from slsim.experiments.jobs import JobInfo, run_job

    hc = HydraConfig.get()
    multirun = hc.mode == RunMode.MULTIRUN
    job = JobInfo(Path(hc.runtime.output_dir), multirun, tuple(hc.overrides.task), hc.job.num if multirun else None)
    try:
        result = run_job(cfg, job)
    except ConfigError as exc:
        if multirun:  # checked before the sweep; if it happens anyway, the job fails, not the sweep
            raise
        fail(str(exc))
    if result.failed and not multirun:  # the error is printed and kept in failed.json
        sys.exit(EXIT_RUN_FAILED)
    return result.objective


@stop_cleanly  # Ctrl-C, SIGTERM, a dead worker: one line and an exit code (experiments/interrupts.py)
def main(argv=None) -> None:
    args = modern_overrides(sys.argv[1:] if argv is None else argv)
    register_schema()
    try:
        mode = check_overrides(args)
    except ConfigError as exc:
        fail(str(exc))
    sys.argv = [sys.argv[0], *args]
    with mode_known(mode):
        hydra_app()


@contextlib.contextmanager
def mode_known(mode):
    """Hydra composes the whole config once more only to read ``hydra.mode`` (``Hydra.get_mode``,
    ~0.25 s a command); the pre-check composed it already, so Hydra is given the value it found.
    ``Hydra.get_mode`` is Hydra's internal API: tests/test_cli.py checks that the pre-check's mode
    is the one Hydra's own ``get_mode`` finds, so a change in Hydra shows there."""
    if mode is UNCHECKED:
        yield
        return
    from hydra._internal.hydra import Hydra

    own = Hydra.get_mode
    Hydra.get_mode = lambda self, config_name, overrides: mode
    try:
        yield
    finally:
        Hydra.get_mode = own


if __name__ == "__main__":
    main()
