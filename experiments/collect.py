"""One tidy table of a sweep: every run's parameters joined to its outcomes.

    python -m slsim.experiments.collect multirun/levers            # (re)write sweep.parquet
    python -m slsim.experiments.collect multirun/levers --weekly   # and weekly.parquet

The sweep callback (:mod:`slsim.experiments.callbacks`) calls :func:`collect` when a
sweep ends; the command does the same for a sweep that was stopped, or to add
the per-week table later. Files, each written atomically (temporary name,
then rename):

``sweep.parquet``
    one row per run folder (complete, failed or damaged): ``run`` (folder,
    relative to the sweep), ``status`` (``ok``; ``failed``: the run raised;
    ``damaged``: a file of the folder is missing, truncated or of the wrong
    shape, said in ``error``; a re-run of the sweep moves its files aside and
    runs it again), ``error``, ``experiment``,
    ``scenario`` (the overrides that differ between runs, seed excluded;
    ``baseline`` when none do), ``job``, ``row`` (sensitivity sample row),
    ``draw`` (``calibration=posterior``: the posterior draw, the same parameter
    set in every scenario; NA otherwise), ``seed``, ``slsim_version``, ``slsim_commit`` and ``slsim_dirty`` (the
    slsim that made the run, from its ``metadata.json``: version, git commit
    or ``unknown``, whether the checkout had uncommitted changes); then every
    config parameter that differs between runs, by its dotted name (e.g.
    ``levers.colocation.enabled``), and every parameter drawn from a posterior
    (its value in the run); then the outcomes of ``summary.json`` by
    name, ``lever_cost_gbp.<lever>`` and ``shock.<event>.<field>``.
``weekly.parquet`` (on request: ``--weekly`` or ``experiment.per_week=true``)
    every run's time series, long, with ``run``, ``scenario`` and ``seed``.
``sensitivity.parquet`` (sensitivity sweeps, when every sample row is complete)
    SALib's indices with 95% intervals per output and parameter (see
    :mod:`slsim.experiments.sampling`).
"""

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd
import yaml

from slsim.simulation.permissions import umask
from slsim.simulation.runfolder import FAILED_FILE, SUMMARY_FILE, YAML_LOADER, DamagedRun, read_json, read_run

SWEEP_FILE = "sweep.parquet"
WEEKLY_FILE = "weekly.parquet"
SENSITIVITY_FILE = "sensitivity.parquet"
STAMP_COLUMNS = ("slsim_version", "slsim_commit", "slsim_dirty")  # the slsim that made the run (metadata.json)
LEAD_COLUMNS = ("run", "status", "error", "experiment", "scenario", "job", "row", "draw", "seed", *STAMP_COLUMNS)
# overrides that say which run of a scenario this is, or which study: not part of the scenario label
_NOT_SCENARIO = ("run.seed", "experiment", "experiment.sample.index")


class CollectError(ValueError):
    """The folder is not a sweep (one-line message)."""


def iter_runs(root):
    """(folder, complete) for every run folder under ``root``, in sorted order: a folder with
    summary.json is complete, one with only failed.json is a failed run; hidden folders
    (``.partial-*`` writes, ``.damaged-*`` runs moved aside, ``.hydra``, ``.submitit``) are skipped.
    Folders below a run folder are searched too, so a stray run can never hide a sweep's runs."""
    for here, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if SUMMARY_FILE in files or FAILED_FILE in files:
            yield Path(here), SUMMARY_FILE in files


def find_runs(root) -> list:
    """Run folders under ``root`` (complete or failed), sorted."""
    return [folder for folder, _ in iter_runs(root)]


def _flatten(node, prefix: str = "", out: dict | None = None) -> dict:
    out = {} if out is None else out
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(value, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(node, list):
        out[prefix] = json.dumps(node, allow_nan=False)
    else:
        out[prefix] = node
    return out


def _key(override: str) -> tuple:
    key, _, value = override.partition("=")
    return key.lstrip("+~"), value


def load_run(run_dir: Path, root: Path) -> tuple:
    """(row fields, flattened config) of one run folder; a damaged one is a row with status ``damaged``."""
    rel = run_dir.relative_to(root).as_posix() or "."
    try:
        if (run_dir / SUMMARY_FILE).exists():
            stored = read_run(run_dir)  # every file whole, or DamagedRun
            summary, meta, config = stored.summary, stored.meta, stored.config
            row = {"run": rel, "status": "ok", "error": None}
        else:
            meta, summary = _failure(run_dir), {}
            row = {"run": rel, "status": "failed", "error": meta.get("error")}
            config = _config(run_dir)
    except DamagedRun as exc:
        return {"run": rel, "status": "damaged", "error": str(exc), "_overrides": []}, {}
    row.update(
        {
            "experiment": meta.get("experiment"),
            "job": meta.get("job"),
            "row": meta.get("row"),
            "draw": meta.get("draw"),
            "_posterior": posterior if isinstance(posterior := meta.get("posterior"), dict) else {},
            "seed": meta.get("seed", summary.get("seed")),
            "_overrides": [str(o) for o in overrides] if isinstance(overrides := meta.get("overrides"), list) else [],
            **_stamp(meta),
        }
    )
    row.update(outcome_columns(summary))
    return row, _flatten(config)


def outcome_columns(summary: dict) -> dict:
    """A run's outcome columns from its summary (``summary.json``'s shape): every outcome by name,
    ``lever_cost_gbp.<lever>`` and ``shock.<event>.<field>``."""
    row = dict(summary.get("outcomes", {}))
    for lever, cost in summary.get("lever_costs_gbp", {}).items():
        row[f"lever_cost_gbp.{lever}"] = cost
    for event, fields in summary.get("shocks", {}).items():
        for field, value in fields.items():
            row[f"shock.{event}.{field}"] = value
    return row


def _stamp(meta: dict) -> dict:
    """The slsim_* columns of a run: ``metadata.json``'s ``slsim`` (runs made before it was
    recorded: the version from ``versions``, commit and dirty unknown)."""
    stamp = meta.get("slsim") if isinstance(meta.get("slsim"), dict) else {}
    versions = meta.get("versions") if isinstance(meta.get("versions"), dict) else {}
    dirty = stamp.get("dirty")
    return {
        "slsim_version": str(stamp.get("version", versions.get("slsim")) or "") or None,
        "slsim_commit": str(stamp.get("commit") or "") or None,
        "slsim_dirty": dirty if isinstance(dirty, bool) else None,
    }


def _failure(run_dir: Path) -> dict:
    """failed.json of a failed run, or DamagedRun."""
    try:
        record = read_json(run_dir / FAILED_FILE)
        if not isinstance(record, dict):
            raise ValueError(f"a {type(record).__name__}, not an object")
    except (OSError, ValueError) as exc:
        raise DamagedRun(f"{FAILED_FILE}: not valid ({str(exc).splitlines()[0][:160]})") from exc
    return record


def _config(run_dir: Path) -> dict:
    """config.yaml of a run folder ({} if a failed run has none), or DamagedRun."""
    path = run_dir / "config.yaml"
    if not path.exists() and not (run_dir / SUMMARY_FILE).exists():
        return {}
    try:
        config = yaml.load(path.read_text(), Loader=YAML_LOADER) or {}
        if not isinstance(config, dict):
            raise ValueError(f"a {type(config).__name__}, not a mapping")
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise DamagedRun(f"config.yaml: not valid ({str(exc).splitlines()[0][:160]})") from exc
    return config


def scenario_labels(override_lists: list) -> list:
    """A label per run: its overrides that differ between runs (seed and study excluded)."""
    parsed = [dict(_key(o) for o in overrides if not _key(o)[0].startswith("hydra")) for overrides in override_lists]
    keys = sorted({k for p in parsed for k in p if k not in _NOT_SCENARIO})
    varying = [k for k in keys if len({p.get(k) for p in parsed}) > 1]
    return [" ".join(f"{k}={p[k]}" for k in varying if k in p) or "baseline" for p in parsed]


def sweep_table(root) -> pd.DataFrame:
    """The tidy table of every run under ``root`` (see module doc)."""
    root = Path(root)
    if not root.is_dir():
        raise CollectError(f"{root}: no such folder")
    runs = find_runs(root)
    if not runs:
        raise CollectError(f"{root}: no run folders (folders with summary.json or failed.json)")
    rows, configs = zip(*(load_run(r, root) for r in runs))
    known = [i for i, r in enumerate(rows) if r["status"] != "damaged"]  # a damaged run's scenario is unknown
    labels = [None] * len(rows)
    for i, label in zip(known, scenario_labels([rows[i]["_overrides"] for i in known])):
        labels[i] = label
    keys = sorted({k for c in configs for k in c})
    skip = {"run.seed", "experiment.sample.index"}
    varying = [k for k in keys if k not in skip and len({repr(c.get(k)) for c in configs if c}) > 1]
    drawn = sorted({k for r in rows for k in r.get("_posterior", {})} - set(varying))  # even when all draws agree
    varying += drawn
    records = []
    for row, config, label in zip(rows, configs, labels):
        rec = {k: row.get(k) for k in LEAD_COLUMNS}
        rec["scenario"] = label
        for k in varying:
            rec[k] = config.get(k)
        rec.update({k: v for k, v in row.items() if k not in LEAD_COLUMNS and not k.startswith("_")})
        records.append(rec)
    frame = pd.DataFrame.from_records(records)
    for col in ("job", "row", "draw", "seed"):
        frame[col] = pd.array(frame[col], dtype="Int64")
    frame["slsim_dirty"] = pd.array(frame["slsim_dirty"], dtype="boolean")
    frame = frame.sort_values(["job", "row", "seed", "run"], na_position="first", kind="stable").reset_index(drop=True)
    return frame


def weekly_table(root, table: pd.DataFrame) -> pd.DataFrame:
    root = Path(root)
    parts = []
    for rec in table.loc[table["status"] == "ok", ["run", "scenario", "seed"]].itertuples(index=False):
        path = root / rec.run / "timeseries.parquet"
        try:
            ts = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for a corrupt file
            raise CollectError(f"{path.relative_to(root)}: unreadable parquet ({str(exc).splitlines()[0][:160]})")
        ts.insert(0, "seed", rec.seed)
        ts.insert(0, "scenario", rec.scenario)
        ts.insert(0, "run", rec.run)
        parts.append(ts)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def write_parquet(frame: pd.DataFrame, path) -> Path:
    """Write ``frame`` to ``path`` atomically (temporary file in the same folder, then rename)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~umask())  # mkstemp makes 600; the table is for colleagues too
    try:
        frame.to_parquet(tmp, index=False, engine="pyarrow")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def collect(root, weekly: bool = False, quiet: bool = False) -> pd.DataFrame:
    """Write sweep.parquet (and weekly.parquet, sensitivity.parquet) for the sweep at ``root``."""
    try:
        return _collect(Path(root), weekly, quiet)
    except OSError as exc:  # sweep.parquet a folder, a full disk, a read-only sweep ...
        where = Path(exc.filename2 or exc.filename or "its tables").name
        raise CollectError(f"{root}: cannot write {where} ({exc.strerror or type(exc).__name__})") from exc


def _collect(root: Path, weekly: bool, quiet: bool) -> pd.DataFrame:
    table = sweep_table(root)
    write_parquet(table, root / SWEEP_FILE)
    notes = []
    if weekly:
        write_parquet(weekly_table(root, table), root / WEEKLY_FILE)
    if table["row"].notna().any():  # a sensitivity sweep
        from slsim.experiments.sampling import sensitivity_table

        indices, reason = sensitivity_table(root, table)
        if indices is not None:
            write_parquet(indices, root / SENSITIVITY_FILE)
            notes.append(SENSITIVITY_FILE)
        else:
            notes.append(f"no {SENSITIVITY_FILE}: {reason}")
    if not quiet:
        failed = int((table["status"] == "failed").sum())
        damaged = int((table["status"] == "damaged").sum())
        extra = f"; {'; '.join(notes)}" if notes else ""
        print(
            f"slsim: {len(table)} runs ({failed} failed"
            + (f", {damaged} damaged: re-run the sweep to run them again" if damaged else "")
            + f") -> {root / SWEEP_FILE}"
            + (f" and {WEEKLY_FILE}" if weekly else "")
            + extra,
            file=sys.stderr,
        )
    return table


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m slsim.experiments.collect", description=__doc__.splitlines()[0])
    parser.add_argument("sweep_dir", help="a sweep folder (hydra.sweep.dir)")
    parser.add_argument("--weekly", action="store_true", help="also write weekly.parquet")
    args = parser.parse_args(argv)
    try:
        collect(args.sweep_dir, weekly=args.weekly)
    except CollectError as exc:
        print(f"slsim: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
