"""Turn a budget (money per year, split across ways of spending it) into posts and fees.

``apply_budget(params)`` returns parameters in which the money is spent: posts
become investment events (``budget_<channel>``, bought at their unit cost, so
money short of a whole post is not spent) and the fee share becomes a real fee
rise (lever ``fee_uplift``) of ``money / week-0 fee bill``. The model calls it
when it is built, so a run's costs (``cost_investment``, ``cost_lever_fee_uplift``)
say what was actually spent. With ``budget.gbp_per_year = 0`` the parameters are
returned unchanged.
"""

import dataclasses

from simulation.params import ConfigError, ShockEvent, SlsimConfig
from simulation.units import WEEKS_PER_YEAR

POST_CHANNELS = {"scheme_workers": "scheme_worker", "recruitment": "recruitment_officer", "outreach": "outreach_officer"}


def week0_fee_bill(params: SlsimConfig) -> float:
    """Carer fees a year for the scheme's people at week 0, GBP/year at week-0 prices."""
    s, fees = params.scheme, params.economics.carer_fee_per_week
    mix = dict(zip(("live_in", "short_break", "day_support"), s.initial_arrangement_mix.shares()))
    return s.initial_people_supported * WEEKS_PER_YEAR * sum(mix[a] * getattr(fees, a) for a in mix)


def spending(params: SlsimConfig) -> dict:
    """{channel: GBP/year} the budget gives each way of spending it."""
    b = params.budget
    return {c: b.gbp_per_year * share for c, share in b.shares.normalised().items()}


def apply_budget(params: SlsimConfig) -> SlsimConfig:
    """Parameters with the budget spent (see module doc)."""
    b = params.budget
    money = spending(params)
    if not any(x > 0 for x in money.values()):
        return params
    horizon = params.weeks
    if b.start_week > horizon:
        raise ConfigError(f"budget.start_week={b.start_week}: allowed 1 <= x <= {horizon} (the horizon)")
    weeks = int(round(b.years * WEEKS_PER_YEAR)) if b.years > 0 else horizon - b.start_week + 1
    events = dict(params.shocks.events)
    for channel, post in POST_CHANNELS.items():
        if money[channel] > 0:
            name = f"budget_{channel}"
            if name in events:
                raise ConfigError(f"shocks.events.{name}: the name is kept for the budget; allowed: another name")
            events[name] = ShockEvent(
                kind="investment", start_week=b.start_week, duration_weeks=max(1, weeks),
                size=float(money[channel]), post=post,
            )
    levers = params.levers
    if money["fees"] > 0:
        if b.start_week != 1:
            raise ConfigError(
                f"budget.start_week={b.start_week}: a fee rise starts in week 1 (with levers); "
                "allowed: 1, or budget.shares.fees 0"
            )
        bill = week0_fee_bill(params)
        if bill <= 0:
            raise ConfigError("budget.shares.fees: the week-0 fee bill is 0 (no people or no fees); allowed: fees 0")
        fu = levers.fee_uplift
        rise = money["fees"] / bill + (fu.fee_increase if fu.enabled else 0.0)
        levers = dataclasses.replace(levers, fee_uplift=dataclasses.replace(fu, enabled=True, fee_increase=rise))
    shocks = dataclasses.replace(params.shocks, events=events)
    return dataclasses.replace(params, shocks=shocks, levers=levers)
