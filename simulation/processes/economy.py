"""1. Economy: prices rise weekly, carer fees are uplifted once a year; the scheme's books.

Money is in GBP at week-0 prices: when warm-up ends the price level is
rebased to 1 (:meth:`Economy.rebase`), leaving real fees unchanged.
:class:`Books` keeps the gross savings of every recorded week, which the
commissioner's review reads (the model's own state, not the output table).
"""

import math

from slsim.simulation.params import ARRANGEMENTS
from slsim.simulation.units import WEEKS_PER_YEAR


class Economy:
    def __init__(self):
        self.price_index = 1.0
        self.nominal_fee_index = 1.0
        self.real_fee_index = 1.0
        self.weeks_since_uplift = 0

    def rebase(self) -> None:
        self.nominal_fee_index /= self.price_index
        self.price_index = 1.0


def week(model) -> None:
    e, econ, conditions = model.p.economics, model.economy, model.conditions
    econ.price_index *= (1.0 + e.inflation_per_year + conditions.extra_inflation) ** (1.0 / WEEKS_PER_YEAR)
    econ.weeks_since_uplift += 1
    if econ.weeks_since_uplift >= WEEKS_PER_YEAR:
        econ.weeks_since_uplift = 0
        econ.nominal_fee_index *= 1.0 + e.fee_uplift_per_year
        conditions.on_fee_uplift()
    econ.real_fee_index = econ.nominal_fee_index * conditions.fee_factor() / econ.price_index


def carer_fees(model) -> float:
    """Carer care-and-support fees this week, GBP at week-0 prices."""
    fees, by_kind = model.p.economics.carer_fee_per_week, model.registry.people_by_kind
    return model.economy.real_fee_index * sum(by_kind[k] * fees.get(k) for k in ARRANGEMENTS)


def staff_cost(model, funder_prefix: str = "") -> float:
    """Cost of the posts in post this week (optionally of one funder), GBP."""
    return model.staff.cost_per_week(model.conditions.unit_costs, funder_prefix)


def extra_fees(model) -> float:
    """The part of this week's carer fees due to levers raising fees (fee_uplift), GBP."""
    factor = model.conditions.fee_factor()
    return carer_fees(model) * (1.0 - 1.0 / factor) if factor != 1.0 else 0.0


def gross_savings(model) -> float:
    """Savings against the alternative setting this week, GBP."""
    s, by_kind = model.p.economics.savings_per_person_year, model.registry.people_by_kind
    return sum(by_kind[k] * s.get(k) for k in ARRANGEMENTS) / WEEKS_PER_YEAR


class Books:
    """Gross savings of each recorded week (week 0 on)."""

    def __init__(self):
        self.savings = []

    def close_week(self, model) -> None:
        self.savings.append(gross_savings(model))

    def savings_last_year(self) -> float:
        """Gross savings over the last 52 recorded weeks (scaled up if fewer), GBP/year."""
        weeks = self.savings[-WEEKS_PER_YEAR:]
        if not weeks:
            return math.nan
        return sum(weeks) * float(WEEKS_PER_YEAR) / len(weeks)
