"""Posts follow the money: create or remove staff so each funder has the posts it pays for.

Funders are ``core`` (scheme.*), ``lever:<name>``, ``investment:<event>`` and
``council`` (see :meth:`slsim.simulation.conditions.Conditions.funded_posts`).
Posts that go are the newest of their funder and role; their households go to
the scheme worker with the fewest (the funding cliff).

Scheme workers also leave their jobs (``scheme.worker_turnover_per_year``,
:func:`turnover`): the post stays funded but vacant for
``scheme.vacancy_weeks`` while it is recruited to, and the leaver's households
go to the other workers meanwhile.
"""

from slsim.agents.scheme_staff import SchemeStaff
from slsim.simulation.stages import CarerStage, Role
from slsim.simulation.units import weekly_probability


def turnover(model) -> None:
    """Scheme workers leave with this week's probability; vacancies whose recruitment is
    done are filled. Posts are reconciled when either happens."""
    s, staff = model.p.scheme, model.staff
    p = weekly_probability(s.worker_turnover_per_year)
    changed = False
    if p > 0.0:
        rnd = model.random
        for worker in [w for w in staff.scheme_workers if rnd.random() < p]:
            model.vacancies.append((model.week + s.vacancy_weeks, worker.funder))
            model.registry.record(model.week, "scheme_worker_leaver", "scheme_worker_leavers", detail=worker.funder)
            worker.leave_post()
            changed = True
    if changed:
        rebalance_caseloads(model)  # the leavers' households go to the workers still in post
    if model.vacancies and model.vacancies[0][0] <= model.week:
        model.vacancies = [v for v in model.vacancies if v[0] > model.week]
        changed = True
    if changed:
        staff.changed()
        reconcile_posts(model)


def reconcile_posts(model) -> None:
    s = model.p.scheme
    hours = {
        Role.SCHEME_WORKER: s.worker_hours_per_week,
        Role.RECRUITMENT_OFFICER: s.recruitment_officer_hours_per_week,
        Role.OUTREACH_OFFICER: s.worker_hours_per_week,
    }
    wanted = model.conditions.funded_posts(model.week, model.commissioner.funded_posts())
    for _, funder in model.vacancies:  # funded, not yet filled
        key = (funder, Role.SCHEME_WORKER)
        if wanted.get(key, 0) > 0:
            wanted[key] -= 1
    have = {}
    for member in model.staff:
        if member.role != Role.MANAGER:
            have.setdefault((member.funder, member.role), []).append(member)
    changed = False
    for key in sorted(set(have) | set(wanted)):
        funder, role = key
        n_want, members = wanted.get(key, 0), have.get(key, [])
        for _ in range(n_want - len(members)):
            model.staff.append(SchemeStaff(model, role=role, hours_per_week=hours[role], funder=funder))
            changed = True
        for member in reversed(members[n_want:]):  # newest first
            member.leave_post()
            changed = True
    if changed:
        model.staff.changed()
        rebalance_caseloads(model)


def rebalance_caseloads(model) -> None:
    """Households without a worker (after posts went) go to the worker with the fewest."""
    carers = model.registry.carers
    for stage in CarerStage.HOUSEHOLDS:
        for carer in carers[stage].values():
            if carer.worker is None:
                carer.allocate_worker()
