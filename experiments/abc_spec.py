"""What a calibration fits and how: ``configs/abc/*.yaml`` read and checked (``load_spec``).

The file's keys are described in ``configs/abc/default.yaml``. Every bad key or
value raises :class:`slsim.simulation.params.ConfigError` with one line naming the
field and what is allowed, before anything runs or is written. Beyond types and
ranges, a prior is checked against the model: its key is a number of the
parameter schema (an integer one takes a ``uniform`` prior with whole-number
bounds), not a lever strength (``levers.*``: those stay priors), nor a run setting
(``run.*``, ``experiment.*``, ``calibration.*``); the model accepts both of its
bounds (each set alone on the configuration the calibration runs). Every target of
the targets file is fitted or left out with a reason.

:func:`identity` is what a calibration's history is tied to: a re-run of
``slsim-calibrate`` into the same folder continues only if it is unchanged
(generations, the walltime, ``min_epsilon`` and ``predictive_draws`` may change).
"""

from dataclasses import asdict, dataclass, replace
from pathlib import Path

from slsim.experiments.config import CONFIG_DIR
from slsim.experiments.overrides import apply_values, numeric_kind
from slsim.experiments.targets import TARGETS_DIR, _number, _text, load_targets, read_yaml
from slsim.simulation.params import ConfigError

SPEC_DIR = CONFIG_DIR / "abc"
DEFAULT_SPEC = SPEC_DIR / "default.yaml"
VERSIONS = (1,)
TOP_KEYS = ("version", "targets", "fit", "left_out", "overrides", "priors", "abc")
DISTRIBUTIONS = {"uniform": (), "loguniform": (), "normal": ("mean", "sd"), "lognormal": ("median", "sigma")}
PRIOR_KEYS = ("distribution", "bounds", "unit", "why")
NOT_CALIBRATED = ("levers", "run", "experiment", "calibration")  # lever strengths stay priors; run settings
AGGREGATES = ("rms", "max")
TRANSITIONS = ("per_parameter", "joint")  # pyabc proposal kernels: see configs/abc/default.yaml
CHOICES = {"aggregate": AGGREGATES, "transition": TRANSITIONS}
# abc settings: name -> (low, high, integer); every number has an upper bound
SETTINGS = {
    "population": (2, 100_000, True),
    "generations": (1, 1000, True),
    "epsilon_quantile": (0.0, 1.0, False),  # open at both ends
    "min_epsilon": (0.0, 1_000_000.0, False),
    "seeds_per_particle": (1, 1000, True),
    "max_walltime_minutes": (0.0, 525_600.0, False),  # open at 0
    "seed": (0, 2**32 - 1, True),
    "predictive_draws": (0, 100_000, True),
}
OPEN_LOW = ("epsilon_quantile", "max_walltime_minutes")
OPEN_HIGH = ("epsilon_quantile",)
CONTINUABLE = ("generations", "max_walltime_minutes", "min_epsilon", "predictive_draws")  # may change on resume


@dataclass(frozen=True)
class Prior:
    key: str  # dotted config key
    distribution: str
    lo: float
    hi: float
    unit: str
    why: str
    loc: float | None = None  # normal: mean; lognormal: median
    scale: float | None = None  # normal: sd; lognormal: sigma (of the log)
    integer: bool = False


@dataclass(frozen=True)
class AbcSettings:
    population: int
    generations: int
    epsilon_quantile: float
    min_epsilon: float
    seeds_per_particle: int
    max_walltime_minutes: float
    seed: int
    predictive_draws: int
    aggregate: str
    transition: str


@dataclass(frozen=True)
class Spec:
    path: Path
    targets: object  # experiments.targets.TargetSet
    fit: tuple  # Targets fitted, in the file's order
    left_out: dict  # target name -> why
    overrides: tuple
    priors: tuple
    abc: AbcSettings

    @property
    def names(self) -> tuple:
        return tuple(p.key for p in self.priors)


def _setting(label: str, key: str, x):
    """One abc setting checked against :data:`SETTINGS` (``label`` names it in the error)."""
    lo, hi, integer = SETTINGS[key]
    x = _number(label, x, integer=integer)
    low_ok = x > lo if key in OPEN_LOW else x >= lo
    high_ok = x < hi if key in OPEN_HIGH else x <= hi
    if not (low_ok and high_ok):
        low = f"{lo} {'<' if key in OPEN_LOW else '<='}"
        high = f"{'<' if key in OPEN_HIGH else '<='} {hi}"
        raise ConfigError(f"{label}={x!r}: allowed {low} x {high}")
    return x


def _settings(where: str, data) -> AbcSettings:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: a mapping expected (keys: {', '.join([*SETTINGS, *CHOICES])})")
    allowed = (*SETTINGS, *CHOICES)
    for key in data:
        if key not in allowed:
            raise ConfigError(f"{where}.{key}: unknown key (allowed keys: {', '.join(allowed)})")
    values = {}
    for key in allowed:
        if key not in data:
            raise ConfigError(f"{where}.{key}: missing (required keys: {', '.join(allowed)})")
    for key in SETTINGS:
        values[key] = _setting(f"{where}.{key}", key, data[key])
    for key, allowed_values in CHOICES.items():
        if data[key] not in allowed_values:
            raise ConfigError(f"{where}.{key}={data[key]!r}: allowed {', '.join(allowed_values)}")
        values[key] = data[key]
    return AbcSettings(**values)


def _prior(key, entry, where: str) -> Prior:
    if not isinstance(key, str) or not key or key.split(".")[0] in NOT_CALIBRATED:
        what = "lever strengths stay priors, reported as such" if str(key).startswith("levers.") else "run settings"
        raise ConfigError(f"{where}: {key!r} cannot be calibrated ({what}); allowed: model parameters")
    kind = numeric_kind(key)
    if kind is None:
        raise ConfigError(
            f"{where}: {key!r} is not a numeric parameter of the model (allowed: a dotted key of a number)"
        )
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: a mapping expected (keys: {', '.join(PRIOR_KEYS)} and the distribution's)")
    dist = entry.get("distribution")
    if dist not in DISTRIBUTIONS:
        raise ConfigError(f"{where}.distribution={dist!r}: allowed {', '.join(DISTRIBUTIONS)}")
    allowed = (*PRIOR_KEYS, *DISTRIBUTIONS[dist])
    for k in entry:
        if k not in allowed:
            raise ConfigError(f"{where}.{k}: unknown key for a {dist} prior (allowed keys: {', '.join(allowed)})")
    for k in allowed:
        if k not in entry:
            raise ConfigError(f"{where}.{k}: missing (required keys of a {dist} prior: {', '.join(allowed)})")
    bounds = entry["bounds"]
    if not isinstance(bounds, list) or len(bounds) != 2:
        raise ConfigError(f"{where}.bounds={bounds!r}: allowed [lo, hi], two numbers")
    lo, hi = (float(_number(f"{where}.bounds", b)) for b in bounds)
    if not lo < hi:
        raise ConfigError(f"{where}.bounds=[{lo:g}, {hi:g}]: allowed lo < hi")
    if kind is int and (dist != "uniform" or lo != int(lo) or hi != int(hi)):
        raise ConfigError(f"{where}: an integer parameter; allowed a uniform prior with whole-number bounds")
    if dist in ("loguniform", "lognormal") and lo <= 0:
        raise ConfigError(f"{where}.bounds=[{lo:g}, {hi:g}]: allowed lo > 0 for a {dist} prior")
    loc = scale = None
    if dist != "uniform" and dist != "loguniform":
        loc_key, scale_key = DISTRIBUTIONS[dist]
        loc, scale = (
            float(_number(f"{where}.{loc_key}", entry[loc_key])),
            float(_number(f"{where}.{scale_key}", entry[scale_key])),
        )
        if not lo <= loc <= hi:
            raise ConfigError(f"{where}.{loc_key}={loc:g}: allowed within the bounds [{lo:g}, {hi:g}]")
        if not 0 < scale <= (10.0 if dist == "lognormal" else 1e6 * (hi - lo)):
            raise ConfigError(f"{where}.{scale_key}={scale:g}: allowed a number > 0 (at most 10 for sigma)")
    return Prior(key, dist, lo, hi, _text(f"{where}.unit", entry["unit"]), _text(f"{where}.why", entry["why"]),
                 loc, scale, kind is int)  # fmt: skip


def _targets_path(value, where: str) -> Path:
    text = _text(where, value)
    return TARGETS_DIR / f"{text}.yaml" if "/" not in text and not text.endswith((".yaml", ".yml")) else Path(text)


def load_spec(path=None, *, overrides=(), **settings) -> Spec:
    """The spec at ``path`` (default ``configs/abc/default.yaml``), with model ``overrides`` added
    to its own and abc ``settings`` (population=..., generations=...) replacing its values; checked."""
    path = Path(path) if path is not None else DEFAULT_SPEC
    named = SPEC_DIR / f"{path}.yaml"
    if not path.exists() and path.suffix == "" and len(path.parts) == 1 and named.exists():
        path = named  # a spec's name in configs/abc/ (e.g. period)
    data = read_yaml(path, "calibration spec")
    for key in data:
        if key not in TOP_KEYS:
            raise ConfigError(f"{path}: {key}: unknown key (allowed keys: {', '.join(TOP_KEYS)})")
    for key in TOP_KEYS:
        if key not in data:
            raise ConfigError(f"{path}: {key}: missing (required keys: {', '.join(TOP_KEYS)})")
    if data["version"] not in VERSIONS:
        raise ConfigError(f"{path}: version={data['version']!r}: allowed {', '.join(map(str, VERSIONS))}")
    targets = load_targets(_targets_path(data["targets"], f"{path}: targets"))
    fit, left_out = data["fit"], data["left_out"] or {}
    if not isinstance(fit, list) or not fit or not all(isinstance(n, str) for n in fit):
        raise ConfigError(f"{path}: fit: allowed a non-empty list of target names of {targets.path.name}")
    if not isinstance(left_out, dict) or not all(isinstance(v, str) and v.strip() for v in left_out.values()):
        raise ConfigError(f"{path}: left_out: allowed a mapping of target name to why it is not fitted")
    for name in [*fit, *left_out]:
        if name not in targets.names:
            raise ConfigError(
                f"{path}: {name}: not a target of {targets.path.name} (targets: {', '.join(targets.names)})"
            )
    both = sorted(set(fit) & set(left_out))
    missing = [n for n in targets.names if n not in fit and n not in left_out]
    if both or len(set(fit)) != len(fit):
        raise ConfigError(
            f"{path}: fit: {(both or [n for n in fit if fit.count(n) > 1])[0]} given twice (fit or left_out, once)"
        )
    if missing:
        raise ConfigError(
            f"{path}: {missing[0]}: a target of {targets.path.name} neither in fit nor in left_out (with why)"
        )
    extra = data["overrides"] or []
    if not isinstance(extra, list) or not all(isinstance(o, str) and "=" in o for o in extra):
        raise ConfigError(f"{path}: overrides={extra!r}: allowed a list of key=value config overrides")
    priors = data["priors"]
    if not isinstance(priors, dict) or not priors:
        raise ConfigError(f"{path}: priors: allowed a non-empty mapping of dotted config key to prior")
    abc = _settings(f"{path}: abc", data["abc"])
    if settings:  # the command's options (--population ...)
        abc = replace(abc, **{k: _setting(f"--{k.replace('_', '-')}", k, v) for k, v in settings.items()})
    spec = Spec(
        path=path,
        targets=targets,
        fit=tuple(t for t in targets if t.name in fit),
        left_out=dict(left_out),
        overrides=(*extra, *overrides),
        priors=tuple(_prior(k, v, f"{path}: priors.{k}") for k, v in priors.items()),
        abc=abc,
    )
    return spec


def check_bounds(spec: Spec, base_params) -> None:
    """The model accepts each prior's bounds, each set alone on ``base_params``."""
    for p in spec.priors:
        for end in (p.lo, p.hi):
            try:
                apply_values(base_params, {p.key: end})
            except ConfigError as exc:
                raise ConfigError(
                    f"{spec.path}: priors.{p.key}.bounds=[{p.lo:g}, {p.hi:g}]: the model refuses {end:g} ({exc})"
                ) from exc


def identity(spec: Spec) -> dict:
    """What a calibration's history depends on (JSON-able; see module doc)."""
    return {
        "targets": {t.name: [t.value, t.lo, t.hi, t.measure, list(t.overrides)] for t in spec.fit},
        "overrides": list(spec.overrides),
        "priors": [[p.key, p.distribution, p.lo, p.hi, p.loc, p.scale] for p in spec.priors],
        "abc": {k: v for k, v in asdict(spec.abc).items() if k not in CONTINUABLE},
    }
