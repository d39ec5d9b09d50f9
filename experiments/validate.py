"""``slsim-validate``: the configured scheme against every published target, over seeds.

    slsim-validate                                  # 20 seeds, outputs/validation/
    slsim-validate --seeds 5 --out /tmp/v run.years=5 scheme.scheme_workers=4
    slsim-validate --targets configs/targets/sector.yaml --jobs 2
    python -m slsim.experiments.validate --write-odd    # also docs/validation.json and the ODD block
    python -m slsim.experiments.validate --check-odd    # exit 1 if that block is stale (no runs)

Runs seeds ``run.seed`` .. ``run.seed + N - 1`` of the configuration (overrides
as for ``slsim``); a target with its own ``overrides`` (the pandemic) runs them on
top. Each target's measure (:mod:`slsim.simulation.measures`) is averaged over the
seeds that give it, with a 95% interval of that mean (Student's t) and the 2.5-97.5
percentiles over seeds. A target **passes** when the model's mean lies in its
interval, **fails** otherwise; when no seed gives a value it is **not modelled yet**
(the model lacks the mechanism or the recording) or **not measured** (this run
lacks what it needs: a pandemic, three years), with the reason. Prints the table; writes ``validation.json``,
``validation.parquet`` and ``validation.png`` into ``--out`` atomically. Exit 0
whatever passes (it is a report), 2 for bad input (one line, nothing written).
"""

import argparse
import json
import math
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from slsim.experiments.config import load_params
from slsim.experiments.interrupts import stop_cleanly
from slsim.experiments.targets import DEFAULT_TARGETS, load_targets
from slsim.simulation.measures import NOT_MODELLED
from slsim.simulation.params import ConfigError
from slsim.simulation.provenance import ROOT, stamp
from slsim.simulation.permissions import umask_mode

EXIT_BAD_INPUT = 2
DEFAULT_OUT = Path("outputs/validation")
DOC = ROOT / "docs" / "ODD.md"
DOC_RECORD = ROOT / "docs" / "validation.json"
START, END = "<!-- validation:start -->", "<!-- validation:end -->"
FILES = ("validation.json", "validation.parquet", "validation.png")
MAX_SEEDS = 10_000
STATUSES = ("pass", "fail", NOT_MODELLED, "not measured")


def _run_one(params, seed: int) -> tuple:
    """(measures, why each NaN measure is NaN) of one seed."""
    import dataclasses

    from slsim.simulation.measures import explain, measure
    from slsim.simulation.run import run_simulation

    result = run_simulation(dataclasses.replace(params, run=dataclasses.replace(params.run, seed=seed)))
    return measure(result), explain(result)


def summarise(target, values) -> dict:
    """One row of the table: the target, the model's mean and intervals over seeds, the status."""
    x = np.asarray([v for v in values if not math.isnan(v)], dtype=float)
    n = len(x)
    mean = float(x.mean()) if n else math.nan
    sd = float(x.std(ddof=1)) if n > 1 else math.nan
    half = float(stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)) if n > 1 else math.nan
    status = "not measured" if n == 0 else ("pass" if target.contains(mean) else "fail")
    return {
        "target": target.name,
        "measure": target.measure,
        "unit": target.unit,
        "value": target.value,
        "lo": target.lo,
        "hi": target.hi,
        "evidence": target.evidence,
        "scope": target.scope,
        "year": target.year,
        "source": target.source,
        "overrides": " ".join(target.overrides),
        "seeds": len(values),
        "n": n,
        "mean": mean,
        "sd": sd,
        "ci_lo": mean - half,
        "ci_hi": mean + half,
        "q025": float(np.quantile(x, 0.025)) if n else math.nan,
        "q975": float(np.quantile(x, 0.975)) if n else math.nan,
        "status": status,
    }


def validate(targets, seeds: int, overrides=(), jobs: int = 1, progress=None) -> pd.DataFrame:
    """The validation table (one row per target, in the targets file's order)."""
    for o in overrides:
        if o.lstrip("+~").split("=", 1)[0] in ("experiment", "hydra") or o.startswith("hydra/"):
            raise ConfigError(f"{o}: allowed model overrides only (validation runs single seeds, not a study)")
    groups = dict.fromkeys(t.overrides for t in targets)  # each set of target overrides, in file order
    base = load_params(overrides)  # the user's configuration: bad input stops here, before any run
    params, skipped = {}, {}
    for extra in groups:
        try:
            params[extra] = load_params([*overrides, *extra]) if extra else base
        except ConfigError as exc:  # a target's own overrides do not fit this configuration
            skipped[extra] = f"not run with {' '.join(extra)}: {exc}"
    tasks = [(extra, p.run.seed + i) for extra, p in params.items() for i in range(seeds)]
    if progress:
        progress(0, len(tasks))  # everything checked: the runs start
    if jobs == 1:
        results = []
        for k, (extra, seed) in enumerate(tasks, 1):
            results.append(_run_one(params[extra], seed))
            if progress:
                progress(k, len(tasks))
    else:
        from joblib import Parallel, delayed

        results = Parallel(n_jobs=jobs)(delayed(_run_one)(params[extra], seed) for extra, seed in tasks)
    by_group = {extra: [r for (e, _), r in zip(tasks, results) if e == extra] for extra in params}
    rows = []
    for t in targets:
        runs = by_group.get(t.overrides, [])
        row = summarise(t, [values[t.measure] for values, _ in runs])
        reasons = sorted({why[t.measure] for _, why in runs if t.measure in why})
        row["reason"] = skipped.get(t.overrides, "; ".join(reasons) if row["n"] == 0 else "")
        if row["n"] == 0 and row["reason"].startswith(NOT_MODELLED):
            row["status"] = NOT_MODELLED
        rows.append(row)
    return pd.DataFrame(rows)


def _json_value(x):
    if isinstance(x, (float, np.floating)):
        return None if math.isnan(x) else float(x)
    if isinstance(x, np.integer):
        return int(x)
    return x


def record(table: pd.DataFrame, targets, seeds: int, overrides) -> dict:
    counts = table["status"].value_counts()
    return {
        "targets_file": os.path.relpath(targets.path, ROOT) if targets.path.is_absolute() else str(targets.path),
        "targets_version": targets.version,
        "seeds": seeds,
        "overrides": list(overrides),
        "counts": {s: int(counts.get(s, 0)) for s in STATUSES},
        "slsim": stamp(),
        "rows": [{k: _json_value(v) for k, v in row.items()} for row in table.to_dict("records")],
    }


def write_outputs(table: pd.DataFrame, data: dict, out: Path) -> Path:
    """``validation.json``, ``.parquet`` and ``.png`` into ``out``, each renamed into place when all are made."""
    from slsim.analysis.validation_figure import validation_figure

    out.mkdir(parents=True, exist_ok=True)
    tmp = umask_mode(tempfile.mkdtemp(prefix=".validation-", dir=out))
    try:
        (tmp / FILES[0]).write_text(json.dumps(data, indent=2, allow_nan=False) + "\n")
        table.to_parquet(tmp / FILES[1], index=False, engine="pyarrow")
        validation_figure(table).savefig(tmp / FILES[2], dpi=110)
        for name in FILES:
            os.replace(tmp / name, out / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def _num(x) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3g}"


def format_table(table: pd.DataFrame) -> str:
    lines = [f"{'target':40s} {'target [interval]':>26s} {'model mean [95% CI]':>28s}  status"]
    for r in table.itertuples(index=False):
        band = f"{_num(r.value)} [{_num(r.lo)}, {_num(r.hi)}]"
        model = f"{_num(r.mean)} [{_num(r.ci_lo)}, {_num(r.ci_hi)}]" if r.n else "-"
        lines.append(f"{r.target:40s} {band:>26s} {model:>28s}  {r.status}")
    counts = table["status"].value_counts()
    lines.append(", ".join(f"{counts.get(s, 0)} {s}" for s in STATUSES))
    lines += [f"  {r.target}: {r.reason}" for r in table.itertuples(index=False) if r.reason]
    return "\n".join(lines)


def render_odd(data: dict) -> str:
    """The ODD's validation block (between the markers) from a ``validation.json`` record."""
    over = " ".join(data["overrides"]) or "none"
    c = data["counts"]
    out = [
        START,
        "<!-- generated by `python -m slsim.experiments.validate --write-odd` from docs/validation.json; do not edit -->",
        "",
        f"Default scheme against `{data['targets_file']}` (version {data['targets_version']}): {data['seeds']} seeds, "
        f"overrides: {over}. **{', '.join(f'{c[s]} {s}' for s in STATUSES)}.** A target passes when the model's "
        "mean over seeds lies in its interval; the 95% interval is of that mean.",
        "",
        "| target | target (interval) | model mean (95% interval) | status | evidence, year |",
        "|---|---|---|---|---|",
    ]
    for r in data["rows"]:
        model = f"{_num(r['mean'])} ({_num(r['ci_lo'])} to {_num(r['ci_hi'])})" if r["n"] else "-"
        extra = f" with `{r['overrides']}`" if r["overrides"] else ""
        out.append(
            f"| `{r['target']}`{extra} | {_num(r['value'])} ({_num(r['lo'])} to {_num(r['hi'])}) {r['unit']} "
            f"| {model} | {r['status']} | {r['evidence']}, {r['year']} |"
        )
    return "\n".join([*out, END])


def odd_updated(text: str, data: dict) -> str:
    if START not in text or END not in text:
        raise ConfigError(f"{DOC}: the markers {START} and {END} are missing")
    before, rest = text.split(START, 1)
    return before + render_odd(data) + rest.split(END, 1)[1]


def check_odd(targets) -> list:
    """Why the ODD's validation block is stale (empty if current): block vs docs/validation.json, and
    that record's targets vs the targets file."""
    data = json.loads(DOC_RECORD.read_text())
    problems = (
        [] if odd_updated(DOC.read_text(), data) == DOC.read_text() else ["docs/ODD.md block != docs/validation.json"]
    )
    recorded = {r["target"]: (r["value"], r["lo"], r["hi"], r["measure"], r["overrides"]) for r in data["rows"]}
    current = {t.name: (t.value, t.lo, t.hi, t.measure, " ".join(t.overrides)) for t in targets}
    if recorded != current:
        changed = sorted(set(recorded.items()) ^ set(current.items()))
        problems.append(f"docs/validation.json targets differ from {targets.path.name}: {changed[:3]}")
    return problems


def _progress(n_targets: int, seeds: int):
    step = max(1, seeds // 4)

    def tell(k: int, n: int) -> None:
        if k == 0:
            print(f"slsim-validate: {n_targets} targets, {n} runs ({seeds} seeds a configuration)", file=sys.stderr)
        elif k % step == 0 or k == n:
            print(f"slsim-validate: {k}/{n} runs", file=sys.stderr)

    return tell


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse prints the usage too)
        print(f"slsim-validate: error: {message}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)


def main(argv=None) -> int:
    ap = _Parser(prog="slsim-validate", description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20, help="seeds per configuration (default 20)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    ap.add_argument("--targets", type=Path, default=DEFAULT_TARGETS, help="targets file (default sector.yaml)")
    ap.add_argument("--jobs", type=int, default=1, help="parallel runs with joblib (default 1: sequential)")
    ap.add_argument("--write-odd", action="store_true", help="also write docs/validation.json and the ODD block")
    ap.add_argument("--check-odd", action="store_true", help="exit 1 if the ODD block is stale (no runs)")
    ap.add_argument("overrides", nargs="*", help="config overrides, as for slsim (e.g. run.years=5)")
    args = ap.parse_args(argv)
    try:
        if not 1 <= args.seeds <= MAX_SEEDS:
            raise ConfigError(f"--seeds={args.seeds}: allowed 1 <= x <= {MAX_SEEDS}")
        if not 1 <= args.jobs <= (os.cpu_count() or 1) * 4:
            raise ConfigError(f"--jobs={args.jobs}: allowed 1 <= x <= {(os.cpu_count() or 1) * 4}")
        if args.out.exists() and not args.out.is_dir():
            raise ConfigError(f"--out={args.out}: allowed a folder (this is a file)")
        targets = load_targets(args.targets)
        if args.check_odd:
            problems = check_odd(targets)
            print("\n".join(problems) or "docs/ODD.md validation block is current", file=sys.stderr)
            return 1 if problems else 0
        table = validate(targets, args.seeds, args.overrides, args.jobs, progress=_progress(len(targets), args.seeds))
    except ConfigError as exc:
        print(f"slsim-validate: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    data = record(table, targets, args.seeds, args.overrides)
    write_outputs(table, data, args.out)
    print(format_table(table))
    print(f"slsim-validate: wrote {', '.join(str(args.out / f) for f in FILES)}", file=sys.stderr)
    if args.write_odd:
        tmp = DOC_RECORD.with_name(f".{DOC_RECORD.name}.tmp")
        tmp.write_text(json.dumps(data, indent=2, allow_nan=False) + "\n")
        os.replace(tmp, DOC_RECORD)
        DOC.write_text(odd_updated(DOC.read_text(), data))
        print(f"slsim-validate: wrote {DOC_RECORD} and the validation block of {DOC}", file=sys.stderr)
    return 0


@stop_cleanly  # Ctrl-C, SIGTERM: one line and an exit code (experiments/interrupts.py)
def cli() -> None:
    sys.exit(main())


if __name__ == "__main__":
    cli()
