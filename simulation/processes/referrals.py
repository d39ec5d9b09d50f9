"""4. Referrals arrive; 6. withdrawals.

Each team's social workers meet people needing a support decision (a Poisson
count a week: ``decisions_per_worker_per_year`` x workers, scaled by what
shocks do to decisions); a random worker of the team decides whether to refer
the person (:meth:`slsim.agents.social_worker.SocialWorker.decide_to_refer`). People
who have waited past their tolerance withdraw (routed elsewhere).
"""

from slsim.agents.referral import Referral
from slsim.simulation.stages import ReferralStage
from slsim.simulation.units import per_week


def decision_rates(params) -> list:
    """Support decisions a week per team (team sizes are fixed: leavers are replaced)."""
    return [per_week(t.decisions_per_worker_per_year) * t.social_workers for t in params.social_work.teams]


def arrive(model) -> None:
    sw, rp = model.p.social_work, model.p.referrals
    rng, rnd, conditions = model.rng, model.random, model.conditions
    factor = conditions.decision_factor
    odds, by_default = conditions.refer_log_odds, conditions.by_default
    for (name, workers), rate in zip(model.teams.items(), model.decision_rates):
        team = model.team_params[name]
        lam = rate * factor
        for _ in range(rng.poisson(lam) if lam > 0 else 0):
            model.registry.count("support_decisions")
            worker = rnd.choice(workers)
            crisis = rnd.random() < team.crisis_share
            if worker.decide_to_refer(sw, crisis, model.expected_wait, by_default[name], odds[name]):
                person = model.draw.person(rnd)
                person["crisis"] = crisis
                tolerance = rp.crisis_wait_tolerance_weeks if crisis else rp.planned_wait_tolerance_weeks
                Referral.refer(model, person, name, worker, tolerance)


def withdraw_waiting(model) -> None:
    referrals = model.registry.referrals
    for stage in (ReferralStage.REFERRED, ReferralStage.MATCHING):
        for ref in list(referrals[stage].values()):
            if ref.gives_up():
                ref.withdraw()
