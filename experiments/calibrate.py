"""``slsim-calibrate``: fit the uncertain parameters to the published targets with ABC-SMC (pyabc).

    slsim-calibrate                                   # configs/abc/default.yaml -> outputs/calibration/
    slsim-calibrate --procs 8 --out outputs/calibration
    slsim-calibrate --generations 14                  # the same folder: continue to 14 generations
    slsim-calibrate --spec my.yaml --population 50 --generations 3 run.years=5
    slsim-calibrate --spec period --out outputs/calibration_period   # configs/abc/period.yaml

The spec (``configs/abc/*.yaml``, :mod:`slsim.experiments.abc_spec`) lists the
priors, the targets fitted and the sampler's settings; the options replace its
``abc`` values, trailing ``key=value`` overrides are added to its model
overrides. Runs pyabc's ABC-SMC on ``--procs`` processes (default: every core),
one progress line per generation, and writes into ``--out``: the history
``abc.db`` and ``spec.json`` (:mod:`slsim.experiments.abc_run`: the same command
resumes), then ``posterior.parquet``, ``predictive.parquet``,
``calibration.json`` and ``figures/*.png`` (:mod:`slsim.experiments.abc_outputs`).

Exit codes: 0 done (also when the walltime stopped it: the outputs describe the
last complete generation, and the same command continues); 2 bad input (one
line, nothing written); 1 a model run raised in a worker; 130/143 stopped by
Ctrl-C/SIGTERM (the history keeps every complete generation: run the same
command to resume).
"""

import argparse
import os
import signal
import sys
from pathlib import Path

from slsim.experiments.abc_spec import DEFAULT_SPEC, load_spec
from slsim.simulation.params import ConfigError

EXIT_BAD_INPUT, EXIT_FAILED = 2, 1
DEFAULT_OUT = Path("outputs/calibration")
_RUNNING = {}  # out and generations of the calibration running, for the stop line
OPTIONS = ("population", "generations", "seeds_per_particle", "max_walltime_minutes", "predictive_draws")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse prints the usage too)
        print(f"slsim-calibrate: error: {message}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)


def _parser() -> argparse.ArgumentParser:
    ap = _Parser(prog="slsim-calibrate", description=__doc__.splitlines()[0])
    ap.add_argument(
        "--spec",
        type=Path,
        default=DEFAULT_SPEC,
        help="calibration spec: a path, or a name in configs/abc/ (default: default)",
    )
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT}); resumes")
    ap.add_argument("--procs", type=int, default=os.cpu_count() or 1, help="worker processes (default: every core)")
    for name in OPTIONS:
        kind = float if name == "max_walltime_minutes" else int
        ap.add_argument(f"--{name.replace('_', '-')}", type=kind, help=f"replaces the spec's abc.{name}")
    ap.add_argument("overrides", nargs="*", help="model config overrides for every run, as for slsim")
    return ap


def _priors_frame(spec):
    import numpy as np
    import pandas as pd

    from slsim.experiments.abc_model import prior_distribution

    dist = prior_distribution(spec)

    def density(rv):
        return lambda grid: np.array([rv.pdf(float(x)) for x in grid])

    return pd.DataFrame(
        [
            {
                "parameter": p.key,
                "lo": p.lo,
                "hi": p.hi,
                "unit": p.unit,
                "integer": p.integer,
                "density": density(dist[p.key]),
            }
            for p in spec.priors
        ]
    )


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        if not 1 <= args.procs <= (os.cpu_count() or 1) * 4:
            raise ConfigError(f"--procs={args.procs}: allowed 1 <= x <= {(os.cpu_count() or 1) * 4}")
        for o in args.overrides:
            if o.lstrip("+~").split("=", 1)[0].split(".")[0] in ("experiment", "hydra", "calibration") or "=" not in o:
                raise ConfigError(f"{o}: allowed model overrides key=value only (not experiment, hydra or calibration)")
        settings = {k: getattr(args, k) for k in OPTIONS if getattr(args, k) is not None}
        spec = load_spec(args.spec, overrides=args.overrides, **settings)
        from slsim.experiments.abc_run import prepare

        bases = prepare(spec, args.out)
    except ConfigError as exc:
        print(f"slsim-calibrate: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    _RUNNING.update(out=args.out, generations=spec.abc.generations)
    return calibrate(spec, args.out, bases, args.procs)


def calibrate(spec, out: Path, bases: dict, procs: int) -> int:
    from multiprocessing import ProcessError

    from slsim.analysis.calibration_figures import epsilon_figure, marginals_figure, predictive_figure
    from slsim.experiments import abc_outputs as o
    from slsim.experiments.abc_run import DB_FILE, run

    try:
        outcome = run(spec, out, bases, procs)
    except ProcessError:
        print(
            f"slsim-calibrate: error: a model run raised in a worker process (its traceback is above); "
            f"{out / DB_FILE} keeps every complete generation",
            file=sys.stderr,
        )
        return EXIT_FAILED
    history = outcome.history
    print(f"slsim-calibrate: stopped sampling: {outcome.stopped}", file=sys.stderr)
    if history.max_t < 0:
        print("slsim-calibrate: no complete generation yet: nothing to write", file=sys.stderr)
        return 0
    posterior = o.posterior_table(history, spec)
    if spec.abc.predictive_draws:
        print(f"slsim-calibrate: posterior predictive: {spec.abc.predictive_draws} draws", file=sys.stderr)
        pred, label = o.predictive(spec, bases, posterior, procs), f"{spec.abc.predictive_draws} draws"
    else:
        pred, label = o.accepted_summaries(history, spec), "accepted particles' own runs"
    table = o.predictive_table(spec, pred)
    generations = o.generations_table(history)
    data = o.summary(spec, outcome, posterior, generations, table, procs, out)
    figures = {
        "marginals.png": marginals_figure(o.marginals_long(history, spec), _priors_frame(spec)),
        "epsilon.png": epsilon_figure(generations),
        "predictive.png": predictive_figure(table, label),
    }
    written = o.write(out, posterior, pred, data, figures)
    counts = data["predictive"]["counts"]
    print(
        f"slsim-calibrate: done, {history.max_t + 1} generations: {counts['pass']} of {len(spec.fit)} targets' "
        f"predictive means inside their bands; wrote {', '.join(str(p) for p in written)}",
        file=sys.stderr,
    )
    return 0


def cli() -> None:
    """Entry point: Ctrl-C and SIGTERM stop with one line (the history keeps complete generations)."""
    from slsim.experiments.interrupts import Terminated, exit_code

    def terminate(signum, frame):
        raise Terminated()

    if signal.getsignal(signal.SIGTERM) is not signal.SIG_IGN:
        signal.signal(signal.SIGTERM, terminate)
    try:
        code = main()
    except KeyboardInterrupt as exc:
        from slsim.experiments.abc_run import DB_FILE, generations_in

        signum = signal.SIGTERM if isinstance(exc, Terminated) else signal.SIGINT
        if _RUNNING:
            out = _RUNNING["out"]
            done = f"{generations_in(out)} of {_RUNNING['generations']} generations complete in {out / DB_FILE}"
            print(f"slsim-calibrate: stopped: {done}; run the same command to resume", file=sys.stderr)
        else:
            print("slsim-calibrate: stopped before sampling began; nothing written", file=sys.stderr)
        code = exit_code(signum)
    sys.exit(code)


if __name__ == "__main__":
    cli()
