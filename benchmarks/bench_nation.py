"""Speed and memory benchmark of the national model (slsim-nation; see benchmarks/README.md).

    python benchmarks/bench_nation.py [--schemes N] [--years Y] [--workers W] [--strict]

Measured in this process, one after the other, on the default national config
(configs/nation/default.yaml, its 124 English schemes unless --schemes rescales the regions'
counts):

1. national run: ``run_nation`` of the default config to the horizon with W workers (default 1:
   one core), outputs written to a temporary folder; composing the kinds' configs (Hydra) is
   outside the timing.
2. the same without peer learning (``peers.enabled=false``), and the same schemes run alone:
   for each scheme ``SharedLivesModel(params).run()`` and its weekly table written to parquet,
   as a single-scheme run does. Their ratio is the per-scheme cost of the national machinery
   (periods, exchanges, national totals, outputs) on the same work. With peer learning on,
   schemes learn faster assessments, approve more carers and grow, so they do more work than
   the same schemes alone; that ratio is printed too, for information.
3. peak memory: the largest resident set of this process and of any worker (ru_maxrss).

Targets (printed with PASS/FAIL): 10-year national run < 60 s on one core; ratio <= 1.2;
memory < 2 GB. Exit status 0 unless --strict is given and a target fails.
"""

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from slsim.experiments.nation_cli import compose_bases  # noqa: E402
from slsim.simulation.model import SharedLivesModel  # noqa: E402
from slsim.simulation.nation import config as nation_config  # noqa: E402
from slsim.simulation.nation.population import largest_remainder  # noqa: E402
from slsim.simulation.nation.runner import build, run_nation  # noqa: E402


def overrides(schemes: int | None, years: int) -> list:
    out = [f"run.years={years}"]
    if schemes:
        regions = nation_config.load().regions
        counts = largest_remainder([r.schemes for r in regions], schemes)
        out += [f"regions.{r.name}.schemes={c}" for r, c in zip(regions, counts)]
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schemes", type=int, default=None, help="rescale the regions to this many schemes")
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--strict", action="store_true", help="exit 1 if a target fails")
    args = ap.parse_args(argv)

    cfg = nation_config.load(overrides(args.schemes, args.years))
    flat = nation_config.load([*overrides(args.schemes, args.years), "peers.enabled=false"])
    bases = compose_bases(cfg)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        run_nation(cfg, bases, Path(tmp) / "nation", workers=args.workers)
        national = time.perf_counter() - t0
        t0 = time.perf_counter()
        run_nation(flat, bases, Path(tmp) / "flat", workers=args.workers)
        no_peers = time.perf_counter() - t0

        _, params = build(cfg, bases)
        t0 = time.perf_counter()
        for sid, p in sorted(params.items()):
            model = SharedLivesModel(p).run()
            model.recorder.to_frame().to_parquet(Path(tmp) / f"{sid}.parquet", index=False, engine="pyarrow")
            del model
        alone = time.perf_counter() - t0
    kib = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    )
    n = cfg.n_schemes
    ratio = no_peers / alone
    gb = kib / 1024**2
    checks = []
    if args.years == 10 and args.workers == 1:
        checks.append(("10-year national run on one core < 60 s", national < 60))
    checks += [("per-scheme cost ratio (same work) <= 1.2", ratio <= 1.2), ("peak memory < 2 GB", gb < 2)]
    print(f"schemes: {n}, years: {args.years}, workers: {args.workers}")
    print(f"national run:                 {national:7.1f} s  ({national / n * 1000:.0f} ms a scheme)")
    print(f"  without peer learning:      {no_peers:7.1f} s  ({no_peers / n * 1000:.0f} ms a scheme)")
    print(f"the same schemes alone:       {alone:7.1f} s  ({alone / n * 1000:.0f} ms a scheme)")
    print(f"per-scheme cost ratio:        {ratio:7.2f}  (without peer learning / alone)")
    print(f"  with peer learning / alone: {national / alone:7.2f}  (schemes that learn grow: more work)")
    print(f"peak memory (max RSS):        {gb:7.2f} GB")
    for name, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 1 if args.strict and not all(ok for _, ok in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
