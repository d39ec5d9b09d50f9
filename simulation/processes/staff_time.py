"""2. Staff time: how the scheme team spends its week.

The team pools its frontline hours and spends them by priority:

1. **monitoring** of approved households and the people placed with them
   (statutory; more for arrangements in their first weeks);
2. **matching and introductions** for referrals, oldest first;
3. **carer enquiries and assessments**, oldest first (recruitment officers take them from
   their own hours first when ``scheme.recruitment_officers_assess``);
4. team meetings due this week (lever ``team_meetings``) are held from what
   is left; the rest is split between **outreach** to social-work teams and
   carer **recruitment** (``workload.outreach_share``); recruitment officers
   add their hours to recruitment, outreach officers theirs to outreach. While
   more than ``scheme.recruitment_pause_idle_share`` of the approved households
   have nobody placed, recruitment officers promote the scheme to social workers
   (outreach) instead: carers are waiting, referrals are short.

A task not reached this week does not progress. Nothing caps caseloads: when
households per worker rise, monitoring eats the hours that growth work needed,
which is the LGA's "20 households or fewer" effect, emerging.
"""

from dataclasses import dataclass

from slsim.simulation.stages import CarerStage, ReferralStage

ACTIVITIES = ("monitoring", "matching", "assessment", "outreach", "recruitment")


@dataclass
class WeekHours:
    available: float = 0.0
    monitoring_demand: float = 0.0
    monitoring: float = 0.0
    matching: float = 0.0
    assessment: float = 0.0
    outreach: float = 0.0  # incl. team meetings
    recruitment: float = 0.0
    meeting: float = 0.0  # hours of team meetings (lever), part of outreach
    meetings: tuple = ()  # teams met this week

    @property
    def coverage(self) -> float:
        """Share of monitoring demand met, 0-1."""
        if self.monitoring_demand <= 0.0:
            return 1.0
        return self.monitoring / self.monitoring_demand


def leadership_efficiency(scheme, quality: float) -> float:
    """Multiplier on productive hours from the manager's leadership quality (0-1)."""
    return 1.0 + scheme.leadership_efficiency * (2.0 * quality - 1.0)


def monitoring_demand(model) -> float:
    w = model.p.workload
    households = model.registry.households()
    arranged = model.registry.referrals[ReferralStage.ARRANGED]
    since = model.week - w.new_arrangement_weeks
    new = sum(1 for r in arranged.values() if r.arranged_week > since)
    per_arr = w.monitoring_hours_per_arrangement_week
    return (
        households * w.monitoring_hours_per_household_week
        + len(arranged) * per_arr
        + new * per_arr * (w.new_arrangement_monitoring_multiplier - 1.0)
    )


def _serve(tasks, hours_each: float, pool: float):
    """Mark tasks served in order while hours last; return hours used."""
    used = 0.0
    for task in tasks:
        if pool - used >= hours_each:
            task.served = True
            used += hours_each
        else:
            task.served = False
    return used


def _serve_from_two(groups, own: float, pool: float) -> tuple:
    """Serve each group's tasks in order from the ``own`` hours first, then from ``pool``;
    return (hours used from the pool, hours used from ``own``)."""
    used = own_used = 0.0
    for tasks, hours_each in groups:
        for task in tasks:
            if own - own_used >= hours_each:
                own_used += hours_each
                task.served = True
            elif pool - used >= hours_each:
                used += hours_each
                task.served = True
            else:
                task.served = False
    return used, own_used


def week(model) -> None:
    """This week's hours (``model.hours``), spent by priority; served tasks marked."""
    model.hours = allocate_staff_time(model)


def allocate_staff_time(model) -> WeekHours:
    """Spend this week's staff hours by priority; mark served tasks."""
    p = model.p
    w = p.workload
    conditions = model.conditions
    eff = leadership_efficiency(p.scheme, conditions.leadership_quality)
    hours = WeekHours()
    by_use = {"frontline": 0.0, "recruitment": 0.0, "outreach": 0.0}  # one pass over the staff
    for s in model.staff:
        use, h = s.week_hours(p.scheme.productive_share, eff)
        by_use[use] += h
    pool, reserved_recruitment, reserved_outreach = by_use["frontline"], by_use["recruitment"], by_use["outreach"]
    hours.available = pool + reserved_recruitment + reserved_outreach

    hours.monitoring_demand = monitoring_demand(model) * conditions.monitoring_factor
    hours.monitoring = min(pool, hours.monitoring_demand)
    pool -= hours.monitoring

    r = model.registry.referrals
    used = _serve(r[ReferralStage.MATCHING].values(), w.matching_hours_per_week, pool)
    used += _serve(r[ReferralStage.INTRODUCTIONS].values(), w.introduction_hours_per_week, pool - used)
    hours.matching = used
    pool -= used

    c = model.registry.carers
    pipeline = (
        (c[CarerStage.ENQUIRY].values(), w.enquiry_hours_per_week),
        (c[CarerStage.ASSESSMENT].values(), w.assessment_hours_per_week),
    )
    if p.scheme.recruitment_officers_assess and reserved_recruitment > 0.0:
        used, own = _serve_from_two(pipeline, reserved_recruitment, pool)
        reserved_recruitment -= own
        hours.assessment = used + own
    else:
        used = _serve(pipeline[0][0], pipeline[0][1], pool)
        used += _serve(pipeline[1][0], pipeline[1][1], pool - used)
        hours.assessment = used
    pool -= used

    pool = max(pool, 0.0)
    if reserved_recruitment > 0.0 and model.registry.idle_share() > p.scheme.recruitment_pause_idle_share:
        reserved_outreach += reserved_recruitment  # the post promotes the scheme to social workers instead
        reserved_recruitment = 0.0
    # meetings with social-work teams (lever team_meetings) are booked outreach: held when due and the hours are there
    meetings = []
    for team, hours_each in conditions.meetings_due:
        if pool >= hours_each:
            pool -= hours_each
            hours.meeting += hours_each
            meetings.append(team)
    hours.meetings = tuple(meetings)
    hours.outreach = pool * w.outreach_share + hours.meeting + reserved_outreach
    hours.recruitment = pool - pool * w.outreach_share + reserved_recruitment
    return hours
