"""Speed of a national study (slsim-nation-study) on the basic executor and on a local Ray.

    python benchmarks/bench_nation_study.py [--runs N] [--years Y] [--cpus C]

The same study, in this process, one after the other: N runs (programmes none and equal, N/2
nation seeds) of the default 124-scheme nation over Y years (default 4 runs of 3 years), first
on the basic executor (one run after another, one core), then on a local Ray of C CPUs (default
2). Composing the kinds' configs (Hydra) is outside the timings; starting the local Ray is
inside the Ray timing and also printed alone. Prints both times, the speed-up (target >= 1.7 on
2 cores) and whether the two study folders are the same bytes.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from slsim.experiments import nation_study  # noqa: E402
from slsim.experiments.nation_study_cli import compose  # noqa: E402
from slsim.experiments.nation_study_run import BasicExecutor, RayExecutor, run_study  # noqa: E402


def _files(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=4)
    ap.add_argument("--years", type=int, default=3)
    ap.add_argument("--cpus", type=int, default=2)
    args = ap.parse_args()
    study = nation_study.load(
        [
            "programmes={none: {gbp_per_year: 0}, equal: {gbp_per_year: 5000000, start_week: 53, allocation: equal, "
            "shares: {scheme_workers: 0, recruitment: 1, outreach: 0}}}",
            f"seeds={max(1, args.runs // 2)}",
            f"overrides.run.years={args.years}",
        ]
    )
    runs = nation_study.plan(study)
    draws = nation_study.drawn(study)
    bases = compose(runs, draws)
    print(f"study: {len(runs)} national runs of {runs[0].cfg.n_schemes} schemes, {args.years} years")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.monotonic()
        run_study(study, runs, bases, draws, Path(tmp) / "basic", BasicExecutor())
        basic = time.monotonic() - t0
        print(f"basic executor (one core): {basic:.1f} s")
        t0 = time.monotonic()
        ex = RayExecutor(cpus=args.cpus)
        started = time.monotonic() - t0
        try:
            run_study(study, runs, bases, draws, Path(tmp) / "ray", ex)
        finally:
            ex.close()
        ray_time = time.monotonic() - t0
        print(f"ray executor ({args.cpus} CPUs, local): {ray_time:.1f} s (of which starting Ray {started:.1f} s)")
        same = _files(Path(tmp) / "basic") == _files(Path(tmp) / "ray")
    ratio = basic / ray_time
    print(f"speed-up: {ratio:.2f}x (target >= 1.7 on 2 cores: {'PASS' if ratio >= 1.7 else 'FAIL'})")
    print(f"speed-up once Ray has started: {basic / (ray_time - started):.2f}x")
    print(f"same bytes: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
