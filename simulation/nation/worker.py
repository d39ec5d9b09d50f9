"""Groups of scheme models stepped a period at a time, and the executors that hold them.

A :class:`SchemeGroup` holds some schemes' models (built and warmed up where the group lives),
applies the parent's updates to them (practice learnt, posts bought: new parameters), steps
each to the end of the period and returns each scheme's small weekly state (people supported,
households, staff in post). At the end it writes each scheme's weekly table to its own
partition file. Schemes do not interact within a period, so a scheme's results do not depend
on which group holds it.

Executors hold the groups: :class:`LocalExecutor` one group in this process;
:class:`ProcessExecutor` one group per worker process (the 'fork' start method: the schemes'
parameters are inherited, never pickled), scheme i in worker ``i % workers``. Both answer
``start()``, ``step(until, updates)``, ``finish(folder)`` and ``close()`` with dicts keyed by
scheme id; the parent sorts by id. Another executor (Ray actors, say) need only do the same.
"""

import copy
import dataclasses
import multiprocessing
import traceback
from pathlib import Path

from slsim.simulation.model import SharedLivesModel
from slsim.simulation.reporters import households, people_supported
from slsim.simulation.validation import _walk


def update_params(model, params) -> None:
    """Give a running model new parameters: practice read each week, and new investment events
    (added to its shocks and to the weeks its posts may change). Events already running are kept."""
    model.p = params
    model.conditions.update(params)


def with_update(params, update: dict):
    """``params`` with an update: ``practice`` (assessment_weeks, enquiry_to_assessment) and
    ``events`` (name -> ShockEvent) added to its shocks. New events are checked with the whole
    tree (they must fit the run); new practice with its own group only (no other group's rule
    reads it), which keeps the many small exchanges of a national run cheap."""
    practice = update.get("practice")
    if practice:
        carers = dataclasses.replace(
            params.carers,
            assessment_weeks=max(1, int(round(practice["assessment_weeks"]))),
            enquiry_to_assessment=float(practice["enquiry_to_assessment"]),
        )
        _walk(carers, "carers")
        params = copy.copy(params)  # the same tree, already checked, with the new carers group
        object.__setattr__(params, "carers", carers)
    if update.get("events"):
        shocks = dataclasses.replace(params.shocks, events={**params.shocks.events, **update["events"]})
        params = dataclasses.replace(params, shocks=shocks)
    return params


def _state(model) -> tuple:
    return (model.week, people_supported(model), households(model), sum(1 for _ in model.staff))


class SchemeGroup:
    def __init__(self, specs: list):
        """``specs``: [(scheme id, ModelParams)] with budgets already spent."""
        self.models = {}
        for sid, params in sorted(specs, key=lambda x: x[0]):
            self.models[sid] = SharedLivesModel(params).warm_up()

    def start(self) -> dict:
        """{id: [week-0 state]}."""
        return {sid: [_state(m)] for sid, m in self.models.items()}

    def step(self, until: int, updates: dict) -> dict:
        """Apply updates, step every model to week ``until``: {id: [(week, people, households, staff)]}."""
        out = {}
        for sid, model in self.models.items():
            if sid in updates:
                update_params(model, with_update(model.p, updates[sid]))
            rows = []
            while model.week < until:
                model.step()
                rows.append(_state(model))
            out[sid] = rows
        return out

    def finish(self, folder) -> dict:
        """Write each scheme's weekly table to ``folder/timeseries/scheme=<id>/part-0.parquet``;
        {id: {people_end, households_end, staff_end}}. The models are released."""
        out = {}
        for sid in list(self.models):
            model = self.models.pop(sid)
            part = Path(folder) / "timeseries" / f"scheme={sid}"
            part.mkdir(parents=True, exist_ok=True)
            model.recorder.to_frame().to_parquet(part / "part-0.parquet", index=False, engine="pyarrow")
            _, people, hh, staff = _state(model)
            out[sid] = {"people_end": people, "households_end": hh, "staff_end": staff}
        return out


class LocalExecutor:
    """All schemes in this process."""

    def __init__(self, specs: list):
        self.specs = specs
        self.group = None

    def start(self) -> dict:
        self.group = SchemeGroup(self.specs)
        return self.group.start()

    def step(self, until: int, updates: dict) -> dict:
        return self.group.step(until, updates)

    def finish(self, folder) -> dict:
        return self.group.finish(folder)

    def close(self) -> None:
        self.group = None


def _serve(conn, specs) -> None:
    """A worker process: build its group, then answer the parent's commands until told to stop."""
    try:
        group = SchemeGroup(specs)
        conn.send(("ok", group.start()))
        while True:
            try:
                command, *args = conn.recv()
            except EOFError:
                return  # the parent has gone
            if command == "close":
                return
            conn.send(("ok", getattr(group, command)(*args)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
        try:
            conn.send(("error", f"{type(exc).__name__}: {exc}", traceback.format_exc()))
        except (OSError, ValueError):
            pass


class WorkerError(RuntimeError):
    pass


class ProcessExecutor:
    """Schemes pinned to worker processes by index (scheme i in worker i % workers)."""

    def __init__(self, specs: list, workers: int):
        self.specs = sorted(specs, key=lambda x: x[0])
        self.n = max(1, min(workers, len(specs)))
        self.conns, self.procs = [], []

    def _ask(self, message=None) -> dict:
        if message is not None:
            for conn in self.conns:
                conn.send(message)
        merged = {}
        for conn, proc in zip(self.conns, self.procs):
            try:
                reply = conn.recv()
            except EOFError:
                raise WorkerError(f"a worker process died (exit code {proc.exitcode})") from None
            if reply[0] == "error":
                raise WorkerError(f"a worker failed: {reply[1]}\n{reply[2]}")
            merged.update(reply[1])
        return dict(sorted(merged.items()))

    def start(self) -> dict:
        ctx = multiprocessing.get_context("fork")
        for k in range(self.n):
            mine = [spec for i, spec in enumerate(self.specs) if i % self.n == k]
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_serve, args=(child, mine), daemon=True, name=f"slsim-nation-{k}")
            proc.start()
            child.close()
            self.conns.append(parent)
            self.procs.append(proc)
        return self._ask()

    def step(self, until: int, updates: dict) -> dict:
        return self._ask(("step", until, updates))

    def finish(self, folder) -> dict:
        return self._ask(("finish", str(folder)))

    def close(self) -> None:
        for conn in self.conns:
            try:
                conn.send(("close",))
            except (OSError, ValueError):
                pass
        for proc in self.procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()
                proc.join()
        for conn in self.conns:
            conn.close()
        self.conns, self.procs = [], []


def executor(specs: list, workers: int):
    return LocalExecutor(specs) if workers <= 1 else ProcessExecutor(specs, workers)
