"""The ``slsim`` command: the Hydra app around :func:`simulation.run.run_simulation`.

    slsim                                     # default scheme, 10 years
    slsim run.years=5 run.seed=7 scheme.scheme_workers=2
    slsim hydra.run.dir=outputs/my_run        # choose the run folder
    slsim -m +experiment=levers               # a study (configs/experiment/), resumable
    slsim -m +experiment=levers hydra/launcher=joblib   # on every local core

Before Hydra creates a folder, the overrides are composed and checked (types,
unknown keys, ranges; for ``-m`` every run of the sweep, including the
experiment's own sweep and sample); bad input prints one line naming the
field and what is allowed, and exits with code 2, leaving nothing behind.
Each job runs its seeds through :func:`experiments.jobs.run_job`.
"""

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from experiments.interrupts import stop_cleanly
from simulation.config import CONFIG_DIR, CONFIG_NAME, compose_cfg, params_from_cfg
from simulation.params import ConfigError, register_schema

EXIT_BAD_INPUT = 2
EXIT_RUN_FAILED = 1  # a single run (no -m) raised; a sweep records failures and goes on

# flags after which Hydra does something other than one run we can pre-check
_HYDRA_ONLY_FLAGS = {
    "--help", "-h", "--hydra-help", "--version", "--cfg", "-c", "--resolve", "--package", "-p",
    "--info", "-i", "--shell-completion", "-sc", "--config-path", "-cp", "--config-name", "-cn",
    "--config-dir", "-cd", "--experimental-rerun",
}
_MULTIRUN_FLAGS = {"--multirun", "-m"}


def fail(message: str) -> None:
    print(f"slsim: error: {message}", file=sys.stderr)
    sys.exit(EXIT_BAD_INPUT)


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name=CONFIG_NAME)
def hydra_app(cfg: DictConfig) -> float:
    from hydra.types import RunMode

    from experiments.jobs import JobInfo, run_job

    hc = HydraConfig.get()
    multirun = hc.mode == RunMode.MULTIRUN
    job = JobInfo(
        output_dir=Path(hc.runtime.output_dir),
        multirun=multirun,
        overrides=tuple(hc.overrides.task),
        num=hc.job.num if multirun else None,
    )
    try:
        result = run_job(cfg, job)
    except ConfigError as exc:
        if multirun:  # checked before the sweep; if it happens anyway, the job fails, not the sweep
            raise
        fail(str(exc))
    if result.failed and not multirun:  # the error is printed and kept in failed.json
        sys.exit(EXIT_RUN_FAILED)
    return result.objective


def check_overrides(args: list) -> None:
    """Compose and range-check the config of every run ``args`` would start."""
    flags = [a for a in args if a.startswith("-")]
    if any(f.split("=")[0] in _HYDRA_ONLY_FLAGS for f in flags):
        return
    overrides = [a for a in args if not a.startswith("-")]
    if any(f in _MULTIRUN_FLAGS for f in flags):
        check_sweep(overrides)
    else:
        from experiments.sampling import check_sample

        check_sample(compose_cfg(overrides))


MAX_CHECKED_COMBINATIONS = 20_000  # ~5 ms each; larger sweeps are checked value by value


def check_sweep(overrides: list) -> None:
    """Check every combination of a ``-m`` sweep before any job starts.

    Config-group choices (and ``+``/``~`` overrides) are composed once per
    combination of them; plain ``key=value`` axes are applied to a copy of that
    composition, which is ~15x cheaper than composing each run.
    """
    from itertools import product

    from omegaconf import OmegaConf

    from simulation.config import CONFIG_DIR, one_line

    from experiments.sampling import check_sample

    parsed = _parse(overrides)
    for ov in parsed:
        key = ov.get_key_element()
        if ov.is_sweep_override() and key.lstrip("+~").startswith("hydra"):
            inner = key.removeprefix("hydra.sweeper.params.")
            raise ConfigError(
                f"{key}: a sweep of Hydra's own settings is not allowed; sweep the parameter itself "
                f"({inner}=...), which replaces the experiment's axis of that name"
            )
    # the config the sweep starts from, with Hydra's node: unknown launcher, sweeper or
    # experiment names fail here; the experiment's own sweep axes come from it
    base = compose_cfg([o for o, ov in zip(overrides, parsed) if not ov.is_sweep_override()], hydra_node=True)
    check_sample(base)
    parsed = sweep_overrides(base.hydra.sweeper.get("params"), overrides)
    composed_axes, value_axes = [], []
    for ov in parsed:
        key = ov.get_key_element()
        if key.startswith(("hydra.", "hydra/")) or ov.key_or_group == "hydra":
            continue
        is_group = (CONFIG_DIR / ov.key_or_group).is_dir() or "/" in ov.key_or_group
        if is_group or ov.is_add() or ov.is_delete() or ov.is_force_add():
            # composed: Hydra needs the override text
            if ov.is_delete():
                texts = [key]
            elif ov.is_sweep_override() and ov.is_discrete_sweep():
                texts = [f"{key}={v}" for v in ov.sweep_string_iterator()]
            else:
                texts = [f"{key}={ov.get_value_element_as_str()}"]
            composed_axes.append(texts)
        else:
            # applied to a copy: the parsed values (numbers, lists, strings ...)
            if ov.is_sweep_override():
                if ov.is_discrete_sweep():
                    values = list(ov.sweep_iterator())
                else:  # interval(a,b): continuous, for optimising sweepers; check its ends
                    sweep = ov.value()
                    values = [sweep.start, sweep.end]
            else:
                values = [ov.value()]
            value_axes.append((key, values))
    n_composed = 1
    for axis in composed_axes:
        n_composed *= len(axis)
    n_values = 1
    for _, values in value_axes:
        n_values *= len(values)
    if n_composed * n_values > MAX_CHECKED_COMBINATIONS:
        # too many to enumerate: every value of each axis, the others at their first value
        value_combos = [[v[0] for _, v in value_axes]]
        for i, (_, values) in enumerate(value_axes):
            for v in values[1:]:
                value_combos.append([*value_combos[0][:i], v, *value_combos[0][i + 1 :]])
    else:
        value_combos = list(product(*[v for _, v in value_axes]))
    for group_choice in product(*composed_axes):
        cfg = compose_cfg(list(group_choice))
        for combo in value_combos:
            variant = cfg.copy()
            try:
                for (key, _), value in zip(value_axes, combo):
                    OmegaConf.update(variant, key, value, merge=True)
                params_from_cfg(variant)
            except ConfigError as exc:
                raise ConfigError(f"{exc} (sweep run: {_describe(group_choice, value_axes, combo)})") from exc
            except Exception as exc:
                raise ConfigError(f"{one_line(exc)} (sweep run: {_describe(group_choice, value_axes, combo)})") from exc


def sweep_overrides(sweeper_params, overrides: list) -> list:
    """The parsed overrides a basic sweep runs: the experiment's axes (``hydra.sweeper.params``)
    except those the command line sets too (it wins, as in Hydra's BasicSweeper), then the
    command line."""
    given = _parse(overrides)
    keys = {ov.get_key_element() for ov in given}
    axes = _parse([f"{k}={v}" for k, v in (sweeper_params or {}).items()])
    return [ov for ov in axes if ov.get_key_element() not in keys] + given


def _parse(overrides: list) -> list:
    from hydra.core.override_parser.overrides_parser import OverridesParser

    try:
        return OverridesParser.create().parse_overrides(list(overrides))
    except Exception as exc:
        raise ConfigError(str(exc).strip().splitlines()[0]) from exc


def _describe(group_choice, value_axes, combo) -> str:
    return " ".join([*group_choice, *(f"{k}={v}" for (k, _), v in zip(value_axes, combo))])


@stop_cleanly  # Ctrl-C, SIGTERM, a dead worker: one line and an exit code (experiments/interrupts.py)
def main(argv=None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    register_schema()
    try:
        check_overrides(args)
    except ConfigError as exc:
        fail(str(exc))
    sys.argv = [sys.argv[0], *args]
    hydra_app()


if __name__ == "__main__":
    main()
