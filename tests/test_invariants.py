"""Invariants that must hold after every weekly step, for any seed and any valid parameters.

A thin subclass of the model checks the full state after every ``step()``,
warm-up weeks included, and checks each weekly row as it is recorded. After
the run, weeks of care in the summary are reconstructed independently from the
event table, and the weekly flow columns are matched against event counts.

Step order (simulation/processes/__init__.py): ... matching (placements) -> withdrawals ->
arrangements end -> carers (a household that leaves ends its arrangements; the
people go back to waiting and may be placed again) -> ... -> collect. So the
count at the end of week w holds every arrangement placed in a week <= w and
not ended in a week <= w: placed in week t and ended in week e, it is counted
in weeks t .. e-1 (none if it ends in the week it starts).
"""

import math
from collections import Counter

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from slsim.simulation.model import SharedLivesModel
from slsim.simulation.stages import CarerStage, ReferralStage, Role
from slsim.simulation.outputs import summarise
from slsim.simulation.processes.matching import candidates
from slsim.simulation.processes.staff_time import ACTIVITIES
from helpers import evolve, params

OPEN_WAITING = (ReferralStage.MATCHING, ReferralStage.INTRODUCTIONS)
MAX_TEAMS = 8  # crisis shares drawn for up to this many social-work teams


class CheckedModel(SharedLivesModel):
    """The model, with every invariant checked after each step (warm-up included)."""

    def step(self):
        super().step()
        check_state(self)
        if self.week > 0:
            check_row(self, last_row(self))


def last_row(model) -> dict:
    return model.recorder.last_row()


# ---------------------------------------------------------------------------
# state invariants
# ---------------------------------------------------------------------------
def check_state(m):
    where = f"week {m.week}"

    # carers: registries agree with .stage; capacity respected; active <=> someone placed
    households = {}
    for stage, registry in m.registry.carers.items():
        for uid, carer in registry.items():
            assert carer.unique_id == uid, where
            assert carer.stage == stage, f"{where}: carer {uid} in {stage} registry has stage {carer.stage}"
            assert uid not in households and all(uid not in r for s, r in m.registry.carers.items() if s != stage), (
                where
            )
            assert carer.reserved >= 0, f"{where}: carer {uid} reserved={carer.reserved}"
            assert carer.free_slots >= 0, f"{where}: carer {uid} over capacity: free slots {carer.free_slots}"
            if stage == CarerStage.ACTIVE:
                assert len(carer.placed) >= 1, f"{where}: active carer {uid} supports nobody"
            else:
                assert not carer.placed, f"{where}: {stage} carer {uid} has {len(carer.placed)} placed"
            if stage in CarerStage.PIPELINE:
                assert carer.reserved == 0, f"{where}: {stage} carer {uid} holds a reserved place"
            else:
                households[uid] = carer

    # referrals: registries agree with .stage; carers they point to are live households
    reserved_for = Counter()
    held_slots = Counter()  # slots held by referrals in matching/introductions, by carer
    arranged = m.registry.referrals[ReferralStage.ARRANGED]
    for stage, registry in m.registry.referrals.items():
        for uid, ref in registry.items():
            assert ref.stage == stage, f"{where}: referral {uid} in {stage} registry has stage {ref.stage}"
            if stage == ReferralStage.REFERRED:
                assert ref.carer is None, f"{where}: waiting referral {uid} holds a carer"
                continue
            assert ref.carer is not None, f"{where}: {stage} referral {uid} has no carer"
            assert ref.carer.unique_id in households, f"{where}: {stage} referral {uid} points at a non-household"
            assert ref.carer.can_support(ref), f"{where}: {stage} referral {uid} is with an incompatible carer"
            if stage in OPEN_WAITING:
                reserved_for[ref.carer.unique_id] += 1
                held_slots[ref.carer.unique_id] += ref.taken
            else:
                assert sum(r is ref for r in ref.carer.placed) == 1, f"{where}: arranged {uid} not in its carer's list"
    for uid, carer in households.items():
        assert carer.live_in_count == sum(r.arrangement == "live_in" for r in carer.placed), (
            f"{where}: carer {uid} live_in_count={carer.live_in_count} disagrees with the people placed"
        )
        assert carer.reserved == reserved_for[uid], (
            f"{where}: carer {uid} reserved={carer.reserved} but {reserved_for[uid]} referrals in matching/introductions"
        )
        room = carer.capacity * m.slots_per_place - sum(r.taken for r in carer.placed) - held_slots[uid]
        assert carer.free_slots == room, f"{where}: carer {uid} free_slots={carer.free_slots}, its people leave {room}"
        assert all(r.taken == (r.taken if r.alone else r.slots) for r in carer.placed), f"{where}: carer {uid}"
        if any(r.alone for r in carer.placed):  # the household's only person: nobody else placed or held
            assert len(carer.placed) == 1 and carer.reserved == 0 and carer.free_slots == 0, (
                f"{where}: carer {uid} supports someone who lives alone with {len(carer.placed)} placed, "
                f"{carer.reserved} held"
            )
        for ref in carer.placed:
            assert ref.unique_id in arranged and ref.carer is carer, f"{where}: carer {uid} lists a non-arranged person"
    assert sum(len(c.placed) for c in households.values()) == len(arranged), where

    # matching's inline compatibility rule agrees with Carer.can_support
    for uid, ref in m.registry.referrals[ReferralStage.REFERRED].items():
        expected = [
            c.unique_id
            for c in households.values()
            if c.has_room_for(ref) and c.can_support(ref) and c.leaving_week is None and c.unique_id not in ref.excluded
        ]
        got = [c.unique_id for c in candidates(m, ref)]
        assert sorted(got) == sorted(expected), f"{where}: candidates for referral {uid} differ from can_support"

    # every person counted exactly once
    open_total = sum(len(r) for r in m.registry.referrals.values())
    closed = m.registry.closed[ReferralStage.ENDED] + m.registry.closed[ReferralStage.WITHDRAWN]
    assert m.registry.initial_people + m.registry.referred_total == open_total + closed, (
        f"{where}: initial {m.registry.initial_people} + referred {m.registry.referred_total} != open {open_total} + closed {closed}"
    )
    ids = [uid for r in m.registry.referrals.values() for uid in r]
    assert len(ids) == len(set(ids)), f"{where}: a referral is in two stages"

    # counters kept up to date as events happen match a recount
    assert m.registry.people_by_kind == {
        **dict.fromkeys(m.registry.people_by_kind, 0),
        **Counter(r.arrangement for r in arranged.values()),
    }, where
    assert m.registry.people_by_need == {
        **dict.fromkeys(m.registry.people_by_need, 0),
        **Counter(r.need for r in arranged.values()),
    }, where

    # bounded quantities stay in their range; teams keep their size (leavers are replaced)
    for carer in households.values():
        assert 0.0 <= carer.satisfaction <= 1.0, f"{where}: carer {carer.unique_id} satisfaction {carer.satisfaction}"
    for team in m.p.social_work.teams:
        workers = m.teams[team.name]
        assert len(workers) == team.social_workers, f"{where}: team {team.name} has {len(workers)} workers"
        for w in workers:
            assert w.in_post and 0.0 <= w.awareness <= 1.0 and 0.0 <= w.trust <= 1.0, (
                f"{where}: social worker {w.unique_id}"
            )

    # every household is on exactly one scheme worker's caseload
    workers = [s for s in m.staff if s.role == Role.SCHEME_WORKER]
    on_caseload = [uid for s in workers for uid in s.caseload]
    if not workers:  # every post vacant (turnover): nobody holds a caseload until a worker starts
        assert all(c.worker is None for c in households.values()), f"{where}: a household's worker is not in post"
    else:
        assert sorted(on_caseload) == sorted(households), f"{where}: caseloads do not match households"
        for carer in households.values():
            assert carer.worker is not None and carer.unique_id in carer.worker.caseload, where


# ---------------------------------------------------------------------------
# weekly-row invariants
# ---------------------------------------------------------------------------
def check_row(m, row):
    where = f"week {row['week']}"
    assert row["week"] == m.week
    for name, value in row.items():
        if isinstance(value, str):
            continue
        assert not (value < 0), f"{where}: {name}={value} is negative"
    kinds = [k for k in row if k.startswith("people_") and not k.startswith("people_need_") and k != "people_supported"]
    needs = [k for k in row if k.startswith("people_need_")]
    assert kinds and needs
    assert sum(row[k] for k in kinds) == row["people_supported"], f"{where}: people by kind do not sum"
    assert sum(row[k] for k in needs) == row["people_supported"], f"{where}: people by need do not sum"
    assert row["households"] == row["carers_approved"] + row["carers_active"], where
    assert row["carers_active"] <= row["people_supported"], where
    waiting = row["referrals_referred"] + row["referrals_matching"] + row["referrals_introductions"]
    assert row["initial_people"] + row["referred_cumulative"] == (
        waiting + row["people_supported"] + row["ended_cumulative"] + row["withdrawn_cumulative"]
    ), f"{where}: the weekly table does not account for everyone"
    assert 0.0 <= row["monitoring_coverage"] <= 1.0, where
    spent = sum(row[f"hours_{a}"] for a in ACTIVITIES)
    assert math.isclose(spent, row["hours_available"], rel_tol=1e-9, abs_tol=1e-9), (
        f"{where}: hours spent {spent} != available {row['hours_available']}"
    )
    assert 0.0 <= row["sw_mean_awareness"] <= 1.0 and 0.0 <= row["sw_mean_trust"] <= 1.0, where
    sat = row["carer_mean_satisfaction"]
    assert math.isnan(sat) or 0.0 <= sat <= 1.0, where
    assert row["breakdowns"] <= row["arrangements_ended"], where


# ---------------------------------------------------------------------------
# after the run: the table against the event log
# ---------------------------------------------------------------------------
def arrangement_spans(events: pd.DataFrame, horizon: int):
    """(start week, end week) of every arrangement, from placement and end events only.

    Arrangements still open end at horizon + 1. A person can have several arrangements (re-matched after a carer leaves): the
    k-th placement of a person pairs with their k-th ending, in event-log order.
    """

    def nth(kind):
        rows = events.loc[events["event"] == kind, ["referral_id", "week"]].copy()
        rows["k"] = rows.groupby("referral_id").cumcount()
        return rows

    placed, ended = nth("placement"), nth("arrangement_end")
    pairs = placed.merge(ended, on=["referral_id", "k"], how="outer", suffixes=("_start", "_stop"), indicator=True)
    assert (pairs["_merge"] != "right_only").all(), "an arrangement ended that never started"
    open_now = pairs.loc[pairs["_merge"] == "left_only"]
    assert open_now["referral_id"].is_unique, "a person has two open arrangements"
    start = pairs["week_start"].to_numpy().astype(np.int64)
    stop = pairs["week_stop"].fillna(horizon + 1).to_numpy().astype(np.int64)  # counted weeks start..stop-1
    assert (stop >= start).all(), "an arrangement ended before it started"
    # the k-th placement follows the (k-1)-th ending
    again = pairs.loc[pairs["k"] > 0, ["referral_id", "k", "week_start"]]
    before = pairs.assign(k=pairs["k"] + 1)[["referral_id", "k", "week_stop"]]
    chained = again.merge(before, on=["referral_id", "k"])
    assert (chained["week_start"] >= chained["week_stop"]).all(), "a person was placed again before the last ending"
    return start, stop


def people_by_week_from_events(events: pd.DataFrame, horizon: int) -> np.ndarray:
    """People in an arrangement at the end of each week 0..horizon, from the event log."""
    start, stop = arrangement_spans(events, horizon)
    delta = np.zeros(horizon + 2, dtype=np.int64)
    first = np.clip(start, 0, horizon + 1)
    last = np.clip(stop, 0, horizon + 1)  # exclusive
    keep = last > first
    np.add.at(delta, first[keep], 1)
    np.add.at(delta, last[keep], -1)
    return np.cumsum(delta)[: horizon + 1]


def weeks_of_care_from_events(events: pd.DataFrame, horizon: int) -> int:
    """Active arrangement-weeks in weeks 1..horizon (placed in t, ended in e: weeks t..e-1)."""
    return int(people_by_week_from_events(events, horizon)[1:].sum())


# weekly flow column -> (event kind, detail it must have or None, detail it must not have or None)
FLOW_EVENTS = {
    "new_enquiries": ("enquiry", None, None),
    "new_approvals": ("carer_approved", None, None),
    "referrals_received": ("referral", None, "rematch"),
    "rematch_referrals": ("referral", "rematch", None),
    "referrals_placed": ("placement", None, "handover"),  # a handover moves an arrangement, no referral placed
    "referrals_withdrawn": ("withdrawal", None, None),
    "arrangements_ended": ("arrangement_end", None, None),
    "breakdowns": ("arrangement_end", "breakdown", None),
    "social_worker_turnover": ("social_worker_turnover", None, None),
}


def check_flows_against_events(ts: pd.DataFrame, events: pd.DataFrame):
    rec = ts.loc[ts["week"] >= 1].set_index("week")
    ev = events.loc[events["week"] >= 1]
    for column, (kind, detail, not_detail) in FLOW_EVENTS.items():
        mask = ev["event"] == kind
        if detail is not None:
            mask &= ev["detail"] == detail
        if not_detail is not None:
            mask &= ev["detail"] != not_detail
        counts = ev.loc[mask].groupby("week").size().reindex(rec.index, fill_value=0)
        diff = rec[column] - counts
        assert (diff == 0).all(), f"{column} != count of {kind} events in weeks {list(diff.index[diff != 0][:5])}"
    exits = ev.loc[ev["event"] == "carer_exit"].groupby("week").size().reindex(rec.index, fill_value=0)
    assert ((rec["carer_exits"] + rec["pipeline_dropouts"]) == exits).all(), "carer exits != carer_exit events"


# ---------------------------------------------------------------------------
# the property
# ---------------------------------------------------------------------------
unit = st.floats(0.0, 1.0, allow_nan=False)


@st.composite
def model_params(draw):
    capacity = draw(st.tuples(unit, unit, unit).filter(lambda w: sum(w) > 0.05))
    changes = {
        "run.seed": draw(st.integers(0, 2**32 - 1)),
        "run.years": draw(st.integers(1, 3)),
        "run.warmup_weeks": draw(st.integers(0, 52)),
        "scheme.scheme_workers": draw(st.integers(1, 5)),
        "scheme.recruitment_officers": draw(st.integers(0, 2)),
        "scheme.initial_people_supported": draw(st.integers(0, 120)),
        "scheme.initial_carers_approved": draw(st.integers(0, 80)),
        "social_work.turnover_per_year": draw(st.floats(0.0, 2.0)),
        "carers.base_enquiries_per_year": draw(st.floats(0.0, 40.0)),
        "carers.word_of_mouth_enquiries_per_year": draw(st.floats(0.0, 1.0)),
        "carers.foster_transitions_per_year": draw(st.floats(0.0, 4.0)),
        "carers.capacity_mix.one": capacity[0],
        "carers.capacity_mix.two": capacity[1],
        "carers.capacity_mix.three": capacity[2],
        "carers.carer_agrees": draw(unit),
        "referrals.person_agrees": draw(unit),
        "referrals.crisis_wait_tolerance_weeks": draw(st.integers(0, 10)),
        "referrals.planned_wait_tolerance_weeks": draw(st.integers(0, 52)),
        "workload.outreach_share": draw(unit),
    }
    base = params()
    crisis = draw(st.lists(unit, min_size=MAX_TEAMS, max_size=MAX_TEAMS))
    demand = draw(st.floats(0.0, 3.0))  # scales every team's decisions per worker
    for i, team in enumerate(base.social_work.teams[:MAX_TEAMS]):
        changes[f"social_work.teams.{i}.crisis_share"] = crisis[i]
        changes[f"social_work.teams.{i}.decisions_per_worker_per_year"] = team.decisions_per_worker_per_year * demand
    return changes


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=model_params())
def test_invariants_hold_every_week(changes):
    note(repr(changes))
    p = evolve(params(), changes)
    model = CheckedModel(p).warm_up()  # warm-up steps are checked as they run
    check_state(model)
    check_row(model, last_row(model))
    assert model.week == 0 and len(model.recorder.rows) == 1
    while model.week < model.horizon:
        model.step()
    assert len(model.recorder.rows) == p.weeks + 1

    ts, events = model.recorder.to_frame(), model.events.to_frame()
    assert ts["week"].tolist() == list(range(p.weeks + 1))
    summary = summarise(ts, events)
    assert summary["weeks_of_care"] == int(ts["people_supported"].iloc[1:].sum())
    assert summary["weeks_of_care"] == weeks_of_care_from_events(events, p.weeks)
    assert people_by_week_from_events(events, p.weeks).tolist() == ts["people_supported"].tolist()
    check_flows_against_events(ts, events)


def test_weeks_of_care_reconstruction_counts_weeks_t_to_e_minus_1():
    """The reconstruction itself, on a hand-made event table (T = 5)."""
    rows = [  # (week, event, referral_id)
        (-3, "placement", 1),  # placed in warm-up, still open at T: weeks 1..5 -> 5
        (0, "placement", 2),  # placed at week 0, ends in week 3: weeks 1, 2 -> 2
        (2, "placement", 3),  # placed 2, ends 4: weeks 2, 3 -> 2
        (3, "arrangement_end", 2),
        (4, "arrangement_end", 3),
        (4, "placement", 4),  # placed and ended in week 4 -> 0
        (4, "arrangement_end", 4),
        (5, "placement", 5),  # placed in the last week, open: week 5 -> 1
        (5, "placement", 3),  # person 3 placed again (re-matched): week 5 -> 1
    ]
    events = pd.DataFrame(rows, columns=["week", "event", "referral_id"])
    assert weeks_of_care_from_events(events, 5) == 5 + 2 + 2 + 0 + 1 + 1
    assert people_by_week_from_events(events, 5).tolist() == [2, 2, 3, 2, 1, 3]


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**63 - 1))
def test_invariants_hold_in_the_default_scheme(seed):
    """The shipped configuration (full warm-up), three years, any seed."""
    p = evolve(params(), {"run.seed": seed, "run.years": 3})
    model = CheckedModel(p).warm_up()
    check_state(model)
    check_row(model, last_row(model))
    model.run()
    ts, events = model.recorder.to_frame(), model.events.to_frame()
    assert summarise(ts, events)["weeks_of_care"] == weeks_of_care_from_events(events, p.weeks)
    assert people_by_week_from_events(events, p.weeks).tolist() == ts["people_supported"].tolist()
    check_flows_against_events(ts, events)
