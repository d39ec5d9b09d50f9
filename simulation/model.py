"""The Shared Lives scheme model: one scheme and the social-work teams that refer to it.

Time step: one week. Each ``step()`` runs, in this order:

0. **interventions** – levers (from week 1) and active events set this week's
   conditions; posts are created or removed as their funding starts or ends;
   the commissioner reviews the scheme once a year;
1. **economy** – prices rise weekly; carer fees are uplifted every 52 weeks;
2. **staff time** – the team spends its hours by priority (monitoring →
   matching and introductions → enquiries and assessments → outreach and
   recruitment), marking which tasks are served this week;
3. **carer pipeline** – new enquiries (publicity, recruitment hours, word of
   mouth, foster transitions); served enquiries and assessments progress;
   approvals; pipeline drop-outs;
4. **referrals arrive** – social workers meet people needing a decision and
   refer some to Shared Lives;
5. **matching** – waiting referrals are matched to compatible carers with a
   free place; served matching and introductions progress; both sides decide;
   placements;
6. **withdrawals** – people whose wait passed their tolerance are routed elsewhere;
7. **arrangements end** – breakdown (hazard this week), then planned endings and
   deaths due this week (drawn at placement: their hazard is constant);
8. **carers** – satisfaction moves, households age, some leave;
9. **social workers** – outreach and champion contacts, forgetting, turnover;
10. **collect** – one row of the weekly table (recorded weeks only).

Weeks run from ``-warmup_weeks`` (not recorded) through 0 (the state after
warm-up, the first row) to ``run.years * 52``.

Counters and per-stage registries are kept up to date as events happen
(dicts keyed by ``unique_id``, insertion-ordered, so iteration is
deterministic); nothing rescans all agents to find a stage.
"""

import heapq
import math
from itertools import chain

import mesa

from agents.carer import Carer, CarerWeek, draw_carer
from agents.commissioner import Commissioner
from agents.referral import ArrangementWeek, Referral
from agents.scheme_staff import SchemeStaff
from agents.social_worker import SocialWorker
from simulation.budget import apply_budget
from simulation.events import EventLog
from simulation.interventions import Interventions
from simulation.params import ARRANGEMENTS, BANDS, NEEDS, SlsimConfig
from simulation.reporters import WeeklyRecorder
from simulation.stages import CarerStage, ReferralStage, Role
from simulation.time_budget import WeekHours, allocate_staff_time
from simulation.units import per_week, weekly_probability


class SharedLivesModel(mesa.Model):
    """A weekly agent-based model of one Shared Lives scheme."""

    def __init__(self, params: SlsimConfig):
        if not isinstance(params, SlsimConfig):
            raise TypeError("SharedLivesModel takes SlsimConfig params (see simulation.config.load_params)")
        super().__init__(seed=params.run.seed)
        params = apply_budget(params)  # money -> posts and fees (unchanged without a budget)
        self.p = params
        self.week = -params.run.warmup_weeks
        self.horizon = params.weeks
        self.events = EventLog()

        self.carers = {s: {} for s in CarerStage.ALIVE}
        self.referrals = {s: {} for s in ReferralStage.OPEN}
        self.closed = {ReferralStage.ENDED: 0, ReferralStage.WITHDRAWN: 0}
        self.initial_people = 0  # people placed at initialisation (not referred)
        self.referred_total = 0
        self._opened = []  # log of carers where a place may have opened (approval, ending, release)
        self.people_by_kind = dict.fromkeys(ARRANGEMENTS, 0)
        self._scheduled_ends = []  # heap of (week, referral id, arrangement number, "planned" | "death")
        self.people_by_need = dict.fromkeys(NEEDS, 0)

        # economy (all money in £ at week-0 prices)
        self.price_index = 1.0
        self.nominal_fee_index = 1.0
        self.real_fee_index = 1.0
        self.expected_wait = params.social_work.initial_expected_wait_weeks

        self.hours = WeekHours()
        self.flows = dict.fromkeys(FLOWS, 0)
        self.satisfied_households = 0
        self.mean_satisfaction = math.nan  # of approved households, set each week by carers_week
        self._weeks_since_uplift = 0

        self._draw = _Drawers(params)
        self.iv = Interventions(params)
        self.commissioner = Commissioner(self)
        self.staff = self._build_staff()
        self._staff_version = 0  # bumped when posts change (staff costs are cached)
        self._staff_cost_cache = {}
        self.teams = {t.name: [] for t in params.social_work.teams}
        self.team_params = {t.name: t for t in params.social_work.teams}
        # support decisions per team per week (team sizes are fixed: leavers are replaced)
        self._decision_rates = [per_week(t.decisions_per_worker_per_year) * t.social_workers for t in params.social_work.teams]
        self._build_social_workers()
        self._build_carers_and_people()

        households = [c for st in CarerStage.HOUSEHOLDS for c in self.carers[st].values()]
        if households:
            self.mean_satisfaction = sum(c.satisfaction for c in households) / len(households)
        self.recorder = WeeklyRecorder(self)
        for _ in range(params.run.warmup_weeks):
            self.step()
        # money is in GBP at week-0 prices: rebase the price level (real fees unchanged)
        self.nominal_fee_index /= self.price_index
        self.price_index = 1.0
        self.recorder.collect()  # week 0

    # ------------------------------------------------------------------
    # initialisation
    # ------------------------------------------------------------------
    def _build_staff(self):
        s = self.p.scheme
        staff = list(
            SchemeStaff.create_agents(
                self, s.scheme_workers, role=Role.SCHEME_WORKER, hours_per_week=s.worker_hours_per_week, funder="core"
            )
        )
        staff += SchemeStaff.create_agents(
            self,
            1,
            role=Role.MANAGER,
            hours_per_week=s.manager_hours_per_week,
            frontline_share=s.manager_frontline_share,
            leadership=s.leadership_quality,
            funder="core",
        )
        staff += SchemeStaff.create_agents(
            self,
            s.recruitment_officers,
            role=Role.RECRUITMENT_OFFICER,
            hours_per_week=s.recruitment_officer_hours_per_week,
            funder="core",
        )
        return staff

    def _reconcile_posts(self):
        """Create or remove posts so each funder has the posts it pays for this week."""
        s = self.p.scheme
        hours = {
            Role.SCHEME_WORKER: s.worker_hours_per_week,
            Role.RECRUITMENT_OFFICER: s.recruitment_officer_hours_per_week,
            Role.OUTREACH_OFFICER: s.worker_hours_per_week,
        }
        wanted = self.iv.funded_posts()
        have = {}
        for member in self.staff:
            if member.role != Role.MANAGER:
                have.setdefault((member.funder, member.role), []).append(member)
        changed = False
        for key in sorted(set(have) | set(wanted)):
            funder, role = key
            n_want, members = wanted.get(key, 0), have.get(key, [])
            for _ in range(n_want - len(members)):
                self.staff.append(SchemeStaff(self, role=role, hours_per_week=hours[role], funder=funder))
                changed = True
            for member in reversed(members[n_want:]):  # newest first
                self._remove_post(member)
                changed = True
        if changed:
            self._staff_version += 1
            self._rebalance_caseloads()

    def _remove_post(self, member):
        self.staff.remove(member)
        for carer in list(member.caseload.values()):
            member.hand_over(carer)
        member.remove()

    def _rebalance_caseloads(self):
        """Households without a worker (after posts went) go to the worker with the fewest."""
        for stage in CarerStage.HOUSEHOLDS:
            for carer in self.carers[stage].values():
                if carer.worker is None:
                    self._allocate_worker(carer)

    @property
    def scheme_workers(self):
        return [s for s in self.staff if s.role == Role.SCHEME_WORKER]

    def _build_social_workers(self):
        sw = self.p.social_work
        for team in sw.teams:
            n = team.social_workers
            awareness = self._draw.awareness(self.rng, sw.initial_awareness_mean, n)
            tenure = self.rng.exponential(52.0 / max(sw.turnover_per_year, 1e-9), n).astype(int)
            agents = SocialWorker.create_agents(
                self, n, team=team.name, awareness=list(awareness), trust=sw.trust_prior, joined_week=list(self.week - tenure)
            )
            self.teams[team.name].extend(agents)

    def _build_carers_and_people(self):
        s, cp = self.p.scheme, self.p.carers
        for _ in range(s.initial_carers_approved):
            carer = Carer(self, stage=CarerStage.APPROVED, **draw_carer(self, "initial", cp))
            self.carers[CarerStage.APPROVED][carer.unique_id] = carer
            self._allocate_worker(carer)
        for _ in range(s.initial_people_supported):
            person = self._draw.person(self.random, initial=True)
            candidates = self._candidates(_PersonView(person))
            if not candidates:
                continue
            carer = self.random.choice(candidates)
            ref = Referral(
                self,
                **person,
                team="",
                referrer=None,
                tolerance_weeks=0,
                stage=ReferralStage.ARRANGED,
            )
            self.initial_people += 1
            self.referrals[ReferralStage.ARRANGED][ref.unique_id] = ref
            self._start_arrangement(ref, carer, detail="initial")
            ref.arranged_week = self.week - self.p.workload.new_arrangement_weeks  # settled arrangements
        for _ in range(s.initial_carers_in_assessment):
            carer = self._new_carer("initial", CarerStage.ASSESSMENT, cp.assessment_weeks)
            carer.work_weeks = self.random.randrange(cp.assessment_weeks)
        for _ in range(s.initial_enquiries):
            self._new_carer("initial", CarerStage.ENQUIRY, cp.enquiry_weeks)

    # ------------------------------------------------------------------
    # the week
    # ------------------------------------------------------------------
    def step(self):
        self.week += 1
        self.flows = dict.fromkeys(FLOWS, 0)
        self.interventions_week()
        self.update_economy()
        self.hours = allocate_staff_time(self)
        self.carer_pipeline()
        self.referrals_arrive()
        self.match()
        self.withdraw_waiting()
        self.end_arrangements()
        self.carers_week()
        self.social_workers_week()
        if self.week > 0:  # week 0 is collected once, at the end of __init__
            self.recorder.collect()

    def run(self):
        """Run to the horizon; the model is then complete."""
        while self.week < self.horizon:
            self.step()
        return self

    # 0. interventions ---------------------------------------------------
    def interventions_week(self):
        iv = self.iv
        iv.begin_week(self.week)
        if iv.active and iv.on["sw_champions"] and self.week == 1:
            self._appoint_champions(self.p.levers.sw_champions.initial_champions_per_team)
        council = self.p.council
        if iv.active and self.week % council.review_every_weeks == 0:
            savings = self.recorder.savings_last_year()
            n = self.commissioner.review(iv, council, savings)
            if n:
                self.flows["council_investments"] += n
        if iv.posts_may_change:  # week 1, event starts and ends, council decisions and expiries
            self._reconcile_posts()

    def _appoint_champions(self, per_team):
        for workers in self.teams.values():
            for worker in sorted(workers, key=lambda w: (-w.awareness, w.unique_id))[:per_team]:
                worker.champion = True

    # 1. economy -------------------------------------------------------
    def update_economy(self):
        e = self.p.economics
        self.price_index *= (1.0 + e.inflation_per_year + self.iv.extra_inflation) ** (1.0 / 52.0)
        self._weeks_since_uplift += 1
        if self._weeks_since_uplift >= 52:
            self._weeks_since_uplift = 0
            self.nominal_fee_index *= 1.0 + e.fee_uplift_per_year
            self.iv.on_fee_uplift()
        self.real_fee_index = self.nominal_fee_index * self.iv.lever_fee_factor / self.price_index

    # 3. carer pipeline -------------------------------------------------
    def carer_pipeline(self):
        cp = self.p.carers
        rng = self.rng
        iv = self.iv
        attract = self.real_fee_index**cp.enquiry_fee_elasticity * iv.enquiry_factor()
        publicity = per_week(cp.base_enquiries_per_year) * attract
        campaign = self.hours.recruitment * self.p.workload.enquiries_per_recruitment_hour * attract
        wom = per_week(cp.word_of_mouth_enquiries_per_year) * self.satisfied_households * attract
        wom *= iv.word_of_mouth_factor()
        if iv.lever("carer_champions"):
            lv = self.p.levers.carer_champions
            wom += per_week(lv.enquiries_per_champion_per_year) * min(lv.champions, self.satisfied_households) * attract
        foster = per_week(cp.foster_transitions_per_year)
        # scalar draws: numpy's per-call cost for a small vector is ~15x a scalar draw's
        for source, lam in (("campaign", publicity + campaign), ("word_of_mouth", wom)):
            for _ in range(rng.poisson(lam) if lam > 0 else 0):
                self._new_carer(source, CarerStage.ENQUIRY, cp.enquiry_weeks)
        for _ in range(rng.poisson(foster) if foster > 0 else 0):
            self._foster_transition()

        p_enquiry_drop = weekly_probability(cp.enquiry_dropout_per_year)
        for carer in list(self.carers[CarerStage.ENQUIRY].values()):
            if carer.drops_out(p_enquiry_drop):
                self._carer_leaves(carer, "enquiry_dropout")
            elif carer.progress_pipeline():
                if carer.decide_to_apply(iv.enquiry_conversion(cp.enquiry_to_assessment)):
                    self._set_carer_stage(carer, CarerStage.ASSESSMENT)
                    carer.work_weeks, carer.work_weeks_needed = 0, iv.assessment_weeks(cp.assessment_weeks)
                    self.events.record(self.week, "assessment_start", carer=carer.unique_id, detail=carer.source)
                else:
                    self._carer_leaves(carer, "not_applying")

        p_assess_drop = weekly_probability(cp.assessment_dropout_per_year)
        for carer in list(self.carers[CarerStage.ASSESSMENT].values()):
            if carer.drops_out(p_assess_drop):
                self._carer_leaves(carer, "assessment_dropout")
            elif carer.progress_pipeline():
                self._set_carer_stage(carer, CarerStage.APPROVED)
                self._allocate_worker(carer)
                self._opened.append(carer)
                self.flows["carers_approved"] += 1
                if carer.source == "word_of_mouth" and iv.lever("referral_incentives"):
                    iv.incentive_bonuses += 1
                self.events.record(self.week, "carer_approved", carer=carer.unique_id, detail=carer.source)

    def _new_carer(self, source, stage, weeks_needed):
        carer = Carer(self, stage=stage, work_weeks_needed=weeks_needed, **draw_carer(self, source, self.p.carers))
        self.carers[stage][carer.unique_id] = carer
        if stage == CarerStage.ENQUIRY:
            self.flows["enquiries"] += 1
            self.events.record(self.week, "enquiry", carer=carer.unique_id, detail=source)
        return carer

    def _foster_transition(self):
        """A foster carer applies with the young person turning 18 in their care."""
        cp, rp = self.p.carers, self.p.referrals
        carer = self._new_carer("foster", CarerStage.ENQUIRY, cp.foster_assessment_weeks)
        person = self._draw.person(self.random)
        person.update(arrangement="live_in", crisis=False)
        carer.offers = carer.offers | {"live_in", "short_break"}
        carer.skills = carer.skills | {person["need"]}
        carer.max_complexity = max(carer.max_complexity, person["complexity"])
        # foster carers skip the enquiry decision: straight into a shorter assessment
        self._set_carer_stage(carer, CarerStage.ASSESSMENT)
        self.events.record(self.week, "assessment_start", carer=carer.unique_id, detail="foster")
        team = "transitions" if "transitions" in self.teams else next(iter(self.teams))
        referrer = self.random.choice(self.teams[team])
        ref = self._refer(person, team, referrer, rp.planned_wait_tolerance_weeks + cp.foster_assessment_weeks)
        ref.linked_carer = carer

    # 4. referrals arrive -------------------------------------------------
    def referrals_arrive(self):
        sw, rp = self.p.social_work, self.p.referrals
        rng, rnd = self.rng, self.random
        iv = self.iv
        factor = iv.decision_factor()
        for (name, workers), rate in zip(self.teams.items(), self._decision_rates):
            team = self.team_params[name]
            lam = rate * factor
            for _ in range(rng.poisson(lam) if lam > 0 else 0):
                self.flows["support_decisions"] += 1
                worker = rnd.choice(workers)
                crisis = rnd.random() < team.crisis_share
                if worker.decide_to_refer(sw, crisis, self.expected_wait, iv.sl_by_default(name), iv.refer_bonus(name)):
                    person = self._draw.person(rnd)
                    person["crisis"] = crisis
                    tolerance = rp.crisis_wait_tolerance_weeks if crisis else rp.planned_wait_tolerance_weeks
                    self._refer(person, name, worker, tolerance)

    def _refer(self, person, team, worker, tolerance):
        ref = Referral(self, **person, team=team, referrer=worker, tolerance_weeks=tolerance)
        self.referrals[ReferralStage.REFERRED][ref.unique_id] = ref
        self.referred_total += 1
        self.flows["referrals"] += 1
        self.events.record(
            self.week,
            "referral",
            referral=ref.unique_id,
            social_worker=worker.unique_id,
            team=team,
            detail=ref.arrangement,
        )
        return ref

    # 5. matching ---------------------------------------------------------
    def _candidates(self, ref, pool=None):
        """Approved households in ``pool`` (default: all) with a free place whose make-up fits."""
        if pool is None:
            pool = chain(self.carers[CarerStage.ACTIVE].values(), self.carers[CarerStage.APPROVED].values())
        excluded = ref.excluded
        kind, need, complexity = ref.arrangement, ref.need, ref.complexity
        return [
            carer
            for carer in pool
            if carer.capacity - len(carer.placed) - carer.reserved > 0
            and kind in carer.offers
            and need in carer.skills
            and complexity <= carer.max_complexity
            and carer.unique_id not in excluded
        ]

    def match(self):
        rp, cp = self.p.referrals, self.p.carers
        waiting = self.referrals[ReferralStage.REFERRED]
        opened = self._opened
        now = len(opened)
        households = CarerStage.HOUSEHOLDS
        # crisis first, then planned; oldest first within each
        for ref in sorted(waiting.values(), key=_match_priority):
            since = ref.scan_version
            if since == now:
                continue  # no place has opened since this person was last searched for
            if since < 0 or ref.linked_carer is not None:
                candidates = self._candidates(ref)
            else:
                # places only open through logged events, so a person who found no
                # match before only needs the carers logged since (same result, cheaper)
                fresh = dict.fromkeys(c for c in opened[since:] if c.stage in households)
                candidates = self._candidates(ref, fresh)
            ref.scan_version = now
            carer = ref.choose_carer(candidates)
            if carer is not None:
                carer.reserved += 1
                ref.carer = carer
                ref.work_weeks = 0
                self._set_referral_stage(ref, ReferralStage.MATCHING)
                self.events.record(self.week, "matching_start", referral=ref.unique_id, carer=carer.unique_id)

        for ref in list(self.referrals[ReferralStage.MATCHING].values()):
            if ref.progress(self.iv.matching_weeks()):
                ref.work_weeks = 0
                self._set_referral_stage(ref, ReferralStage.INTRODUCTIONS)
                self.events.record(self.week, "introductions_start", referral=ref.unique_id, carer=ref.carer.unique_id)

        for ref in list(self.referrals[ReferralStage.INTRODUCTIONS].values()):
            if not ref.progress(int(rp.introduction_weeks.get(ref.arrangement))):
                continue
            carer = ref.carer
            carer.reserved -= 1
            iv = self.iv
            if ref.agree_to_match(iv.agreement(rp.person_agrees)) and carer.agree_to_match(iv.agreement(cp.carer_agrees)):
                self._set_referral_stage(ref, ReferralStage.ARRANGED)
                self._start_arrangement(ref, carer, detail=ref.arrangement)
                self.flows["placements"] += 1
                self._observe_wait(self.week - ref.referred_week)
                if ref.referrer is not None and ref.referrer.in_post:
                    ref.referrer.learn_placed(self.p.social_work, self.iv.champion_rules()[0])
            else:
                self._back_to_waiting(ref, "declined")

    def _observe_wait(self, weeks):
        """Social workers' belief about the scheme's wait, from placements and withdrawals."""
        a = self.p.social_work.expected_wait_smoothing
        self.expected_wait += a * (weeks - self.expected_wait)

    def _back_to_waiting(self, ref, detail):
        carer = ref.carer
        ref.excluded.add(carer.unique_id)
        ref.carer = None
        ref.work_weeks = 0
        ref.scan_version = -1
        self._set_referral_stage(ref, ReferralStage.REFERRED)
        self._opened.append(carer)
        self.events.record(
            self.week, "match_declined", referral=ref.unique_id, carer=carer.unique_id, detail=detail
        )

    def _start_arrangement(self, ref, carer, detail):
        ref.carer = carer
        ref.arranged_week = self.week
        ref.set_end_rate(self.p.referrals)
        ref.arrangement_no += 1
        scheduled = ref.schedule_end(self.rng, self.week)
        if scheduled is not None:
            heapq.heappush(self._scheduled_ends, (scheduled[0], ref.unique_id, ref.arrangement_no, scheduled[1]))
        carer.take_in(ref)
        self.people_by_kind[ref.arrangement] += 1
        self.people_by_need[ref.need] += 1
        if carer.stage == CarerStage.APPROVED:
            self._set_carer_stage(carer, CarerStage.ACTIVE)
        self.events.record(self.week, "placement", referral=ref.unique_id, carer=carer.unique_id, detail=detail)

    # 6. withdrawals --------------------------------------------------------
    def withdraw_waiting(self):
        for stage in (ReferralStage.REFERRED, ReferralStage.MATCHING):
            for ref in list(self.referrals[stage].values()):
                if ref.gives_up():
                    if ref.carer is not None:
                        ref.carer.reserved -= 1
                        self._opened.append(ref.carer)
                        ref.carer = None
                    self._close_referral(ref, ReferralStage.WITHDRAWN)
                    self.flows["withdrawals"] += 1
                    self._observe_wait(self.week - ref.referred_week)
                    self.events.record(self.week, "withdrawal", referral=ref.unique_id, team=ref.team)
                    if ref.referrer is not None and ref.referrer.in_post:
                        ref.referrer.learn_routed_elsewhere(self.p.social_work)

    # 7. arrangements end ---------------------------------------------------
    def end_arrangements(self):
        """Breakdowns by thinning at this week's upper-bound hazard, then the planned
        endings and deaths scheduled for this week (drawn at placement)."""
        week = ArrangementWeek(self.p.referrals, self.hours.coverage)
        arranged = self.referrals[ReferralStage.ARRANGED]
        k = self.rng.binomial(len(arranged), week.p_upper) if arranged and week.p_upper > 0 else 0
        if k:
            for ref in self.random.sample(list(arranged.values()), k):
                if ref.breaks_down(week):
                    self._end_arrangement(ref, "breakdown")
        due = self._scheduled_ends
        while due and due[0][0] <= self.week:
            _, ref_id, number, reason = heapq.heappop(due)
            ref = arranged.get(ref_id)
            if ref is not None and ref.arrangement_no == number:  # still that arrangement
                self._end_arrangement(ref, reason)

    def _rematch(self, ref):
        """The carer left: the arrangement ends and the person waits to be matched again."""
        carer = ref.carer
        self._release_place(ref, "carer_left")
        ref.excluded.add(carer.unique_id)
        ref.carer = None
        ref.work_weeks = 0
        ref.scan_version = -1
        ref.crisis = False
        ref.referred_week = self.week
        ref.withdraw_week = self.week + self.p.referrals.planned_wait_tolerance_weeks
        self._set_referral_stage(ref, ReferralStage.REFERRED)
        self.flows["rematch_referrals"] += 1
        self.events.record(self.week, "referral", referral=ref.unique_id, team=ref.team, detail="rematch")

    def _release_place(self, ref, reason):
        carer = ref.carer
        carer.let_go(ref)
        self.people_by_kind[ref.arrangement] -= 1
        self.people_by_need[ref.need] -= 1
        if not carer.placed and carer.stage == CarerStage.ACTIVE:
            self._set_carer_stage(carer, CarerStage.APPROVED)
        self._opened.append(carer)
        self.flows["arrangements_ended"] += 1
        self.events.record(self.week, "arrangement_end", referral=ref.unique_id, carer=carer.unique_id, detail=reason)

    def _end_arrangement(self, ref, reason):
        self._release_place(ref, reason)
        self._close_referral(ref, ReferralStage.ENDED)
        if reason == "breakdown":
            self.flows["breakdowns"] += 1

    # 8. carers ---------------------------------------------------------------
    def carers_week(self):
        cp = self.p.carers
        iv = self.iv
        week = CarerWeek(
            cp,
            self.real_fee_index,
            self.hours.coverage,
            self.random,
            shift=iv.satisfaction_shift(),
            paid_break_weeks=iv.paid_break_weeks(),
            retirement_factor=iv.retirement_factor,
        )
        threshold = cp.satisfied_threshold
        satisfied = 0
        total, n = 0.0, 0  # satisfaction of the households that stay, for the weekly table
        for stage in CarerStage.HOUSEHOLDS:
            for carer in list(self.carers[stage].values()):
                reason = carer.live_week(week)
                if reason is not None:
                    self._carer_leaves(carer, reason)
                    continue
                total += carer.satisfaction
                n += 1
                if carer.placed and carer.recommends(threshold):
                    satisfied += 1  # word of mouth comes from satisfied active carers
        for stage in CarerStage.PIPELINE:
            for carer in self.carers[stage].values():
                carer.grow_older()
        self.satisfied_households = satisfied
        self.mean_satisfaction = total / n if n else math.nan

    def _carer_leaves(self, carer, reason):
        household = carer.stage in CarerStage.HOUSEHOLDS
        for ref in list(carer.placed):
            self._rematch(ref)
        if carer.reserved:
            for stage in (ReferralStage.MATCHING, ReferralStage.INTRODUCTIONS):
                for ref in list(self.referrals[stage].values()):
                    if ref.carer is carer:
                        carer.reserved -= 1
                        self._back_to_waiting(ref, "carer_left")
        del self.carers[carer.stage][carer.unique_id]
        carer.stage = CarerStage.LEFT
        if carer.worker is not None:
            carer.worker.hand_over(carer)
        if household:
            self.flows["carer_exits"] += 1
        else:
            self.flows["pipeline_dropouts"] += 1
        self.events.record(self.week, "carer_exit", carer=carer.unique_id, detail=reason)
        carer.remove()

    # 9. social workers ---------------------------------------------------------
    def social_workers_week(self):
        sw, w = self.p.social_work, self.p.workload
        rnd = self.random
        gain = w.awareness_gain_per_contact
        # outreach contacts land in teams in proportion to their size
        contacts = self.hours.outreach * w.social_workers_reached_per_outreach_hour
        n_contacts = self.rng.poisson(contacts) if contacts > 0 else 0
        if n_contacts:
            everyone = self._all_social_workers()
            for _ in range(n_contacts):
                rnd.choice(everyone).hear_about_shared_lives(gain)
        iv = self.iv
        p_champion = weekly_probability(iv.champion_rules()[1])
        for name in self.hours.meetings:  # team meetings held this week: everyone hears
            for worker in self.teams[name]:
                worker.hear_about_shared_lives(gain)
        if iv.lever("colocation"):
            p_colocated = weekly_probability(self.p.levers.colocation.contacts_per_worker_per_year)
            for name in iv.colocated:
                for worker in self.teams[name]:
                    if rnd.random() < p_colocated:
                        worker.hear_about_shared_lives(gain)
        keep = math.exp(-sw.awareness_decay_per_year / 52.0)
        for workers in self.teams.values():
            for worker in workers:
                if worker.champion and len(workers) > 1 and rnd.random() < p_champion:
                    colleague = rnd.choice(workers)
                    if colleague is not worker:
                        colleague.hear_about_shared_lives(gain)
                worker.forget(keep)
        self._turnover(weekly_probability(sw.turnover_per_year * iv.turnover_factor))

    def _all_social_workers(self):
        return [w for workers in self.teams.values() for w in workers]

    def _turnover(self, p_leave):
        total = sum(len(w) for w in self.teams.values())
        n = self.rng.binomial(total, p_leave) if p_leave > 0 else 0
        if not n:
            return
        sw = self.p.social_work
        everyone = [(name, i) for name, workers in self.teams.items() for i in range(len(workers))]
        for name, i in self.random.sample(everyone, n):
            old = self.teams[name][i]
            old.in_post = False
            new = SocialWorker(
                self,
                team=name,
                awareness=float(self._draw.awareness(self.rng, sw.newcomer_awareness_mean, 1)[0]),
                trust=sw.trust_prior,
            )
            self.teams[name][i] = new
            self.flows["social_worker_turnover"] += 1
            self.events.record(self.week, "social_worker_turnover", social_worker=old.unique_id, team=name)
            old.remove()

    # ------------------------------------------------------------------
    # bookkeeping
    # ------------------------------------------------------------------
    def _set_carer_stage(self, carer, stage):
        del self.carers[carer.stage][carer.unique_id]
        carer.stage = stage
        carer.served = False  # this week's hours were for the old stage
        carer.stage_week = self.week
        self.carers[stage][carer.unique_id] = carer

    def _set_referral_stage(self, ref, stage):
        del self.referrals[ref.stage][ref.unique_id]
        ref.stage = stage
        ref.served = False  # this week's hours were for the old stage
        self.referrals[stage][ref.unique_id] = ref

    def _close_referral(self, ref, stage):
        del self.referrals[ref.stage][ref.unique_id]
        ref.stage = stage
        ref.carer = None
        self.closed[stage] += 1
        ref.remove()

    def _allocate_worker(self, carer):
        workers = self.scheme_workers
        if workers:
            min(workers, key=lambda s: (len(s.caseload), s.unique_id)).take_on(carer)

    def staff_cost_per_week(self, funder_prefix: str = "") -> float:
        """Cost of the posts in post this week (optionally of one funder), GBP."""
        key = (len(self.staff), self._staff_version, funder_prefix)
        cached = self._staff_cost_cache.get(key)
        if cached is None:
            unit = self.iv.unit_costs()
            cached = sum(unit[s.role] for s in self.staff if s.funder.startswith(funder_prefix)) / 52.0
            self._staff_cost_cache = {k: v for k, v in self._staff_cost_cache.items() if k[:2] == key[:2]}
            self._staff_cost_cache[key] = cached
        return cached

    def carer_fees_this_week(self) -> float:
        """Carer care-and-support fees this week, GBP at week-0 prices."""
        fees = self.p.economics.carer_fee_per_week
        return self.real_fee_index * sum(self.people_by_kind[k] * fees.get(k) for k in ARRANGEMENTS)

    def households(self) -> int:
        return len(self.carers[CarerStage.APPROVED]) + len(self.carers[CarerStage.ACTIVE])


FLOWS = (
    "enquiries",
    "carers_approved",
    "carer_exits",
    "pipeline_dropouts",
    "support_decisions",
    "referrals",
    "placements",
    "withdrawals",
    "arrangements_ended",
    "rematch_referrals",
    "council_investments",
    "breakdowns",
    "social_worker_turnover",
)


def _match_priority(ref):
    return (not ref.crisis, ref.unique_id)


class _PersonView:
    """Attribute view of a drawn person (for compatibility checks before an agent exists)."""

    def __init__(self, person):
        self.__dict__.update(person)
        self.excluded = ()


class _Drawers:
    """Draws of people and awareness, with weights normalised once."""

    def __init__(self, p: SlsimConfig):
        rp = p.referrals
        self.needs = NEEDS
        self.need_w = rp.needs_mix.shares()
        self.kinds = ARRANGEMENTS
        self.kind_w = rp.arrangement_mix.shares()
        self.initial_kind_w = p.scheme.initial_arrangement_mix.shares()
        self.bands = tuple(range(1, len(BANDS) + 1))
        self.band_w = rp.complexity_mix.shares()
        self.concentration = p.social_work.awareness_concentration

    def person(self, rnd, initial=False) -> dict:
        return dict(
            need=rnd.choices(self.needs, weights=self.need_w)[0],
            complexity=rnd.choices(self.bands, weights=self.band_w)[0],
            arrangement=rnd.choices(self.kinds, weights=self.initial_kind_w if initial else self.kind_w)[0],
            crisis=False,
        )

    def awareness(self, rng, mean, n):
        k = self.concentration
        return rng.beta(mean * k, (1.0 - mean) * k, n)
