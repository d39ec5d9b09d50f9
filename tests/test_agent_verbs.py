"""Unit tier: each agent verb on a small initialised model changes exactly what it says.

The model is built at week 0 (no warm-up) with a small scheme; a verb is
called directly and the agent, its partner and the registry (stages, flows,
event log, tallies) are checked. Nothing else runs, so a failure names the
verb that broke.
"""

import pytest

from slsim.agents.carer import Carer
from slsim.agents.referral import Referral
from helpers import params
from slsim.simulation.model import SharedLivesModel
from slsim.simulation.stages import CarerStage, ReferralStage, Role

SMALL = (
    "run.warmup_weeks=0",
    "run.years=1",
    "scheme.scheme_workers=2",
    "scheme.initial_carers_approved=6",
    "scheme.initial_people_supported=3",
    "scheme.initial_carers_in_assessment=1",
    "scheme.initial_enquiries=1",
)


@pytest.fixture
def model():
    return SharedLivesModel(params(*SMALL))


def last_event(model) -> tuple:
    ev = model.events
    return ev.event[-1], ev.referral_id[-1], ev.carer_id[-1], ev.detail[-1]


def person(arrangement="live_in", need="learning_disability", complexity=1) -> dict:
    return dict(need=need, complexity=complexity, arrangement=arrangement, crisis=False)


def household(model, stage=CarerStage.APPROVED) -> Carer:
    """A household able to take anyone: three places, every arrangement and need, top complexity."""
    carer = Carer.enquire(model, "campaign", 1)
    carer.capacity, carer.max_complexity = 3, 3
    carer.full_slots = carer.free_slots = 3 * model.slots_per_place  # room follows capacity (set at creation)
    carer.offers = frozenset({"live_in", "short_break", "day_support"})
    carer.skills = frozenset({"learning_disability", "mental_health", "older_age"})
    if stage != CarerStage.ENQUIRY:
        carer.start_assessment(1)
    if stage in CarerStage.HOUSEHOLDS:
        carer.approve()
    return carer


def referred(model, **kw) -> Referral:
    worker = model.teams["learning_disability"][0]
    return Referral.refer(model, person(**kw), "learning_disability", worker, 26)


def test_enquire_adds_a_household_and_logs_the_enquiry(model):
    before = model.registry.flows["enquiries"]
    carer = Carer.enquire(model, "word_of_mouth", 4)
    assert model.registry.carers[CarerStage.ENQUIRY][carer.unique_id] is carer
    assert (carer.stage, carer.source, carer.work_weeks_needed) == (CarerStage.ENQUIRY, "word_of_mouth", 4)
    assert model.registry.flows["enquiries"] == before + 1
    assert last_event(model) == ("enquiry", -1, carer.unique_id, "word_of_mouth")


def test_start_assessment_then_approve(model):
    carer = Carer.enquire(model, "campaign", 4)
    carer.work_weeks, carer.served = 4, True
    carer.start_assessment(20)
    assert carer.unique_id in model.registry.carers[CarerStage.ASSESSMENT]
    assert (carer.work_weeks, carer.work_weeks_needed, carer.served) == (0, 20, False)
    assert last_event(model)[0] == "assessment_start"
    loads = {w.unique_id: len(w.caseload) for w in model.staff.scheme_workers}
    carer.approve()
    assert carer.unique_id in model.registry.carers[CarerStage.APPROVED]
    assert carer.unique_id not in model.registry.carers[CarerStage.ASSESSMENT]
    assert loads[carer.worker.unique_id] == min(loads.values())  # the worker with the fewest households
    assert model.registry.opened[-1] is carer and model.registry.flows["carers_approved"] == 1
    assert last_event(model) == ("carer_approved", -1, carer.unique_id, "campaign")


def test_take_and_let_go_move_a_household_between_approved_and_active(model):
    carer = household(model)
    ref = referred(model)
    carer.take(ref)
    assert carer.stage == CarerStage.ACTIVE and carer.live_in_count == 1
    assert carer.unique_id in model.registry.carers[CarerStage.ACTIVE]
    carer.let_go(ref)
    assert carer.stage == CarerStage.APPROVED and carer.live_in_count == 0
    assert model.registry.opened[-1] is carer


def test_a_match_from_proposal_to_placement(model):
    carer, ref = household(model), referred(model)
    assert model.registry.referred_total >= 1 and last_event(model)[0] == "referral"
    ref.propose_to(carer)
    assert carer.reserved == 1 and ref.carer is carer and ref.stage == ReferralStage.MATCHING
    assert carer.free_slots == carer.capacity * model.slots_per_place - ref.slots
    ref.introduce()
    assert ref.stage == ReferralStage.INTRODUCTIONS and ref.unique_id in model.registry.referrals[ref.stage]
    carer.unhold(ref)  # matching does this when introductions end
    referrer, trust = ref.referrer, ref.referrer.trust
    wait_before = model.expected_wait
    ref.place()
    assert ref.stage == ReferralStage.ARRANGED and ref in carer.placed and carer.stage == CarerStage.ACTIVE
    assert model.registry.flows["placements"] == 1 and model.registry.people_by_kind["live_in"] >= 1
    assert referrer.trust > trust and referrer.successes == 1
    assert model.expected_wait != wait_before  # the belief moved toward the wait just seen (0 weeks)
    assert last_event(model) == ("placement", ref.unique_id, carer.unique_id, "live_in")


def test_decline_sends_the_person_back_and_excludes_that_carer(model):
    carer, ref = household(model), referred(model)
    ref.propose_to(carer)
    carer.unhold(ref)
    ref.decline("declined")
    assert ref.stage == ReferralStage.REFERRED and ref.carer is None and carer.unique_id in ref.excluded
    assert ref.scan_version == -1 and model.registry.opened[-1] is carer
    assert last_event(model)[0] == "match_declined"


def test_withdraw_closes_the_referral_and_frees_a_held_place(model):
    carer, ref = household(model), referred(model)
    ref.propose_to(carer)
    referrer, trust = ref.referrer, ref.referrer.trust
    ref.withdraw()
    assert carer.reserved == 0 and ref.unique_id not in model.registry.referrals[ReferralStage.MATCHING]
    assert carer.free_slots == carer.capacity * model.slots_per_place
    assert ref.stage == ReferralStage.WITHDRAWN and model.registry.closed[ReferralStage.WITHDRAWN] == 1
    assert model.registry.flows["withdrawals"] == 1 and referrer.trust < trust
    assert ref not in model.agents


def test_end_and_rematch(model):
    carer = household(model)
    ends, rematched = referred(model), referred(model, arrangement="short_break")
    for ref in (ends, rematched):
        ref.propose_to(carer)
        carer.unhold(ref)
        ref.place()
    ends.end("breakdown")
    assert ends.stage == ReferralStage.ENDED and model.registry.flows["breakdowns"] == 1
    assert model.registry.flows["arrangements_ended"] == 1 and ends not in carer.placed
    rematched.rematch()
    assert rematched.stage == ReferralStage.REFERRED and carer.unique_id in rematched.excluded
    assert model.registry.flows["rematch_referrals"] == 1 and carer.stage == CarerStage.APPROVED
    assert last_event(model)[0] == "referral" and last_event(model)[3] == "rematch"


def test_a_household_that_leaves_hands_back_everyone(model):
    carer = household(model)
    placed, waiting = referred(model), referred(model)
    placed.propose_to(carer)
    carer.unhold(placed)
    placed.place()
    waiting.propose_to(carer)
    worker = carer.worker
    carer.leave("retirement")
    assert carer.stage == CarerStage.LEFT and carer not in model.agents
    assert all(carer.unique_id not in reg for reg in model.registry.carers.values())
    assert placed.stage == ReferralStage.REFERRED and waiting.stage == ReferralStage.REFERRED
    assert carer.unique_id not in worker.caseload
    assert model.registry.flows["carer_exits"] == 1 and model.registry.flows["pipeline_dropouts"] == 0
    pipeline = household(model, stage=CarerStage.ENQUIRY)
    pipeline.leave("enquiry_dropout")
    assert model.registry.flows["pipeline_dropouts"] == 1


def test_placed_at_start_is_settled(model):
    carer = household(model)
    ref = Referral.placed_at_start(model, person("day_support"), carer)
    assert ref.stage == ReferralStage.ARRANGED and ref.referrer is None
    assert ref.arranged_week == model.week - model.p.workload.new_arrangement_weeks
    assert last_event(model)[3] == "initial"


def test_staff_and_social_workers_leave_their_posts(model):
    worker = model.staff.scheme_workers[0]
    households = list(worker.caseload.values())
    assert households
    worker.leave_post()
    assert worker not in model.staff and worker not in model.agents
    assert all(c.worker is None for c in households)
    assert [s.role for s in model.staff].count(Role.SCHEME_WORKER) == 1
    sw = model.teams["learning_disability"][0]
    sw.leave_post()
    assert not sw.in_post and sw not in model.agents


def test_a_short_break_takes_a_share_of_a_place(model):
    carer = household(model)
    k = model.slots_per_place
    breaks = [referred(model, arrangement="short_break") for _ in range(k)]
    for ref in breaks:
        assert ref.slots == 1
        ref.propose_to(carer)
        carer.unhold(ref)
        ref.place()
    assert carer.free_slots == (carer.capacity - 1) * k  # k people's short breaks fill one place
    assert carer.free_places == carer.capacity - 1
    breaks[0].end("planned")
    assert carer.free_slots == (carer.capacity - 1) * k + 1


def test_a_crisis_outcome_moves_the_teams_confidence(model):
    before = model.crisis_confidence
    model.observe_crisis(placed=False)
    assert model.crisis_confidence < before
    low = model.crisis_confidence
    model.observe_crisis(placed=True)
    assert model.crisis_confidence > low


def test_a_retiring_household_hands_its_people_over_then_leaves(model):
    from slsim.simulation.processes.carers import hand_over
    from slsim.simulation.processes.matching import candidates

    old = household(model)
    ref = referred(model)
    ref.propose_to(old)
    old.unhold(ref)
    ref.place()
    old.give_notice(12)
    assert old.leaving_week == model.week + 12 and last_event(model)[0] == "carer_notice"
    assert old not in candidates(model, referred(model))  # a retiring household takes nobody new
    hand_over(model)
    new = ref.carer  # a compatible household with room (the model has many)
    assert new is not old and new.leaving_week is None and ref in new.placed and not old.placed
    assert ref.stage == ReferralStage.ARRANGED and old.unique_id in ref.excluded
    assert last_event(model) == ("placement", ref.unique_id, new.unique_id, "handover")


def test_a_live_in_person_of_the_top_band_is_the_households_only_person(model):
    from slsim.simulation.processes.matching import candidates

    assert model.alone_band == 3  # referrals.live_in_alone_from_band
    empty, shared = household(model), household(model)
    other = referred(model, arrangement="day_support")
    other.propose_to(shared)  # a place held: the household is no longer empty
    complex_ = referred(model, complexity=3)
    assert complex_.alone and not other.alone and not referred(model, complexity=2).alone
    assert not referred(model, arrangement="short_break", complexity=3).alone  # live-in only
    fits = candidates(model, complex_)
    assert empty in fits and shared not in fits
    complex_.propose_to(empty)
    assert empty.free_slots == 0 and complex_.taken == empty.full_slots
    assert empty not in candidates(model, referred(model))  # nobody else while it is held
    empty.unhold(complex_)
    assert empty.free_slots == empty.full_slots
    complex_.carer = None
    complex_.propose_to(empty)
    complex_.introduce()
    empty.unhold(complex_)
    complex_.place()
    assert complex_.stage == ReferralStage.ARRANGED and empty.free_slots == 0
    complex_.end("planned")
    assert empty.free_slots == empty.full_slots and empty.stage == CarerStage.APPROVED


def test_with_band_4_nobody_lives_alone():
    model = SharedLivesModel(params(*SMALL, "referrals.live_in_alone_from_band=4"))
    worker = model.teams["learning_disability"][0]
    ref = Referral.refer(model, person(complexity=3), "learning_disability", worker, 26)
    assert not ref.alone
    carer = household(model)
    ref.propose_to(carer)
    assert carer.free_slots == carer.full_slots - model.slots["live_in"]
