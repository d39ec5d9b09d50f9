"""``slsim-nation-validate``: the national model against the 2021-22 to 2024-25 national series.

    slsim-nation-validate --out outputs/nation_validation --workers 2

Two national runs of the same nation (``nation.seed``) from the 2021-22 figures
(configs/nation/period_2021_2025.yaml over configs/nation/default.yaml): **period**, with that
period's conditions (referrals growing more complex at the calibrated rate, the cost of living,
the reported staff growth bought as posts) and **control**, the same start with none of them.
Each period run's national weekly totals (the schemes' tables summed week by week) are measured
as a single scheme's are (simulation/measures.py: the same windows) and set against the targets
of configs/targets/sector.yaml that the series gives: people supported and carer households over
the three years, and the 2024-25 arrangement mix; the start is set against the 2021-22 figures
the nation is scaled to, and the control's change is printed beside the period's, so a change
that comes from the start rather than the period shows. Nothing is fitted to the series here.

Output folder (written atomically; a previous validation there is replaced): ``validation.csv``
and ``validation.json`` (the table; the json also holds the configs), ``period/`` and
``control/`` (the two slsim-nation outputs). Bad input: one line, exit 2, nothing written.
"""

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from slsim.experiments.interrupts import OneLineParser, plain_command
from slsim.experiments.nation_cli import check_workers, compose_bases
from slsim.simulation import outfolder
from slsim.simulation.nation import config as nation_config
from slsim.simulation.nation.runner import run_nation
from slsim.simulation.validation import ConfigError

PROG = "slsim-nation-validate"
MARK = PROG  # validation.json's "kind": a folder slsim-nation-validate may replace
CONFIG = nation_config.CONFIG_DIR / "nation" / "period_2021_2025.yaml"
SERIES = ("people_change_3y", "carers_change_3y", "share_live_in", "share_short_break", "share_day_support")
CONTROL = ["programme.gbp_per_year=0", "shocks.presets=[]"]  # the same start, none of the period's conditions


def parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog=PROG, description="The national model against the 2021-22 to 2024-25 national series.")
    p.add_argument("--out", default="outputs/nation_validation", help="output folder (new, empty, or a previous one)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (results do not depend on it)")
    p.add_argument("--quiet", action="store_true", help="no table on screen")
    p.add_argument("overrides", nargs="*", help="key=value overrides of the national config (e.g. nation.seed=2)")
    return p


def national_view(folder: Path):
    """A :class:`RunView` of the nation's weekly totals: every scheme's table summed by week."""
    from slsim.simulation.measures import RunView

    parts = pd.read_parquet(folder / "timeseries")
    numeric = [c for c in parts.columns if c not in ("scheme", "week") and pd.api.types.is_numeric_dtype(parts[c])]
    weekly = parts.groupby("week", sort=True)[numeric].sum().reset_index()
    return RunView(weekly, pd.DataFrame({"week": pd.Series(dtype="int64")}))


def measures(folder: Path) -> dict:
    from slsim.simulation.measures import BY_NAME

    view = national_view(folder)
    return {name: float(BY_NAME[name].function(view)) for name in SERIES}


def table(cfg, period: Path, control: Path) -> pd.DataFrame:
    """One row per check: the start against the 2021-22 figures, then each series target."""
    from slsim.experiments.targets import load_targets

    first = pd.read_parquet(period / "national.parquet").iloc[0]
    rows = []
    for name, column, key in (
        ("people_2021_22", "people_supported", "people"),
        ("carers_2021_22", "households", "carers"),
    ):
        target = cfg.targets[key]
        model = float(first[column])
        rows.append(
            {
                "check": name,
                "model": model,
                "control": model,
                "value": float(target),
                "low": 0.9 * target,
                "high": 1.1 * target,
                "status": "pass" if abs(model / target - 1) <= 0.1 else "fail",
                "source": "configs/nation/period_2021_2025.yaml (nation.uk x nation.england_share); week 0 within 10%",
            }
        )
    ours, theirs = measures(period), measures(control)
    targets = {t.name: t for t in load_targets().targets}
    for name in SERIES:
        t = targets[name]
        rows.append(
            {
                "check": name,
                "model": ours[name],
                "control": theirs[name],
                "value": t.value,
                "low": t.lo,
                "high": t.hi,
                "status": "pass" if t.contains(ours[name]) else "fail",
                "source": t.source,
            }
        )
    return pd.DataFrame(rows)


def run(overrides, out: Path, workers: int, progress=None) -> pd.DataFrame:
    cfg = nation_config.load(overrides, CONFIG)
    control_cfg = nation_config.load([*overrides, *CONTROL], CONFIG)
    if cfg.weeks < 3 * 52:
        raise ConfigError(f"run.years={cfg.years}: allowed at least 3 (the series' three years)")
    outfolder.check_out(out, "validation.json", MARK, "national validation")
    bases = compose_bases(cfg)
    with outfolder.building(out) as tmp:
        run_nation(cfg, bases, tmp / "period", workers, progress=progress)
        run_nation(control_cfg, bases, tmp / "control", workers, progress=progress)
        result = table(cfg, tmp / "period", tmp / "control")
        result.to_csv(tmp / "validation.csv", index=False)
        record = {
            "kind": MARK,
            "config": "configs/nation/period_2021_2025.yaml",
            "overrides": list(overrides),
            "control_overrides": CONTROL,
            "rows": result.to_dict(orient="records"),
        }
        (tmp / "validation.json").write_text(json.dumps(record, indent=2, allow_nan=False) + "\n")
    return result


def render(result: pd.DataFrame) -> str:
    lines = [f"{'check':22s} {'model':>9s} {'control':>9s} {'target':>9s}  {'interval':19s} status"]
    for r in result.itertuples():
        big = abs(r.value) >= 10
        fmt = (lambda x: f"{x:9,.0f}") if big else (lambda x: f"{x:+9.3f}" if "change" in r.check else f"{x:9.3f}")
        interval = f"[{r.low:,.0f}, {r.high:,.0f}]" if big else f"[{r.low:.2f}, {r.high:.2f}]"
        lines.append(f"{r.check:22s} {fmt(r.model)} {fmt(r.control)} {fmt(r.value)}  {interval:19s} {r.status}")
    return "\n".join(lines)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    return plain_command(PROG, lambda: _main(argv))


def _main(argv) -> int:
    args = parser().parse_args(argv)
    check_workers(args.workers)
    result = run(args.overrides, Path(args.out), args.workers)
    if not args.quiet:
        print(render(result))
    passed = int((result["status"] == "pass").sum())
    print(f"{PROG}: {passed} of {len(result)} checks pass; wrote {args.out}")
    return 0


def cli() -> None:
    sys.exit(main())


if __name__ == "__main__":
    cli()
