"""Levers, investments and shocks: what changes this week, and what it costs.

The model asks this object, once a week, for the conditions levers and events
impose (``begin_week``), and reads them where the behaviour they change lives:
referral decisions, staff time, carer satisfaction and exits, enquiries,
assessments, matching. Levers act from week 1 (week 0 is the state after
warm-up, the same for every scenario, so scenarios can be compared seed by
seed); an event acts in weeks ``start_week .. start_week + duration_weeks - 1``.

Staff posts have a funder: ``core`` (scheme.*), ``lever:extra_workers``,
``lever:recruitment_post``, ``investment:<event>`` and ``council`` (the
Commissioner's investments). Each week the posts each funder pays for are
reconciled with the agents in post: posts are created when money starts and
removed (newest first, caseloads handed over) when it ends — the funding cliff.
A funding cut removes core posts of its ``post`` (scheme worker or
recruitment officer) while it lasts.

With every lever off and no events, nothing here draws a random number or
changes a value, so the baseline is untouched; an event of size 0 gives
exactly the baseline run.
"""

import math

from simulation.params import LEVER_NAMES, SlsimConfig
from simulation.stages import Role
from simulation.units import WEEKS_PER_YEAR

POST_ROLE = {
    "scheme_worker": Role.SCHEME_WORKER,
    "recruitment_officer": Role.RECRUITMENT_OFFICER,
    "outreach_officer": Role.OUTREACH_OFFICER,
}


class Interventions:
    def __init__(self, params: SlsimConfig):
        self.p = params
        lv = params.levers
        self.on = {name: getattr(lv, name).enabled for name in LEVER_NAMES}
        self.active = False  # levers act from week 1
        self.week = 0
        # this week's conditions (baseline values)
        self.pandemic = 0.0
        self.extra_inflation = 0.0
        self.turnover_factor = 1.0
        self.retirement_factor = 1.0
        self.cut_posts = 0  # posts removed by funding cuts this week (all roles)
        self.cuts = {}  # role -> posts removed this week
        self.lever_fee_factor = 1.0
        self.council_posts = []  # (end_week, n) of the Commissioner's investments
        self.incentive_bonuses = 0  # carers approved from word of mouth this week (referral_incentives)
        teams = {t.name for t in params.social_work.teams}
        self.colocated = frozenset(lv.colocation.teams) if self.on["colocation"] else frozenset()
        self.by_default = {t.name: t.sl_by_default for t in params.social_work.teams}
        self._default_lever = frozenset(lv.sl_by_default.teams) & teams if self.on["sl_by_default"] else frozenset()
        self.meeting_teams = tuple(lv.team_meetings.teams) if self.on["team_meetings"] else ()
        self.any_lever = any(self.on.values())
        self.events = tuple(params.shocks.events.items())
        e = params.economics
        self._unit = {
            Role.SCHEME_WORKER: e.scheme_worker_cost_per_year,
            Role.MANAGER: e.manager_cost_per_year,
            Role.RECRUITMENT_OFFICER: e.recruitment_officer_cost_per_year,
            Role.OUTREACH_OFFICER: e.outreach_officer_cost_per_year,
        }
        # weeks in which the posts funders pay for can change (plus council decisions)
        self._post_weeks = {1} | {x for _, ev in self.events for x in (ev.start_week, ev.end_week)}
        self.posts_may_change = False

    # ------------------------------------------------------------------
    def begin_week(self, week: int) -> None:
        self.week = week
        self.active = week >= 1
        self.incentive_bonuses = 0
        self.posts_may_change = week in self._post_weeks or any(end == week for end, _ in self.council_posts)
        if self.events:
            events = [e for _, e in self.events if e.active(week)]
            self.pandemic = sum((e.size for e in events if e.kind == "pandemic"), 0.0)
            self.extra_inflation = sum((e.size for e in events if e.kind == "cost_of_living"), 0.0)
            self.turnover_factor = 1.0 + sum(e.size for e in events if e.kind == "sw_turnover_spike")
            self.retirement_factor = 1.0 + sum(e.size for e in events if e.kind == "carer_retirement_wave")
            self.cuts = {}
            for e in events:
                if e.kind == "funding_cut":
                    role = POST_ROLE[e.post]
                    self.cuts[role] = self.cuts.get(role, 0) + int(e.size)
            self.cut_posts = sum(self.cuts.values())
        if week == 1 and self.on["fee_uplift"]:
            self.lever_fee_factor = 1.0 + self.p.levers.fee_uplift.fee_increase

    def on_approval(self, carer) -> None:
        """A household was approved: a word-of-mouth recruit earns its recruiter a bonus (referral_incentives)."""
        if carer.source == "word_of_mouth" and self.lever("referral_incentives"):
            self.incentive_bonuses += 1

    def on_fee_uplift(self) -> None:
        """Called at each annual fee uplift: the lever's extra uplift."""
        if self.active and self.on["fee_uplift"]:
            self.lever_fee_factor *= 1.0 + self.p.levers.fee_uplift.extra_uplift_per_year

    def lever(self, name: str) -> bool:
        """Is the lever switched on and acting this week?"""
        return self.active and self.on[name]

    def ramp(self, years: float) -> float:
        """Share of a learning lever's full effect reached this week (linear over ``years``)."""
        if not self.active:
            return 0.0
        if years <= 0:
            return 1.0
        return min(1.0, self.week / (years * WEEKS_PER_YEAR))

    # -- posts -------------------------------------------------------------
    def funded_posts(self) -> dict:
        """Posts each funder pays for this week: {(funder, role): count}.

        Core posts are the scheme's own (scheme.*) less any funding cut of that post."""
        p, lv = self.p, self.p.levers
        cut = self.cuts
        posts = {
            ("core", Role.SCHEME_WORKER): max(0, p.scheme.scheme_workers - cut.get(Role.SCHEME_WORKER, 0)),
            ("core", Role.RECRUITMENT_OFFICER): max(
                0, p.scheme.recruitment_officers - cut.get(Role.RECRUITMENT_OFFICER, 0)
            ),
        }
        if self.lever("extra_workers"):
            posts[("lever:extra_workers", Role.SCHEME_WORKER)] = lv.extra_workers.posts
        if self.lever("recruitment_post"):
            posts[("lever:recruitment_post", Role.RECRUITMENT_OFFICER)] = lv.recruitment_post.posts
        unit = self.unit_costs()
        for name, e in self.events:
            if e.kind == "investment" and e.active(self.week):
                role = POST_ROLE[e.post]
                posts[(f"investment:{name}", role)] = int(e.size // unit[role]) if unit[role] > 0 else 0
        self.council_posts = [(end, n) for end, n in self.council_posts if end > self.week]
        n_council = sum(n for _, n in self.council_posts)
        if n_council:
            posts[("council", Role.SCHEME_WORKER)] = n_council
        return posts

    def unit_costs(self) -> dict:
        """Cost of a post by role, GBP/year."""
        return self._unit

    def council_invests(self, n_posts: int) -> None:
        years = self.p.council.investment_years
        self.council_posts.append((self.week + int(round(years * WEEKS_PER_YEAR)), n_posts))
        self.posts_may_change = True

    def council_posts_now(self) -> int:
        return sum(n for end, n in self.council_posts if end > self.week)

    # -- behaviour modifiers ------------------------------------------------
    def refer_bonus(self, team: str) -> float:
        """Log-odds added to a referral decision in ``team``."""
        if not self.active:
            return 0.0
        bonus = 0.0
        if self.on["colocation"] and team in self.colocated:
            bonus += self.p.levers.colocation.refer_weight
        if self.on["referral_route"]:
            bonus += self.p.levers.referral_route.refer_weight
        return bonus

    def sl_by_default(self, team: str) -> bool:
        return self.by_default[team] or (self.active and team in self._default_lever)

    def decision_factor(self) -> float:
        """Share of support decisions still made (pandemic: referrals paused)."""
        return max(0.0, 1.0 - self.pandemic * self.p.shocks.pandemic.decision_reduction)

    def enquiry_factor(self) -> float:
        return max(0.0, 1.0 - self.pandemic * self.p.shocks.pandemic.enquiry_reduction)

    def monitoring_factor(self) -> float:
        return 1.0 + self.pandemic * self.p.shocks.pandemic.monitoring_increase

    def satisfaction_shift(self) -> float:
        """Added to every household's satisfaction target this week."""
        shift = -self.pandemic * self.p.shocks.pandemic.satisfaction_drop
        if self.lever("carer_support"):
            shift += self.p.levers.carer_support.satisfaction_boost
        return shift

    def paid_break_weeks(self) -> float:
        if self.lever("carer_support"):
            return self.p.levers.carer_support.paid_break_weeks_per_year
        return self.p.carers.paid_break_weeks_per_year

    def leadership_quality(self) -> float:
        if self.lever("leadership"):
            return self.p.levers.leadership.quality
        return self.p.scheme.leadership_quality

    def matching_weeks(self) -> int:
        w = self.p.workload.matching_weeks
        if self.lever("referral_route"):
            return min(w, self.p.levers.referral_route.matching_weeks)
        return w

    def assessment_weeks(self, base_weeks: int) -> int:
        if self.lever("peer_network"):
            cut = self.p.levers.peer_network.assessment_reduction * self.ramp(self.p.levers.peer_network.ramp_years)
            return max(1, int(round(base_weeks * (1.0 - cut))))
        return base_weeks

    def agreement(self, p_agree: float) -> float:
        if self.lever("peer_network"):
            gain = self.p.levers.peer_network.agreement_gain * self.ramp(self.p.levers.peer_network.ramp_years)
            return min(1.0, p_agree * (1.0 + gain))
        return p_agree

    def enquiry_conversion(self, p_apply: float) -> float:
        if self.lever("channel_tracking"):
            gain = self.p.levers.channel_tracking.conversion_gain * self.ramp(self.p.levers.channel_tracking.ramp_years)
            return min(1.0, p_apply * (1.0 + gain))
        return p_apply

    def word_of_mouth_factor(self) -> float:
        if self.lever("referral_incentives"):
            return self.p.levers.referral_incentives.word_of_mouth_multiplier
        return 1.0

    def champion_rules(self) -> tuple:
        """(successes to become a champion, a champion's contacts per year)."""
        sw = self.p.social_work
        if self.lever("sw_champions"):
            lv = self.p.levers.sw_champions
            return lv.champion_after_successes, lv.contacts_per_year
        return sw.champion_after_successes, sw.champion_contacts_per_year

    def investment_probability(self, evidence: float) -> float:
        """Chance the council funds a post at this review, from the levers that argue for it."""
        lv = self.p.levers
        stay = 1.0
        if self.lever("commissioner"):
            stay *= 1.0 - lv.commissioner.push
        if self.lever("leadership"):
            stay *= 1.0 - lv.leadership.advocacy
        if self.lever("business_case"):
            stay *= 1.0 - lv.business_case.evidence_weight * evidence
        return 1.0 - stay

    # -- costs ----------------------------------------------------------------
    def _running_by_lever(self, model) -> dict:
        """This week's running cost of each enabled lever (fixed cost, carer support, bonuses), GBP."""
        lv = self.p.levers
        out = {n: getattr(lv, n).annual_cost_gbp / WEEKS_PER_YEAR for n in LEVER_NAMES if self.on[n]}
        if self.on["carer_support"]:
            out["carer_support"] += model.registry.households() * lv.carer_support.cost_per_household_per_year_gbp / WEEKS_PER_YEAR
        if self.on["referral_incentives"]:
            out["referral_incentives"] += self.incentive_bonuses * lv.referral_incentives.bonus_gbp
        return out

    def extra_fees(self, model) -> float:
        """The part of this week's carer fees due to the fee_uplift lever, GBP."""
        factor = self.lever_fee_factor
        from simulation.processes.economy import carer_fees

        return carer_fees(model) * (1.0 - 1.0 / factor) if factor != 1.0 else 0.0

    def lever_costs(self, model) -> dict:
        """This week's cost attributed to each enabled lever, GBP (incl. its posts and extra fees)."""
        if not (self.active and self.any_lever):
            return {}
        lv = self.p.levers
        unit = self.unit_costs()
        out = self._running_by_lever(model)
        if self.on["extra_workers"]:
            out["extra_workers"] += lv.extra_workers.posts * unit[Role.SCHEME_WORKER] / WEEKS_PER_YEAR
        if self.on["recruitment_post"]:
            out["recruitment_post"] += lv.recruitment_post.posts * unit[Role.RECRUITMENT_OFFICER] / WEEKS_PER_YEAR
        if self.on["fee_uplift"]:
            out["fee_uplift"] += self.extra_fees(model)
        return out

    def running_costs(self, model) -> float:
        """Lever costs that are neither staff posts nor carer fees (fixed costs, support, bonuses)."""
        if not (self.active and self.any_lever):
            return 0.0
        return sum(self._running_by_lever(model).values())

    def evidence(self, savings_last_year: float) -> float:
        """Strength of the business case, 0-1, from measured savings."""
        threshold = self.p.levers.business_case.evidence_threshold_gbp
        return 0.0 if math.isnan(savings_last_year) else min(1.0, max(0.0, savings_last_year / threshold))
