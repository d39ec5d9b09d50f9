"""Read a national output folder (one ``slsim-nation`` run) or a national study folder: result files only.

``load_nation(path)`` returns :class:`Nation`, the same three tables whichever it is:

* a **national output folder** has ``summary.json`` (``"kind": "slsim-nation"``),
  ``national.parquet`` and ``schemes.parquet``: one run, its row built from the summary
  (programme ``none`` when it spends nothing, else its allocation rule);
* a **national study folder** has ``study.json``, ``runs.parquet`` (a row a national run),
  ``national.parquet`` (a row a run and week) and ``schemes.parquet`` (a row a run and scheme).

Anything missing, unreadable or without the columns it needs raises
:class:`~slsim.analysis.results.AnalysisError` with one line naming the file and what is expected.
"""

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from slsim.analysis.results import AnalysisError, _json, _parquet
from slsim.simulation.units import WEEKS_PER_YEAR

NATION_MARK = "slsim-nation"  # summary.json's "kind" in a national output folder
RUN_COLUMNS = (
    "run", "programme", "allocation", "gbp_per_year", "programme_years", "start_week", "seed", "draw",
    "people_start", "people_end", "households_start", "households_end", "staff_start", "staff_end",
    "posts_bought", "gbp_allocated_per_year", "gbp_spent_per_year", "grow", "stall", "shrink",
)  # fmt: skip
TEXT_COLUMNS = ("programme", "allocation")
NATIONAL_COLUMNS = ("week", "people_supported", "households", "staff")
SCHEME_COLUMNS = ("id", "region", "kind", "operator", "people_start", "people_end", "growth", "growth_class", "rank")
SCHEME_TEXT = ("id", "region", "kind", "operator", "growth_class")
CLASSES = ("grow", "stall", "shrink")


@dataclass
class Nation:
    root: Path
    kind: str  # "national run" or "national study"
    runs: pd.DataFrame  # a row a national run: RUN_COLUMNS (+ spend_years, gbp_spent)
    national: pd.DataFrame  # a row a run and week: run + NATIONAL_COLUMNS
    schemes: pd.DataFrame  # a row a run and scheme: run + a national output's schemes.parquet
    config: dict  # study.json, or the run's config (summary.json)
    horizon_weeks: int  # the last recorded week
    run_config: dict  # the national config of the (first) run: summary.json's "config"; {} if absent

    @property
    def programmes(self) -> list:
        return list(dict.fromkeys(self.runs["programme"]))


def is_nation(path) -> bool:
    """A folder that looks national: a study (study.json) or a national output (summary.json beside
    national.parquet and schemes.parquet)."""
    root = Path(path)
    if not root.is_dir():
        return False
    return (root / "study.json").exists() or all(
        (root / f).exists() for f in ("summary.json", "national.parquet", "schemes.parquet")
    )


def _columns(frame: pd.DataFrame, path: Path, needed, text=()) -> pd.DataFrame:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise AnalysisError(f"{path}: missing column(s) {', '.join(missing)} (expected: {', '.join(needed)})")
    if frame.empty:
        raise AnalysisError(f"{path}: no rows (expected at least one)")
    for c in needed:
        if c in text:
            if not frame[c].map(lambda v: isinstance(v, str) and v != "").all():
                raise AnalysisError(f"{path}: column {c} must be non-empty text")
        elif not pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c]):
            raise AnalysisError(f"{path}: column {c} must be numeric (found {frame[c].dtype})")
        elif frame[c].isna().any():
            raise AnalysisError(f"{path}: column {c} has missing values (expected a number in every row)")
    return frame


def _run_row(summary: dict, national: pd.DataFrame, path: Path) -> dict:
    try:
        p, cfg = summary["programme"], summary["config"]
        prog_cfg = cfg["programme"]
        gbp = float(p["gbp_per_year"])
        row = {
            "run": 0,
            "programme": "none" if gbp == 0 else str(p["allocation"]),
            "allocation": str(p["allocation"]),
            "gbp_per_year": gbp,
            "programme_years": float(prog_cfg["years"]),
            "start_week": int(prog_cfg["start_week"]),
            "seed": int(cfg["nation"]["seed"]),
            "draw": -1,
            "posts_bought": int(p["posts_bought"]),
            "gbp_allocated_per_year": float(p["allocated_gbp_per_year"]),
            "gbp_spent_per_year": float(p["spent_gbp_per_year"]),
            **{k: int(summary["growth_classes"][k]) for k in CLASSES},
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise AnalysisError(
            f"{path}: no {exc} (expected a slsim-nation summary: programme, growth_classes, config)"
        ) from None
    first, last = national.iloc[0], national.iloc[-1]
    for col in ("people", "households", "staff"):
        src = "people_supported" if col == "people" else col
        row[f"{col}_start"], row[f"{col}_end"] = int(first[src]), int(last[src])
    return row


def _load_run(root: Path) -> Nation:
    summary = _json(root / "summary.json")
    if not isinstance(summary, dict) or summary.get("kind") != NATION_MARK:
        raise AnalysisError(f'{root / "summary.json"}: not a national output (expected "kind": "{NATION_MARK}")')
    national = _columns(_parquet(root / "national.parquet"), root / "national.parquet", NATIONAL_COLUMNS)
    national = national.sort_values("week").assign(run=0)
    schemes = _columns(_parquet(root / "schemes.parquet"), root / "schemes.parquet", SCHEME_COLUMNS, SCHEME_TEXT)
    runs = pd.DataFrame([_run_row(summary, national, root / "summary.json")])
    config = summary.get("config", {})
    return _finish(root, "national run", runs, national, schemes.assign(run=0), config, config)


def _load_study(root: Path) -> Nation:
    study = _json(root / "study.json")
    if not isinstance(study, dict):
        raise AnalysisError(f"{root / 'study.json'}: not a JSON object (expected the study config: programmes, ...)")
    for name in ("runs.parquet", "national.parquet", "schemes.parquet"):
        if not (root / name).is_file():
            raise AnalysisError(f"{root / name}: missing (a national study folder has runs, national and schemes)")
    runs = _columns(_parquet(root / "runs.parquet"), root / "runs.parquet", RUN_COLUMNS, TEXT_COLUMNS)
    if runs["run"].duplicated().any():
        raise AnalysisError(f"{root / 'runs.parquet'}: run ids repeat (expected one row per national run)")
    national = _columns(_parquet(root / "national.parquet"), root / "national.parquet", ("run", *NATIONAL_COLUMNS))
    schemes = _columns(
        _parquet(root / "schemes.parquet"), root / "schemes.parquet", ("run", *SCHEME_COLUMNS), SCHEME_TEXT
    )
    for name, frame in (("national.parquet", national), ("schemes.parquet", schemes)):
        have, want = set(frame["run"]), set(runs["run"])
        if have != want:
            odd = sorted(want - have)[:3] or sorted(have - want)[:3]
            raise AnalysisError(f"{root / name}: runs {odd} differ from runs.parquet's (expected rows for every run)")
    first = root / "runs" / f"run={int(runs['run'].iloc[0])}" / "summary.json"
    run_config = _json(first).get("config", {}) if first.is_file() else {}
    return _finish(root, "national study", runs, national.sort_values(["run", "week"]), schemes, study, run_config)


def _finish(root, kind, runs, national, schemes, config, run_config) -> Nation:
    weeks = national.groupby("run")["week"].max()
    if weeks.nunique() != 1:
        raise AnalysisError(f"{root / 'national.parquet'}: runs end in different weeks (expected one horizon)")
    horizon = int(weeks.iloc[0])
    runs = runs.copy()
    # weeks the money is spent: programme_years (0 = recurrent) from start_week, within the horizon
    left = (horizon - runs["start_week"] + 1).clip(lower=0)
    paid = (runs["programme_years"] * WEEKS_PER_YEAR).round()
    runs["spend_years"] = paid.where(runs["programme_years"] > 0, left).clip(upper=left) / WEEKS_PER_YEAR
    runs["gbp_spent"] = runs["gbp_spent_per_year"] * runs["spend_years"]
    run_config = run_config if isinstance(run_config, dict) else {}
    return Nation(root, kind, runs.reset_index(drop=True), national, schemes, config, horizon, run_config)


def load_nation(path) -> Nation:
    """The national run or study at ``path`` (see module doc)."""
    root = Path(path)
    if not root.is_dir():
        raise AnalysisError(f"{root}: not a folder")
    if (root / "study.json").exists():
        return _load_study(root)
    return _load_run(root)
