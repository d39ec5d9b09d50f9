"""The pre-check of a ``slsim`` command line: everything it would run, checked before Hydra writes.

The overrides are composed and checked (types, switches, unknown keys,
config-group options, ranges; for a sweep every run, including the
experiment's own sweep and sample (:mod:`slsim.experiments.sweeps`); the output
folder (:mod:`slsim.experiments.folders`) and the launcher's settings
(:mod:`slsim.experiments.launchers`); ``--cfg`` too). Bad input raises
:class:`ConfigError` with one line naming the field and what is allowed;
``slsim`` prints it and exits with code 2, leaving nothing behind.
"""

from omegaconf import OmegaConf

from slsim.experiments.folders import check_output_dir, check_output_folders
from slsim.experiments.launchers import check_launcher
from slsim.experiments.sweeps import _parse, check_seeds, check_sweep
from slsim.experiments.config import compose_cfg, params_from_cfg
from slsim.experiments.posterior import check_calibration
from slsim.simulation.params import ConfigError

# flags after which Hydra does something other than compose our configs (help, other config
# folders, a re-run of a pickled config): nothing to pre-check. ``--cfg`` is checked (it
# composes the same config), but writes nothing, so its output folders are not.
HYDRA_ONLY_FLAGS = {
    "--help",
    "-h",
    "--hydra-help",
    "--version",
    "--info",
    "-i",
    "--shell-completion",
    "-sc",
    "--config-path",
    "-cp",
    "--config-name",
    "-cn",
    "--config-dir",
    "-cd",
    "--experimental-rerun",
}


UNCHECKED = object()  # check_overrides composed nothing Hydra will run: Hydra finds the mode itself


def mode_of(cfg):
    """``hydra.mode`` of a composed config with its hydra node (a ``RunMode``, or None when the
    command line and the experiment leave it to ``-m``): what Hydra's ``get_mode`` returns."""
    return OmegaConf.select(cfg, "hydra.mode", default=None)


def sweeps(cfg) -> bool:
    """Does the composed config (with its hydra node) ask for a sweep (an experiment sets MULTIRUN)?"""
    return str(mode_of(cfg)).rsplit(".", 1)[-1] == "MULTIRUN"  # RunMode


def check_overrides(args: list):
    """Compose and range-check the config of every run ``args`` would start, and where it would write.

    Returns the run mode the composition found (:func:`mode_of`), which the CLI hands to Hydra so
    that it does not compose the same config once more to find it; :data:`UNCHECKED` when nothing
    Hydra runs was composed (``--help``, ``--version`` and the like)."""
    if "--version" in args:
        return UNCHECKED  # (argparse would print it here)
    flags = _parse_args(args)
    modes = {
        "--run": flags.run,
        "--multirun": flags.multirun,
        "--cfg": flags.cfg is not None,
        "--info": flags.info is not None,
        "--shell-completion": flags.shell_completion,
    }
    if sum(modes.values()) > 1:
        given = " and ".join(m for m, on in modes.items() if on)
        raise ConfigError(f"{given}: allowed one of {', '.join(modes)} (Hydra does one thing at a time)")
    if any(a.split("=")[0] in HYDRA_ONLY_FLAGS for a in args if a.startswith("-")):
        return UNCHECKED
    overrides = list(flags.overrides)
    writes = flags.cfg is None  # --cfg prints the config and stops
    if flags.multirun:
        return mode_of(check_sweep(overrides, writes=writes))
    from slsim.experiments.sampling import check_sample

    plain = [o for o, ov in zip(overrides, _parse(overrides)) if not ov.is_sweep_override()]
    cfg = compose_cfg(plain, hydra_node=True)  # group choices and switches are checked there too
    if not flags.run and sweeps(cfg):  # an experiment that sets hydra.mode: MULTIRUN (slsim experiment=levers)
        check_sweep(overrides, writes=writes)
        return mode_of(cfg)
    if len(plain) != len(overrides):
        cfg = compose_cfg(overrides, hydra_node=True)  # a sweep's syntax in a single run: refused here
    check_sample(cfg)
    check_seeds(params_from_cfg(cfg))
    check_calibration(cfg)
    check_launcher(cfg)
    if writes:
        check_output_dir(cfg, multirun=False)
        check_output_folders(cfg, False)
    return mode_of(cfg)


def _parse_args(args: list):
    """Hydra's own reading of the command line: its flags, and the overrides apart from them.

    Hydra has no public API for its parser; this is the one place slsim reads it, and the CLI tests
    of flags (tests/test_cli.py, tests/test_fuzz_cli.py) fail if Hydra changes it."""
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


# the settings of configs/hydra/launcher/*.yaml each launcher acts on (types are the plugins' schemas')
