"""Time units: the one place where yearly rates become weekly probabilities.

Config holds rates per year and durations in weeks (or years where the name
says so). The model steps one week at a time.
"""

import math

WEEKS_PER_YEAR = 52


def weekly_probability(rate_per_year: float) -> float:
    """Probability of an event within one week for a constant yearly hazard."""
    return -math.expm1(-rate_per_year / WEEKS_PER_YEAR)


def per_week(rate_per_year: float) -> float:
    """Expected events per week for a yearly rate (for Poisson counts)."""
    return rate_per_year / WEEKS_PER_YEAR


def weeks(years: float) -> int:
    """Whole weeks in a number of years."""
    return int(round(years * WEEKS_PER_YEAR))
