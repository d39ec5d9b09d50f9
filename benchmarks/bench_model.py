"""Speed benchmark of the default slsim scheme (see benchmarks/README.md).

    python benchmarks/bench_model.py [--repeats N] [--seed S] [--years Y]
                                     [--profile] [--datacollector]
                                     [--json PATH] [--strict]

Figures, all on the default config (``load_params()`` plus any --seed/--years):

1. model time: building + running ``SharedLivesModel(params)`` to the horizon,
   warm-up weeks included; median of N repeats after one discarded warm-up run.
   Composing the config (Hydra) is done once, outside the timing.
2. whole-process time: wall time of a fresh ``python -c`` that imports slsim,
   composes the config and calls ``run_simulation`` (writes nothing).
3. cost per agent-step: model time / agent-steps, where agent-steps is the sum
   over every executed step (warm-up included) of ``len(model.agents)`` at the
   start of that step, counted in a separate untimed run with the same seed.
4. ratio of (3) to a bare Mesa ``shuffle_do`` loop with the same mean number of
   trivial agents over the same number of steps, timed in this process (its
   repeats alternate with those of (1), so a burst of load hits both).
5. time per process of the week (:data:`slsim.simulation.processes.STEP`, the step
   order as data), median over N runs, and the rest of a run (building the
   population, the books, recording the weekly table).

Targets (printed with PASS/FAIL): model time < 0.5 s, ratio <= 3x. The exit
status is 0 unless --strict is given and a target fails.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from any directory, installed or not
    sys.path.insert(0, str(REPO))

import mesa  # noqa: E402

from slsim.experiments.config import load_params  # noqa: E402
from slsim.simulation.params import ConfigError  # noqa: E402

MODEL_TIME_TARGET_S = 0.5  # model time must be below this
RATIO_TARGET = 3.0  # cost per agent-step / bare shuffle_do cost must be at most this
DEFAULT_REPEATS = 7
PROCESS_REPEATS = 3

from model_timings import (  # noqa: E402 (this folder is sys.path[0] when run as a script)
    DATACOLLECTOR_CALLS,
    _same_rows,
    compare_collectors,
    count_agent_steps,
    profile_run,
    time_interleaved,
    time_process,
    time_processes,
)


# ----------------------------------------------------------------------
# report
# ----------------------------------------------------------------------
def _load():
    """1-minute load average (None where the OS has none): a busy machine explains a slow run."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def verdict(ok):
    return "PASS" if ok else "FAIL"


def write_json_atomic(path, data):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it 0600; give it a normal file's mode
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh, indent=2, allow_nan=False)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description="Speed benchmark of the default slsim scheme.")
    ap.add_argument(
        "--repeats", type=int, default=DEFAULT_REPEATS, help="timed repeats after one discarded warm-up run (default 7)"
    )
    ap.add_argument("--seed", type=int, default=None, help="override run.seed (default: the config's)")
    ap.add_argument("--years", type=int, default=None, help="override run.years (default: the config's)")
    ap.add_argument("--process-repeats", type=int, default=PROCESS_REPEATS, help="fresh-process runs (default 3)")
    ap.add_argument("--profile", action="store_true", help="also print the top functions of one run (cProfile)")
    ap.add_argument("--datacollector", action="store_true", help="also time Mesa's DataCollector vs WeeklyRecorder")
    ap.add_argument("--json", metavar="PATH", help="write the figures to PATH as JSON (atomically)")
    ap.add_argument("--strict", action="store_true", help="exit 1 if a target fails")
    args = ap.parse_args(argv)
    if args.repeats < 1:
        ap.error("--repeats must be at least 1")
    if args.process_repeats < 1:
        ap.error("--process-repeats must be at least 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    overrides = []
    if args.seed is not None:
        overrides.append(f"run.seed={args.seed}")
    if args.years is not None:
        overrides.append(f"run.years={args.years}")
    try:
        params = load_params(overrides)
    except ConfigError as exc:
        print(f"bench_model.py: {exc}", file=sys.stderr)
        return 2
    seed = params.run.seed
    n_steps = params.run.warmup_weeks + params.weeks

    load_at_start = _load()
    print("slsim speed benchmark")
    print(
        f"  config: default{' ' + ' '.join(overrides) if overrides else ''} -> seed {seed}, "
        f"{params.run.years} years + {params.run.warmup_weeks} warm-up weeks = {n_steps} steps"
    )
    print(
        f"  Python {platform.python_version()}, Mesa {mesa.__version__}, {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {load_at_start}"
    )

    # 3 first (untimed), so the timed runs can be checked against it
    alive, counted = count_agent_steps(params)
    agent_steps = sum(alive)
    if len(alive) != n_steps:
        raise RuntimeError(f"instrumented run executed {len(alive)} steps, expected {n_steps}")
    mean_alive = agent_steps / len(alive)

    # 1 and 4, alternated
    n_bare = max(1, round(mean_alive))
    first, model_times, bare_first, bare_times, last = time_interleaved(params, n_bare, n_steps, args.repeats, seed)
    model_time = statistics.median(model_times)
    bare_time = statistics.median(bare_times)
    deterministic = _same_rows(last.recorder.rows, counted.recorder.rows) and len(last.agents) == len(counted.agents)
    if not deterministic:
        print("  WARNING: the timed run and the instrumented run differ; agent-steps may not match the timed runs")

    cost = model_time / agent_steps
    bare_cost = bare_time / (n_bare * n_steps)
    ratio = cost / bare_cost

    # 2 (last: the subprocesses compete for the same 2 cores)
    walls, splits = time_process(overrides, args.process_repeats)
    process_time = statistics.median(walls)
    split = {k: statistics.median(s[k] for s in splits) for k in ("import_s", "compose_s", "run_s")}

    model_ok = model_time < MODEL_TIME_TARGET_S
    ratio_ok = ratio <= RATIO_TARGET
    w = 58
    print()
    print(
        f"  {'model time (build + run, median of ' + str(args.repeats) + ')':<{w}} {model_time:9.3f} s"
        f"   target < {MODEL_TIME_TARGET_S} s   {verdict(model_ok)}"
    )
    print(f"  {'  range; discarded warm-up run':<{w}} {min(model_times):.3f}-{max(model_times):.3f} s; {first:.3f} s")
    print(f"  {'whole-process time (fresh python -c, median of ' + str(len(walls)) + ')':<{w}} {process_time:9.3f} s")
    print(
        f"  {'  of which, inside: imports / compose / run_simulation':<{w}} "
        f"{split['import_s']:.2f} / {split['compose_s']:.2f} / {split['run_s']:.2f} s "
        f"(rest: interpreter start-up and exit)"
    )
    print(
        f"  {'agent-steps (all ' + str(n_steps) + ' steps, warm-up included)':<{w}} {agent_steps:9d}"
        f"     mean {mean_alive:.1f} agents alive (min {min(alive)}, max {max(alive)})"
    )
    print(f"  {'cost per agent-step':<{w}} {cost * 1e6:9.3f} us")
    print(
        f"  {'bare Mesa shuffle_do (' + str(n_bare) + ' agents x ' + str(n_steps) + ' steps)':<{w}} "
        f"{bare_cost * 1e6:9.3f} us per agent-step   ({bare_time * 1e3:.1f} ms per run)"
    )
    print(
        f"  {'  range; discarded warm-up run':<{w}} {min(bare_times) * 1e3:.1f}-{max(bare_times) * 1e3:.1f} ms; {bare_first * 1e3:.1f} ms"
    )
    print(
        f"  {'ratio (cost per agent-step / bare)':<{w}} {ratio:9.2f} x   target <= {RATIO_TARGET:g} x   {verdict(ratio_ok)}"
    )
    if not deterministic:
        print("  (agent-steps came from a run that differs from the timed ones: see the warning above)")

    per_process = time_processes(params, args.repeats)
    total = per_process["total"]
    print(f"\n  {'time per process of the week (median of ' + str(args.repeats) + ' runs)':<{w}} {'s':>9} {'share':>7}")
    for name, secs in per_process.items():
        if name != "total":
            print(f"  {'  ' + name:<{w}} {secs:9.3f} {secs / total:7.0%}")

    figures = {
        "command": " ".join([Path(sys.executable).name, "benchmarks/bench_model.py", *(argv or sys.argv[1:])]),
        "unix_time": time.time(),
        "python": platform.python_version(),
        "mesa": mesa.__version__,
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "load_average_at_start": load_at_start,
        "seed": seed,
        "years": params.run.years,
        "warmup_weeks": params.run.warmup_weeks,
        "steps": n_steps,
        "repeats": args.repeats,
        "model_time_s": model_time,
        "model_times_s": model_times,
        "model_time_discarded_s": first,
        "process_time_s": process_time,
        "process_times_s": walls,
        "process_split_s": split,
        "agent_steps": agent_steps,
        "mean_agents_alive": mean_alive,
        "cost_per_agent_step_us": cost * 1e6,
        "bare_agents": n_bare,
        "bare_time_s": bare_time,
        "bare_times_s": bare_times,
        "bare_cost_per_agent_step_us": bare_cost * 1e6,
        "ratio": ratio,
        "seconds_per_process": per_process,
        "deterministic": deterministic,
        "targets": {
            "model_time_s": {"below": MODEL_TIME_TARGET_S, "value": model_time, "pass": model_ok},
            "ratio": {"at_most": RATIO_TARGET, "value": ratio, "pass": ratio_ok},
        },
    }

    if args.datacollector:
        dc, rec, n_cols = compare_collectors(last)
        print(
            f"\n  {DATACOLLECTOR_CALLS} collects of the {n_cols} reporters on the finished model: "
            f"Mesa DataCollector {dc * 1e3:.1f} ms, WeeklyRecorder {rec * 1e3:.1f} ms "
            f"({dc / rec:.1f}x; the difference is {(dc - rec) / model_time:.0%} of the model time)"
        )
        figures["datacollector"] = {
            "calls": DATACOLLECTOR_CALLS,
            "reporters": n_cols,
            "datacollector_s": dc,
            "weekly_recorder_s": rec,
        }

    if args.profile:
        profile_run(params)

    if args.json:
        write_json_atomic(args.json, figures)
        print(f"\n  figures written to {args.json}")

    failed = not (model_ok and ratio_ok)
    if failed and not args.strict:
        print("\n  (a target failed; exit status stays 0 without --strict: timings on shared machines are noisy)")
    return 1 if (failed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
