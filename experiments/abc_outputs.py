"""What a calibration writes from its history: the posterior, its predictive check, figures, a summary.

Files (each written to a temporary name in the folder, then renamed into place):

``posterior.parquet``
    the last generation's particles: ``particle`` (0..n-1), ``weight`` (normalised
    importance weights), ``distance``, and one column per calibrated parameter
    (its dotted config key), as the model takes it (integers rounded). The
    file's metadata (key ``slsim.calibration``) names the spec, the targets file,
    the generation and the calibration folder. ``calibration=posterior`` draws
    model runs from it (:mod:`slsim.experiments.posterior`).
``predictive.parquet``
    the posterior predictive check: ``predictive_draws`` parameter sets drawn from
    the posterior (by weight, from the spec's seed), each run on
    ``seeds_per_particle`` fresh seeds, one row per draw and fitted target
    (``draw``, ``particle``, ``target``, ``value``: the measure's mean over seeds).
    With ``predictive_draws: 0``, the accepted particles' own summaries instead.
``calibration.json``
    the spec (priors with bounds, units and why; targets fitted and left out with
    why), what was not calibrated (lever strengths), each generation (epsilon,
    acceptance, time), why sampling stopped, the posterior of each parameter
    (weighted mean, sd, 5/50/95% quantiles, prior bounds), the predictive check of
    each target (mean, 5-95% of draws, share of draws inside the interval, pass
    when the mean is inside), the slsim and pyabc that made it.
``figures/marginals.png``, ``figures/epsilon.png``, ``figures/predictive.png``
    :mod:`slsim.analysis.calibration_figures`.
"""

import json
import math
import multiprocessing
import os
import shutil
import tempfile
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from slsim.experiments.abc_model import ParticleModel, SEED_HIGH
from slsim.experiments.overrides import coerced
from slsim.simulation.provenance import stamp
from slsim.simulation.permissions import umask_mode

POSTERIOR_FILE = "posterior.parquet"
PREDICTIVE_FILE = "predictive.parquet"
SUMMARY_FILE = "calibration.json"
FIGURES = ("marginals.png", "epsilon.png", "predictive.png")
META_KEY = b"slsim.calibration"
PREDICTIVE_STREAM = 7  # predictive draw k's generator: SeedSequence([seed, this, k])
NOT_CALIBRATED = (
    "Lever strengths (levers.*, configs/base/levers.yaml) are not calibrated: the targets describe schemes "
    "without levers, so nothing here constrains them. They stay at their configured values, as priors; vary "
    "them in a sensitivity study."
)


def posterior_table(history, spec, t: int | None = None) -> pd.DataFrame:
    """The particles of generation ``t`` (default the last), as the model takes them."""
    pop = history.get_population_extended(t=history.max_t if t is None else t)
    w = pop["w"].to_numpy(float)
    frame = pd.DataFrame(
        {"particle": np.arange(len(pop)), "weight": w / w.sum(), "distance": pop["distance"].to_numpy(float)}
    )
    for p in spec.priors:
        frame[p.key] = [coerced(p.key, v) for v in pop[f"par_{p.key}"]]
    return frame


def generations_table(history) -> pd.DataFrame:
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0]
    return pd.DataFrame(
        {
            "generation": pops["t"].astype(int).to_numpy() + 1,
            "epsilon": pops["epsilon"].astype(float).to_numpy(),
            "accepted": pops["particles"].astype(int).to_numpy(),
            "evaluations": pops["samples"].astype(int).to_numpy(),
            "acceptance_rate": (pops["particles"] / pops["samples"]).astype(float).to_numpy(),
            "seconds": pops["wall_time"].astype(float).to_numpy(),
        }
    )


def marginals_long(history, spec, last: int = 4) -> pd.DataFrame:
    """Particles of the last ``last`` generations, long: generation, weight, parameter, value."""
    parts = []
    for t in range(max(0, history.max_t - last + 1), history.max_t + 1):
        df, w = history.get_distribution(t=t)
        for p in spec.priors:
            values = df[p.key].to_numpy(float)
            values = np.round(values) if p.integer else values  # as the model takes them
            parts.append(pd.DataFrame({"generation": t + 1, "weight": w, "parameter": p.key, "value": values}))
    return pd.concat(parts, ignore_index=True)


_MODEL = None  # the predictive's model, set before the workers fork (nothing pickled)


def _start_worker() -> None:
    import signal

    from slsim.experiments.interrupts import stop_with_parent

    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the pool ends its workers with SIGTERM: no handler of ours
    stop_with_parent()


def _simulate(task):
    values, seeds = task
    return _MODEL.simulate(values, seeds)


def predictive(spec, bases: dict, posterior: pd.DataFrame, procs: int) -> pd.DataFrame:
    """The posterior predictive check (see module doc), on ``procs`` processes."""
    global _MODEL
    draws = spec.abc.predictive_draws
    weights = posterior["weight"].to_numpy(float)
    picks, seeds = [], []
    for k in range(draws):  # draw k from its own generator: the first k draws do not depend on how many
        rng = np.random.default_rng(np.random.SeedSequence([spec.abc.seed, PREDICTIVE_STREAM, k]))
        picks.append(int(rng.choice(len(posterior), p=weights)))
        seeds.append(rng.integers(0, SEED_HIGH, size=spec.abc.seeds_per_particle))
    tasks = [({p.key: float(posterior[p.key].iloc[i]) for p in spec.priors}, seeds[k]) for k, i in enumerate(picks)]
    _MODEL = ParticleModel(spec, bases)
    try:
        if procs > 1 and draws > 1:
            pool = multiprocessing.get_context("fork").Pool(min(procs, draws), initializer=_start_worker)
            try:
                results = pool.map(_simulate, tasks, chunksize=1)
                pool.close()
            finally:
                pool.terminate()
                pool.join()
        else:
            results = [_simulate(task) for task in tasks]
    finally:
        _MODEL = None
    rows = [(k, int(i), t.name, float(r[t.name])) for k, (i, r) in enumerate(zip(picks, results)) for t in spec.fit]
    return pd.DataFrame(rows, columns=["draw", "particle", "target", "value"])


def accepted_summaries(history, spec) -> pd.DataFrame:
    """The last generation's accepted particles' own summaries, long (when no predictive draws)."""
    pop = history.get_population_extended(t=history.max_t)
    rows = [
        (k, k, t.name, float(np.asarray(v, float))) for t in spec.fit for k, v in enumerate(pop[f"sumstat_{t.name}"])
    ]
    return pd.DataFrame(rows, columns=["draw", "particle", "target", "value"])


def _wq(x: np.ndarray, w: np.ndarray, q: float) -> float:
    order = np.argsort(x)
    cum = np.cumsum(w[order]) / w.sum()
    return float(x[order][min(np.searchsorted(cum, q), len(x) - 1)])


def predictive_table(spec, pred: pd.DataFrame) -> pd.DataFrame:
    """One row per fitted target: band, mean and 5-95% over draws, share inside, status."""
    rows = []
    for t in spec.fit:
        x = pred.loc[pred["target"] == t.name, "value"].to_numpy(float)
        x = x[np.isfinite(x)]
        mean = float(x.mean()) if len(x) else math.nan
        rows.append(
            {"target": t.name, "unit": t.unit, "value": t.value, "lo": t.lo, "hi": t.hi, "n": len(x), "mean": mean,
             "ci_lo": float(np.quantile(x, 0.05)) if len(x) else math.nan,
             "ci_hi": float(np.quantile(x, 0.95)) if len(x) else math.nan,
             "share_inside": float(np.mean((x >= t.lo) & (x <= t.hi))) if len(x) else math.nan,
             "status": "not measured" if not len(x) else ("pass" if t.contains(mean) else "fail")}
        )  # fmt: skip
    return pd.DataFrame(rows)


def summary(spec, outcome, posterior, generations, pred_table, procs: int, out: Path) -> dict:
    w = posterior["weight"].to_numpy(float)
    params = {}
    for p in spec.priors:
        x = posterior[p.key].to_numpy(float)
        mean = float(np.sum(w * x))
        params[p.key] = {
            "mean": mean, "sd": float(np.sqrt(np.sum(w * (x - mean) ** 2))),
            "q05": _wq(x, w, 0.05), "q50": _wq(x, w, 0.5), "q95": _wq(x, w, 0.95),
            "prior": p.distribution, "bounds": [p.lo, p.hi], "unit": p.unit, "why": p.why,
        }  # fmt: skip
    counts = pred_table["status"].value_counts()
    return {
        "spec": str(spec.path),
        "targets_file": str(spec.targets.path),
        "folder": str(out),
        "fit": [t.name for t in spec.fit],
        "left_out": spec.left_out,
        "overrides": list(spec.overrides),
        "not_calibrated": NOT_CALIBRATED,
        "abc": {**spec.abc.__dict__, "procs": procs},
        "distance": "per target: distance from the published value in units of the interval on that side "
        f"(<= 1 inside the interval); aggregated by {spec.abc.aggregate} (experiments/abc_model.py)",
        "stopped": outcome.stopped,
        "this_command": {"seconds": round(outcome.seconds, 1), "particles_evaluated": outcome.simulations},
        "generations": generations.to_dict("records"),
        "effective_sample_size": float(1.0 / np.sum(w**2)),
        "posterior": params,
        "predictive": {
            "draws": spec.abc.predictive_draws or "accepted particles' own summaries",
            "counts": {s: int(counts.get(s, 0)) for s in ("pass", "fail", "not measured")},
            "targets": pred_table.drop(columns=["target"]).set_index(pred_table["target"]).to_dict("index"),
        },
        "slsim": stamp(),
        "pyabc": metadata.version("pyabc"),
    }


def _clean(node):
    if isinstance(node, dict):
        return {k: _clean(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [_clean(v) for v in node]
    if isinstance(node, (np.floating, float)):
        return None if not math.isfinite(node) else float(node)
    if isinstance(node, np.integer):
        return int(node)
    return node


def write_parquet_with_meta(frame: pd.DataFrame, path: Path, meta: dict) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), META_KEY: json.dumps(meta, allow_nan=False).encode()}
    )
    pq.write_table(table, path)


def write(out: Path, posterior, pred, data: dict, figures: dict) -> list:
    """Every output file into ``out``, each renamed into place once all are made; returns their paths."""
    tmp = umask_mode(tempfile.mkdtemp(prefix=".outputs-", dir=out))
    written = []
    try:
        meta = {k: data[k] for k in ("spec", "targets_file", "folder", "fit")}
        meta["generation"] = len(data["generations"])
        write_parquet_with_meta(posterior, tmp / POSTERIOR_FILE, meta)
        pred.to_parquet(tmp / PREDICTIVE_FILE, index=False, engine="pyarrow")
        (tmp / SUMMARY_FILE).write_text(json.dumps(_clean(data), indent=2, allow_nan=False) + "\n")
        for name, fig in figures.items():
            fig.savefig(tmp / name, dpi=110)
        (out / "figures").mkdir(exist_ok=True)
        for name in [POSTERIOR_FILE, PREDICTIVE_FILE, *figures, SUMMARY_FILE]:
            target = out / ("figures" if name.endswith(".png") else "") / name
            os.replace(tmp / name, target)
            written.append(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return written
