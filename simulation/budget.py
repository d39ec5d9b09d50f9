"""Turn a budget (money per year, split across ways of spending it) into posts and fees.

``apply_budget(params)`` returns parameters in which the money is spent: posts
become investment events (``budget_<channel>``, bought at their unit cost, so
money short of a whole post is not spent) and the fee share becomes a real fee
rise (lever ``fee_uplift``) of ``money / week-0 fee bill``.
:func:`slsim.simulation.run.run_simulation` calls it before the model is built (the
model refuses an unspent budget), so a run's costs (``cost_investment``, ``cost_lever_fee_uplift``)
say what was actually spent. The parameters returned carry the budget with
``gbp_per_year = 0`` (it is in their events and levers now), so applying it
again changes nothing. With nothing to spend the parameters are returned
unchanged. Whether a budget fits the run is checked with the rest of the
parameters (``ModelParams._check_budget``), before anything runs.
"""

import dataclasses

from dataclasses import dataclass

from omegaconf import MISSING

from slsim.simulation.categories import ARRANGEMENTS
from slsim.simulation.shocks import ShockEvent
from slsim.simulation.units import WEEKS_PER_YEAR
from slsim.simulation.validation import MAX_INVESTMENT_GBP, WEEKS_MAX, WEIGHT_MAX, YEARS_MAX, ConfigError, _Sealed, _V


# --------------------------------------------------------------------------
# the parameters of a budget (money per year, split across ways of spending it)
# --------------------------------------------------------------------------
BUDGET_CHANNELS = ("scheme_workers", "recruitment", "outreach", "fees")
# the channels that buy posts, and the post each buys (investment events named budget_<channel>)
BUDGET_POST_CHANNELS = {
    "scheme_workers": "scheme_worker",
    "recruitment": "recruitment_officer",
    "outreach": "outreach_officer",
}


def week0_fee_bill(params) -> float:
    """Carer fees a year for the scheme's people at week 0, GBP/year at week-0 prices."""
    s, fees = params.scheme, params.economics.carer_fee_per_week
    mix = dict(zip(ARRANGEMENTS, s.initial_arrangement_mix.shares()))
    return s.initial_people_supported * WEEKS_PER_YEAR * sum(mix[a] * getattr(fees, a) for a in ARRANGEMENTS)


@dataclass
class BudgetShares(_Sealed):
    scheme_workers: float = MISSING
    recruitment: float = MISSING
    outreach: float = MISSING
    fees: float = MISSING

    def check(self, v: _V):
        v.non_negative(*BUDGET_CHANNELS, hi=WEIGHT_MAX)

    def normalised(self) -> dict:
        """{channel: share} summing to 1 (all 0 if no weight is given)."""
        values = {c: float(getattr(self, c)) for c in BUDGET_CHANNELS}
        total = sum(values.values())
        return {c: (x / total if total > 0 else 0.0) for c, x in values.items()}


@dataclass
class BudgetParams(_Sealed):
    gbp_per_year: float = MISSING
    years: float = MISSING
    start_week: int = MISSING
    shares: BudgetShares = MISSING

    def check(self, v: _V):
        v.non_negative("gbp_per_year", hi=MAX_INVESTMENT_GBP)
        v.non_negative("years", hi=float(YEARS_MAX))
        v.range("start_week", 1, WEEKS_MAX, integer=True)
        if self.years > 0 and self.shares.fees > 0 and self.gbp_per_year > 0:
            raise ConfigError(
                f"budget.shares.fees={self.shares.fees}: a fee rise cannot be time-limited "
                f"(budget.years={self.years}); allowed: fees 0, or budget.years 0 (recurrent)"
            )


def spending(params) -> dict:
    """{channel: GBP/year} the budget gives each way of spending it."""
    b = params.budget
    return {c: b.gbp_per_year * share for c, share in b.shares.normalised().items()}


def apply_budget(params):
    """Parameters with the budget spent (see module doc; the root of the parameter tree
    has already checked that it fits the run)."""
    b = params.budget
    money = spending(params)
    if not any(x > 0 for x in money.values()):
        return params
    horizon = params.weeks
    weeks = int(round(b.years * WEEKS_PER_YEAR)) if b.years > 0 else horizon - b.start_week + 1
    events = dict(params.shocks.events)
    for channel, post in BUDGET_POST_CHANNELS.items():
        if money[channel] > 0:
            events[f"budget_{channel}"] = ShockEvent(
                kind="investment",
                start_week=b.start_week,
                duration_weeks=max(1, weeks),
                size=float(money[channel]),
                post=post,
            )
    levers = params.levers
    if money["fees"] > 0:
        fu = levers.fee_uplift
        rise = money["fees"] / week0_fee_bill(params) + (fu.fee_increase if fu.enabled else 0.0)
        levers = dataclasses.replace(levers, fee_uplift=dataclasses.replace(fu, enabled=True, fee_increase=rise))
    shocks = dataclasses.replace(params.shocks, events=events)
    spent = dataclasses.replace(b, gbp_per_year=0.0)  # now in the events and levers: not spent twice
    return dataclasses.replace(params, shocks=shocks, levers=levers, budget=spent)
