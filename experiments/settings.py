"""How runs are made (not model parameters): the experiment settings, and the root of the config.

:class:`SlsimConfig` is what ``configs/config.yaml`` composes to: the model's
parameters (:class:`slsim.simulation.params.ModelParams`) and ``experiment`` (the
study's name, seeds a job, its objective, and a SALib sample). It is
registered with Hydra's ConfigStore as the schema of the YAML
(:func:`register_schema`).
"""

import math
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List

from omegaconf import MISSING

from slsim.simulation.params import ModelParams
from slsim.simulation.validation import ConfigError, _Sealed, _V

SAMPLE_METHODS = ("none", "sobol", "morris", "latin")
MAX_SAMPLE_ROWS = 200_000  # rows of a SALib sample (the design matrix is built in every job)
MAX_SAMPLE_PARAMETERS = 50  # parameters a sample varies
EXPERIMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,99}")  # a plain folder name (multirun/<name>/)


def sample_rows(method: str, n: int, d: int, second_order: bool = False) -> int:
    """Rows of a SALib sample of ``d`` parameters: Saltelli's scheme (sobol), Morris trajectories, or a
    Latin hypercube of ``n`` rows (latin: for scenario discovery, no sensitivity indices)."""
    if method == "sobol":
        return n * (2 * d + 2 if second_order else d + 2)
    if method == "morris":
        return n * (d + 1)
    if method == "latin":
        return n
    return 0


def sample_rows_of(node) -> int:
    """``${slsim_sample_rows:${experiment.sample}}``: the sample's rows, for a sweep's range()."""
    return sample_rows(str(node.method), int(node.n), len(node.parameters), bool(node.second_order))


@dataclass
class SampleParams(_Sealed):
    method: str = MISSING
    n: int = MISSING
    seed: int = MISSING
    second_order: bool = MISSING
    levels: int = MISSING
    index: int = MISSING
    rows_per_job: int = MISSING
    parameters: Dict[str, List[Any]] = MISSING  # numbers, checked below (OmegaConf refuses [1, 5] as List[float])
    outputs: List[str] = MISSING

    def check(self, v: _V):
        if self.method not in SAMPLE_METHODS:
            v.fail("method", f"one of {', '.join(SAMPLE_METHODS)}")
        v.range("n", 1, 2**16, integer=True)
        v.range("seed", 0, 2**32 - 1, integer=True)
        v.range("levels", 2, 100, integer=True)
        v.range("index", 0, MAX_SAMPLE_ROWS, integer=True)
        v.range("rows_per_job", 1, MAX_SAMPLE_ROWS, integer=True)
        if self.method == "none":
            return
        if self.method == "sobol" and self.n & (self.n - 1):
            v.fail("n", "a power of 2 for sobol (Saltelli's scheme keeps its balance properties only then)")
        if self.method == "morris" and self.n < 2:
            v.fail("n", "integer >= 2 trajectories for morris")
        if not 2 <= len(self.parameters) <= MAX_SAMPLE_PARAMETERS:
            raise ConfigError(
                f"{v.where('parameters')}: {len(self.parameters)} given; allowed: 2 to {MAX_SAMPLE_PARAMETERS} "
                "entries 'dotted.key: [low, high]'"
            )
        for key, bounds in self.parameters.items():
            numbers = all(isinstance(b, (int, float)) and not isinstance(b, bool) and math.isfinite(b) for b in bounds)
            if len(bounds) != 2 or not numbers or not bounds[0] < bounds[1]:
                raise ConfigError(
                    f"{v.where('parameters')}.{key}={list(bounds)}: allowed [low, high], finite numbers with low < high"
                )
        if not self.outputs:
            raise ConfigError(f"{v.where('outputs')}: empty; allowed: summary outcome names")
        rows = sample_rows(self.method, self.n, len(self.parameters), bool(self.second_order))
        if rows > MAX_SAMPLE_ROWS:
            raise ConfigError(
                f"{v.where('n')}={self.n}: the sample would have {rows} rows; allowed at most {MAX_SAMPLE_ROWS} "
                "(a smaller n, or fewer parameters)"
            )
        if self.index >= rows:
            v.fail("index", f"integer 0 <= x < {rows} (rows of the sample)")


@dataclass
class ExperimentParams(_Sealed):
    name: str = MISSING
    replicates: int = MISSING
    objective: str = MISSING
    per_week: bool = MISSING
    sample: SampleParams = MISSING

    def check(self, v: _V):
        from slsim.simulation.outputs import OUTCOME_DIRECTIONS  # outcome names (outputs.py needs no params)

        v.range("replicates", 1, 100_000, integer=True)
        if self.objective not in OUTCOME_DIRECTIONS:
            v.fail("objective", f"a summary outcome: {', '.join(OUTCOME_DIRECTIONS)}")
        for i, name in enumerate(self.sample.outputs):
            if name not in OUTCOME_DIRECTIONS:
                raise ConfigError(
                    f"{v.where('sample.outputs')}[{i}]={name!r}: allowed summary outcomes: {', '.join(OUTCOME_DIRECTIONS)}"
                )
        if not isinstance(self.name, str) or not EXPERIMENT_NAME.fullmatch(self.name):
            v.fail(
                "name",
                "a plain folder name: 1-100 letters, digits, '.', '_', '+' or '-', starting with a letter or digit",
            )


CALIBRATION_METHODS = ("none", "posterior")
MAX_DRAWS = 10_000  # posterior parameter sets a scenario runs
MAX_POSTERIOR_RUNS = 100_000  # draws x seeds_per_draw: a job's runs (as experiment.replicates)


@dataclass
class CalibrationParams(_Sealed):
    """``calibration=posterior``: each job's runs are ``draws`` parameter sets drawn from a calibration's
    posterior, each on ``seeds_per_draw`` seeds (:mod:`slsim.experiments.posterior`). The defaults are
    ``calibration=none`` (configs/calibration/none.yaml), so a run config without the node (written
    before the group existed, or with method none) reads back the same."""

    method: str = "none"
    path: str = "outputs/calibration"
    draws: int = 20
    seeds_per_draw: int = 2
    seed: int = 0

    def check(self, v: _V):
        if self.method not in CALIBRATION_METHODS:
            v.fail("method", f"one of {', '.join(CALIBRATION_METHODS)}")
        if not isinstance(self.path, str) or not self.path.strip():
            v.fail("path", "a calibration folder or its posterior.parquet (a path)")
        v.range("draws", 1, MAX_DRAWS, integer=True)
        v.range("seeds_per_draw", 1, MAX_POSTERIOR_RUNS, integer=True)
        v.range("seed", 0, 2**32 - 1, integer=True)
        if self.draws * self.seeds_per_draw > MAX_POSTERIOR_RUNS:
            raise ConfigError(
                f"{v.where('draws')}={self.draws}: draws x seeds_per_draw = {self.draws * self.seeds_per_draw} "
                f"runs a job; allowed at most {MAX_POSTERIOR_RUNS:,}"
            )

    @property
    def on(self) -> bool:
        return self.method == "posterior"

    def runs(self) -> int:
        """Runs (and seeds) a job makes with this calibration: draws x seeds_per_draw."""
        return self.draws * self.seeds_per_draw


@dataclass
class SlsimConfig(ModelParams):
    """Root of the parameter tree: the model's parameters and how runs are made."""

    experiment: ExperimentParams = MISSING
    calibration: CalibrationParams = field(default_factory=CalibrationParams)


SCHEMA_NAME = "slsim_schema"


def register_schema() -> None:
    """Register the tree with Hydra's ConfigStore as the YAML's schema."""
    from hydra.core.config_store import ConfigStore
    from omegaconf import OmegaConf

    ConfigStore.instance().store(name=SCHEMA_NAME, node=SlsimConfig)
    if not OmegaConf.has_resolver("slsim_sample_rows"):
        OmegaConf.register_new_resolver("slsim_sample_rows", sample_rows_of)
