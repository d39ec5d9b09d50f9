"""The ``slsim`` command: the Hydra app around :func:`simulation.run.run_simulation`.

    slsim                                     # default scheme, 10 years
    slsim run.years=5 run.seed=7 scheme.scheme_workers=2
    slsim hydra.run.dir=outputs/my_run        # choose the run folder

Before Hydra creates a run folder, the overrides are composed and checked
(types, unknown keys, ranges); bad input prints one line naming the field and
what is allowed, and exits with code 2, leaving nothing behind.
"""

import sys

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from simulation.config import CONFIG_DIR, CONFIG_NAME, compose_cfg, params_from_cfg, resolved_yaml
from simulation.params import ConfigError, register_schema
from simulation.run import run_simulation, write_run_folder

EXIT_BAD_INPUT = 2

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
    try:
        params = params_from_cfg(cfg)
    except ConfigError as exc:
        fail(str(exc))
    result = run_simulation(params)
    run_dir = HydraConfig.get().runtime.output_dir
    write_run_folder(result, run_dir, resolved_yaml(cfg))
    s = result.summary
    print(
        f"slsim: {params.run.years} years, seed {params.run.seed}: people supported "
        f"{s['people_supported_start']} -> {s['people_supported_end']}; run folder {run_dir}"
    )
    return float(s["people_supported_end"])


def check_overrides(args: list) -> None:
    """Compose and range-check the config each run of ``args`` would get."""
    flags = [a for a in args if a.startswith("-")]
    if any(f.split("=")[0] in _HYDRA_ONLY_FLAGS for f in flags):
        return
    overrides = [a for a in args if not a.startswith("-")]
    if any(f in _MULTIRUN_FLAGS for f in flags):
        for variant in sweep_variants(overrides):
            params_from_cfg(compose_cfg(variant))
    else:
        params_from_cfg(compose_cfg(overrides))


def sweep_variants(overrides: list) -> list:
    """One override list per distinct value of each swept key (others at their first value)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except Exception as exc:
        raise ConfigError(str(exc).strip().splitlines()[0]) from exc
    choices = []
    for ov in parsed:
        if ov.is_sweep_override():
            if ov.is_discrete_sweep():
                values = [f"{ov.get_key_element()}={v}" for v in ov.sweep_string_iterator()]
            else:
                return [[o.input_line for o in parsed if not o.is_sweep_override()]]
        else:
            values = [ov.input_line]
        choices.append(values)
    base = [c[0] for c in choices]
    variants = [base]
    for i, values in enumerate(choices):
        for v in values[1:]:
            variants.append(base[:i] + [v] + base[i + 1 :])
    return variants


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
