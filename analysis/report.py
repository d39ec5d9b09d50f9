"""slsim-report PATH: a self-contained HTML report of a run folder, a sweep folder or a national folder.

    slsim-report multirun/levers                 # -> multirun/levers/report/index.html
    slsim-report outputs/default --out my_report
    slsim-report multirun/investment --savings 26000 --target 90 --baseline budget=none
    slsim-report multirun/levers --csv           # and multirun/levers/report/sweep.csv

The report (index.html, one file with its figures embedded; the same figures in
figures/*.png; the tables as CSV in tables/; with --csv the whole sweep table as
sweep.csv) opens with the answer: each option ranked by its effect on people
supported against the baseline (seeds paired), its extra cost and net benefit a
year, and its cost per extra person where the effect is clear of zero. Then: about this study, effects, costs and benefits
against the baseline (cost-effectiveness plane and acceptability curve),
outcomes, growth, carer pipeline, staff time, shocks, sensitivity, when
growth fails (scenario discovery with PRIM: sweeps that sample parameters
only), which levers matter where (sweeps over scheme_type and levers only: each
lever against its own kind's baseline; the answer above is then the typical
kind's, or --baseline's kind), optimisation, configuration, assumptions and failed or damaged runs;
the other sections are in every report, with a note when the study has
nothing for them.

A national folder (one slsim-nation output, or a national study: study.json and
runs.parquet over programmes x nation seeds x posterior draws) gets the national
report (analysis/nation_report.py): what each programme buys per pound against
the programme "none" (runs paired by nation seed and draw), national totals
over time, how many schemes grow, stall or shrink, and the league of schemes.

It reads result files only (slsim.analysis.results) and the money assumptions in
configs/analysis.yaml; the assumptions list comes from the parameter table of
docs/ODD.md (generated from the YAML comments). The report folder is written
to a temporary folder and renamed into place. Bad input (no such folder, a
folder that is not a run, sweep or national folder, a corrupt file, missing
columns, a bad flag) prints one line
and exits with code 2.
"""

import argparse
import json
import shutil
import sys
from pathlib import Path

from slsim.analysis.nation_report import choose, write as write_nation
from slsim.analysis.nation_results import is_nation, load_nation
from slsim.analysis.results import AnalysisError, load
from slsim.analysis.sections import SECTIONS, write as _write  # noqa: F401  (SECTIONS: the report's sections, in order)
from slsim.analysis.settings import CONFIG_FILE, Settings, load_settings  # noqa: F401  (re-exported)
from slsim.analysis.tables import analyse
from slsim.simulation.outfolder import hidden_beside, swap_in

REPORT_MARK = ".slsim-report.json"  # in every report folder: the results folder it reports
SWEEP_CSV = "sweep.csv"  # --csv: the sweep table (sweep.parquet) as CSV, in the report folder
_REPORT_ENTRIES = {"index.html", "figures", "tables", SWEEP_CSV, REPORT_MARK}


def build(path, out=None, settings: Settings | None = None, csv: bool = False) -> Path:
    """Write the report of the run, sweep or national folder at ``path``; return the report folder.

    The report folder is slsim-report's own: ``out`` (default ``PATH/report``)
    must be new or a previous report of the same results (see :func:`check_out`);
    it is built in a temporary folder beside it and swapped into place, so a
    failure leaves the previous report (or nothing) behind. ``csv``: also write the sweep table
    (``sweep.parquet``, every column) as ``sweep.csv`` in the report folder; a sweep only."""
    settings = settings or load_settings()
    if is_nation(path):  # one slsim-nation run or a national study (analysis/nation_report.py)
        if csv:
            raise AnalysisError(f"--csv: {path} is a national folder; allowed with a sweep folder (sweep.parquet)")
        nation = load_nation(path)
        choose(nation, settings)  # a programme the study lacks is refused before anything is written
        root, writer = nation.root, lambda tmp: write_nation(nation, settings, tmp)
    else:
        results = load(path)
        if csv and results.kind != "sweep":
            raise AnalysisError(
                f"--csv: {path} is a run folder, not a sweep; allowed with a sweep folder (sweep.parquet)"
            )
        tables = analyse(results, settings)
        root = results.root

        def writer(tmp):
            _write(results, settings, tables, tmp)
            if csv:
                results.runs.to_csv(tmp / SWEEP_CSV, index=False)

    out = Path(out) if out else root / "report"
    check_out(out, root)
    tmp = None
    try:
        tmp = hidden_beside(out)  # the user's umask, not mkdtemp's 700: a report is for colleagues too
        writer(tmp)
        (tmp / REPORT_MARK).write_text(json.dumps({"results": str(root.resolve())}, allow_nan=False) + "\n")
        swap_in(tmp, out)  # a previous report of these results (checked) is swapped, then removed
    except OSError as exc:  # a full disk, a read-only folder ...
        raise AnalysisError(f"{out}: cannot write the report ({exc.strerror or type(exc).__name__})") from exc
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def check_out(out: Path, results_root: Path) -> None:
    """Refuse a report folder that would replace or mix with anything slsim-report did not write.

    Allowed: a folder that does not exist yet (its parents are made), an empty
    folder, or a previous report of the same results (it holds ``.slsim-report.json`` naming
    them; a report made before that mark existed is recognised at the default
    place ``PATH/report`` by its contents alone)."""
    target, source = out.resolve(), results_root.resolve()
    for parent in [target, *target.parents]:
        if parent.exists() and not parent.is_dir():
            raise AnalysisError(f"--out {out}: {parent} is a file, not a folder")
    if target == source or target in source.parents:
        raise AnalysisError(f"--out {out}: contains the results it would report ({results_root}); give a new folder")
    if not target.exists():
        return
    mark = target / REPORT_MARK
    if mark.is_file():
        try:
            reported = json.loads(mark.read_text()).get("results")
        except (OSError, ValueError, AttributeError):
            reported = None
        if reported == str(source):
            return
        raise AnalysisError(f"--out {out}: holds a report of other results ({reported}); give a new folder")
    entries = {p.name for p in target.iterdir()}
    legacy = target == source / "report" and entries <= _REPORT_ENTRIES
    if entries and not legacy:  # an empty folder holds nothing to lose
        raise AnalysisError(
            f"--out {out}: exists and is not a report of {results_root}; "
            "give a new folder (slsim-report replaces only its own reports)"
        )


def main(argv=None) -> int:
    summary, _, rest = __doc__.partition("\n\n")
    ap = argparse.ArgumentParser(
        prog="slsim-report",
        description=summary.split(": ", 1)[1][:1].upper() + summary.split(": ", 1)[1][1:] + "\n\n" + rest,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument(
        "path",
        help="a run folder (with summary.json), a sweep folder (with sweep.parquet), a national output "
        "(slsim-nation) or a national study folder (study.json, runs.parquet)",
    )
    ap.add_argument("--out", help="report folder (default PATH/report)")
    ap.add_argument("--savings", type=float, help="live-in saving per person, GBP/year (configs/analysis.yaml)")
    ap.add_argument("--target", type=float, help="growth target, people supported")
    ap.add_argument("--baseline", help="scenario to compare against (default: levers=none, budget=none, ...)")
    ap.add_argument(
        "--csv",
        action="store_true",
        help="also write the sweep table (sweep.parquet, every column) as sweep.csv in the report folder "
        "(a sweep only; the answer and effects are always in tables/answer.csv and tables/effects.csv)",
    )
    try:
        args = ap.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    try:
        settings = load_settings(
            savings_per_person_year=args.savings, target_people=args.target, baseline=args.baseline
        )
        folder = build(args.path, args.out, settings, csv=args.csv)
    except AnalysisError as exc:
        print(f"slsim-report: error: {exc}", file=sys.stderr)
        return 2
    print(f"slsim-report: report written to {folder / 'index.html'} (figures in {folder / 'figures'})")
    return 0


def cli() -> None:
    sys.exit(main())


if __name__ == "__main__":
    cli()
