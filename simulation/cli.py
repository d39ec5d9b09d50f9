"""The ``slsim`` command: the Hydra app around :func:`simulation.run.run_simulation`.

    slsim                                     # default scheme, 10 years
    slsim run.years=5 run.seed=7 scheme.scheme_workers=2
    slsim hydra.run.dir=outputs/my_run        # choose the run folder
    slsim -m +experiment=levers               # a study (configs/experiment/), resumable
    slsim -m +experiment=levers hydra/launcher=joblib   # on every local core

Before Hydra creates a folder, the overrides are composed and checked (types,
switches, unknown keys, config-group options, ranges; for ``-m`` every run of
the sweep, including the experiment's own sweep and sample; the output folder
and the launcher's settings; ``--cfg`` too); bad input prints one line naming
the field and what is allowed, and exits with code 2, leaving nothing behind.
Each job runs its seeds through :func:`experiments.jobs.run_job`.
"""

import re
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from experiments.interrupts import stop_cleanly
from experiments.folders import check_output_folders
from simulation.config import (
    CONFIG_DIR,
    CONFIG_NAME,
    check_group_choices,
    check_value_types,
    compose_cfg,
    params_from_cfg,
)
from simulation.params import ConfigError, register_schema

EXIT_BAD_INPUT = 2
EXIT_RUN_FAILED = 1  # a single run (no -m) raised; a sweep records failures and goes on

# flags after which Hydra does something other than compose our configs (help, other config
# folders, a re-run of a pickled config): nothing to pre-check. ``--cfg`` is checked (it
# composes the same config), but writes nothing, so its output folders are not.
_HYDRA_ONLY_FLAGS = {
    "--help", "-h", "--hydra-help", "--version", "--info", "-i", "--shell-completion", "-sc",
    "--config-path", "-cp", "--config-name", "-cn", "--config-dir", "-cd", "--experimental-rerun",
}


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
    """Compose and range-check the config of every run ``args`` would start, and where it would write."""
    if "--version" in args:
        return  # (argparse would print it here)
    flags = _parse_args(args)
    modes = {
        "--run": flags.run, "--multirun": flags.multirun, "--cfg": flags.cfg is not None,
        "--info": flags.info is not None, "--shell-completion": flags.shell_completion,
    }
    if sum(modes.values()) > 1:
        given = " and ".join(m for m, on in modes.items() if on)
        raise ConfigError(f"{given}: allowed one of {', '.join(modes)} (Hydra does one thing at a time)")
    if any(a.split("=")[0] in _HYDRA_ONLY_FLAGS for a in args if a.startswith("-")):
        return
    overrides = list(flags.overrides)
    writes = flags.cfg is None  # --cfg prints the config and stops
    if flags.multirun:
        check_sweep(overrides, writes=writes)
        return
    from experiments.sampling import check_sample

    cfg = compose_cfg(overrides, hydra_node=True)  # group choices and switches are checked there too
    check_sample(cfg)
    check_seeds(params_from_cfg(cfg))
    check_launcher(cfg)
    if writes:
        check_output_dir(cfg, multirun=False)
        check_output_folders(cfg, False)


def _parse_args(args: list):
    """Hydra's own reading of the command line: its flags, and the overrides apart from them."""
    from hydra._internal.utils import get_args_parser

    parser = get_args_parser()

    def error(message):
        if message.startswith("argument "):  # a flag's value: argparse says what it allows
            raise ConfigError(message)
        raise ConfigError(
            f"{message}: allowed slsim [flags] [key=value ...], flags before the overrides (slsim --help)"
        )

    parser.error = error  # argparse would print its usage (several lines) and exit
    return parser.parse_args(args)


def check_seeds(params) -> None:
    """A job runs seeds run.seed .. run.seed + experiment.replicates - 1: all must be valid seeds."""
    last = params.run.seed + params.experiment.replicates - 1
    if last > 2**63 - 1:
        raise ConfigError(
            f"run.seed={params.run.seed}: a job runs seeds up to run.seed + experiment.replicates - 1 = {last}; "
            f"allowed run.seed <= {2**63 - params.experiment.replicates}"
        )


def check_output_dir(cfg, *, multirun: bool) -> None:
    """The folder Hydra will create (``hydra.run.dir``, or ``hydra.sweep.dir`` for ``-m``) must be a
    folder it can create, where the command says: checked before anything is written."""
    import os
    import tempfile

    from omegaconf import OmegaConf

    from simulation.config import one_line

    setting = "hydra.sweep.dir" if multirun else "hydra.run.dir"
    try:
        text = OmegaConf.select(cfg, setting, throw_on_missing=True)
    except Exception as exc:
        raise ConfigError(f"{setting}: {one_line(exc)}") from exc
    text = "" if text is None else str(text)
    shown = repr(text) if not text.isprintable() else text

    def refuse(why: str):
        raise ConfigError(f"{setting}={shown}: allowed a folder path that can be created ({why})")

    if not text.strip():
        refuse("it is empty")
    if not text.isprintable():
        refuse("it holds control characters")
    parts = Path(text).parts
    if ".." in parts:
        refuse("no '..' components: the folder is where the setting says")
    if any(len(part.encode()) > 255 for part in parts) or len(text.encode()) > 4000:
        refuse("a name longer than 255 bytes, or a path longer than 4000")
    path = Path(os.path.abspath(text))
    here = path
    while not os.path.lexists(here):
        here = here.parent
    if not os.path.isdir(here):
        refuse(f"{here} is a file" if here == path else f"it is under {here}, which is a file")
    try:  # os.access says yes to root, even on read-only file systems: try it (and leave nothing)
        os.rmdir(tempfile.mkdtemp(prefix=".slsim-check-", dir=here))
    except OSError as exc:
        refuse(f"{here} is not writable: {exc.strerror}")
    if multirun:
        subdir = OmegaConf.to_container(cfg.hydra.sweep, resolve=False).get("subdir")
        sub = Path(str(subdir))
        if sub.is_absolute() or ".." in sub.parts:
            raise ConfigError(
                f"hydra.sweep.subdir={subdir}: allowed a relative folder name inside hydra.sweep.dir (no '..')"
            )


# the settings of configs/hydra/launcher/*.yaml each launcher acts on (types are the plugins' schemas')
def _joblib_checks(get):
    n = get("n_jobs")
    if n == 0 or not -1024 <= n <= 1024:
        yield "n_jobs", n, "integer -1024 <= x <= 1024 except 0 (worker processes; -1 = every core, -2 all but one ...)"
    if get("prefer") not in ("processes", "threads"):
        yield "prefer", get("prefer"), "processes or threads"
    if get("require") is not None:
        yield "require", get("require"), "null (the launcher always uses joblib's loky processes)"
    if not 0 <= get("verbose") <= 100:
        yield "verbose", get("verbose"), "integer 0 <= x <= 100"
    timeout = get("timeout")
    if timeout is not None and not 60 <= timeout <= 31_536_000:
        yield "timeout", timeout, (
            "null (no limit) or seconds 60 <= x <= 31536000: a job imports for ~1 s and runs "
            "experiment.replicates runs of a second or more each; a job over time stops the sweep"
        )
    if not re.fullmatch(r"all|[1-9]\d{0,5}|([1-9]\d{0,2}\s*\*\s*)?n_jobs", str(get("pre_dispatch")).strip()):
        yield "pre_dispatch", get("pre_dispatch"), "all, a whole number >= 1, n_jobs or K*n_jobs"
    if not re.fullmatch(r"auto|[1-9]\d{0,5}", str(get("batch_size")).strip()):
        yield "batch_size", get("batch_size"), "auto or a whole number >= 1"
    max_nbytes = get("max_nbytes")
    if max_nbytes is not None and not re.fullmatch(r"\d{1,12}[KMG]?", str(max_nbytes).strip()):
        yield "max_nbytes", max_nbytes, "null, or bytes like 1000000 or 1M"
    if get("mmap_mode") not in ("r+", "r", "w+", "c"):
        yield "mmap_mode", get("mmap_mode"), "r+, r, w+ or c"


def _ray_checks(get):
    import os

    address = get("ray.init.address")
    if address is not None and not (isinstance(address, str) and address.strip()):
        yield "ray.init.address", address, "null (start a local Ray), auto or HOST:PORT"
    for key in ("ray.init.include_dashboard", "ray.init.log_to_driver"):
        value = get(key)
        if value is not None and not isinstance(value, bool):
            yield key, value, "true or false"
    cpus = get("ray.remote.num_cpus")
    if cpus is not None:
        most = (os.cpu_count() or 1) if address is None else 1024
        number = isinstance(cpus, (int, float)) and not isinstance(cpus, bool)
        if not number or not 0 < cpus <= most:
            where = "this machine's cores (a local Ray)" if address is None else "1024"
            yield "ray.remote.num_cpus", cpus, f"a number 0 < x <= {most}, {where}: a job asking for more never starts"


def _submitit_checks(get):
    limits = {
        "timeout_min": (1, 525_600, False), "tasks_per_node": (1, 1024, False), "nodes": (1, 10_000, False),
        "cpus_per_task": (1, 1024, True), "gpus_per_node": (0, 64, True), "mem_gb": (1, 65_536, True),
        "signal_delay_s": (0, 86_400, False), "max_num_timeout": (0, 100, False),
        "array_parallelism": (1, 100_000, False), "cpus_per_gpu": (1, 1024, True), "gpus_per_task": (0, 64, True),
    }
    for key, (lo, hi, nullable) in limits.items():
        value = get(key, default=_ABSENT)
        if value is _ABSENT or (value is None and nullable):
            continue  # _ABSENT: not a setting of this launcher (the SLURM ones, for submitit_local)
        if value is None or not lo <= value <= hi:
            yield key, value, f"{'null or ' if nullable else ''}integer {lo} <= x <= {hi}"


_ABSENT = object()
_LAUNCHER_CHECKS = {
    "JoblibLauncher": _joblib_checks,
    "SlsimJoblibLauncher": _joblib_checks,  # ours: the plugin's, a dead worker in one line
    "RayLauncher": _ray_checks,
    "LocalLauncher": _submitit_checks,
    "SlurmLauncher": _submitit_checks,
}


def check_launcher(cfg) -> None:
    """The launcher settings we expose (configs/hydra/launcher/*.yaml), with one-line errors
    (joblib, Ray and submitit would fail with tracebacks, or wait for ever, in the sweep)."""
    from omegaconf import OmegaConf

    launcher = cfg.hydra.launcher
    kind = str(launcher.get("_target_", "")).rsplit(".", 1)[-1]
    checks = _LAUNCHER_CHECKS.get(kind)
    if checks is None:
        return

    def get(key, default=None):
        value = OmegaConf.select(launcher, key, default=default)
        return OmegaConf.to_container(value) if OmegaConf.is_config(value) else value

    for key, value, allowed in checks(get):
        shown = "null" if value is None else value
        raise ConfigError(f"hydra.launcher.{key}={shown}: allowed {allowed}")


MAX_CHECKED_COMBINATIONS = 20_000  # ~5 ms each; larger sweeps are checked value by value


def check_sweep(overrides: list, *, writes: bool = True) -> None:
    """Check every combination of a ``-m`` sweep before any job starts (and, if it ``writes``,
    its sweep folder).

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
    check_group_choices(parsed)
    # the config the sweep starts from, with Hydra's node: unknown launcher, sweeper or
    # experiment names fail here; the experiment's own sweep axes come from it
    base = compose_cfg([o for o, ov in zip(overrides, parsed) if not ov.is_sweep_override()], hydra_node=True)
    check_sample(base)
    check_launcher(base)
    if writes:
        check_output_dir(base, multirun=True)
        check_output_folders(base, True)
    parsed = sweep_overrides(base.hydra.sweeper.get("params"), overrides)
    check_group_choices(parsed)
    check_value_types(parsed)
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
                check_seeds(params_from_cfg(variant))
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
