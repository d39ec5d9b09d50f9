"""Running a national study (:mod:`slsim.experiments.nation_study`) and writing its folder.

Each run is :func:`run_files`: the national model (``run_nation``, one worker) written into a
temporary folder wherever the run happens, its files returned as bytes. An executor yields
``(run id, files)`` as runs finish: :class:`BasicExecutor` one after another in this process,
:class:`RayExecutor` each run a Ray task (a cluster at ``address``, or a local Ray of
``cpus``), collected with ``ray.wait`` as they complete; nothing needs a shared filesystem. The
driver writes each run's files into ``runs/run=<id>/`` as they arrive and keeps only the small
tables (a row a run, its weekly national totals, its schemes), written sorted by run at the
end. So the study folder's bytes do not depend on the executor, the number of CPUs or the
order runs finish in. Everything goes into a hidden folder beside ``out``, renamed into place.
"""

import io
import json
import shutil
import socket
import tempfile
import time
from pathlib import Path

import pandas as pd

from slsim.experiments import nation_study
from slsim.simulation import outfolder
from slsim.simulation.nation.runner import run_nation
from slsim.simulation.nation.worker import WorkerError
from slsim.simulation.validation import ConfigError

EXECUTORS = ("basic", "ray")
RAY_PIN = "ray>=2.40,<3"
CLASSES = ("grow", "stall", "shrink")


def run_files(cfg, bases: dict) -> dict:
    """One national run in a temporary folder: {relative path: bytes}, sorted."""
    where = Path(tempfile.mkdtemp(prefix="slsim-nation-study-"))
    try:
        run_nation(cfg, bases, where / "out", workers=1)
        root = where / "out"
        return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    finally:
        shutil.rmtree(where, ignore_errors=True)


class BasicExecutor:
    """Runs one after another in this process."""

    def results(self, runs: list, bases: dict):
        for r in runs:
            yield r.run, run_files(r.cfg, bases[r.draw])

    def close(self) -> None:
        pass


def _check_address(address: str) -> None:
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ConfigError(
            f"--address {address}: allowed HOST:PORT of a running Ray head (ray start --head --port=PORT)"
        )
    try:
        socket.create_connection((host, int(port)), timeout=3).close()
    except OSError:
        raise ConfigError(
            f"--address {address}: no Ray cluster answers there; allowed HOST:PORT of a running Ray head "
            "(ray start --head --port=PORT), or no --address for a local Ray"
        ) from None


def warm_worker() -> None:
    """A first task for each Ray worker: import the model (a run's first second otherwise)."""
    import slsim.simulation.model  # noqa: F401
    import slsim.simulation.nation.runner  # noqa: F401


class RayExecutor:
    """Each run a Ray task; at most ``2 x CPUs`` runs in flight, results taken as they complete."""

    def __init__(self, address=None, cpus=None):
        import signal

        try:
            import ray
        except ImportError:
            raise ConfigError(
                f"--executor ray: ray is not installed; allowed basic, or pip install '{RAY_PIN}'"
            ) from None
        if address is not None:
            _check_address(address)
        handler = signal.getsignal(signal.SIGTERM)
        kwargs = dict(include_dashboard=False, log_to_driver=False, logging_level="ERROR")
        try:
            if address is None:
                ray.init(address="local", num_cpus=cpus, **kwargs)
            else:
                ray.init(address=address, **kwargs)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            ray.shutdown()
            line = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
            raise ConfigError(f"--address {address}: cannot join the Ray cluster ({line})") from None
        finally:
            signal.signal(signal.SIGTERM, handler)  # ours: a stopped study removes its partial folder
        self.ray = ray
        self.task = ray.remote(num_cpus=1, max_retries=0)(run_files)
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.window = max(2, 2 * cpus)
        # each worker imports the model now, while the driver composes the kinds' configs
        self.warming = [ray.remote(num_cpus=1, max_retries=0)(warm_worker).remote() for _ in range(cpus)]

    def results(self, runs: list, bases: dict):
        ray = self.ray
        refs = {d: ray.put(b) for d, b in bases.items()}
        todo, pending = list(runs), {}
        try:
            while todo or pending:
                while todo and len(pending) < self.window:
                    r = todo.pop(0)
                    pending[self.task.remote(r.cfg, refs[r.draw])] = r.run
                done, _ = ray.wait(list(pending), num_returns=1)
                for ref in done:
                    run_id = pending.pop(ref)
                    try:
                        files = ray.get(ref)
                    except ray.exceptions.RayError as exc:
                        line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                        raise WorkerError(f"run {run_id} failed on Ray: {line}") from None
                    yield run_id, files
        finally:
            for ref in pending:
                ray.cancel(ref)  # KeyboardInterrupt in the task: its temporary folder is removed

    def close(self) -> None:
        for ref in self.warming:
            self.ray.cancel(ref)
        self.ray.shutdown()


def check_executor(name: str, address=None, cpus=None) -> None:
    """The executor flags, checked before anything is composed or started."""
    if name not in EXECUTORS:
        raise ConfigError(f"--executor {name}: allowed {', '.join(EXECUTORS)}")
    if name == "basic":
        if address is not None or cpus is not None:
            raise ConfigError(f"--executor basic: --address and --cpus are for --executor ray; allowed {EXECUTORS[1]}")
        return
    if address is not None and cpus is not None:
        raise ConfigError("--cpus: a cluster's CPUs are its own; allowed --address or --cpus, not both")
    if cpus is not None and not 1 <= cpus <= 1024:
        raise ConfigError(f"--cpus={cpus}: allowed integer 1 <= x <= 1024")
    try:
        import ray  # noqa: F401
    except ImportError:
        raise ConfigError(f"--executor ray: ray is not installed; allowed basic, or pip install '{RAY_PIN}'") from None
    if address is not None:
        _check_address(address)


def executor(name: str, address=None, cpus=None):
    check_executor(name, address, cpus)
    return BasicExecutor() if name == "basic" else RayExecutor(address, cpus)


def check_out(out: Path) -> None:
    """``out`` may be new, an empty folder, or a previous study (replaced)."""
    outfolder.check_out(out, "study.json", nation_study.MARK, "study")


def _row(r, files: dict) -> tuple:
    """(runs.parquet row, national table, schemes table) of one run's files."""
    summary = json.loads(files["summary.json"])
    national = pd.read_parquet(io.BytesIO(files["national.parquet"]))
    schemes = pd.read_parquet(io.BytesIO(files["schemes.parquet"]))
    first, last = national.iloc[0], national.iloc[-1]
    p, s = r.cfg.programme, summary["programme"]
    row = {
        "run": r.run,
        "programme": r.programme,
        "allocation": p["allocation"],
        "gbp_per_year": float(p["gbp_per_year"]),
        "programme_years": float(p["years"]),
        "start_week": int(p["start_week"]),
        "seed": r.seed,
        "draw": r.draw,
        "people_start": int(first["people_supported"]),
        "people_end": int(last["people_supported"]),
        "households_start": int(first["households"]),
        "households_end": int(last["households"]),
        "staff_start": int(first["staff"]),
        "staff_end": int(last["staff"]),
        "posts_bought": int(s["posts_bought"]),
        "gbp_allocated_per_year": float(s["allocated_gbp_per_year"]),
        "gbp_spent_per_year": float(s["spent_gbp_per_year"]),
        **{k: int(summary["growth_classes"][k]) for k in CLASSES},
    }
    national.insert(0, "run", r.run)
    schemes.insert(0, "run", r.run)
    return row, national, schemes


def write_files(folder: Path, files: dict) -> None:
    for rel, data in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def run_study(study: dict, runs: list, bases: dict, draws: dict, out, ex, progress=None) -> dict:
    """Run every run on executor ``ex`` and write the study folder ``out``; returns runs' rows."""
    out = Path(out)
    check_out(out)
    with outfolder.building(out) as tmp:
        return _write_study(study, runs, bases, draws, tmp, ex, progress)


def _write_study(study: dict, runs: list, bases: dict, draws: dict, tmp: Path, ex, progress) -> list:
    started = time.monotonic()
    by_id = {r.run: r for r in runs}
    rows, national, schemes = {}, {}, {}
    for n, (run_id, files) in enumerate(ex.results(runs, bases), start=1):
        write_files(tmp / "runs" / f"run={run_id}", files)
        rows[run_id], national[run_id], schemes[run_id] = _row(by_id[run_id], files)
        del files
        if progress:
            r = by_id[run_id]
            progress(
                f"{nation_study.MARK}: run {run_id} done ({n}/{len(runs)}: programme {r.programme}, draw {r.draw}, "
                f"seed {r.seed}), {time.monotonic() - started:.0f} s"
            )
    ids = sorted(rows)
    pd.DataFrame([rows[i] for i in ids]).to_parquet(tmp / "runs.parquet", index=False, engine="pyarrow")
    pd.concat([national[i] for i in ids], ignore_index=True).to_parquet(
        tmp / "national.parquet", index=False, engine="pyarrow"
    )
    pd.concat([schemes[i] for i in ids], ignore_index=True).to_parquet(
        tmp / "schemes.parquet", index=False, engine="pyarrow"
    )
    text = json.dumps(
        nation_study.record(study, draws, len(runs)), indent=2, allow_nan=False
    )  # programmes in run order
    (tmp / "study.json").write_text(text + "\n")
    return [rows[i] for i in sorted(rows)]
