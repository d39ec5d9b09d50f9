"""``calibration=posterior``: a study's runs drawn from a calibration's posterior.

``slsim-calibrate`` writes ``posterior.parquet`` (:mod:`slsim.experiments.abc_outputs`):
its particles, one column per calibrated parameter (the dotted config key, as
the model takes it), ``weight`` (normalised importance weights), ``particle`` and
``distance``, with the calibration's identity in the file's metadata
(``slsim.calibration``: spec, targets file, generation, folder).

With ``calibration.method: posterior`` a job runs ``draws x seeds_per_draw``
runs instead of ``experiment.replicates`` seeds. Draw ``d`` takes the particle
that its own generator (``SeedSequence([calibration.seed, DRAW_STREAM, d])``)
picks by weight, so draw ``d`` is the same parameter set in every job of the
study (every scenario, every lever arm) and does not depend on how many draws
there are; the particle's values are applied as config overrides on top of the
job's own config. Its seeds are ``run.seed + d*seeds_per_draw + k`` for
``k < seeds_per_draw``: every run of a job has its own seed, and runs of two
arms with the same seed have the same draw, so arms are paired by draw and
seed (the report pairs them by seed, :mod:`slsim.analysis.stats`).

Bad input (no posterior file, an unreadable or malformed one, a column that is
not a numeric config key, weights that are not finite and positive, a drawn
value the model refuses) raises :class:`ConfigError` before anything runs.
"""

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from slsim.simulation.params import ConfigError

POSTERIOR_FILE = "posterior.parquet"  # as slsim.experiments.abc_outputs.POSTERIOR_FILE (not imported: pyabc)
META_KEY = b"slsim.calibration"
NOT_PARAMETERS = ("particle", "weight", "distance")  # the posterior's own columns
DRAW_STREAM = 11  # draw d's generator: SeedSequence([calibration.seed, this, d])
NOT_DRAWN = ("run.", "experiment.", "calibration.")  # run settings, never drawn from a posterior
WHERE = "calibration.path"


@dataclass(frozen=True)
class Posterior:
    file: Path
    keys: tuple  # dotted config keys, in the file's column order
    values: tuple  # per particle: a tuple of values (int for integer parameters)
    weights: np.ndarray  # normalised
    sha256: str
    meta: dict  # the file's slsim.calibration metadata ({} if none)

    def identity(self) -> dict:
        """What a run records of the posterior it was drawn from (metadata.json)."""
        return {"file": str(self.file), "sha256": self.sha256, **{k: self.meta[k] for k in sorted(self.meta)}}


def posterior_file(path: str) -> Path:
    p = Path(str(path))
    file = p / POSTERIOR_FILE if p.is_dir() else p
    if not file.is_file():
        raise ConfigError(
            f"{WHERE}={path}: no {POSTERIOR_FILE} there; allowed a calibration folder (slsim-calibrate's output) "
            f"or its {POSTERIOR_FILE}"
        )
    return file


def load(path: str) -> Posterior:
    """The posterior at ``path`` (a calibration folder or its posterior.parquet), checked."""
    file = posterior_file(path)
    st = file.stat()
    return _load(str(file.resolve()), st.st_mtime_ns, st.st_size, str(path), str(file))


@functools.lru_cache(maxsize=4)
def _load(file: str, _mtime: int, _size: int, given: str, shown: str) -> Posterior:
    import pyarrow.parquet as pq

    from slsim.experiments.sampling import _number_kind

    try:
        data = Path(file).read_bytes()
        table = pq.read_table(file)
    except Exception as exc:  # pyarrow raises several types for a corrupt file
        raise ConfigError(f"{WHERE}={given}: not a readable parquet file ({_first_line(exc)})") from exc
    columns = list(table.column_names)
    keys = [c for c in columns if c not in NOT_PARAMETERS]
    if "weight" not in columns or not keys:
        raise ConfigError(
            f"{WHERE}={given}: allowed a posterior with a 'weight' column and one column per parameter "
            f"(columns: {', '.join(columns) or 'none'})"
        )
    if table.num_rows == 0:
        raise ConfigError(f"{WHERE}={given}: no particles; allowed a posterior with at least one")
    kinds = {}
    for key in keys:
        kind = _number_kind(key)
        if kind is None or key.startswith(NOT_DRAWN):
            raise ConfigError(
                f"{WHERE}={given}: column {key!r} is not a numeric model parameter; allowed dotted keys of numbers "
                "in the config (e.g. carers.base_exit_per_year), not run., experiment. or calibration. settings"
            )
        kinds[key] = kind
    frame = table.to_pandas()
    weights = _numbers(frame["weight"], given, "weight")
    if (weights < 0).any() or not weights.sum() > 0:
        raise ConfigError(f"{WHERE}={given}: column 'weight': allowed finite weights >= 0, not all 0")
    cols = []
    for key in keys:
        x = _numbers(frame[key], given, key)
        if kinds[key] is int:
            if not np.all(x == np.round(x)):
                raise ConfigError(f"{WHERE}={given}: column {key!r}: allowed whole numbers (an integer parameter)")
            cols.append([int(v) for v in x])
        else:
            cols.append([float(v) for v in x])
    meta = {}
    raw = (table.schema.metadata or {}).get(META_KEY)
    if raw is not None:
        try:
            meta = json.loads(raw)
        except ValueError:
            meta = {}
        meta = meta if isinstance(meta, dict) else {}
    return Posterior(
        file=Path(shown),
        keys=tuple(keys),
        values=tuple(zip(*cols)),
        weights=weights / weights.sum(),
        sha256=hashlib.sha256(data).hexdigest(),
        meta=meta,
    )


def _numbers(series, given: str, column: str) -> np.ndarray:
    try:
        x = np.asarray(series, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{WHERE}={given}: column {column!r}: allowed numbers ({_first_line(exc)})") from exc
    if not np.all(np.isfinite(x)):
        raise ConfigError(f"{WHERE}={given}: column {column!r}: allowed finite numbers (no NaN, inf or missing)")
    return x


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:160]


def particle_of(post: Posterior, seed: int, draw: int) -> int:
    """The particle draw ``draw`` takes: by weight, from the draw's own generator."""
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), DRAW_STREAM, int(draw)]))
    return int(rng.choice(len(post.weights), p=post.weights))


def values_of(post: Posterior, particle: int) -> dict:
    """{dotted key: value} of one particle, as the model takes it."""
    return dict(zip(post.keys, post.values[particle]))


def draw_of(params, seed: int) -> int:
    """The draw a seed of a job belongs to (``calibration=posterior``)."""
    return (seed - params.run.seed) // params.calibration.seeds_per_draw


def run_draw(params, seed: int) -> dict:
    """What a posterior run records: its draw, particle, parameter values and the posterior's identity."""
    cal = params.calibration
    post = load(cal.path)
    draw = draw_of(params, seed)
    particle = particle_of(post, cal.seed, draw)
    return {"draw": draw, "particle": particle, "values": values_of(post, particle), "source": post.identity()}


def check_calibration(cfg, params=None, *, values: bool = True) -> None:
    """``calibration=posterior`` of a composed config: its posterior readable and well formed, not
    combined with a sample, and (``values``) every particle it draws accepted by the model on top
    of this config. Raises :class:`ConfigError`."""
    from omegaconf import OmegaConf

    from slsim.experiments.config import one_line, params_from_cfg, without_hydra

    params = params if params is not None else params_from_cfg(cfg)
    cal = params.calibration
    if not cal.on:
        return
    if params.experiment.sample.method != "none":
        raise ConfigError(
            f"calibration=posterior with experiment.sample.method={params.experiment.sample.method}: allowed one "
            "of the two (each sets the parameters of a run): calibration=none, or experiment.sample.method=none"
        )
    post = load(cal.path)
    if not values:
        return
    plain = without_hydra(cfg)
    for particle in sorted({particle_of(post, cal.seed, d) for d in range(cal.draws)}):
        variant = plain.copy()
        drawn = values_of(post, particle)
        try:
            for key, value in drawn.items():
                OmegaConf.update(variant, key, value, merge=True)
            params_from_cfg(variant)
        except Exception as exc:
            raise ConfigError(
                f"{WHERE}={cal.path}: particle {particle} is refused by the model ({one_line(exc)})"
            ) from exc
