"""5. Matching: waiting people are matched to compatible carers with a free place; served
matching and introductions progress; after introductions both sides decide.

Crisis referrals are searched first, then planned ones, oldest first within
each; a crisis match takes ``referrals.crisis_matching_weeks`` and
``crisis_introduction_weeks`` (an emergency placement) instead of the planned
weeks. Places open only through logged events (the registry's ``opened``
log), so a person who found no match before is only checked against the
carers logged since their last search (the same result, cheaper).
"""

from itertools import chain

from slsim.simulation.stages import CarerStage, ReferralStage


def candidates(model, ref, pool=None) -> list:
    """Approved households in ``pool`` (default: all) with a free place whose make-up fits ``ref``.

    The rule of :meth:`slsim.agents.carer.Carer.can_support` plus a free place, inline for speed."""
    if pool is None:
        carers = model.registry.carers
        pool = chain(carers[CarerStage.ACTIVE].values(), carers[CarerStage.APPROVED].values())
    excluded = ref.excluded
    kind, need, complexity, slots, alone = ref.arrangement, ref.need, ref.complexity, ref.slots, ref.alone
    return [
        carer
        for carer in pool
        if carer.free_slots >= slots
        and (not alone or carer.free_slots == carer.full_slots)
        and kind in carer.offers
        and need in carer.skills
        and complexity <= carer.max_complexity
        and carer.unique_id not in excluded
        and carer.leaving_week is None
    ]


def any_household_fits(model, person: dict) -> bool:
    """Could any approved household support ``person`` (free place or not)? Screening asks this:
    a referral no household's make-up fits is one the scheme cannot take (inappropriate)."""
    kind, need, complexity = person["arrangement"], person["need"], person["complexity"]
    carers = model.registry.carers
    return any(
        kind in c.offers and need in c.skills and complexity <= c.max_complexity
        for c in chain(carers[CarerStage.ACTIVE].values(), carers[CarerStage.APPROVED].values())
    )


def _priority(ref):
    return (not ref.crisis, ref.unique_id)


def week(model) -> None:
    rp, conditions = model.p.referrals, model.conditions
    referrals = model.registry.referrals
    opened = model.registry.opened
    now = len(opened)
    households = CarerStage.HOUSEHOLDS
    for ref in sorted(referrals[ReferralStage.REFERRED].values(), key=_priority):
        since = ref.scan_version
        if since == now:
            continue  # no place has opened since this person was last searched for
        if since < 0 or ref.linked_carer is not None:
            fits = candidates(model, ref)
        else:
            fresh = dict.fromkeys(c for c in opened[since:] if c.stage in households)
            fits = candidates(model, ref, fresh)
        ref.scan_version = now
        carer = ref.choose_carer(fits)
        if carer is not None:
            ref.propose_to(carer)

    crisis_matching = min(rp.crisis_matching_weeks, conditions.matching_weeks)
    for ref in list(referrals[ReferralStage.MATCHING].values()):
        if ref.progress(crisis_matching if ref.crisis else conditions.matching_weeks):
            ref.introduce()

    for ref in list(referrals[ReferralStage.INTRODUCTIONS].values()):
        weeks = rp.crisis_introduction_weeks if ref.crisis else int(rp.introduction_weeks.get(ref.arrangement))
        if not ref.progress(weeks):
            continue
        carer = ref.carer
        carer.unhold(ref)
        if ref.agree_to_match(conditions.person_agrees) and carer.agree_to_match(conditions.carer_agrees):
            ref.place()
        else:
            ref.decline("declined")
