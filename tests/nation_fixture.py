"""A small national study for tests: slsim-nation runs of a tiny nation, assembled by hand into the
layout of a national study folder (``slsim-nation-study``'s; the lead switches this helper to that
command when it lands):

    DIR/study.json        programmes {name: overrides}, seeds, draws, overrides
    DIR/runs.parquet      one row per national run (programme, seed, draw, totals, money, classes)
    DIR/national.parquet  one row per run and week
    DIR/schemes.parquet   one row per run and scheme
    DIR/runs/run=<id>/    each run's national output folder as slsim-nation writes it
"""

import json
from pathlib import Path

import pandas as pd

from slsim.experiments import nation_cli
from slsim.simulation.nation import config as nation_config
from slsim.simulation.nation.runner import run_nation

SMALL = {"north_east": 2, "north_west": 2, "london": 2}  # a nation of six schemes
PROGRAMMES = {
    "none": {},
    "equal": {"programme.gbp_per_year": 600000, "programme.allocation": "equal"},
    "by_need": {"programme.gbp_per_year": 600000, "programme.allocation": "by_need"},
}  # two years of GBP 600k buy ten or so posts in six schemes: enough to show in people supported


def small_overrides(years: int = 2) -> list:
    counts = [f"regions.{r}.schemes={SMALL.get(r, 0)}" for r in nation_config.REGIONS]
    return [*counts, f"run.years={years}"]


def _run_row(run: int, name: str, seed: int, folder: Path) -> dict:
    summary = json.loads((folder / "summary.json").read_text())
    national = pd.read_parquet(folder / "national.parquet")
    p = summary["programme"]
    cfg = summary["config"]["programme"]
    first, last = national.iloc[0], national.iloc[-1]
    return {
        "run": run,
        "programme": name,
        "allocation": p["allocation"],
        "gbp_per_year": float(p["gbp_per_year"]),
        "programme_years": float(cfg["years"]),
        "start_week": int(cfg["start_week"]),
        "seed": seed,
        "draw": -1,
        "people_start": int(first["people_supported"]),
        "people_end": int(last["people_supported"]),
        "households_start": int(first["households"]),
        "households_end": int(last["households"]),
        "staff_start": int(first["staff"]),
        "staff_end": int(last["staff"]),
        "posts_bought": int(p["posts_bought"]),
        "gbp_allocated_per_year": float(p["allocated_gbp_per_year"]),
        "gbp_spent_per_year": float(p["spent_gbp_per_year"]),
        **{k: int(v) for k, v in summary["growth_classes"].items()},
    }


def build_study(root: Path, programmes: dict = PROGRAMMES, seeds=(1, 2), years: int = 2) -> Path:
    """Run every programme on every nation seed (draw -1: calibrated defaults) and write the study
    folder ``root``; returns it."""
    root.mkdir(parents=True)
    rows, national, schemes = [], [], []
    bases = None
    run = 0
    for name, overrides in programmes.items():
        for seed in seeds:
            args = [*small_overrides(years), f"nation.seed={seed}", *(f"{k}={v}" for k, v in overrides.items())]
            cfg = nation_config.load(args)
            bases = bases or nation_cli.compose_bases(cfg)  # the same kinds and years in every run
            folder = root / "runs" / f"run={run}"
            run_nation(cfg, bases, folder)
            rows.append(_run_row(run, name, seed, folder))
            national.append(pd.read_parquet(folder / "national.parquet").assign(run=run))
            schemes.append(pd.read_parquet(folder / "schemes.parquet").assign(run=run))
            run += 1
    study = {"programmes": programmes, "seeds": list(seeds), "draws": 0, "overrides": small_overrides(years)}
    (root / "study.json").write_text(json.dumps(study, indent=2) + "\n")
    pd.DataFrame(rows).to_parquet(root / "runs.parquet", index=False)
    nat = pd.concat(national, ignore_index=True)
    nat[["run", "week", "people_supported", "households", "staff"]].to_parquet(root / "national.parquet", index=False)
    sch = pd.concat(schemes, ignore_index=True)
    sch[["run", *[c for c in sch.columns if c != "run"]]].to_parquet(root / "schemes.parquet", index=False)
    return root
