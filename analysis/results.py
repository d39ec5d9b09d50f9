"""Read a run folder or a sweep folder: result files only, never the model.

``load(path)`` returns :class:`Results`:

* a **run folder** has ``summary.json`` (and ``timeseries.parquet``,
  ``config.yaml``, ``metadata.json``): one row in ``runs``;
* a **sweep folder** has ``sweep.parquet`` (written when a sweep ends, or by
  ``python -m slsim.experiments.collect``): one row per run.

``weekly`` is every complete run's weekly table, long, with ``run``,
``scenario`` and ``seed`` (from ``weekly.parquet`` when the sweep wrote one,
else from each run's ``timeseries.parquet``). Anything missing or unreadable
raises :class:`AnalysisError` with a one-line message naming the file.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml


class AnalysisError(ValueError):
    """A folder or file that is not a readable slsim result (one-line message)."""


@dataclass
class Results:
    root: Path
    kind: str  # "run" or "sweep"
    runs: pd.DataFrame  # one row per run (sweep.parquet's columns; a run: its summary)
    weekly: pd.DataFrame  # every complete run's weekly table, long
    config_text: str  # resolved config of the first complete run (YAML)
    config: dict = field(default_factory=dict)
    sensitivity: pd.DataFrame | None = None  # sensitivity.parquet, if any
    optimisation: dict | None = None  # optimization_results.yaml, if any

    @property
    def ok(self) -> pd.DataFrame:
        return self.runs[self.runs["status"] == "ok"]


def _parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a corrupt file
        raise AnalysisError(f"{path}: unreadable parquet ({type(exc).__name__}: {str(exc).splitlines()[0][:160]})")


def _json(path: Path) -> dict:
    """Strict JSON (no NaN or Infinity) of ``path``."""

    def constant(name):
        raise ValueError(f"{name} is not JSON")

    try:
        return json.loads(path.read_text(), parse_constant=constant)
    except (OSError, ValueError) as exc:
        raise AnalysisError(f"{path}: unreadable JSON ({str(exc).splitlines()[0][:160]})")


def _numbers(node) -> bool:
    """An object whose values are numbers (or null)."""
    return isinstance(node, dict) and all(
        v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in node.values()
    )


def _summary(path: Path) -> dict:
    """A run's summary.json, checked for the shape slsim writes."""
    summary = _json(path)
    if not isinstance(summary, dict) or "outcomes" not in summary:
        raise AnalysisError(f"{path}: no 'outcomes' (not a slsim summary)")
    if not _numbers(summary["outcomes"]) or not _numbers(summary.get("lever_costs_gbp", {})):
        raise AnalysisError(f"{path}: 'outcomes' or 'lever_costs_gbp' is not an object of numbers")
    shocks = summary.get("shocks", {})
    if not isinstance(shocks, dict) or not all(_numbers_or_text(v) for v in shocks.values()):
        raise AnalysisError(f"{path}: 'shocks' is not an object of objects")
    return summary


def _numbers_or_text(node) -> bool:
    return isinstance(node, dict) and all(v is None or isinstance(v, (int, float, str)) for v in node.values())


def _yaml(path: Path, text: str | None = None):
    """YAML of ``path`` (or of ``text`` read from it already)."""
    try:
        return yaml.safe_load(path.read_text() if text is None else text)
    except (OSError, yaml.YAMLError) as exc:
        raise AnalysisError(f"{path}: unreadable YAML ({str(exc).splitlines()[0][:160]})")


def load(path) -> Results:
    """Results of the run or sweep at ``path`` (see module doc)."""
    root = Path(path)
    if not root.exists():
        raise AnalysisError(f"{root}: no such folder")
    if not root.is_dir():
        raise AnalysisError(f"{root}: not a folder (give a run folder or a sweep folder)")
    if (root / "sweep.parquet").exists():
        if not (root / "sweep.parquet").is_file():
            raise AnalysisError(f"{root / 'sweep.parquet'}: not a file")
        return _load_sweep(root)
    if (root / "summary.json").exists():
        return _load_run(root)
    if any(root.rglob("summary.json")):
        raise AnalysisError(
            f"{root}: a sweep without sweep.parquet (stopped?); run: python -m slsim.experiments.collect {root}"
        )
    raise AnalysisError(
        f"{root}: not a slsim run, sweep or national folder "
        "(no summary.json, sweep.parquet, national.parquet or study.json)"
    )


def _load_run(root: Path) -> Results:
    summary = _summary(root / "summary.json")
    row = {
        "run": ".",
        "status": "ok",
        "error": None,
        "experiment": "single",
        "scenario": "baseline",
        "job": None,
        "row": None,
        "seed": summary.get("seed"),
    }
    row.update(summary["outcomes"])
    for lever, cost in summary.get("lever_costs_gbp", {}).items():
        row[f"lever_cost_gbp.{lever}"] = cost
    for event, fields in summary.get("shocks", {}).items():
        for name, value in fields.items():
            row[f"shock.{event}.{name}"] = value
    row.update(_stamp(root / "metadata.json"))
    runs = pd.DataFrame([row])
    ts = _parquet(root / "timeseries.parquet")
    weekly = ts.assign(run=".", scenario="baseline", seed=summary.get("seed"))
    text = _text(root / "config.yaml")
    return Results(root, "run", runs, weekly, text, _config(text, root / "config.yaml"))


def _stamp(path: Path) -> dict:
    """The slsim that made a run (``metadata.json``'s ``slsim``: version, commit, dirty), as the
    sweep table's ``slsim_*`` columns; None where the file or the record is missing."""
    meta = _json(path) if path.exists() else {}
    stamp = meta.get("slsim") if isinstance(meta, dict) and isinstance(meta.get("slsim"), dict) else {}
    versions = meta.get("versions") if isinstance(meta, dict) and isinstance(meta.get("versions"), dict) else {}
    dirty = stamp.get("dirty")
    return {
        "slsim_version": stamp.get("version", versions.get("slsim")),
        "slsim_commit": stamp.get("commit"),
        "slsim_dirty": dirty if isinstance(dirty, bool) else None,
    }


def _load_sweep(root: Path) -> Results:
    runs = _parquet(root / "sweep.parquet")
    needed = {"run", "status", "scenario", "seed"}
    if not needed <= set(runs.columns):
        raise AnalysisError(f"{root / 'sweep.parquet'}: not a slsim sweep table (needs columns {sorted(needed)})")
    ok = runs[runs["status"] == "ok"]
    if ok.empty:
        raise AnalysisError(f"{root / 'sweep.parquet'}: no complete run to analyse ({len(runs)} failed)")
    if (root / "weekly.parquet").exists():
        weekly = _parquet(root / "weekly.parquet")
    else:
        parts = []
        for rec in ok[["run", "scenario", "seed"]].itertuples(index=False):
            ts = _parquet(root / rec.run / "timeseries.parquet")
            parts.append(ts.assign(run=rec.run, scenario=rec.scenario, seed=rec.seed))
        weekly = pd.concat(parts, ignore_index=True)
    first = root / ok["run"].iloc[0] / "config.yaml"
    text = _text(first)
    sens = _parquet(root / "sensitivity.parquet") if (root / "sensitivity.parquet").exists() else None
    opt_file = root / "optimization_results.yaml"
    opt = _yaml(opt_file) if opt_file.exists() else None
    return Results(root, "sweep", runs, weekly, text, _config(text, first), sens, opt)


def _text(path: Path) -> str:
    """The text of ``path``, "" if there is none."""
    try:
        return path.read_text() if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise AnalysisError(f"{path}: unreadable ({exc})")


def _config(text: str, path: Path) -> dict:
    """A run's resolved config (its ``config.yaml`` text), {} if there is none."""
    config = (_yaml(path, text) or {}) if text else {}
    if not isinstance(config, dict):
        raise AnalysisError(f"{path}: not a config (a {type(config).__name__}, not a mapping)")
    return config
