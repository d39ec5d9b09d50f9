"""Many runs into one table, in a notebook: :func:`run_many`.

    from slsim.experiments.notebook import run_many

    table = run_many(["levers=none", "levers=colocation"], seeds=range(42, 47), common=["run.years=5"])
    table.groupby("scenario")["people_supported_end"].mean()

Runs in this process, one after another (no Hydra launcher, no folders
written), and gives the table a sweep gives: one row per (scenario, seed)
with the scenario's label, its overrides and every outcome of the run's
summary, ``lever_cost_gbp.<lever>`` and ``shock.<event>.<field>``, with the
same numbers as ``sweep.parquet`` of the same runs made by ``slsim -m``
(same parameters, same seed: the same run, bit for bit). A worked example:
``docs/examples/notebook.md``. For hundreds of runs, or to keep them, use a
sweep (``slsim -m ...``), which runs on every core and resumes.
"""

import dataclasses
import sys
from typing import Iterable

import pandas as pd

from slsim.experiments.collect import outcome_columns, scenario_labels
from slsim.experiments.config import load_params
from slsim.simulation.params import ConfigError
from slsim.simulation.run import run_simulation


def _overrides(scenario) -> list:
    """A scenario's overrides: a list of ``key=value`` strings, or one string of them separated by spaces."""
    if isinstance(scenario, str):
        return scenario.split()
    if isinstance(scenario, Iterable):
        return [str(o) for o in scenario]
    raise TypeError(f"a scenario is a list of overrides or a string of them, not {type(scenario).__name__}")


def run_many(overrides_list, seeds, *, common=(), verbose: bool = False) -> pd.DataFrame:
    """Run every scenario on every seed; one row per (scenario, seed) (see module doc).

    ``overrides_list``: the scenarios, each a list of overrides as on the command line
    (``["levers=colocation", "scheme.scheme_workers=4"]``) or one string of them
    (``"levers=colocation scheme.scheme_workers=4"``; ``[]`` or ``""`` is the default scheme);
    ``seeds``: the seeds every scenario runs (``range(42, 52)``), so scenarios compare seed by seed;
    ``common``: overrides for every scenario (``["run.years=5"]``); ``verbose``: a line on stderr per run.

    Columns: ``scenario`` (the overrides that differ between scenarios, as the sweep table labels
    them; ``baseline`` when none do), ``overrides`` (all of the scenario's, ``common`` included),
    ``seed``, then the outcomes. Bad overrides raise :class:`slsim.simulation.params.ConfigError` (one line
    naming the field and what is allowed) before anything runs."""
    scenarios = [[*_overrides(common), *_overrides(s)] for s in overrides_list]
    seeds = [int(s) for s in seeds]
    if not scenarios or not seeds:
        raise ValueError("run_many needs at least one scenario and one seed")
    for overrides in scenarios:
        for o in overrides:
            if o.lstrip("+~").split("=", 1)[0] == "run.seed":
                raise ConfigError(f"{o}: the seeds are run_many's seeds argument, not an override")
    composed = [load_params(overrides) for overrides in scenarios]  # every scenario checked first
    labels = scenario_labels(scenarios)
    rows, total = [], len(scenarios) * len(seeds)
    for label, overrides, params in zip(labels, scenarios, composed):
        for seed in seeds:
            run = dataclasses.replace(params, run=dataclasses.replace(params.run, seed=seed))  # re-validated
            result = run_simulation(run)
            summary = {"outcomes": result.summary, "lever_costs_gbp": result.lever_costs, "shocks": result.shocks}
            rows.append({"scenario": label, "overrides": " ".join(overrides), "seed": seed, **outcome_columns(summary)})
            if verbose:
                print(f"run_many: {len(rows)}/{total} runs ({label}, seed {seed})", file=sys.stderr)
    return pd.DataFrame.from_records(rows)
