"""A sweep's runs, expanded and checked before any job starts.

:func:`check_sweep` checks every combination of a ``-m`` sweep (the command
line's axes and the experiment's own ``hydra.sweeper.params``);
:func:`sweep_overrides` merges the two as Hydra's basic sweeper does (the
command line wins), for the check and for the sweep callback's run count.
"""

from slsim.experiments.folders import check_output_dir, check_output_folders
from slsim.experiments.launchers import check_launcher
from slsim.experiments.config import check_group_choices, check_value_types, compose_cfg, params_from_cfg
from slsim.experiments.posterior import check_calibration
from slsim.simulation.params import ConfigError


MAX_CHECKED_COMBINATIONS = 20_000  # ~5 ms each; larger sweeps are checked value by value


def check_sweep(overrides: list, *, writes: bool = True):
    """Check every combination of a ``-m`` sweep before any job starts (and, if it ``writes``,
    its sweep folder); return the composition the sweep starts from (with its hydra node).

    Config-group choices (and ``+``/``~`` overrides) are composed once per
    combination of them; plain ``key=value`` axes are applied to a copy of that
    composition, which is ~15x cheaper than composing each run.
    """
    from itertools import product

    from omegaconf import OmegaConf

    from slsim.experiments.config import CONFIG_DIR, one_line

    from slsim.experiments.sampling import check_sample

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
        for i, combo in enumerate(value_combos):
            variant = cfg.copy()
            try:
                for (key, _), value in zip(value_axes, combo):
                    OmegaConf.update(variant, key, value, merge=True)
                params = params_from_cfg(variant)
                check_seeds(params)
                # the posterior's draws on top of each composition (its first value combination: the
                # others are plain values, checked without the draws; a file is read once)
                check_calibration(variant, params, values=i == 0)
            except ConfigError as exc:
                raise ConfigError(f"{exc} (sweep run: {_describe(group_choice, value_axes, combo)})") from exc
            except Exception as exc:
                raise ConfigError(f"{one_line(exc)} (sweep run: {_describe(group_choice, value_axes, combo)})") from exc
    return base


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


def check_seeds(params) -> None:
    """A job runs seeds run.seed .. run.seed + experiment.replicates - 1 (with calibration=posterior,
    draws x seeds_per_draw seeds): all must be valid seeds."""
    on = params.calibration.on
    count = params.calibration.runs() if on else params.experiment.replicates
    last = params.run.seed + count - 1
    if last > 2**63 - 1:
        runs = "calibration.draws x calibration.seeds_per_draw" if on else "experiment.replicates"
        raise ConfigError(
            f"run.seed={params.run.seed}: a job runs seeds up to run.seed + {runs} - 1 = {last}; "
            f"allowed run.seed <= {2**63 - count}"
        )
