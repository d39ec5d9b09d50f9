"""The launcher settings we expose (``configs/hydra/launcher/*.yaml``), checked in one line each.

joblib, Ray and submitit would fail with tracebacks, or wait for ever, in the
sweep; these checks run before anything starts (:mod:`slsim.experiments.checks`).
"""

import re

from omegaconf import OmegaConf

from slsim.simulation.params import ConfigError


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
        yield (
            "timeout",
            timeout,
            (
                "null (no limit) or seconds 60 <= x <= 31536000: a job imports for ~1 s and runs "
                "experiment.replicates runs of a second or more each; a job over time stops the sweep"
            ),
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
        "timeout_min": (1, 525_600, False),
        "tasks_per_node": (1, 1024, False),
        "nodes": (1, 10_000, False),
        "cpus_per_task": (1, 1024, True),
        "gpus_per_node": (0, 64, True),
        "mem_gb": (1, 65_536, True),
        "signal_delay_s": (0, 86_400, False),
        "max_num_timeout": (0, 100, False),
        "array_parallelism": (1, 100_000, False),
        "cpus_per_gpu": (1, 1024, True),
        "gpus_per_task": (0, 64, True),
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
