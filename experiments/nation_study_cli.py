"""``slsim-nation-study``: a national study (programmes x nation seeds x posterior draws), each
cell one national run, on this process or a Ray cluster, written to one folder.

    slsim-nation-study --out outputs/nation_study
    slsim-nation-study --out outputs/nation_study --executor ray --cpus 2 seeds=4 draws=2
    slsim-nation-study --out outputs/nation_study --executor ray --address 10.0.0.5:6379

The study config is ``configs/nation/study/default.yaml`` (``--config FILE`` over it; then
``key=value``: ``seeds=3``, ``draws=2``, ``programmes.equal.gbp_per_year=1000000``,
``programmes.to_growing=null``, ``overrides.run.years=5``). Bad input prints one line
``slsim-nation-study: error: ...`` naming the field and what is allowed, exits 2 and writes
nothing; a stopped study (Ctrl-C, SIGTERM) leaves nothing partial.
"""

import argparse
import sys
import time
from pathlib import Path

from slsim.experiments import nation_study
from slsim.experiments.interrupts import OneLineParser, plain_command
from slsim.experiments.nation_study_run import EXECUTORS, check_executor, check_out, executor, run_study
from slsim.simulation.nation.runner import stderr_progress
from slsim.simulation.nation.worker import WorkerError
from slsim.simulation.validation import ConfigError

PROG = "slsim-nation-study"


def parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog=PROG, description="A national study: programmes x nation seeds x posterior draws.")
    p.add_argument("--out", required=True, help="study folder (new, empty, or a previous study: replaced)")
    p.add_argument("--config", default=None, help="a study config YAML over configs/nation/study/default.yaml")
    p.add_argument("--executor", default="basic", help=f"where runs run: {' | '.join(EXECUTORS)} (same bytes)")
    p.add_argument("--address", default=None, help="Ray: HOST:PORT of a running cluster's head (ray start --head)")
    p.add_argument("--cpus", type=int, default=None, help="Ray: CPUs of a local Ray (default: all)")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.add_argument("overrides", nargs="*", help="key=value overrides of the study config")
    return p


def compose(runs: list, draws: dict) -> dict:
    """{draw: {(kind, operator): params}}: every kind's composed config with the draw's values."""
    from slsim.experiments.config import one_line
    from slsim.experiments.nation_cli import compose_bases

    out = {}
    for d, v in sorted(draws.items()):
        extra = [f"{k}={x}" for k, x in v["values"].items()]
        try:
            out[d] = compose_bases(runs[0].cfg, extra)
        except ConfigError as exc:
            raise ConfigError(f"calibration.path: draw {d} (particle {v['particle']}) is refused: {exc}") from None
        except Exception as exc:  # Hydra or the model's checks refusing a drawn value
            raise ConfigError(
                f"calibration.path: draw {d} (particle {v['particle']}) is refused by the model ({one_line(exc)})"
            ) from None
    return out


def check_runs(runs: list, bases: dict) -> None:
    """Every (draw, seed)'s schemes built before anything runs (a scheme the model refuses is named)."""
    from slsim.simulation.nation.runner import build

    seen = set()
    for r in runs:
        if (r.draw, r.seed) not in seen:
            seen.add((r.draw, r.seed))
            try:
                build(r.cfg, bases[r.draw])
            except ConfigError as exc:
                raise ConfigError(f"seed {r.seed}, draw {r.draw}: {exc}") from None


def execute(study: dict, runs: list, out, name: str, address=None, cpus=None, progress=None) -> list:
    """Start the executor, compose every draw's kinds, build every run's schemes, run the study
    into ``out``; returns the runs' rows. The executor starts first: a local Ray starts its
    workers (and they import the model) while this process composes."""
    ex = executor(name, address, cpus)
    try:
        draws = nation_study.drawn(study)
        bases = compose(runs, draws)
        check_runs(runs, bases)
        return run_study(study, runs, bases, draws, out, ex, progress=progress)
    finally:
        ex.close()


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    return plain_command(PROG, lambda: _main(argv), failures=(WorkerError,))  # a stopped study writes nothing


def _main(argv) -> int:
    args = parser().parse_args(argv)
    check_executor(args.executor, args.address, args.cpus)
    study = nation_study.load(args.overrides, args.config)
    runs = nation_study.plan(study)
    check_out(Path(args.out))
    started = time.monotonic()
    rows = execute(
        study, runs, args.out, args.executor, args.address, args.cpus, None if args.quiet else stderr_progress
    )
    print(
        f"{PROG}: {len(rows)} national runs ({len(study['programmes'])} programmes x {max(1, study['draws'])} draws x "
        f"{len(study['seeds'])} seeds) in {time.monotonic() - started:.1f} s; wrote {args.out}"
    )
    return 0


def cli() -> None:
    sys.exit(main())


if __name__ == "__main__":
    cli()
