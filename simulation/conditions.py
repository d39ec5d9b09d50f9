"""This week's conditions: what the levers acting and the active shocks impose, as one snapshot.

:meth:`Conditions.begin_week` (the interventions process, first in the week)
asks the levers acting this week (:mod:`slsim.simulation.levers`, in their order)
and the active events (:mod:`slsim.simulation.shocks`) and sets plain attributes
that the processes read where the behaviour they change lives: referral
decisions, staff time, carers' enquiries, assessments, matching,
satisfaction and exits, social workers' contacts. The default values are the
baseline's: with every lever off and no events nothing here draws a random
number or changes a value.

Posts have a funder: ``core`` (scheme.*), ``lever:<name>``,
``investment:<event>`` and ``council`` (the commissioner's investments);
:meth:`Conditions.funded_posts` says how many each pays for this week.
"""

from slsim.simulation.categories import ARRANGEMENTS
from slsim.simulation.levers import LEVERS
from slsim.simulation.shocks import Shocks
from slsim.simulation.stages import Role


class Conditions:
    def __init__(self, params):
        self.p = params
        lv = params.levers
        self.levers = tuple(cls(getattr(lv, name), params) for name, cls in LEVERS.items() if getattr(lv, name).enabled)
        self.shocks = Shocks(params)
        e = params.economics
        self.unit_costs = {  # GBP a year a post costs, by role
            Role.SCHEME_WORKER: e.scheme_worker_cost_per_year,
            Role.MANAGER: e.manager_cost_per_year,
            Role.RECRUITMENT_OFFICER: e.recruitment_officer_cost_per_year,
            Role.OUTREACH_OFFICER: e.outreach_officer_cost_per_year,
        }
        self._team_default = {t.name: t.sl_by_default for t in params.social_work.teams}
        self._post_weeks = {1} | self.shocks.change_weeks()  # weeks funded posts may change (+ council)
        self.posts_may_change = False
        self.acting = ()  # levers acting this week
        self.starting = ()  # of which, acting for the first time
        self._snapshot(week=0)

    def update(self, params) -> None:
        """New parameters for a running model (the national model's practice learnt and posts
        bought): events it has not seen are added; those it has keep running as they were."""
        new = {name: e for name, e in params.shocks.events.items() if name not in self.p.shocks.events}
        self.p = params
        if new:
            self.shocks.add(new)
            self._post_weeks |= self.shocks.change_weeks()

    def begin_week(self, week: int, council_posts_end: bool) -> None:
        """Set this week's conditions (``council_posts_end``: a council investment ends this week)."""
        self.shocks.begin_week(week)
        self.acting = tuple(lever for lever in self.levers if lever.window.active(week))
        self.starting = tuple(lever for lever in self.acting if lever.window.start_week == week)
        for lever in self.acting:
            lever.begin_week(week)
        self.posts_may_change = week in self._post_weeks or council_posts_end
        self._snapshot(week)

    def _snapshot(self, week: int) -> None:
        p, acting, shocks = self.p, self.acting, self.shocks
        pandemic = p.shocks.pandemic
        self.extra_inflation = shocks.extra_inflation
        self.turnover_factor = shocks.turnover_factor
        self.retirement_factor = shocks.retirement_factor
        self.decision_factor = max(0.0, 1.0 - shocks.pandemic * pandemic.decision_reduction)
        self.enquiry_factor = max(0.0, 1.0 - shocks.pandemic * pandemic.enquiry_reduction)
        self.monitoring_factor = 1.0 + shocks.pandemic * pandemic.monitoring_increase
        shift = -shocks.pandemic * pandemic.satisfaction_drop
        self.complexity_shift = shocks.complexity_shift
        self.kind_factor = self.paused = None  # baseline: referrals of every kind as drawn, nothing paused
        if shocks.pandemic or shocks.pandemic_after:
            size, lasting = shocks.pandemic, min(1.0, shocks.pandemic_after * pandemic.day_support_lasting_loss)
            factor = {k: max(0.0, 1.0 + size * pandemic.referral_change.get(k)) for k in ARRANGEMENTS}
            factor["day_support"] *= 1.0 - lasting  # day services never fully restored
            self.kind_factor = factor
            if size:
                self.paused = {k: size * pandemic.paused_per_year.get(k) for k in ARRANGEMENTS}
        breaks, quality = p.carers.paid_break_weeks_per_year, p.scheme.leadership_quality
        matching, wom = p.workload.matching_weeks, 1.0
        rules = (p.social_work.champion_after_successes, p.social_work.champion_contacts_per_year)
        conversion, assessment = p.carers.enquiry_to_assessment, p.carers.assessment_weeks
        person_agrees, carer_agrees = p.referrals.person_agrees, p.carers.carer_agrees
        champions, contacts, meetings = None, (), ()
        for lever in acting:
            shift += lever.satisfaction_shift()
            breaks = lever.paid_break_weeks(breaks)
            quality = lever.leadership_quality(quality)
            matching = lever.matching_weeks(matching, week)
            wom = lever.word_of_mouth(wom)
            rules = lever.champion_rules(rules)
            conversion = lever.enquiry_conversion(conversion, week)
            assessment = lever.assessment_weeks(assessment, week)
            person_agrees = lever.agreement(person_agrees, week)
            carer_agrees = lever.agreement(carer_agrees, week)
            champions = lever.champion_enquiries() or champions
            contacts += lever.contacts()
            meetings += lever.meetings_due(week)
        self.satisfaction_shift, self.paid_break_weeks, self.leadership_quality = shift, breaks, quality
        self.matching_weeks, self.word_of_mouth_factor = matching, wom
        self.champion_after, self.champion_contacts_per_year = rules
        self.enquiry_conversion, self.assessment_weeks = conversion, assessment
        self.person_agrees, self.carer_agrees = person_agrees, carer_agrees
        self.champion_enquiries, self.contacts, self.meetings_due = champions, contacts, meetings
        self.refer_log_odds, self.by_default = {}, {}
        for team, default in self._team_default.items():
            bonus, by_default = 0.0, default
            for lever in acting:
                bonus += lever.refer_log_odds(team)
                by_default = by_default or lever.by_default(team)
            self.refer_log_odds[team], self.by_default[team] = bonus, by_default

    # -- read live (they change during the week) ----------------------------------
    def fee_factor(self) -> float:
        """Multiplier on carer fees the levers have brought about so far."""
        factor = 1.0
        for lever in self.acting:
            factor *= lever.fee_factor()
        return factor

    def on_fee_uplift(self) -> None:
        for lever in self.acting:
            lever.on_fee_uplift()

    def on_approval(self, carer) -> None:
        for lever in self.acting:
            lever.on_approval(carer)

    def investment_probability(self, savings_last_year: float) -> float:
        """Chance the council funds posts at this review, from the levers that argue for it."""
        stay = 1.0
        for lever in self.acting:
            stay = lever.investment_stay(stay, savings_last_year)
        return 1.0 - stay

    # -- posts ------------------------------------------------------------------------
    def funded_posts(self, week: int, council_posts: int) -> dict:
        """{(funder, role): posts} each funder pays for this week.

        Core posts are the scheme's own (scheme.*) less any funding cut of that post."""
        s, cut = self.p.scheme, self.shocks.cuts
        posts = {
            ("core", Role.SCHEME_WORKER): max(0, s.scheme_workers - cut.get(Role.SCHEME_WORKER, 0)),
            ("core", Role.RECRUITMENT_OFFICER): max(0, s.recruitment_officers - cut.get(Role.RECRUITMENT_OFFICER, 0)),
        }
        for lever in self.acting:
            posts.update(lever.posts())
        posts.update(self.shocks.posts(week, self.unit_costs))
        if council_posts:
            posts[("council", Role.SCHEME_WORKER)] = council_posts
        return posts

    # -- costs (GBP this week) --------------------------------------------------------
    def running_costs(self, model) -> float:
        """Lever costs that are neither staff posts nor carer fees (fixed costs, support, bonuses)."""
        if not self.acting:
            return 0.0
        return sum([lever.running_cost(model) for lever in self.acting])

    def lever_costs(self, model) -> dict:
        """This week's cost attributed to each lever acting, incl. its posts and extra fees."""
        return {
            lever.name: lever.running_cost(model) + lever.posts_and_fees_cost(model, self.unit_costs)
            for lever in self.acting
        }
