"""Speed of a national study (slsim-nation-study) on the basic executor and on a local Ray.

    python benchmarks/bench_nation_study.py [--cpus C]              # the default study
    python benchmarks/bench_nation_study.py --runs 4 --years 3      # a small one

The same study, in this process, one after the other, first on the basic executor (one run after
another, one core), then on a local Ray of C CPUs (default 2). By default the study is the one
`slsim-nation-study` runs without a config (configs/nation/study/default.yaml: 6 programmes x 2
nation seeds of the 124-scheme nation, 5 years); with --runs N, N runs (programmes none and
equal, N/2 seeds) over --years Y (default 3). Each timing is what the command does after reading
the study (``nation_study_cli.execute``): start the executor, compose the kinds' configs (Hydra),
build the schemes, run the study, write it and stop the executor; a local Ray starts its
workers, and they import the model, while the kinds are composed. Starting and stopping a local
Ray costs about 4 s, so a small study cannot reach the target. Prints both times, the speed-up
(target >= 1.7 on 2 cores) and whether the two study folders are the same bytes.
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
from slsim.experiments.nation_study_cli import compose, execute  # noqa: E402


def _files(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=None, help="a small study of N runs instead of the default study")
    ap.add_argument("--years", type=int, default=3, help="years of the small study's runs")
    ap.add_argument("--cpus", type=int, default=2)
    args = ap.parse_args()
    if args.runs is None:
        study = nation_study.load([])
    else:
        study = nation_study.load(
            [
                "programmes={none: {gbp_per_year: 0}, equal: {gbp_per_year: 5000000, start_week: 53, allocation: equal, "
                "shares: {scheme_workers: 0, recruitment: 1, outreach: 0}}}",
                f"seeds={max(1, args.runs // 2)}",
                f"overrides.run.years={args.years}",
            ]
        )
    runs = nation_study.plan(study)
    print(f"study: {len(runs)} national runs of {runs[0].cfg.n_schemes} schemes, {runs[0].cfg.years} years")
    # paid once, outside both timings: Hydra's first composition and the model's imports in this
    # process (a Ray worker imports the model itself, inside the Ray timing)
    compose(runs, nation_study.drawn(study))
    import slsim.simulation.model  # noqa: F401
    import slsim.simulation.nation.runner  # noqa: F401

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.monotonic()
        execute(study, runs, Path(tmp) / "basic", "basic")
        basic = time.monotonic() - t0
        print(f"basic executor (one core): {basic:.1f} s")
        t0 = time.monotonic()
        execute(study, runs, Path(tmp) / "ray", "ray", cpus=args.cpus)
        ray_time = time.monotonic() - t0
        print(f"ray executor ({args.cpus} CPUs, local, started and stopped inside): {ray_time:.1f} s")
        same = _files(Path(tmp) / "basic") == _files(Path(tmp) / "ray")
    ratio = basic / ray_time
    print(f"speed-up: {ratio:.2f}x (target >= 1.7 on 2 cores: {'PASS' if ratio >= 1.7 else 'FAIL'})")
    print(f"same bytes: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
