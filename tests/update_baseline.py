"""Regenerate the regression baseline: ``python tests/update_baseline.py`` (or ``make baseline``).

Runs a few small fixed configurations and writes their summary outcomes, with
the package versions used, to ``tests/baseline/regression.json``. Run it only
when a change of model output is intended, and review the diff of the JSON in
the commit. ``tests/test_regression.py`` recomputes the same cases and compares.
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # so `helpers` imports when run as a script from anywhere
    sys.path.insert(0, str(HERE))

from helpers import params  # noqa: E402
from slsim.simulation.run import run_simulation, versions  # noqa: E402

BASELINE = HERE / "baseline" / "regression.json"

# name -> overrides of the default config (small: 2-3 years each)
CASES = {
    "seed1_3y": ["run.seed=1", "run.years=3"],
    "seed2_3y": ["run.seed=2", "run.years=3"],
    "seed3_3y": ["run.seed=3", "run.years=3"],
    "seed1_3y_two_workers": ["run.seed=1", "run.years=3", "scheme.scheme_workers=2"],
    "seed4_2y_no_warmup": ["run.seed=4", "run.years=2", "run.warmup_weeks=0"],
}


def compute(overrides) -> dict:
    """Summary outcomes of one case."""
    return run_simulation(params(*overrides)).summary


def build() -> dict:
    return {
        "about": "Summary outcomes of fixed small runs; regenerate with `make baseline` only for intended changes.",
        "versions": versions(),
        "cases": {name: {"overrides": list(ov), "outcomes": compute(ov)} for name, ov in CASES.items()},
    }


def main() -> None:
    data = build()
    BASELINE.parent.mkdir(parents=True, exist_ok=True)
    BASELINE.write_text(json.dumps(data, indent=2, allow_nan=False) + "\n")
    print(f"wrote {BASELINE.relative_to(HERE.parent)} ({len(data['cases'])} cases)")


if __name__ == "__main__":
    main()
