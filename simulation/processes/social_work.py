"""9. Social workers' week: outreach and champion contacts, team meetings, co-location,
forgetting, turnover.

Outreach contacts land on workers at random in proportion to team size; a
team meeting held this week reaches everyone in the team; co-located teams'
workers meet the scheme at a weekly rate; champions talk to a colleague;
awareness fades; leavers are replaced in place by newcomers with low
awareness.
"""

import math

from slsim.agents.social_worker import SocialWorker
from slsim.simulation.units import WEEKS_PER_YEAR, weekly_probability


def week(model) -> None:
    sw, w, rnd, conditions = model.p.social_work, model.p.workload, model.random, model.conditions
    gain = w.awareness_gain_per_contact
    contacts = model.hours.outreach * w.social_workers_reached_per_outreach_hour
    n_contacts = model.rng.poisson(contacts) if contacts > 0 else 0
    if n_contacts:
        everyone = [worker for workers in model.teams.values() for worker in workers]
        for _ in range(n_contacts):
            rnd.choice(everyone).hear_about_shared_lives(gain)
    p_champion = weekly_probability(conditions.champion_contacts_per_year)
    for name in model.hours.meetings:  # team meetings held this week: everyone hears
        for worker in model.teams[name]:
            worker.hear_about_shared_lives(gain)
    for name, p_contact in conditions.contacts:  # co-located teams (lever colocation)
        for worker in model.teams[name]:
            if rnd.random() < p_contact:
                worker.hear_about_shared_lives(gain)
    keep = math.exp(-sw.awareness_decay_per_year / WEEKS_PER_YEAR)
    for workers in model.teams.values():
        for worker in workers:
            if worker.champion and len(workers) > 1 and rnd.random() < p_champion:
                colleague = rnd.choice(workers)
                if colleague is not worker:
                    colleague.hear_about_shared_lives(gain)
            worker.forget(keep)
    turnover(model, weekly_probability(sw.turnover_per_year * conditions.turnover_factor))


def turnover(model, p_leave: float) -> None:
    """A binomial count of leavers this week, each replaced in place by a newcomer."""
    teams = model.teams
    total = sum(len(w) for w in teams.values())
    n = model.rng.binomial(total, p_leave) if p_leave > 0 else 0
    if not n:
        return
    sw = model.p.social_work
    everyone = [(name, i) for name, workers in teams.items() for i in range(len(workers))]
    for name, i in model.random.sample(everyone, n):
        old = teams[name][i]
        teams[name][i] = SocialWorker(
            model,
            team=name,
            awareness=float(model.draw.awareness(model.rng, sw.newcomer_awareness_mean, 1)[0]),
            trust=sw.trust_prior,
        )
        model.registry.record(
            model.week, "social_worker_turnover", "social_worker_turnover", social_worker=old.unique_id, team=name
        )
        old.leave_post()
