"""0. Interventions: this week's conditions, levers starting, the council's review, posts.

Levers act in their window (from week 1) and events in theirs; this week's
conditions are set (:class:`slsim.simulation.conditions.Conditions`); a lever
acting for the first time starts (``sw_champions`` appoints champions, say);
at every week that is a multiple of ``council.review_every_weeks`` (week 52 first) the commissioner reviews
the scheme on the savings of the last year; and when funding may have changed
(week 1, an event starting or ending, a council decision or its expiry) the
posts each funder pays for are reconciled with the staff in post (:mod:`.posts`).
"""

from slsim.simulation.processes.posts import reconcile_posts


def week(model) -> None:
    conditions, week = model.conditions, model.week
    conditions.begin_week(week, model.commissioner.funding_ends(week))
    for lever in conditions.starting:
        lever.start(model)
    council = model.p.council
    if week >= 1 and week % council.review_every_weeks == 0:
        n = model.commissioner.review(conditions, council, model.books.savings_last_year())
        if n:
            model.registry.count("council_investments", n)
    if conditions.posts_may_change:
        reconcile_posts(model)
