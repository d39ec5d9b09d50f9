"""4. Referrals arrive; 6. withdrawals.

Each team's social workers meet people needing a support decision (a Poisson
count a week: ``decisions_per_worker_per_year`` x workers, scaled by what
shocks do to decisions; a pandemic also changes how many people of each
arrangement kind need the scheme, ``shocks.pandemic.referral_change``, by
drawing at the largest kind's rate and thinning the others); the scheme
screens each referral (``referrals.screening``): one that no approved
household's make-up could support is turned away at once as inappropriate
(event ``screened_out``; the referrer counts it as a failure); a random worker of the team decides whether to refer
the person (:meth:`slsim.agents.social_worker.SocialWorker.decide_to_refer`). People
who have waited past their tolerance withdraw (routed elsewhere).
"""

from slsim.agents.referral import Referral
from slsim.simulation.processes.matching import any_household_fits
from slsim.simulation.stages import ReferralStage
from slsim.simulation.units import per_week


def decision_rates(params) -> list:
    """Support decisions a week per team (team sizes are fixed: leavers are replaced)."""
    sw = params.social_work
    return [per_week(t.decisions_per_worker_per_year) * sw.size(t) for t in sw.teams]


def arrive(model) -> None:
    sw, rp = model.p.social_work, model.p.referrals
    rng, rnd, conditions = model.rng, model.random, model.conditions
    factor = conditions.decision_factor
    odds, by_default = conditions.refer_log_odds, conditions.by_default
    model.draw.shift_complexity(conditions.complexity_shift)
    kind_factor = conditions.kind_factor  # None, or how a pandemic changes the people of each kind to refer
    top = max(kind_factor.values()) if kind_factor else 1.0
    for (name, workers), rate in zip(model.teams.items(), model.decision_rates):
        team = model.team_params[name]
        lam = rate * factor * top
        for _ in range(rng.poisson(lam) if lam > 0 else 0):
            person = None
            if kind_factor is not None:  # who the person is comes first: thinned, they need no decision
                person = model.draw.person(rnd, team=name)
                if rnd.random() * top >= kind_factor[person["arrangement"]]:
                    continue
            model.registry.count("support_decisions")
            worker = rnd.choice(workers)
            crisis = rnd.random() < team.crisis_share
            if worker.decide_to_refer(sw, crisis, model.crisis_confidence, by_default[name], odds[name]):
                if person is None:
                    person = model.draw.person(rnd, team=name)
                person["crisis"] = crisis
                if rp.screening and not any_household_fits(model, person):
                    worker.learn_routed_elsewhere(sw)  # the scheme said no: a failure to the referrer
                    model.registry.record(
                        model.week, "screened_out", "screened_out", social_worker=worker.unique_id, team=name
                    )
                    continue
                tolerance = rp.crisis_wait_tolerance_weeks if crisis else rp.planned_wait_tolerance_weeks
                Referral.refer(model, person, name, worker, tolerance)


def withdraw_waiting(model) -> None:
    referrals = model.registry.referrals
    for stage in (ReferralStage.REFERRED, ReferralStage.MATCHING):
        for ref in list(referrals[stage].values()):
            if ref.gives_up():
                ref.withdraw()
