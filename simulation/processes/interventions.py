"""0. Interventions: this week's conditions, social-worker champions, the council's review, posts.

Levers act from week 1 and active events in their window (see
:mod:`simulation.interventions`); at week 1 the ``sw_champions`` lever
appoints the most aware workers of each team as champions; every
``council.review_every_weeks`` the commissioner reviews the scheme on the
savings of the last year; and when funding may have changed (week 1, an
event starting or ending, a council decision or its expiry) the posts each
funder pays for are reconciled with the staff in post (:mod:`.posts`).
"""

from simulation.processes.posts import reconcile_posts


def week(model) -> None:
    iv = model.iv
    iv.begin_week(model.week)
    if iv.active and iv.on["sw_champions"] and model.week == 1:
        appoint_champions(model, model.p.levers.sw_champions.initial_champions_per_team)
    council = model.p.council
    if iv.active and model.week % council.review_every_weeks == 0:
        n = model.commissioner.review(iv, council, model.books.savings_last_year())
        if n:
            model.registry.count("council_investments", n)
    if iv.posts_may_change:
        reconcile_posts(model)


def appoint_champions(model, per_team: int) -> None:
    """The ``per_team`` most aware workers of each team become champions."""
    for workers in model.teams.values():
        for worker in sorted(workers, key=lambda w: (-w.awareness, w.unique_id))[:per_team]:
            worker.champion = True
