"""Runs at the upper bounds of the parameters: time and memory (see benchmarks/README.md).

    python benchmarks/bench_bounds.py [--only NAME ...] [--list]

Every number in the config has an upper bound (the parameter tree, simulation/params/ and the levers' and shocks' modules, documented beside
its field in the YAML) so that a run of the largest sizes fits in memory and finishes in
minutes. This measures it: each case is one run (``run_simulation``, no files written) in
a fresh process, which reports its CPU time, wall time and peak memory (max RSS), the
people supported at the end and the rows of its event table. The cases are the size
bounds one at a time over the longest horizon (100 years after 520 warm-up weeks), and
all of them together over the default horizon (10 years).
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

LONGEST = ("run.years=100", "run.warmup_weeks=520")
TEAMS = 5  # teams of the default config
SW_EACH = 2000 // TEAMS  # the most social workers in all, spread over the teams
# decisions a year per worker so that all teams together make the most (5,000 a year)
DECISIONS = [f"social_work.teams.{i}.decisions_per_worker_per_year={5000 / 2000:g}" for i in range(TEAMS)]
STAFF = ("scheme.scheme_workers=200", "scheme.recruitment_officers=50")
PEOPLE = (
    "scheme.initial_people_supported=2000",
    "scheme.initial_carers_approved=2000",
    "scheme.initial_carers_in_assessment=1000",
    "scheme.initial_enquiries=1000",
)
ENQUIRIES = (
    "carers.base_enquiries_per_year=1000",
    "carers.word_of_mouth_enquiries_per_year=5",
    "carers.foster_transitions_per_year=100",
)
SOCIAL_WORKERS = (*(f"social_work.teams.{i}.social_workers={SW_EACH}" for i in range(TEAMS)), *DECISIONS)

CASES = {
    "default, longest horizon": LONGEST,
    "staff (200 + 50 posts), longest": (*LONGEST, *STAFF),
    "initial people and carers, longest": (*LONGEST, *PEOPLE),
    "enquiries, longest": (*LONGEST, *ENQUIRIES),
    "social workers and decisions, longest": (*LONGEST, *SOCIAL_WORKERS),
    "social-worker turnover, longest": (*LONGEST, *SOCIAL_WORKERS, "social_work.turnover_per_year=2"),
    "all sizes, 10 years": (*STAFF, *PEOPLE, *ENQUIRIES, *SOCIAL_WORKERS, "social_work.turnover_per_year=2"),
}

_CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from slsim.experiments.config import load_params
from slsim.simulation.run import run_simulation
result = run_simulation(load_params(json.loads(sys.argv[1])))
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall_s": time.perf_counter() - t0, "cpu_s": usage.ru_utime + usage.ru_stime,
                  "max_rss_mb": usage.ru_maxrss / 1024, "people_end": result.summary["people_supported_end"],
                  "events": len(result.events)}, allow_nan=False))
"""


def measure(overrides) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(list(overrides), allow_nan=False)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="+", metavar="NAME", help="cases whose name contains NAME")
    ap.add_argument("--list", action="store_true", help="print the cases and their overrides")
    args = ap.parse_args(argv)
    cases = {n: o for n, o in CASES.items() if not args.only or any(s in n for s in args.only)}
    if args.list:
        for name, overrides in cases.items():
            print(f"{name}: {' '.join(overrides)}")
        return 0
    print(f"{'case':40} {'cpu s':>8} {'wall s':>8} {'max RSS MB':>11} {'people':>7} {'events':>10}")
    for name, overrides in cases.items():
        started = time.perf_counter()
        r = measure(overrides)
        if "error" in r:
            print(f"{name:40} failed after {time.perf_counter() - started:.0f} s: {r['error']}")
            continue
        print(
            f"{name:40} {r['cpu_s']:8.1f} {r['wall_s']:8.1f} {r['max_rss_mb']:11.0f} {r['people_end']:7} {r['events']:10}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
