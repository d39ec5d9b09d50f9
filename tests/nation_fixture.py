"""A small national study for the report's tests, made by ``slsim-nation-study`` itself
(experiments/nation_study_cli.py): three programmes x two nation seeds of a nation of six
schemes over two years, written in the study layout the report reads:

    DIR/study.json        programmes, seeds, draws, overrides
    DIR/runs.parquet      one row per national run (programme, seed, draw, totals, money, classes)
    DIR/national.parquet  one row per run and week
    DIR/schemes.parquet   one row per run and scheme
    DIR/runs/run=<id>/    each run's national output folder as slsim-nation writes it
"""

from pathlib import Path

import yaml

from slsim.experiments import nation_study_cli
from slsim.simulation.nation import config as nation_config

SMALL = {"north_east": 2, "north_west": 2, "london": 2}  # a nation of six schemes
PROGRAMMES = {
    "none": {"gbp_per_year": 0.0},
    "equal": {"gbp_per_year": 600000.0, "allocation": "equal"},
    "by_need": {"gbp_per_year": 600000.0, "allocation": "by_need"},
}  # two years of GBP 600k buy ten or so posts in six schemes: enough to show in people supported


def build_study(root: Path, programmes: dict = PROGRAMMES, seeds=(1, 2), years: int = 2) -> Path:
    """Run ``slsim-nation-study`` on every programme and nation seed (draw -1: calibrated defaults)
    into ``root``; returns it."""
    config = {
        "programmes": programmes,
        "seeds": list(seeds),
        "draws": 0,
        "overrides": {
            "run": {"years": years},
            "regions": {r: {"schemes": SMALL.get(r, 0)} for r in nation_config.REGIONS},
        },
    }
    spec = root.parent / f"{root.name}.study.yaml"
    spec.write_text(yaml.safe_dump(config, sort_keys=False))
    assert nation_study_cli.main(["--out", str(root), "--config", str(spec), "--quiet"]) == 0
    return root
