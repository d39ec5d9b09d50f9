"""Global sensitivity with SALib: the sample a sweep runs, and the indices from its results.

A sensitivity sweep (``configs/experiment/sensitivity.yaml``) names uncertain
parameters with bounds in ``experiment.sample.parameters``; SALib draws the
sample (Saltelli's scheme for Sobol indices, ``SALib.sample.sobol``; Morris
trajectories, ``SALib.sample.morris``; a Latin hypercube, ``SALib.sample.latin``, for
scenario discovery in the report, :mod:`slsim.analysis.scenario_discovery`), seeded from ``experiment.sample.seed``,
so every job rebuilds the same matrix and runs its own rows
(``index .. index + rows_per_job - 1``). At the end of the sweep
:func:`analyse` gives the indices with bootstrap confidence intervals
(``SALib.analyze.sobol`` / ``SALib.analyze.morris``), one row per output and
parameter. Integer parameters are rounded to the nearest whole number when a
row is applied (the design matrix itself stays as SALib drew it).
"""

import dataclasses
import functools
import typing
from pathlib import Path

import numpy as np
import pandas as pd

from slsim.experiments.settings import SlsimConfig, sample_rows
from slsim.simulation.params import ConfigError

CONF_LEVEL = 0.95  # confidence level of the bootstrap intervals
RESAMPLES = 1000  # bootstrap resamples for the intervals (SALib's default is 100; 1000 steadies the 95% ends)


def _names_bounds(sample) -> tuple:
    names = tuple(str(k) for k in sample.parameters)
    bounds = tuple((float(lo), float(hi)) for lo, hi in sample.parameters.values())
    return names, bounds


def problem(sample) -> dict:
    """SALib's problem definition for ``experiment.sample``."""
    names, bounds = _names_bounds(sample)
    return {"num_vars": len(names), "names": list(names), "bounds": [list(b) for b in bounds]}


def rows_of(sample) -> int:
    """Rows of the sample SALib draws for ``experiment.sample`` (without drawing it)."""
    return sample_rows(sample.method, sample.n, len(sample.parameters), sample.second_order)


@functools.lru_cache(maxsize=8)
def _matrix(method: str, n: int, seed: int, second_order: bool, levels: int, names: tuple, bounds: tuple):
    from SALib.sample import latin, morris, sobol

    prob = {"num_vars": len(names), "names": list(names), "bounds": [list(b) for b in bounds]}
    if method == "sobol":
        x = sobol.sample(prob, n, calc_second_order=second_order, scramble=True, seed=seed)
    elif method == "morris":
        x = morris.sample(prob, n, num_levels=levels, seed=seed)
    elif method == "latin":
        x = latin.sample(prob, n, seed=seed)
    else:
        raise ConfigError(f"experiment.sample.method={method!r}: allowed sobol, morris, latin")
    x.setflags(write=False)
    return x


def sample_matrix(sample) -> np.ndarray:
    """The whole design (rows x parameters), the same in every process."""
    names, bounds = _names_bounds(sample)
    return _matrix(sample.method, sample.n, sample.seed, bool(sample.second_order), sample.levels, names, bounds)


def check_parameters(sample) -> None:
    """Every sampled parameter must be a number in the schema."""
    for key in sample.parameters:
        kind = _number_kind(str(key))
        if kind is None:
            raise ConfigError(
                f"experiment.sample.parameters.{key}: not a numeric model parameter; allowed: dotted keys of "
                "numbers in the config, e.g. carers.base_exit_per_year"
            )


def _number_kind(dotted: str):
    parts = [p for p in dotted.split(".") if not p.isdigit()]
    node = SlsimConfig
    for part in parts:
        if not dataclasses.is_dataclass(node):
            return None
        hints = typing.get_type_hints(node)
        if part not in hints:
            return None
        node = hints[part]
        if typing.get_origin(node) in (list, tuple):
            node = typing.get_args(node)[0]
    return node if node in (int, float) else None


def row_values(sample, index: int) -> dict:
    """{dotted key: value} of sample row ``index`` (integers rounded)."""
    x = sample_matrix(sample)
    if not 0 <= index < len(x):
        raise ConfigError(f"experiment.sample.index={index}: allowed 0 <= x < {len(x)} (rows of the sample)")
    out = {}
    for key, value in zip(sample.parameters, x[index]):
        kind = _number_kind(str(key))
        out[str(key)] = int(round(float(value))) if kind is int else float(value)
    return out


def analyse(sample, y: np.ndarray, output: str) -> pd.DataFrame:
    """Sensitivity indices of one output (``y`` in row order) with 95% intervals, one row per parameter."""
    from SALib.analyze import morris, sobol

    prob = problem(sample)
    y = np.asarray(y, dtype=float)
    if sample.method == "sobol":
        res = sobol.analyze(
            prob,
            y,
            calc_second_order=bool(sample.second_order),
            num_resamples=RESAMPLES,
            conf_level=CONF_LEVEL,
            seed=sample.seed,
        )
        frame = pd.DataFrame(
            {
                "parameter": prob["names"],
                "S1": res["S1"],
                "S1_conf": res["S1_conf"],
                "ST": res["ST"],
                "ST_conf": res["ST_conf"],
            }
        )
    else:
        res = morris.analyze(
            prob,
            sample_matrix(sample),
            y,
            num_resamples=RESAMPLES,
            conf_level=CONF_LEVEL,
            num_levels=sample.levels,
            seed=sample.seed,
        )
        frame = pd.DataFrame(
            {
                "parameter": prob["names"],
                "mu": res["mu"],
                "mu_star": res["mu_star"],
                "mu_star_conf": res["mu_star_conf"],
                "sigma": res["sigma"],
            }
        )
    frame.insert(0, "output", output)
    frame.insert(0, "method", sample.method)
    return frame


def check_sample(cfg) -> None:
    """Validate a composed config's sample: known numeric parameters whose bounds the model allows.

    Raises :class:`ConfigError` naming ``experiment.sample.parameters.<key>``."""
    from omegaconf import OmegaConf

    from slsim.experiments.config import without_hydra, one_line, params_from_cfg

    params = params_from_cfg(cfg)
    sample = params.experiment.sample
    if sample.method == "none":
        return
    check_parameters(sample)
    plain = without_hydra(cfg)
    for key, (lo, hi) in sample.parameters.items():
        kind = _number_kind(str(key))
        for value in (lo, hi):
            variant = plain.copy()
            try:
                OmegaConf.update(variant, str(key), int(round(value)) if kind is int else float(value), merge=True)
                params_from_cfg(variant)
            except Exception as exc:
                raise ConfigError(
                    f"experiment.sample.parameters.{key}=[{lo}, {hi}]: bound {value} is refused ({one_line(exc)})"
                ) from exc


def sensitivity_table(root, table: pd.DataFrame):
    """SALib indices for the sensitivity sweep at ``root`` from its sweep table (written to
    ``sensitivity.parquet`` by :mod:`slsim.experiments.collect`), or (None, reason) when they cannot be computed."""
    from omegaconf import OmegaConf

    from slsim.experiments.config import params_from_cfg

    ok = table[table["status"] == "ok"]
    if ok.empty:
        return None, "no complete runs"
    try:
        cfg = OmegaConf.load(Path(root) / ok["run"].iloc[0] / "config.yaml")
        params = params_from_cfg(OmegaConf.merge(OmegaConf.structured(SlsimConfig), cfg))
    except (ConfigError, ValueError) as exc:  # a config this version of slsim does not accept
        return None, f"{ok['run'].iloc[0]}/config.yaml: {str(exc).splitlines()[0][:160]}"
    sample = params.experiment.sample
    if sample.method == "none":
        return None, "not a sensitivity sweep"
    if sample.method == "latin":
        return None, "a Latin hypercube sample has no sensitivity indices (its report finds when growth fails)"
    n = rows_of(sample)
    means = ok.groupby("row")[list(sample.outputs)].mean()
    missing = sorted(set(range(n)) - set(int(r) for r in means.index))
    if missing:
        return None, f"{len(missing)} of {n} sample rows have no complete run (first: row {missing[0]})"
    means = means.sort_index()
    frames = [analyse(sample, means[out].to_numpy(), out) for out in sample.outputs]
    return pd.concat(frames, ignore_index=True), None
