"""National programmes: a budget shared between schemes by a rule, and national shocks.

**Allocation** (``programme.allocation``), made at the boundary before ``programme.start_week``
from the schemes' state then (sorted by id, so it does not depend on how schemes are spread
over workers): ``equal`` shares; ``by_need`` in proportion to people supported; ``by_bids`` in
proportion to people supported among the schemes that bid (each with chance ``bid_share``, drawn
from the nation seed's own stream, :func:`bidders`); ``to_stalled`` equal shares among schemes
whose growth of people supported since week 0 is at most ``stall_growth``; ``to_growing`` equal
shares among the others. If no scheme qualifies for ``by_bids``, ``to_stalled`` or
``to_growing`` the money is shared equally (it is never lost). The shares sum to the budget.
Each scheme's money is spent as the single-scheme budget spends it
(:func:`slsim.simulation.budget.apply_budget`): whole posts at their unit cost, as investment
events named ``national_<channel>``; money short of a post is not spent. With
``programme.whole_posts`` the nation buys the whole posts instead (each channel's share of the
budget over its post's cost, rounded down) and shares the posts by the rule's weights (largest
remainder, ties to the lower scheme id), so no money is lost to each scheme's rounding.

**Shocks** (``shocks.presets``): each preset's events (configs/shocks/) hit every scheme, each
scheme's size times its own lognormal multiplier (mean 1, sd of the log ``shocks.local_sigma``)
drawn from its own seed; events named ``national_<event>``.
"""

import dataclasses
import math

import numpy as np
import yaml

from slsim.simulation.budget import BUDGET_POST_CHANNELS, BudgetParams, BudgetShares, apply_budget
from slsim.simulation.nation.config import CONFIG_DIR, POST_SHARES
from slsim.simulation.nation.population import largest_remainder
from slsim.simulation.shocks import SHOCK_SIZE_MAX, ShockEvent
from slsim.simulation.validation import ConfigError


def growth(people: int, people0: int) -> float:
    """Growth of people supported as a share of the start (a scheme starting empty: people gained)."""
    return (people - people0) / people0 if people0 > 0 else float(people)


def bidders(seed: int, ids, bid_share: float) -> frozenset:
    """The schemes that bid (``by_bids``): each of ``ids`` (in sorted order) with chance
    ``bid_share``, from the nation seed's own stream (child 2 of its seed sequence: the
    population's draws, children 0 and 1, are untouched)."""
    ids = sorted(ids)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2,)))
    return frozenset(i for i, u in zip(ids, rng.random(len(ids))) if u < bid_share)


def _weights(rule: str, states: dict, stall_growth: float, bids: frozenset = frozenset()) -> tuple:
    """(ids in order, their weights) of the allocation ``rule``; all 1 if no scheme qualifies."""
    ids = sorted(states)
    if rule == "equal":
        weights = [1.0] * len(ids)
    elif rule == "by_need":
        weights = [float(states[i]["people"]) for i in ids]
    elif rule == "by_bids":
        weights = [float(states[i]["people"]) if i in bids else 0.0 for i in ids]
    elif rule in ("to_stalled", "to_growing"):
        stalled = [growth(states[i]["people"], states[i]["people0"]) <= stall_growth for i in ids]
        chosen = stalled if rule == "to_stalled" else [not s for s in stalled]
        weights = [1.0 if c else 0.0 for c in chosen]
    else:
        raise ValueError(f"unknown allocation rule {rule!r}")
    if sum(weights) <= 0:
        weights = [1.0] * len(ids)
    return ids, weights


def allocate(rule: str, gbp: float, states: dict, stall_growth: float = 0.0, bids: frozenset = frozenset()) -> dict:
    """{scheme id: GBP a year}, summing to ``gbp``. ``states``: {id: {"people", "people0"}};
    ``bids``: the schemes that bid (``by_bids``)."""
    if not states:
        return {}
    ids, weights = _weights(rule, states, stall_growth, bids)
    total = sum(weights)
    out = {i: gbp * w / total for i, w in zip(ids, weights)}
    last = max(i for i, w in zip(ids, weights) if w > 0)
    out[last] = gbp - math.fsum(v for i, v in out.items() if i != last)  # the shares sum to the budget
    return out


def allocate_posts(
    rule: str, gbp: float, states: dict, stall_growth: float, shares: dict, units: dict, bids: frozenset = frozenset()
) -> dict:
    """{scheme id: {channel: whole posts}} (``programme.whole_posts``): each channel's share of
    ``gbp`` buys the whole posts it can at ``units[channel]`` GBP a year, and they are shared by
    the rule's weights (largest remainder, ties to the lower scheme id)."""
    if not states:
        return {}
    ids, weights = _weights(rule, states, stall_growth, bids)
    out = {i: {} for i in ids}
    for channel in POST_SHARES:
        if shares[channel] <= 0 or units[channel] <= 0:
            continue
        posts = int(gbp * shares[channel] // units[channel])
        for i, n in zip(ids, largest_remainder(weights, posts)):
            if n > 0:
                out[i][channel] = n
    return out


def post_events(params, gbp: float, programme: dict) -> dict:
    """{name: ShockEvent} of the posts ``gbp`` a year buys in a scheme of ``params``."""
    if gbp <= 0:
        return {}
    shares = BudgetShares(**{c: programme["shares"][c] for c in POST_SHARES}, fees=0.0)
    budget = BudgetParams(
        gbp_per_year=float(gbp), years=programme["years"], start_week=programme["start_week"], shares=shares
    )
    spent = apply_budget(dataclasses.replace(params, budget=budget))
    return {
        f"national_{name[len('budget_') :]}": event
        for name, event in spent.shocks.events.items()
        if name.startswith("budget_")
    }


def whole_post_events(params, posts: dict, programme: dict) -> dict:
    """{name: ShockEvent} of ``posts`` ({channel: whole posts}) in a scheme of ``params``: each
    channel's posts bought as :func:`post_events` buys them, with exactly their cost."""
    units = unit_costs(params)
    events = {}
    for channel, n in posts.items():
        only = {**programme, "shares": {c: float(c == channel) for c in POST_SHARES}}
        events.update(post_events(params, n * units[channel], only))
    return events


def unit_costs(params) -> dict:
    """{post channel: GBP a year of one post} in a scheme of ``params``."""
    costs = params.economics.post_costs()
    return {channel: costs[post] for channel, post in BUDGET_POST_CHANNELS.items()}


def posts_bought(params, events: dict) -> tuple:
    """(whole posts, GBP a year they cost) the programme's events buy in a scheme of ``params``."""
    unit = params.economics.post_costs()
    posts = {name: int(ev.size // unit[ev.post]) if unit[ev.post] > 0 else 0 for name, ev in events.items()}
    return sum(posts.values()), sum(posts[name] * unit[ev.post] for name, ev in events.items())


def preset_events(presets: tuple, horizon: int) -> list:
    """[(name, raw event)] of the presets, in order; an event past the horizon is refused. A
    preset's ``investment`` events are left out: in the nation, money for posts is the
    programme's (``programme.*``, shared by its allocation rule), not a flat sum every scheme
    gets whatever its size (configs/nation/period_2021_2025.yaml buys the period's staff so)."""
    out = []
    for preset in presets:
        data = yaml.safe_load((CONFIG_DIR / "shocks" / f"{preset}.yaml").read_text()) or {}
        for name, raw in (data.get("events") or {}).items():
            if raw.get("kind") == "investment":
                continue
            if raw["start_week"] > horizon:
                raise ConfigError(
                    f"shocks.presets: {preset} starts in week {raw['start_week']}, after the horizon ({horizon} "
                    "weeks, run.years * 52); allowed presets that start within the run, or more run.years"
                )
            out.append((f"national_{name}", dict(raw)))
    return out


def shock_events(events: list, local_seed: int, sigma: float) -> dict:
    """{name: ShockEvent} of the national shocks in one scheme (its own multipliers)."""
    rng = np.random.default_rng(local_seed)
    out = {}
    for name, raw in events:
        factor = float(np.exp(rng.normal(-(sigma**2) / 2, sigma))) if sigma > 0 else 1.0
        size = min(float(raw["size"]) * factor, SHOCK_SIZE_MAX[raw["kind"]])
        if raw["kind"] == "funding_cut":
            size = float(math.floor(size + 0.5))
        out[name] = ShockEvent(**{**raw, "size": size})
    return out
