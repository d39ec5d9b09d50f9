"""Compose a config with Hydra's compose API and run the model from Python (a script or a notebook cell).

    .venv/bin/python docs/examples/compose_and_run.py                  # the default scheme
    .venv/bin/python docs/examples/compose_and_run.py levers=colocation run.years=5

The same overrides as on the `slsim` command line. Nothing is written to disk:
`run_simulation` returns the weekly table, the event log and the summary in memory.
"""

import json
import sys
from pathlib import Path

from hydra import compose, initialize_config_dir

from slsim.experiments.config import CONFIG_DIR, params_from_cfg
from slsim.experiments.settings import register_schema
from slsim.simulation.run import run_simulation


def main(overrides: list) -> dict:
    register_schema()  # the typed schema the YAML is checked against
    with initialize_config_dir(config_dir=str(Path(CONFIG_DIR)), version_base="1.3"):
        cfg = compose(config_name="config", overrides=overrides)  # a DictConfig, as @hydra.main would get
    params = params_from_cfg(cfg)  # typed and range-checked (ConfigError names a bad field)
    result = run_simulation(params)
    people = result.timeseries[["week", "people_supported"]]
    print(f"people supported: week 0 {people.iloc[0, 1]}, week {people.iloc[-1, 0]} {people.iloc[-1, 1]}")
    print(
        result.timeseries[["week", "people_supported", "hours_outreach", "carers_active"]]
        .tail(3)
        .to_string(index=False)
    )
    print(
        json.dumps(
            {k: result.summary[k] for k in ("people_supported_end", "net_benefit_gbp", "payback_week")}, allow_nan=False
        )
    )
    return result.summary


if __name__ == "__main__":
    main(sys.argv[1:])
