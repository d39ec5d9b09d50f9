"""The national model's mechanisms on their own: peer learning, allocation, mid-run updates."""

import dataclasses
import math

import pytest

from slsim.experiments.config import load_params
from slsim.simulation.model import SharedLivesModel
from slsim.simulation.nation import peers
from slsim.simulation.nation.population import Scheme, largest_remainder
from slsim.simulation.nation.programme import (
    allocate,
    allocate_posts,
    bidders,
    post_events,
    posts_bought,
    whole_post_events,
)
from slsim.simulation.nation.worker import update_params, with_update


def _scheme(i, region, operator="council", provider=None):
    return Scheme(
        id=f"{i:03d}", index=i, region=region, kind="typical", operator=operator,
        provider=provider or f"council_{i:03d}", size=1.0, seed=i, local_seed=i,
    )  # fmt: skip


def test_the_network_joins_regions_and_providers():
    schemes = [
        _scheme(0, "london"),
        _scheme(1, "london"),
        _scheme(2, "north_east", "voluntary_sector", "provider_1"),
        _scheme(3, "south_west", "voluntary_sector", "provider_1"),
        _scheme(4, "south_west"),
    ]
    net = peers.network(schemes)
    assert net["000"] == ("001",) and net["002"] == ("003",) and net["003"] == ("002", "004")
    assert peers.network(schemes, region=True, provider=False)["002"] == ()


def test_a_lagging_scheme_moves_toward_its_better_peers_and_leaders_do_not_regress():
    practice = {
        "a": {"assessment_weeks": 30.0, "enquiry_to_assessment": 0.2},  # lagging
        "b": {"assessment_weeks": 12.0, "enquiry_to_assessment": 0.5},  # the leader
        "c": {"assessment_weeks": 16.0, "enquiry_to_assessment": 0.4},
        "d": {"assessment_weeks": 40.0, "enquiry_to_assessment": 0.1},  # no peers
    }
    net = {"a": ("b", "c"), "b": ("a", "c"), "c": ("a", "b"), "d": ()}
    rate = peers.period_rate(0.3, 13)
    assert 0 < rate < 0.3 and math.isclose(1 - (1 - rate) ** 4, 0.3)
    new = peers.learn(practice, net, rate)
    assert new["a"]["assessment_weeks"] == pytest.approx(30 + rate * (14 - 30))
    assert new["a"]["enquiry_to_assessment"] == pytest.approx(0.2 + rate * (0.45 - 0.2))
    assert new["b"] == practice["b"] and new["d"] == practice["d"]
    assert new["c"]["assessment_weeks"] == pytest.approx(16 + rate * (12 - 16))
    # repeated exchanges close the gap; the order schemes are listed in does not matter
    for _ in range(200):
        new = peers.learn(new, net, rate)
    assert new["a"]["assessment_weeks"] == pytest.approx(12.0, abs=0.01)
    shuffled = dict(reversed(list(practice.items())))
    assert peers.learn(shuffled, net, rate) == peers.learn(practice, net, rate)
    assert peers.learn(practice, net, 0.0) == practice


@pytest.mark.parametrize("rule", ["equal", "by_need", "by_bids", "to_stalled", "to_growing"])
def test_every_allocation_rule_shares_out_the_whole_budget(rule):
    states = {
        f"{i:03d}": {"people": p, "people0": p0} for i, (p, p0) in enumerate([(50, 60), (80, 60), (10, 10), (0, 0)])
    }
    money = allocate(rule, 250_000.0, states, stall_growth=0.0, bids=frozenset({"001", "002"}))
    assert sorted(money) == sorted(states)
    assert math.fsum(money.values()) == pytest.approx(250_000.0, abs=1e-6)
    assert all(v >= 0 for v in money.values())
    if rule == "by_need":
        assert money["001"] == pytest.approx(250_000 * 80 / 140) and money["003"] == 0
    if rule == "to_stalled":  # growth <= 0: schemes 000, 002, 003
        assert money["001"] == 0 and money["000"] == pytest.approx(250_000 / 3)
    if rule == "to_growing":
        assert money["001"] == pytest.approx(250_000)
    if rule == "by_bids":  # by people among the bidders 001 (80) and 002 (10)
        assert money["000"] == 0 and money["003"] == 0 and money["001"] == pytest.approx(250_000 * 80 / 90)


def test_the_bidders_are_drawn_from_the_nation_seed_alone():
    ids = [f"s{i:03d}" for i in range(400)]
    bids = bidders(7, ids, 0.5)
    assert bids == bidders(7, list(reversed(ids)), 0.5)  # the order ids come in does not matter
    assert bids != bidders(8, ids, 0.5)
    assert 160 <= len(bids) <= 240  # about half
    assert bidders(7, ids, 0.0) == frozenset() and bidders(7, ids, 1.0) == frozenset(ids)
    assert bidders(7, ids, 0.3) <= bidders(7, ids, 0.6)  # one draw a scheme: a higher share adds bidders
    states = {i: {"people": 10, "people0": 10} for i in ids[:3]}
    assert allocate("by_bids", 90.0, states) == {i: 30.0 for i in ids[:3]}  # nobody bids: equal shares


def test_allocation_to_nobody_falls_back_to_equal_shares():
    states = {"a": {"people": 10, "people0": 10}, "b": {"people": 5, "people0": 10}}
    assert allocate("to_growing", 100.0, states) == {"a": 50.0, "b": 50.0}


@pytest.mark.parametrize("rule", ["equal", "by_need", "by_bids", "to_stalled", "to_growing"])
def test_whole_posts_spend_every_post_the_money_buys_shared_by_the_rule(rule):
    states = {
        f"{i:03d}": {"people": p, "people0": p0} for i, (p, p0) in enumerate([(50, 60), (80, 60), (10, 10), (0, 0)])
    }
    units = {"scheme_workers": 45_000.0, "recruitment": 40_000.0, "outreach": 35_000.0}
    shares = {"scheme_workers": 0.5, "recruitment": 0.5, "outreach": 0.0}
    posts = allocate_posts(rule, 500_000.0, states, 0.0, shares, units, bids=frozenset({"001", "002"}))
    assert sorted(posts) == sorted(states)
    # 250,000 buys 5 scheme workers (not 5.56) and 6 recruitment officers (not 6.25), all of them given out
    assert sum(p.get("scheme_workers", 0) for p in posts.values()) == 5
    assert sum(p.get("recruitment", 0) for p in posts.values()) == 6
    assert all("outreach" not in p for p in posts.values())
    money = allocate(rule, 500_000.0, states, 0.0, bids=frozenset({"001", "002"}))
    for sid, got in posts.items():  # nobody the money rule gives nothing gets a post
        if money[sid] == 0:
            assert got == {}
    if rule == "by_need":  # 5 workers by 50:80:10 -> 1.79, 2.86, 0.36: largest remainders 2, 3, 0
        assert [posts[i].get("scheme_workers", 0) for i in sorted(posts)] == [2, 3, 0, 0]
    if rule == "equal":  # 5 among 4: the tie goes to the lowest id
        assert [posts[i].get("scheme_workers", 0) for i in sorted(posts)] == [2, 1, 1, 1]


def test_whole_post_events_buy_exactly_the_posts_given():
    params = load_params(["run.years=2", "run.warmup_weeks=0"])
    programme = {"years": 0.0, "start_week": 14, "shares": {"scheme_workers": 1.0, "recruitment": 0.0, "outreach": 0.0}}
    events = whole_post_events(params, {"scheme_workers": 3, "recruitment": 2}, programme)
    assert sorted(events) == ["national_recruitment", "national_scheme_workers"]
    posts, gbp = posts_bought(params, events)
    e = params.economics
    assert posts == 5 and gbp == 3 * e.scheme_worker_cost_per_year + 2 * e.recruitment_officer_cost_per_year


def test_largest_remainder_hits_the_total_exactly():
    assert largest_remainder([1, 1, 1], 10) == [4, 3, 3]
    assert sum(largest_remainder([0.3, 2.7, 5.5, 0.01], 97, minimum=1)) == 97
    assert min(largest_remainder([0.0, 5.0, 5.0], 9, minimum=1)) == 1


def test_posts_bought_and_new_practice_reach_a_running_model():
    params = load_params(["run.years=2", "run.warmup_weeks=0"])
    model = SharedLivesModel(params)
    for _ in range(13):
        model.step()
    cost = params.economics.scheme_worker_cost_per_year
    events = post_events(
        params,
        2.5 * cost,
        {"years": 0.0, "start_week": 14, "shares": {"scheme_workers": 1.0, "recruitment": 0.0, "outreach": 0.0}},
    )
    assert list(events) == ["national_scheme_workers"] and events["national_scheme_workers"].size == 2.5 * cost
    update_params(
        model,
        with_update(model.p, {"events": events, "practice": {"assessment_weeks": 9.6, "enquiry_to_assessment": 0.5}}),
    )
    model.step()
    assert model.conditions.assessment_weeks == 10 and model.conditions.enquiry_conversion == 0.5
    row = model.recorder.last_row()
    # the same run without the update: no investment, two scheme-worker posts fewer
    other = SharedLivesModel(dataclasses.replace(params))
    for _ in range(14):
        other.step()
    base = other.recorder.last_row()
    assert base["cost_investment"] == 0 and row["cost_investment"] == pytest.approx(2 * cost / 52, rel=0.05)
    assert row["scheme_workers_in_post"] == base["scheme_workers_in_post"] + 2


def test_practice_out_of_range_is_refused():
    params = load_params(["run.years=1"])
    with pytest.raises(Exception, match="carers.enquiry_to_assessment=1.5"):
        with_update(params, {"practice": {"assessment_weeks": 20, "enquiry_to_assessment": 1.5}})
    new = with_update(params, {"practice": {"assessment_weeks": 7.4, "enquiry_to_assessment": 0.3}})
    assert new.carers.assessment_weeks == 7 and params.carers.assessment_weeks == 20  # the original untouched
    assert new.scheme is params.scheme
