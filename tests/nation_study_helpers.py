"""A tiny national study for the slsim-nation-study tests: two programmes x two seeds of a nation
of four schemes over one year (13 weeks of warm-up)."""

from pathlib import Path

from slsim.simulation.nation import config as nation_config

SMALL = {"north_east": 2, "north_west": 2}
PROGRAMMES = (
    "programmes={none: {gbp_per_year: 0}, stalled: {gbp_per_year: 300000, start_week: 27, "
    "allocation: to_stalled, stall_growth: 0.5}}"
)


def tiny(seeds: str = "seeds=2") -> list:
    counts = [f"overrides.regions.{r}.schemes={SMALL.get(r, 0)}" for r in nation_config.REGIONS]
    return [*counts, "overrides.run.years=1", "overrides.run.warmup_weeks=13", PROGRAMMES, seeds]


def files(folder: Path) -> dict:
    """{relative path: bytes} of every file under ``folder``."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
