"""The analysis's assumptions: ``configs/analysis.yaml``, overridden by ``slsim-report``'s flags."""

from dataclasses import dataclass
from pathlib import Path

import yaml

from slsim.analysis.results import AnalysisError

ROOT = Path(__file__).resolve().parent.parent
CONFIG_FILE = ROOT / "configs" / "analysis.yaml"


@dataclass
class Settings:
    savings_per_person_year: float
    savings_range: tuple
    confidence: float
    target_people: float
    baseline: str | None
    discovery_failure: str  # 'OUTCOME OP NUMBER' (analysis/scenario_discovery.py)
    discovery_min_density: float
    discovery_max_qp: float
    discovery_max_boxes: int
    constraint_growth_hours: float = 5.0  # below: staff-bound (analysis/scheme_types.py)
    constraint_min_coverage: float = 0.98  # monitoring coverage below: staff-bound
    constraint_idle_share: float = 0.25  # idle households above (and few withdrawals): referral-bound
    constraint_withdrawn_share: float = 0.25  # above: carer-bound
    nation_baseline: str = "none"  # a national study's comparison programme (analysis/nation_tables.py)
    nation_focus: str | None = None  # programme whose schemes the league shows; None = the baseline
    nation_band: float = 0.9  # share of runs inside the band of national totals over time
    nation_growth_bins: int = 20  # bins of the histogram of scheme growth
    nation_league_colour: str = "region"  # scheme column colouring the league: region, operator or kind
    nation_per_gbp: float = 1e6  # "extra people per GBP this much"


def load_settings(path: Path = CONFIG_FILE, **overrides) -> Settings:
    """``configs/analysis.yaml`` with flag overrides, checked (one-line AnalysisError naming the field)."""
    try:
        raw = yaml.safe_load(Path(path).read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise AnalysisError(f"{path}: unreadable ({str(exc).splitlines()[0]})")
    allowed = set(Settings.__dataclass_fields__)
    unknown = set(raw) - allowed
    if unknown:
        raise AnalysisError(f"{path}: unknown key {sorted(unknown)[0]} (allowed keys: {', '.join(sorted(allowed))})")
    raw.update({k: v for k, v in overrides.items() if v is not None})
    for key in ("savings_per_person_year", "target_people"):
        value = raw.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise AnalysisError(f"{key}={value!r}: allowed a number >= 0")
    rng = raw.get("savings_range")
    if not isinstance(rng, (list, tuple)) or not all(isinstance(x, (int, float)) and x >= 0 for x in rng):
        raise AnalysisError(f"savings_range={rng!r}: allowed a list of numbers >= 0")
    conf = raw.get("confidence")
    if not isinstance(conf, float) or not 0 < conf < 1:
        raise AnalysisError(f"confidence={conf!r}: allowed a number 0 < x < 1")
    from slsim.analysis.scenario_discovery import parse_rule
    from slsim.simulation.outputs import OUTCOME_DIRECTIONS

    parse_rule(raw.get("discovery_failure"), OUTCOME_DIRECTIONS)
    for key in ("discovery_min_density", "discovery_max_qp"):
        value = raw.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
            raise AnalysisError(f"{key}={value!r}: allowed a number 0 < x <= 1")
    boxes = raw.get("discovery_max_boxes")
    if isinstance(boxes, bool) or not isinstance(boxes, int) or not 1 <= boxes <= 10:
        raise AnalysisError(f"discovery_max_boxes={boxes!r}: allowed an integer 1 <= x <= 10")
    bounds = (
        ("constraint_growth_hours", 168.0),
        ("constraint_min_coverage", 1.0),
        ("constraint_idle_share", 1.0),
        ("constraint_withdrawn_share", 1.0),
    )
    for key, hi in bounds:
        value = raw.get(key, Settings.__dataclass_fields__[key].default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= hi:
            raise AnalysisError(f"{key}={value!r}: allowed a number 0 <= x <= {hi:g}")
        raw[key] = float(value)
    nation = _nation(raw)
    return Settings(
        float(raw["savings_per_person_year"]),
        tuple(float(x) for x in rng),
        conf,
        float(raw["target_people"]),
        raw.get("baseline"),
        raw["discovery_failure"],
        float(raw["discovery_min_density"]),
        float(raw["discovery_max_qp"]),
        boxes,
        raw["constraint_growth_hours"],
        raw["constraint_min_coverage"],
        raw["constraint_idle_share"],
        raw["constraint_withdrawn_share"],
        **nation,
    )


LEAGUE_COLOURS = ("region", "operator", "kind")


def _nation(raw: dict) -> dict:
    """The national report's settings (``nation_*``), checked; defaults where absent."""
    out = {k: raw.get(k, Settings.__dataclass_fields__[k].default) for k in Settings.__dataclass_fields__}
    out = {k: v for k, v in out.items() if k.startswith("nation_")}
    for key in ("nation_baseline", "nation_focus"):
        value = out[key]
        if not (isinstance(value, str) and value) and not (key == "nation_focus" and value is None):
            raise AnalysisError(
                f"{key}={value!r}: allowed a programme name" + (" or null" if key[-5:] == "focus" else "")
            )
    band = out["nation_band"]
    if isinstance(band, bool) or not isinstance(band, (int, float)) or not 0 < band < 1:
        raise AnalysisError(f"nation_band={band!r}: allowed a number 0 < x < 1")
    bins = out["nation_growth_bins"]
    if isinstance(bins, bool) or not isinstance(bins, int) or not 2 <= bins <= 200:
        raise AnalysisError(f"nation_growth_bins={bins!r}: allowed an integer 2 <= x <= 200")
    if out["nation_league_colour"] not in LEAGUE_COLOURS:
        raise AnalysisError(
            f"nation_league_colour={out['nation_league_colour']!r}: allowed {', '.join(LEAGUE_COLOURS)}"
        )
    unit = out["nation_per_gbp"]
    if isinstance(unit, bool) or not isinstance(unit, (int, float)) or not unit > 0:
        raise AnalysisError(f"nation_per_gbp={unit!r}: allowed a number > 0")
    return {**out, "nation_band": float(band), "nation_per_gbp": float(unit)}
