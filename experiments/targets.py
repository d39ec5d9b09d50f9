"""Published targets as data: load and check ``configs/targets/*.yaml``.

    from slsim.experiments.targets import load_targets

    targets = load_targets()                  # configs/targets/sector.yaml
    for t in targets:                         # in file order
        print(t.name, t.measure, t.lo, t.hi, t.contains(0.12))

A targets file has ``version`` (1), ``description`` and ``targets``: a mapping of
target name to ``value``, ``interval`` [lo, hi], ``unit``, ``measure`` (a name of
:data:`slsim.simulation.measures.MEASURE_NAMES`), ``source``, ``year``, ``scope``
(``national`` or ``sector``: never one named scheme), ``evidence`` (``published``,
``derived`` or ``assumption``), ``note`` and optionally ``overrides`` (config
overrides the runs of this target need, e.g. ``["shocks=pandemic"]``). A missing,
unknown or bad key raises :class:`slsim.simulation.params.ConfigError` with one line
naming the field and what is allowed. Files marked ``validation_only: true``
(named schemes' histories, ``configs/targets/out_of_sample.yaml``) are refused:
calibration never reads them; :func:`load_out_of_sample` does.
"""

import math
from dataclasses import dataclass
from pathlib import Path

import yaml

from slsim.experiments.config import CONFIG_DIR
from slsim.simulation.measures import MEASURE_NAMES
from slsim.simulation.params import ConfigError

TARGETS_DIR = CONFIG_DIR / "targets"
DEFAULT_TARGETS = TARGETS_DIR / "sector.yaml"
OUT_OF_SAMPLE = TARGETS_DIR / "out_of_sample.yaml"
VERSIONS = (1,)
SCOPES = ("national", "sector")
EVIDENCE = ("published", "derived", "assumption")
TOP_KEYS = ("version", "description", "targets")
REQUIRED = ("value", "interval", "unit", "measure", "source", "year", "scope", "evidence", "note")
OPTIONAL = ("overrides",)
YEARS = (1990, 2100)


@dataclass(frozen=True)
class Target:
    name: str
    value: float
    lo: float
    hi: float
    unit: str
    measure: str
    source: str
    year: int
    scope: str
    evidence: str
    note: str
    overrides: tuple = ()

    def contains(self, x: float) -> bool:
        """``x`` lies in the target's interval (NaN never does)."""
        return bool(self.lo <= x <= self.hi)


@dataclass(frozen=True)
class TargetSet:
    path: Path
    version: int
    description: str
    targets: tuple

    def __iter__(self):
        return iter(self.targets)

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, name: str) -> Target:
        for t in self.targets:
            if t.name == name:
                return t
        raise KeyError(name)

    @property
    def names(self) -> tuple:
        return tuple(t.name for t in self.targets)


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice in one mapping (YAML would keep the last)."""


def _mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise ConfigError(f"line {key_node.start_mark.line + 1}: key {key!r} given twice")
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def read_yaml(path: Path, what: str) -> dict:
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"{what} {path}: cannot read ({exc.strerror or exc})") from exc
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}:{where} not valid YAML ({getattr(exc, 'problem', None) or exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a mapping with keys {', '.join(TOP_KEYS)} expected")
    return data


def _number(where: str, x, *, integer=False) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        kind = "an integer" if integer else "a number"
        raise ConfigError(f"{where}={x!r}: allowed {kind}")
    if integer and not isinstance(x, int):
        raise ConfigError(f"{where}={x!r}: allowed an integer")
    if not math.isfinite(x):
        raise ConfigError(f"{where}={x!r}: allowed a finite number")
    return x


def _text(where: str, x) -> str:
    if not isinstance(x, str) or not x.strip():
        raise ConfigError(f"{where}={x!r}: allowed a non-empty text")
    return x


def _choice(where: str, x, allowed) -> str:
    if x not in allowed:
        raise ConfigError(f"{where}={x!r}: allowed {', '.join(map(str, allowed))}")
    return x


def parse_target(name, entry, where: str) -> Target:
    if not isinstance(name, str) or not name.isidentifier():
        raise ConfigError(f"{where}: target name {name!r}: allowed a name of letters, digits and _")
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: a mapping with keys {', '.join(REQUIRED)} expected")
    for key in entry:
        if key not in REQUIRED + OPTIONAL:
            raise ConfigError(f"{where}.{key}: unknown key (allowed keys: {', '.join(REQUIRED + OPTIONAL)})")
    for key in REQUIRED:
        if key not in entry:
            raise ConfigError(f"{where}.{key}: missing (required keys: {', '.join(REQUIRED)})")
    value = float(_number(f"{where}.value", entry["value"]))
    interval = entry["interval"]
    if not isinstance(interval, list) or len(interval) != 2:
        raise ConfigError(f"{where}.interval={interval!r}: allowed [lo, hi], two numbers")
    lo, hi = (float(_number(f"{where}.interval", x)) for x in interval)
    if not lo <= value <= hi:
        raise ConfigError(f"{where}.interval=[{lo:g}, {hi:g}]: allowed lo <= value ({value:g}) <= hi")
    year = int(_number(f"{where}.year", entry["year"], integer=True))
    if not YEARS[0] <= year <= YEARS[1]:
        raise ConfigError(f"{where}.year={year}: allowed {YEARS[0]} <= x <= {YEARS[1]}")
    overrides = entry.get("overrides", [])
    if not isinstance(overrides, list) or not all(isinstance(o, str) and "=" in o for o in overrides):
        raise ConfigError(f"{where}.overrides={overrides!r}: allowed a list of key=value overrides")
    return Target(
        name=name,
        value=value,
        lo=lo,
        hi=hi,
        unit=_text(f"{where}.unit", entry["unit"]),
        measure=_choice(f"{where}.measure", entry["measure"], MEASURE_NAMES),
        source=_text(f"{where}.source", entry["source"]),
        year=year,
        scope=_choice(f"{where}.scope", entry["scope"], SCOPES),
        evidence=_choice(f"{where}.evidence", entry["evidence"], EVIDENCE),
        note=_text(f"{where}.note", entry["note"]),
        overrides=tuple(overrides),
    )


def load_targets(path=None) -> TargetSet:
    """The targets of ``path`` (default ``configs/targets/sector.yaml``), checked (see module doc)."""
    path = Path(path) if path is not None else DEFAULT_TARGETS
    data = read_yaml(path, "targets file")
    if data.get("validation_only") is True:
        raise ConfigError(
            f"{path}: validation_only: true (out of sample); calibration and validation read targets files"
        )
    for key in data:
        if key not in TOP_KEYS:
            raise ConfigError(f"{path}: {key}: unknown key (allowed keys: {', '.join(TOP_KEYS)})")
    for key in TOP_KEYS:
        if key not in data:
            raise ConfigError(f"{path}: {key}: missing (required keys: {', '.join(TOP_KEYS)})")
    version = _choice(f"{path}: version", data["version"], VERSIONS)
    description = _text(f"{path}: description", data["description"])
    entries = data["targets"]
    if not isinstance(entries, dict) or not entries:
        raise ConfigError(f"{path}: targets: allowed a non-empty mapping of target name to entry")
    targets = tuple(parse_target(name, entry, f"{path}: targets.{name}") for name, entry in entries.items())
    return TargetSet(path=path, version=version, description=description, targets=targets)


def load_out_of_sample(path=None) -> dict:
    """Named schemes' histories, for validation only (``configs/targets/out_of_sample.yaml``):
    checked to be marked ``validation_only: true`` with a ``histories`` mapping, each with a source."""
    path = Path(path) if path is not None else OUT_OF_SAMPLE
    data = read_yaml(path, "out-of-sample file")
    if data.get("validation_only") is not True:
        raise ConfigError(f"{path}: validation_only: missing or not true (allowed: true)")
    histories = data.get("histories")
    if not isinstance(histories, dict) or not histories:
        raise ConfigError(f"{path}: histories: allowed a non-empty mapping of name to entry")
    for name, entry in histories.items():
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: histories.{name}: a mapping expected")
        _text(f"{path}: histories.{name}.source", entry.get("source"))
    return data
