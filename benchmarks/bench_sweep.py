"""Sweep throughput: a 200-run sweep of the default scheme under joblib, against the same runs serially.

    make bench-sweep                      # = .venv/bin/python benchmarks/bench_sweep.py
    .venv/bin/python benchmarks/bench_sweep.py --runs 200 --per-job 25 --workers 2 --json sweep.json

Two timings of the same runs (default 10-year scheme, seeds 0 .. runs-1, every run's folder
written), measured in this process one after the other:

1. **serial**: the jobs' work done in this process, one job after another
   (``slsim.experiments.jobs.run_job``: compose, run, write), after the imports;
2. **parallel**: the command a user types,
   ``slsim -m hydra/launcher=joblib hydra.launcher.n_jobs=W run.seed=range(0,R,J) experiment.replicates=J``,
   timed as a whole (Python start-up, imports, Hydra, workers, the sweep table).

It prints runs per second of each, the speed-up, the parallel efficiency
(speed-up / workers) and the projected time of 1000 runs at the parallel rate.
Targets (issue 4): 1000 runs in < 5 minutes on a 2-core machine; efficiency >= 80%.

3. **overhead**: where a sweep's time goes besides the model. A one-process
   sweep of ``--overhead-runs`` runs (``slsim -m experiment.replicates=N``,
   basic launcher: one job) is timed as a whole and divided by the model
   time of the same N runs (building and running ``SharedLivesModel``, timed
   in this process) plus start-up (a one-run sweep's wall time less its
   model time: Python, imports, Hydra, the sweep table). The rest is
   composing each run's config, summarising and writing its files. Target:
   <= 1.3x.
Timings on shared machines are noisy; the load average is printed, and the exit
status is 0 unless ``--strict``.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_1000_RUNS_S = 300.0
TARGET_EFFICIENCY = 0.80
TARGET_OVERHEAD = 1.3


def model_seconds(seeds) -> float:
    """Seconds to build and run the model for each seed (default scheme), in this process."""
    from slsim.simulation.budget import apply_budget
    from slsim.experiments.config import load_params
    from slsim.simulation.model import SharedLivesModel

    base = apply_budget(load_params())
    total = 0.0
    for seed in seeds:
        params = apply_budget(load_params([f"run.seed={seed}"])) if seed != base.run.seed else base
        start = time.perf_counter()
        SharedLivesModel(params).run()
        total += time.perf_counter() - start
    return total


def one_process_sweep(runs: int, out: Path) -> float:
    """Wall seconds of ``slsim -m experiment.replicates=runs`` (one job, basic launcher)."""
    cmd = [str(Path(sys.executable).parent / "slsim"), "-m", f"experiment.replicates={runs}", f"hydra.sweep.dir={out}"]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=out.parent, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"bench_sweep: the sweep failed:\n{proc.stderr[-2000:]}")
    return elapsed


def overhead(runs: int, out: Path) -> dict:
    """Sweep time / (model time + start-up) for a one-process sweep of ``runs`` (see module doc)."""
    first = 42  # the default run.seed: the sweep runs seeds 42 .. 42 + runs - 1
    sweep = one_process_sweep(runs, out / "many")
    single = one_process_sweep(1, out / "one")
    model = model_seconds(range(first, first + runs))
    startup = max(0.0, single - model_seconds([first]))
    return {"runs": runs, "sweep_s": sweep, "model_s": model, "startup_s": startup, "ratio": sweep / (model + startup)}


def serial(runs: int, per_job: int, out: Path) -> float:
    from slsim.experiments.jobs import JobInfo, run_job
    from slsim.experiments.config import compose_cfg

    start = time.perf_counter()
    for num, first in enumerate(range(0, runs, per_job)):
        cfg = compose_cfg([f"run.seed={first}", f"experiment.replicates={min(per_job, runs - first)}"])
        run_job(cfg, JobInfo(output_dir=out / str(num), multirun=True, num=num))
    return time.perf_counter() - start


def parallel(runs: int, per_job: int, workers: int, out: Path) -> float:
    exe = Path(sys.executable).parent / "slsim"
    cmd = [
        str(exe),
        "-m",
        "hydra/launcher=joblib",
        f"hydra.launcher.n_jobs={workers}",
        f"run.seed=range(0,{runs},{per_job})",
        f"experiment.replicates={per_job}",
        f"hydra.sweep.dir={out}",
    ]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=out.parent, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"bench_sweep: the sweep failed:\n{proc.stderr[-2000:]}")
    done = len(list(out.rglob("summary.json")))
    if done != runs:
        sys.exit(f"bench_sweep: {done} runs written, expected {runs}")
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--per-job", type=int, default=25, help="seeds per job (experiment.replicates)")
    ap.add_argument("--workers", type=int, default=2, help="joblib workers (hydra.launcher.n_jobs)")
    ap.add_argument("--overhead-runs", type=int, default=60, help="runs of the one-process overhead sweep (0: skip)")
    ap.add_argument("--json", help="also write the figures to this file (atomically)")
    ap.add_argument("--strict", action="store_true", help="exit 1 if a target fails")
    args = ap.parse_args()
    if args.runs < 1 or args.per_job < 1 or args.workers < 1:
        ap.error("--runs, --per-job and --workers must be >= 1")

    tmp = Path(tempfile.mkdtemp(prefix="slsim-bench-sweep-"))
    try:
        t_serial = serial(args.runs, args.per_job, tmp / "serial")
        t_parallel = parallel(args.runs, args.per_job, args.workers, tmp / "parallel")
        over = overhead(args.overhead_runs, tmp) if args.overhead_runs > 0 else None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    rate_s, rate_p = args.runs / t_serial, args.runs / t_parallel
    speedup = t_serial / t_parallel
    efficiency = speedup / args.workers
    projected = 1000 / rate_p
    ok_time, ok_eff = projected < TARGET_1000_RUNS_S, efficiency >= TARGET_EFFICIENCY
    load = os.getloadavg()[0]
    print(
        f"sweep of {args.runs} runs of the default 10-year scheme, {args.per_job} seeds a job, "
        f"{args.workers} joblib workers (load average {load:.2f})"
    )
    print(f"  serial, one process   {t_serial:7.2f} s   {rate_s:6.2f} runs/s")
    print(f"  parallel, slsim -m    {t_parallel:7.2f} s   {rate_p:6.2f} runs/s")
    print(
        f"  speed-up              {speedup:7.2f}x   parallel efficiency {efficiency:.0%} "
        f"(target >= {TARGET_EFFICIENCY:.0%}: {'PASS' if ok_eff else 'FAIL'})"
    )
    print(
        f"  1000 runs projected   {projected:7.1f} s   (target < {TARGET_1000_RUNS_S:.0f} s: "
        f"{'PASS' if ok_time else 'FAIL'})"
    )
    ok_over = over is None or over["ratio"] <= TARGET_OVERHEAD
    if over is not None:
        print(
            f"  one-process sweep of {over['runs']} runs {over['sweep_s']:7.2f} s = {over['ratio']:.2f}x "
            f"(model {over['model_s']:.2f} s + start-up {over['startup_s']:.2f} s; target <= {TARGET_OVERHEAD}x: "
            f"{'PASS' if ok_over else 'FAIL'})"
        )
    if args.json:
        figures = {
            "runs": args.runs,
            "per_job": args.per_job,
            "workers": args.workers,
            "load_average": load,
            "serial_s": t_serial,
            "parallel_s": t_parallel,
            "serial_runs_per_s": rate_s,
            "parallel_runs_per_s": rate_p,
            "speedup": speedup,
            "efficiency": efficiency,
            "projected_1000_runs_s": projected,
            "overhead": over,
            "targets": {
                "projected_1000_runs_s": TARGET_1000_RUNS_S,
                "efficiency": TARGET_EFFICIENCY,
                "overhead_ratio": TARGET_OVERHEAD,
            },
        }
        path = Path(args.json)
        fd, part = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
        with os.fdopen(fd, "w") as f:
            json.dump(figures, f, indent=2, allow_nan=False)
        os.replace(part, path)
    return 1 if args.strict and not (ok_time and ok_eff and ok_over) else 0


if __name__ == "__main__":
    sys.exit(main())
