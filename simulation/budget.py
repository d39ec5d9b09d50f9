"""Turn a budget (money per year, split across ways of spending it) into posts and fees.

``apply_budget(params)`` returns parameters in which the money is spent: posts
become investment events (``budget_<channel>``, bought at their unit cost, so
money short of a whole post is not spent) and the fee share becomes a real fee
rise (lever ``fee_uplift``) of ``money / week-0 fee bill``.
:func:`simulation.run.run_simulation` calls it before the model is built (the
model refuses an unspent budget), so a run's costs (``cost_investment``, ``cost_lever_fee_uplift``)
say what was actually spent. The parameters returned carry the budget with
``gbp_per_year = 0`` (it is in their events and levers now), so applying it
again changes nothing. With nothing to spend the parameters are returned
unchanged. Whether a budget fits the run is checked with the rest of the
parameters (``SlsimConfig._check_budget``), before anything runs.
"""

import dataclasses

from simulation.params import BUDGET_POST_CHANNELS, ShockEvent, SlsimConfig, week0_fee_bill
from simulation.units import WEEKS_PER_YEAR


def spending(params: SlsimConfig) -> dict:
    """{channel: GBP/year} the budget gives each way of spending it."""
    b = params.budget
    return {c: b.gbp_per_year * share for c, share in b.shares.normalised().items()}


def apply_budget(params: SlsimConfig) -> SlsimConfig:
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
                kind="investment", start_week=b.start_week, duration_weeks=max(1, weeks),
                size=float(money[channel]), post=post,
            )
    levers = params.levers
    if money["fees"] > 0:
        fu = levers.fee_uplift
        rise = money["fees"] / week0_fee_bill(params) + (fu.fee_increase if fu.enabled else 0.0)
        levers = dataclasses.replace(levers, fee_uplift=dataclasses.replace(fu, enabled=True, fee_increase=rise))
    shocks = dataclasses.replace(params.shocks, events=events)
    spent = dataclasses.replace(b, gbp_per_year=0.0)  # now in the events and levers: not spent twice
    return dataclasses.replace(params, shocks=shocks, levers=levers, budget=spent)
