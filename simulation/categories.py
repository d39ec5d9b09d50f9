"""The categories people and arrangements fall into (the keys of the needs and arrangement mixes)."""

NEEDS = (
    "learning_disability",
    "mental_health",
    "pmld",
    "physical",
    "sensory",
    "older_age",
    "ld_dementia",
    "dementia",
    "acquired_brain_injury",
)
ARRANGEMENTS = ("live_in", "short_break", "day_support")
BANDS = ("band1", "band2", "band3")  # complexity bands, 1 = lowest
