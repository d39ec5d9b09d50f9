"""A national study: programmes x nation seeds x posterior draws, each cell one national run.

The study config (``configs/nation/study/default.yaml``, or a file of its shape with
``--config``, then ``key=value`` overrides) names the programmes (each a set of
``programme.*`` fields of the national config), the nation seeds, the posterior draws and the
national overrides every run shares. :func:`load` checks it and :func:`plan` turns it into the
runs, in the order programme, draw, seed (run ids 0..n-1), every run's national config checked
and every draw's parameters composed before anything is written. Draw ``d`` is the particle
:func:`slsim.experiments.posterior.particle_of` picks (its own generator), its values applied
as config overrides on top of every kind's composed config; ``draws: 0`` runs the calibrated
defaults (draw -1). Nothing here runs a model.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from slsim.experiments import posterior
from slsim.simulation.nation import config as nation_config
from slsim.simulation.validation import ConfigError

DEFAULT = nation_config.CONFIG_DIR / "nation" / "study" / "default.yaml"
PROJECT = nation_config.CONFIG_DIR.parent
MARK = "slsim-nation-study"  # study.json's "kind": a folder slsim-nation-study may replace
KEYS = ("programmes", "seeds", "draws", "calibration", "overrides")
CALIBRATION_KEYS = ("path", "seed")
PROGRAMME_FIELDS = tuple(yaml.safe_load(nation_config.DEFAULT.read_text())["programme"])
NOT_DRAWN = ("scheme.",)  # the nation sets each scheme's size and team itself (simulation/nation/population.py)
NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_SEEDS, MAX_DRAWS = 10_000, 10_000


@dataclass(frozen=True)
class Run:
    run: int
    programme: str
    draw: int  # -1: the calibrated defaults
    seed: int  # nation seed
    cfg: object  # NationConfig


def load(overrides=(), path=None) -> dict:
    """The study config as plain data: the default file (or ``path`` over it) with ``overrides``
    (``dotted.key=value``, values read as YAML; ``programmes.NAME=null`` drops a programme), checked."""
    data = _read(DEFAULT, "the default study config")
    if path is not None:
        extra = _read(Path(path), f"--config {path}")
        for key, value in extra.items():
            _known(key, KEYS, "")
            data[key] = _deep(data[key], value) if key in ("calibration", "overrides") else value
    for text in overrides:
        key, sep, value = str(text).partition("=")
        if not sep or not key:
            raise ConfigError(f"{text!r}: allowed key=value (e.g. seeds=3, draws=2, overrides.run.years=5)")
        try:
            parsed = yaml.safe_load(value) if value != "" else ""
        except yaml.YAMLError:
            raise ConfigError(f"{key}={value!r}: not a YAML value") from None
        _set(data, key.split("."), parsed)
    return check(data)


def _read(path: Path, what: str) -> dict:
    return nation_config.read_mapping(path, what, ", ".join(KEYS))


def _known(key, allowed, where: str) -> None:
    if key not in allowed:
        raise ConfigError(f"{where}{key}: unknown key (allowed keys: {', '.join(allowed)})")


def _deep(base, extra):
    if not isinstance(base, dict) or not isinstance(extra, dict):
        return extra
    return {**base, **{k: _deep(base.get(k), v) for k, v in extra.items()}}


def _set(data: dict, parts: list, value) -> None:
    _known(parts[0], KEYS, "")
    if parts[0] in ("seeds", "draws") and len(parts) > 1:
        raise ConfigError(f"{'.'.join(parts)}: unknown key ({parts[0]} is a number or a list)")
    if parts[:1] == ["programmes"] and len(parts) == 2 and value is None:
        data["programmes"].pop(parts[1], None)
        return
    node = data
    for part in parts[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[parts[-1]] = value


def _int(value, where: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ConfigError(f"{where}={value!r}: allowed integer {lo} <= x <= {hi}")
    return value


def check(data: dict) -> dict:
    for key in data:
        _known(key, KEYS, "")
    progs = data.get("programmes")
    if not isinstance(progs, dict) or not progs:
        raise ConfigError(f"programmes={progs!r}: allowed a mapping of names to programme fields (at least one)")
    for name, fields in progs.items():
        if not isinstance(name, str) or not NAME.match(name):
            raise ConfigError(f"programmes.{name}: allowed a name of lower-case letters, digits and _")
        if not isinstance(fields, dict):
            raise ConfigError(f"programmes.{name}={fields!r}: allowed a mapping of {', '.join(PROGRAMME_FIELDS)}")
        for field in fields:
            if field not in PROGRAMME_FIELDS:
                raise ConfigError(
                    f"programmes.{name}.{field}: unknown programme field (allowed: {', '.join(PROGRAMME_FIELDS)})"
                )
    seeds = data.get("seeds")
    if isinstance(seeds, list):
        if not seeds or len(set(map(repr, seeds))) != len(seeds) or len(seeds) > MAX_SEEDS:
            raise ConfigError(f"seeds={seeds!r}: allowed a count 1 <= x <= {MAX_SEEDS} or a list of distinct seeds")
        seeds = [_int(s, "seeds[]", 0, nation_config.SEED_MAX) for s in seeds]
    else:
        seeds = list(range(1, _int(seeds, "seeds", 1, MAX_SEEDS) + 1))
    draws = _int(data.get("draws"), "draws", 0, MAX_DRAWS)
    cal = data.get("calibration")
    if not isinstance(cal, dict):
        raise ConfigError(f"calibration={cal!r}: allowed a mapping of {', '.join(CALIBRATION_KEYS)}")
    for key in cal:
        _known(key, CALIBRATION_KEYS, "calibration.")
    if not isinstance(cal.get("path"), str) or not cal["path"]:
        raise ConfigError(
            f"calibration.path={cal.get('path')!r}: allowed a calibration folder or its posterior.parquet"
        )
    cal_seed = _int(cal.get("seed"), "calibration.seed", 0, 2**32 - 1)
    over = data.get("overrides")
    over = {} if over is None else over
    if not isinstance(over, dict):
        raise ConfigError(f"overrides={over!r}: allowed a mapping of the national config's keys")
    if isinstance(over.get("nation"), dict) and "seed" in over["nation"]:
        raise ConfigError("overrides.nation.seed: set by seeds; allowed the other keys of configs/nation/default.yaml")
    return {
        "programmes": {n: dict(progs[n]) for n in progs},
        "seeds": seeds,
        "draws": draws,
        "calibration": {"path": cal["path"], "seed": cal_seed},
        "overrides": over,
    }


def _json(key: str, value) -> str:
    """``value`` as an override's text; a non-finite number is refused (one line naming ``key``)."""
    try:
        return json.dumps(value, allow_nan=False)
    except ValueError:
        raise ConfigError(f"{key}={value}: allowed a finite number") from None


def _flat(node, prefix=""):
    for key, value in node.items():
        if isinstance(value, dict) and value:
            yield from _flat(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}={_json(f'{prefix}{key}', value)}"


def nation_of(study: dict, programme: str, seed: int):
    """The national config of one run (overrides, then the programme's fields, then the seed)."""
    try:
        base = list(_flat(study["overrides"]))
        nation_config.load(base)
    except ConfigError as exc:
        raise ConfigError(f"overrides: {exc}") from None
    fields = [
        f"programme.{k}={_json(f'programmes.{programme}.{k}', v)}" for k, v in study["programmes"][programme].items()
    ]
    try:
        return nation_config.load([*base, *fields, f"nation.seed={seed}"])
    except ConfigError as exc:
        raise ConfigError(f"programmes.{programme}: {exc}") from None


def posterior_path(given: str) -> str:
    """A relative calibration path is read from the current folder, else from the project's."""
    p = Path(given)
    if p.is_absolute() or p.exists():
        return str(p)
    return str(PROJECT / p)


def drawn(study: dict) -> dict:
    """{draw: {particle, values}}: the parameters each draw takes ({-1: no values} without draws)."""
    if study["draws"] == 0:
        return {-1: {"particle": None, "values": {}}}
    cal = study["calibration"]
    post = posterior.load(posterior_path(cal["path"]))
    out = {}
    for d in range(study["draws"]):
        particle = posterior.particle_of(post, cal["seed"], d)
        values = {k: v for k, v in posterior.values_of(post, particle).items() if not k.startswith(NOT_DRAWN)}
        out[d] = {"particle": particle, "values": values}
    return out


def posterior_sha256(study: dict):
    if study["draws"] == 0:
        return None
    return posterior.load(posterior_path(study["calibration"]["path"])).sha256


def plan(study: dict) -> list:
    """The runs, in the order programme, draw, seed; every run's national config checked."""
    draws = sorted(drawn(study)) if study["draws"] else [-1]
    runs = []
    for name in study["programmes"]:
        for d in draws:
            for seed in study["seeds"]:
                runs.append(Run(len(runs), name, d, seed, nation_of(study, name, seed)))
    return runs


def record(study: dict, draws: dict, n_runs: int) -> dict:
    """study.json: the study as run (no executor: results do not depend on it)."""
    return {
        "kind": MARK,
        "runs": n_runs,
        "programmes": study["programmes"],
        "seeds": study["seeds"],
        "draws": study["draws"],
        "calibration": {**study["calibration"], "sha256": posterior_sha256(study)},
        "overrides": study["overrides"],
        "posterior_draws": [
            {"draw": d, "particle": v["particle"], "values": v["values"]} for d, v in sorted(draws.items()) if d >= 0
        ],
        "not_drawn": list(NOT_DRAWN),
    }
