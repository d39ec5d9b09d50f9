"""Calibration check: the default scheme against the national figures of LGA 2025.

    python -m slsim.experiments.calibration [--seeds 20] [--json PATH] [override ...]

Runs the default scheme over several seeds and prints, for the recorded
10 years, the mean people supported, the arrangement and needs mix of people
supported, households per worker, flows per year, against the national
per-scheme anchors of the LGA's 2025 guidance *Developing Shared Lives for
people with a learning disability* (listed with their sections in
docs/design.md, section 6). ``calibration_table`` is what
tests/test_calibration.py checks.
"""

import argparse
import json
import os
import sys
import tempfile

import numpy as np

from slsim.experiments.config import load_params
from slsim.simulation.params import ARRANGEMENTS, NEEDS, ConfigError
from slsim.simulation.run import run_simulation
from slsim.simulation.permissions import umask

# LGA 2025, Part one, 'Types of support arrangements': live-in 66% (60% in its executive
# summary; 63% is the midpoint), short breaks 31%, day support 17%; normalised, since the
# published shares sum to more than 100%
_ARR_PUBLISHED = {"live_in": 0.63, "short_break": 0.31, "day_support": 0.17}
TARGETS = {
    "people_supported": 68.0,  # almost 10,000 people / 146 UK schemes (LGA 2025, Part one)
    **{f"share_{k}": v / sum(_ARR_PUBLISHED.values()) for k, v in _ARR_PUBLISHED.items()},
    "share_need_learning_disability": 0.81 / 0.97,  # LGA 2025, Part one: 81% of the listed needs (which sum to 97%)
    "households_per_worker": 20.0,  # LGA 2025, Part two, 'Work distribution': "20 households or less"
}


def run_metrics(params) -> dict:
    ts = run_simulation(params).timeseries.iloc[1:]
    people = ts["people_supported"].to_numpy(float)
    total = people.sum()
    out = {
        "people_supported": people.mean(),
        "people_supported_end": people[-1],
        "households_per_worker": ts["households_per_worker"].mean(),
        "households": ts["households"].mean(),
        "people_per_household": total / ts["households"].sum(),
        "referrals_per_year": ts["referrals_received"].sum() / params.run.years,
        "placements_per_year": ts["referrals_placed"].sum() / params.run.years,
        "withdrawals_per_year": ts["referrals_withdrawn"].sum() / params.run.years,
        "approvals_per_year": ts["new_approvals"].sum() / params.run.years,
        "carer_exits_per_year": ts["carer_exits"].sum() / params.run.years,
        "growth_hours_per_week": (ts["hours_outreach"] + ts["hours_recruitment"]).mean(),
        "monitoring_coverage": ts["monitoring_coverage"].mean(),
        "sw_awareness": ts["sw_mean_awareness"].mean(),
        "carer_satisfaction": ts["carer_mean_satisfaction"].mean(),
    }
    for k in ARRANGEMENTS:
        out[f"share_{k}"] = ts[f"people_{k}"].sum() / total
    for n in NEEDS:
        out[f"share_need_{n}"] = ts[f"people_need_{n}"].sum() / total
    return out


def calibration_table(seeds=range(1, 21), overrides=()) -> dict:
    """Mean and standard error over seeds of each metric."""
    rows = [run_metrics(load_params([*overrides, f"run.seed={s}"])) for s in seeds]
    table = {}
    for key in rows[0]:
        values = np.array([r[key] for r in rows], dtype=float)
        table[key] = {
            "mean": float(values.mean()),
            "se": float(values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else 0.0,
            "target": TARGETS.get(key),
        }
    return table


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20, help="number of seeds (1..N), default 20")
    ap.add_argument("--json", help="also write the table as JSON to this path")
    ap.add_argument("overrides", nargs="*", help="config overrides, e.g. scheme.scheme_workers=2")
    args = ap.parse_args(argv)
    if args.seeds < 2:
        print("calibration: error: --seeds must be >= 2", file=sys.stderr)
        return 2
    try:
        table = calibration_table(range(1, args.seeds + 1), args.overrides)
    except ConfigError as exc:
        print(f"calibration: error: {exc}", file=sys.stderr)
        return 2
    print(f"{'metric':34s} {'mean':>10s} {'s.e.':>8s} {'target':>8s}")
    for key, v in table.items():
        target = "" if v["target"] is None else f"{v['target']:.3f}"
        print(f"{key:34s} {v['mean']:10.3f} {v['se']:8.3f} {target:>8s}")
    if args.json:
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(args.json)) or ".")
        os.fchmod(fd, 0o666 & ~umask())  # mkstemp makes 600; as any file the umask allows
        with os.fdopen(fd, "w") as fh:
            json.dump(table, fh, indent=2, allow_nan=False)
        os.replace(tmp, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
