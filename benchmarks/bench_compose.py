"""Config composition: compositions per second with each config file's YAML parsed once a process
(``experiments/yamlcache.py``, what slsim does) against omegaconf's own load (parsed every time).

    make bench-compose                         # = .venv/bin/python benchmarks/bench_compose.py
    .venv/bin/python benchmarks/bench_compose.py --rounds 5 --json compose.json

Each round composes the same set of command lines (the default, every lever, the levers study,
a scheme kind with a shock: what a sweep's pre-check and Hydra compose) once with the cache and
once without, alternating which goes first, in this process; the ratio is of the medians over
rounds, so both sides share the machine's noise. A composition is what every ``slsim`` command
does at least twice (the pre-check, then Hydra) and a sweep once or twice a job more.
Target: the cache at least 1.2x as fast. Timings on shared machines are noisy: the load
average is printed, and the exit status is 0 unless ``--strict``.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

TARGET = 1.2


def command_lines() -> list:
    from slsim.simulation.params import LEVER_NAMES

    return [
        [],
        *([f"levers={n}"] for n in LEVER_NAMES),
        ["experiment=levers"],
        ["scheme_type=voluntary_sector", "shocks=pandemic"],
    ]


def one_pass(lines: list) -> float:
    from slsim.experiments.config import compose_cfg

    start = time.perf_counter()
    for overrides in lines:
        compose_cfg(overrides, hydra_node=True)
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds of both timings (default 5)")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    parser.add_argument("--strict", action="store_true", help="exit 1 if the target is missed")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds: allowed 1 <= x")

    from slsim.experiments import yamlcache

    lines = command_lines()
    one_pass(lines[:1])  # imports and Hydra's plugin discovery, outside the timings
    cached, plain = [], []
    for r in range(args.rounds):
        order = [("cached", cached), ("plain", plain)]
        for name, out in order if r % 2 == 0 else order[::-1]:
            (yamlcache.install if name == "cached" else yamlcache.uninstall)()
            if name == "cached":
                one_pass(lines[:1])  # the cache filled (it is, after a command's first composition)
            out.append(one_pass(lines))
    yamlcache.install()
    n = len(lines)
    result = {
        "compositions_per_round": n,
        "cached_s_per_composition": statistics.median(cached) / n,
        "plain_s_per_composition": statistics.median(plain) / n,
        "speed_up": statistics.median(plain) / statistics.median(cached),
        "target_speed_up": TARGET,
        "load_average": os.getloadavg()[0],
    }
    print(f"{n} compositions a round, {args.rounds} rounds (load average {result['load_average']:.2f})")
    print(f"  YAML parsed once a process: {1000 * result['cached_s_per_composition']:.0f} ms a composition")
    print(f"  parsed every time (omegaconf): {1000 * result['plain_s_per_composition']:.0f} ms a composition")
    ok = result["speed_up"] >= TARGET
    print(f"  speed-up {result['speed_up']:.2f}x (target >= {TARGET}x): {'met' if ok else 'MISSED'}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, allow_nan=False) + "\n")
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
