"""The national config: ``configs/nation/default.yaml`` (or another file of its shape) with
``key=value`` overrides, checked into a :class:`NationConfig`.

Every failure is a one-line :class:`ConfigError` naming the field and what is allowed: an
unknown key or region, a value of the wrong type or out of range, shares that do not sum to 1,
a programme that starts off a period boundary. Nothing here draws a random number.
"""

import math
from dataclasses import dataclass
from pathlib import Path

import yaml

from slsim.simulation.units import WEEKS_PER_YEAR
from slsim.simulation.validation import ConfigError

CONFIG_DIR = Path(__file__).resolve().parent.parent.parent / "configs"
DEFAULT = CONFIG_DIR / "nation" / "default.yaml"
REGIONS = (
    "north_east",
    "north_west",
    "yorkshire_humber",
    "east_midlands",
    "west_midlands",
    "east_of_england",
    "london",
    "south_east",
    "south_west",
)  # the nine English regions (ONS)
KINDS = ("typical", "small_urban", "large_county", "new_scheme")  # kinds of scheme (configs/scheme_type/)
OPERATORS = ("council", "voluntary_sector")
ALLOCATIONS = ("equal", "by_need", "by_bids", "to_stalled", "to_growing")
POST_SHARES = ("scheme_workers", "recruitment", "outreach")  # budget channels that buy posts
SHOCK_PRESETS = tuple(
    sorted(p.stem for p in (CONFIG_DIR / "shocks").glob("*.yaml") if p.stem not in ("none", "time_limited_investment"))
)
SEED_MAX = 2**63 - 1
SUM_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Region:
    name: str
    schemes: int
    voluntary_share: float
    types: dict  # kind -> share


@dataclass(frozen=True)
class NationConfig:
    raw: dict  # the merged config as plain data (written to summary.json)
    seed: int
    period_weeks: int
    years: int
    warmup_weeks: int
    regions: tuple  # Region, in REGIONS order
    targets: dict  # national totals at the start: people, carers, posts (modelled staff)
    draws: dict
    peers: dict
    programme: dict
    shocks: dict
    growth: dict

    @property
    def n_schemes(self) -> int:
        return sum(r.schemes for r in self.regions)

    @property
    def weeks(self) -> int:
        return self.years * WEEKS_PER_YEAR


def load(overrides=(), path=None) -> NationConfig:
    """The national config: the default file (or ``path`` merged over it) with ``overrides``
    (``dotted.key=value``, values read as YAML) applied, checked."""
    default = read_mapping(DEFAULT, "the default national config")
    data = default
    if path is not None:
        data = _merge(default, read_mapping(Path(path), f"--config {path}"), default, "")
    for text in overrides:
        key, sep, value = str(text).partition("=")
        if not sep or not key:
            raise ConfigError(f"{text!r}: allowed key=value (e.g. nation.seed=3)")
        try:
            parsed = yaml.safe_load(value) if value != "" else ""
        except yaml.YAMLError:
            raise ConfigError(f"{key}={value!r}: not a YAML value") from None
        data = _set(data, key.split("."), parsed, default)
    return check(data)


def read_mapping(path: Path, what: str, allowed: str = "the keys of configs/nation/default.yaml") -> dict:
    """The YAML mapping in ``path``; a missing, unreadable or non-mapping file is refused in one
    line naming ``what`` (and the ``allowed`` keys)."""
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"{what}: no such file ({path})") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{what}: not a readable YAML file ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{what}: allowed a mapping of {allowed}")
    return data


def _allowed(node: dict, where: str) -> str:
    if where == "regions":
        return f"unknown region (allowed: {', '.join(REGIONS)})"
    if where.startswith("regions.") and where.endswith(".types"):
        return f"unknown kind of scheme (allowed: {', '.join(KINDS)})"
    return f"unknown key (allowed keys: {', '.join(node)})"


def _schema_node(default: dict, parts: list):
    """The default's node at ``parts`` (any region or kind stands for all of them)."""
    node = default
    for i, part in enumerate(parts):
        if i == 1 and parts[0] == "regions" and part in REGIONS:
            part = "london"
        node = node[part]
    return node


def _merge(base, extra, default, where: str):
    if not isinstance(extra, dict) or not isinstance(base, dict):
        return extra
    out = dict(base)
    schema = _schema_node(default, where.split(".")) if where else default
    for key, value in extra.items():
        key = str(key)
        at = f"{where}.{key}" if where else key
        known = key in REGIONS if where == "regions" else key in schema
        if not known:
            raise ConfigError(f"{at}: {_allowed(schema, where)}")
        out[key] = _merge(base.get(key), value, default, at) if isinstance(schema.get(key), dict) else value
    return out


def _set(data: dict, parts: list, value, default: dict) -> dict:
    nested = value
    for part in reversed(parts):
        nested = {part: nested}
    return _merge(data, nested, default, "")


# --------------------------------------------------------------------------
# checks
# --------------------------------------------------------------------------
def _num(node: dict, where: str, key: str, lo, hi, *, integer=False) -> float:
    value = node.get(key)
    name = f"{where}.{key}"
    kind = "integer" if integer else "finite number"
    ok = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok or not (integer or math.isfinite(value)) or not lo <= value <= hi:
        raise ConfigError(f"{name}={value!r}: allowed {kind} {lo} <= x <= {hi}")
    return value if integer else float(value)


def _switch(node: dict, where: str, key: str) -> bool:
    value = node.get(key)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}.{key}={value!r}: allowed true or false")
    return value


def _shares(node, where: str, names: tuple) -> dict:
    if not isinstance(node, dict):
        raise ConfigError(f"{where}={node!r}: allowed a mapping of {', '.join(names)} to shares summing to 1")
    out = {k: _num(node, where, k, 0.0, 1.0) for k in names}
    total = sum(out.values())
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise ConfigError(f"{where}: shares sum to {total:.6g}; allowed shares of {', '.join(names)} summing to 1")
    return out


def _mapping(data: dict, key: str) -> dict:
    node = data.get(key)
    if not isinstance(node, dict):
        raise ConfigError(f"{key}={node!r}: allowed a mapping (see configs/nation/default.yaml)")
    return node


def check(data: dict) -> NationConfig:
    n, run = _mapping(data, "nation"), _mapping(data, "run")
    seed = _num(n, "nation", "seed", 0, SEED_MAX, integer=True)
    period = _num(n, "nation", "period_weeks", 1, WEEKS_PER_YEAR, integer=True)
    share = _num(n, "nation", "england_share", 0.01, 1.0)
    uk = n.get("uk") if isinstance(n.get("uk"), dict) else {}
    uk_schemes = _num(uk, "nation.uk", "schemes", 1, 2000, integer=True)
    people = _num(uk, "nation.uk", "people", 0, 1_000_000, integer=True)
    carers = _num(uk, "nation.uk", "carers", 0, 1_000_000, integer=True)
    staff = _num(uk, "nation.uk", "staff", 1, 100_000, integer=True)
    modelled = _num(n, "nation", "modelled_staff_share", 0.01, 1.0)
    years = _num(run, "run", "years", 1, 100, integer=True)
    warmup = _num(run, "run", "warmup_weeks", 0, 520, integer=True)

    regions = []
    for name in REGIONS:
        node = _mapping(data, "regions").get(name)
        where = f"regions.{name}"
        if not isinstance(node, dict):
            raise ConfigError(f"{where}={node!r}: allowed a mapping of schemes, voluntary_share, types")
        count = _num(node, where, "schemes", 0, 2000, integer=True)
        vol = _num(node, where, "voluntary_share", 0.0, 1.0)
        regions.append(Region(name, count, vol, _shares(node.get("types"), f"{where}.types", KINDS)))
    total = sum(r.schemes for r in regions)
    if not 1 <= total <= 2000:
        raise ConfigError(f"regions.*.schemes: {total} schemes in all; allowed 1 <= x <= 2000")
    # a nation of fewer (or more) schemes than England's is a proportional sample of it
    per_scheme = total / max(1, round(uk_schemes * share))
    targets = {
        "people": round(people * share * per_scheme),
        "carers": round(carers * share * per_scheme),
        "posts": round(staff * share * modelled * per_scheme),
    }

    d = _mapping(data, "draws")
    draws = {
        "size_sigma": _num(d, "draws", "size_sigma", 0.0, 2.0),
        "size_min": _num(d, "draws", "size_min", 0.01, 1.0),
        "size_max": _num(d, "draws", "size_max", 1.0, 10.0),
        "providers": _num(d, "draws", "providers", 1, 1000, integer=True),
    }
    for key, lo, hi in (("assessment_weeks", 1.0, 208.0), ("enquiry_to_assessment", 0.0, 1.0)):
        node, where = d.get(key) if isinstance(d.get(key), dict) else {}, f"draws.{key}"
        spec = {k: _num(node, where, k, lo if k != "sd" else 0.0, hi) for k in ("mean", "sd", "min", "max")}
        if not spec["min"] <= spec["mean"] <= spec["max"]:
            raise ConfigError(f"{where}: allowed min <= mean <= max (got {spec['min']}, {spec['mean']}, {spec['max']})")
        draws[key] = spec

    pe = _mapping(data, "peers")
    peers = {k: _switch(pe, "peers", k) for k in ("enabled", "region", "provider")}
    peers["learning_per_year"] = _num(pe, "peers", "learning_per_year", 0.0, 1.0)

    pr = _mapping(data, "programme")
    programme = {
        "gbp_per_year": _num(pr, "programme", "gbp_per_year", 0.0, 20_000_000.0),
        "years": _num(pr, "programme", "years", 0.0, 100.0),
        "start_week": _num(pr, "programme", "start_week", 1, years * WEEKS_PER_YEAR, integer=True),
        "stall_growth": _num(pr, "programme", "stall_growth", -1.0, 10.0),
        "bid_share": _num(pr, "programme", "bid_share", 0.0, 1.0),
        "allocation": pr.get("allocation"),
        "shares": _shares(pr.get("shares"), "programme.shares", POST_SHARES),
        "whole_posts": _switch(pr, "programme", "whole_posts"),
    }
    if programme["allocation"] not in ALLOCATIONS:
        raise ConfigError(f"programme.allocation={programme['allocation']!r}: allowed {', '.join(ALLOCATIONS)}")
    start = programme["start_week"]
    if (start - 1) % period:
        raise ConfigError(
            f"programme.start_week={start}: allowed the first week of a period, 1 + k x nation.period_weeks "
            f"(1, {1 + period}, {1 + 2 * period}, ...)"
        )
    if programme["allocation"] in ("to_stalled", "to_growing") and start == 1:
        raise ConfigError(
            f"programme.start_week=1: allocation {programme['allocation']} needs growth to look at; "
            f"allowed 1 + k x nation.period_weeks with k >= 1 (e.g. {1 + period})"
        )

    sh = _mapping(data, "shocks")
    presets = sh.get("presets")
    if (
        not isinstance(presets, list)
        or any(p not in SHOCK_PRESETS for p in presets)
        or len(set(presets)) < len(presets)
    ):
        raise ConfigError(
            f"shocks.presets={presets!r}: allowed a list of distinct names from {', '.join(SHOCK_PRESETS)}"
        )
    shocks = {"presets": tuple(presets), "local_sigma": _num(sh, "shocks", "local_sigma", 0.0, 2.0)}

    g = _mapping(data, "growth")
    grow = _num(g, "growth", "grow_above", -1.0, 10.0)
    growth = {"grow_above": grow, "shrink_below": _num(g, "growth", "shrink_below", -1.0, grow)}
    return NationConfig(
        raw=data,
        seed=seed,
        period_weeks=period,
        years=years,
        warmup_weeks=warmup,
        regions=tuple(regions),
        targets=targets,
        draws=draws,
        peers=peers,
        programme=programme,
        shocks=shocks,
        growth=growth,
    )
