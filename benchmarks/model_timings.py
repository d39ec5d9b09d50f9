"""The timings of benchmarks/bench_model.py: the model, one process of the week, the bare Mesa
loop it is compared with, a profile, and Mesa's DataCollector against the model's recorder.
Imported by bench_model.py (run as a script: this folder is on sys.path)."""

import cProfile
import gc
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

import mesa

from slsim.simulation.model import SharedLivesModel
from slsim.simulation.processes import STEP

REPO = Path(__file__).resolve().parent.parent
DATACOLLECTOR_CALLS = 521  # recorded rows of a 10-year run: weeks 0..520


# ----------------------------------------------------------------------
# 1. model time
# ----------------------------------------------------------------------
def time_model_once(params):
    """Seconds to build and run the model to its horizon (warm-up weeks included); and the model."""
    gc.collect()
    t0 = time.perf_counter()
    model = SharedLivesModel(params).run()
    return time.perf_counter() - t0, model


# ----------------------------------------------------------------------
# 2. whole-process time
# ----------------------------------------------------------------------
_PROCESS_CODE = """\
import json, sys, time
t0 = time.perf_counter()
from slsim.experiments.config import load_params
from slsim.simulation.run import run_simulation
t1 = time.perf_counter()
params = load_params(json.loads(sys.argv[1]))
t2 = time.perf_counter()
result = run_simulation(params)
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "compose_s": t2 - t1, "run_s": t3 - t2, "rows": len(result.timeseries)}, allow_nan=False))
"""


def time_process(overrides, repeats):
    """Wall seconds of fresh interpreters that import, compose and run once; and their own split."""
    walls, splits = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", _PROCESS_CODE, json.dumps(list(overrides), allow_nan=False)],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        walls.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            raise RuntimeError(f"whole-process run failed ({proc.returncode}):\n{proc.stderr.strip()}")
        splits.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return walls, splits


# ----------------------------------------------------------------------
# 3. agent-steps (untimed, instrumented)
# ----------------------------------------------------------------------
class _CountingModel(SharedLivesModel):
    """The model, recording len(self.agents) at the start of every step (warm-up ones too)."""

    def step(self):
        self.__dict__.setdefault("alive_per_step", []).append(len(self.agents))
        super().step()


def count_agent_steps(params):
    """Agents alive per executed step (warm-up ones too), stepping the model by hand; and the model."""
    model = _CountingModel(params)
    while model.week < model.horizon:
        model.step()
    return model.alive_per_step, model


def _same_rows(a, b):
    """Weekly tables equal value by value (NaN equals NaN)."""
    return len(a) == len(b) and all(
        len(ra) == len(rb) and all(x == y or (x != x and y != y) for x, y in zip(ra, rb)) for ra, rb in zip(a, b)
    )


# ----------------------------------------------------------------------
# 4. bare Mesa shuffle_do loop
# ----------------------------------------------------------------------
class _BareAgent(mesa.Agent):
    def __init__(self, model):
        super().__init__(model)
        self.count = 0

    def step(self):
        self.count += 1


class _BareModel(mesa.Model):
    def __init__(self, n_agents, seed):
        super().__init__(seed=seed)
        _BareAgent.create_agents(self, n_agents)

    def step(self):
        self.agents.shuffle_do("step")


def time_bare_once(n_agents, n_steps, seed):
    """Seconds for n_steps of a bare shuffle_do loop over n_agents trivial agents (building excluded)."""
    model = _BareModel(n_agents, seed)
    gc.collect()
    t0 = time.perf_counter()
    for _ in range(n_steps):
        model.step()
    elapsed = time.perf_counter() - t0
    counted = sum(a.count for a in model.agents)
    if counted != n_agents * n_steps:
        raise RuntimeError(f"bare loop ran {counted} agent-steps, expected {n_agents * n_steps}")
    return elapsed


def time_interleaved(params, n_bare, n_steps, repeats, seed):
    """Model and bare-loop timings, alternated so that a burst of load from elsewhere hits both.

    Returns (model warm-up run, [model times], bare warm-up run, [bare times], last model);
    the first run of each is the discarded warm-up.
    """
    model_times, bare_times, model = [], [], None
    for _ in range(repeats + 1):
        model = None
        t, model = time_model_once(params)
        model_times.append(t)
        bare_times.append(time_bare_once(n_bare, n_steps, seed))
    return model_times[0], model_times[1:], bare_times[0], bare_times[1:], model


# ----------------------------------------------------------------------
# 5. time per process of the step (slsim.simulation.processes.STEP)
# ----------------------------------------------------------------------
def time_processes(params, repeats):
    """Median seconds per run in each process of the week, and outside them (building, books, recording)."""
    runs = []
    for _ in range(repeats):
        spent = dict.fromkeys([name for name, _ in STEP], 0.0)

        def timed(name, fn):
            def run(model):
                t0 = time.perf_counter()
                fn(model)
                spent[name] += time.perf_counter() - t0

            return run

        class Timed(SharedLivesModel):
            processes = tuple((name, timed(name, fn)) for name, fn in STEP)

        gc.collect()
        t0 = time.perf_counter()
        Timed(params).run()
        total = time.perf_counter() - t0
        runs.append({**spent, "(outside the processes)": total - sum(spent.values()), "total": total})
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


# ----------------------------------------------------------------------
# --profile: where a run spends its time
# ----------------------------------------------------------------------
def profile_run(params, top=15):
    """Print the top functions of one build + run by cumulative time."""
    prof = cProfile.Profile()
    prof.enable()
    SharedLivesModel(params).run()
    prof.disable()
    stats = pstats.Stats(prof)
    buf = io.StringIO()
    stats.stream = buf
    stats.sort_stats("cumulative").print_stats(top)
    text = buf.getvalue()
    for prefix in sorted({str(REPO) + os.sep, _site_packages()}, key=len, reverse=True):
        text = text.replace(prefix, "")
    lines = text.splitlines()
    start = next((i for i, ln in enumerate(lines) if "ncalls" in ln), 0)
    print(f"\nProfile of one build + run (cProfile adds overhead: read shares), top {top} by cumulative time:")
    for ln in lines[start:]:
        if ln.strip():
            print("  " + ln)


def _site_packages():
    return str(Path(mesa.__file__).resolve().parent.parent) + os.sep


# ----------------------------------------------------------------------
# --datacollector: Mesa's DataCollector vs the model's WeeklyRecorder
# ----------------------------------------------------------------------
def compare_collectors(model, calls=DATACOLLECTOR_CALLS, repeats=5):
    """Median seconds for `calls` collects of the same reporters on one model: (DataCollector, WeeklyRecorder)."""
    from mesa import DataCollector

    from slsim.simulation.recorder import WeeklyRecorder, build_reporters

    dc_times, rec_times = [], []
    for _ in range(repeats):
        dc = DataCollector(model_reporters=build_reporters(model))
        rec = WeeklyRecorder(model)
        gc.collect()
        t0 = time.perf_counter()
        for _ in range(calls):
            dc.collect(model)
        dc_times.append(time.perf_counter() - t0)
        gc.collect()
        t0 = time.perf_counter()
        for _ in range(calls):
            rec.collect()
        rec_times.append(time.perf_counter() - t0)
        if list(dc.model_vars["week"]) != [r[0] for r in rec.rows]:
            raise RuntimeError("DataCollector and WeeklyRecorder disagree")
    return statistics.median(dc_times), statistics.median(rec_times), len(rec.reporters)
