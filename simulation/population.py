"""The scheme as it stands when a run starts (before warm-up).

``build(model)`` creates, in this order (agent ids follow it): the scheme team
(scheme workers, the manager, recruitment officers), each social-work team,
the approved households, the people already placed with them, the
households in assessment, the open enquiries and the planned referrals
waiting. Every draw comes from the
model's generators.
"""

import math

from slsim.agents.carer import Carer, draw_carer
from slsim.agents.referral import Referral
from slsim.agents.scheme_staff import SchemeStaff, StaffList
from slsim.agents.social_worker import SocialWorker
from slsim.simulation.params import ARRANGEMENTS, BANDS, NEEDS, ModelParams
from slsim.simulation.processes.matching import candidates
from slsim.simulation.stages import CarerStage, Role
from slsim.simulation.units import WEEKS_PER_YEAR


def build(model) -> None:
    model.staff = build_staff(model)
    build_social_workers(model)
    build_carers_and_people(model)


def build_staff(model) -> StaffList:
    s = model.p.scheme
    staff = StaffList(
        SchemeStaff.create_agents(
            model, s.scheme_workers, role=Role.SCHEME_WORKER, hours_per_week=s.worker_hours_per_week, funder="core"
        )
    )
    staff += SchemeStaff.create_agents(
        model,
        1,
        role=Role.MANAGER,
        hours_per_week=s.manager_hours_per_week,
        frontline_share=s.manager_frontline_share,
        leadership=s.leadership_quality,
        funder="core",
    )
    staff += SchemeStaff.create_agents(
        model,
        s.recruitment_officers,
        role=Role.RECRUITMENT_OFFICER,
        hours_per_week=s.recruitment_officer_hours_per_week,
        funder="core",
    )
    return staff


def build_social_workers(model) -> None:
    sw = model.p.social_work
    for team in sw.teams:
        n = sw.size(team)
        awareness = model.draw.awareness(model.rng, sw.initial_awareness_mean, n)
        tenure = model.rng.exponential(WEEKS_PER_YEAR / max(sw.turnover_per_year, 1e-9), n).astype(int)
        agents = SocialWorker.create_agents(
            model,
            n,
            team=team.name,
            awareness=list(awareness),
            trust=sw.initial_trust,
            joined_week=list(model.week - tenure),
        )
        if sw.initial_champion_share > 0:  # workers whose past referrals made them champions already
            for worker, u in zip(agents, model.rng.random(n)):
                if u < sw.initial_champion_share:
                    worker.successes, worker.champion = sw.champion_after_successes, True
        model.teams[team.name].extend(agents)


def build_carers_and_people(model) -> None:
    s, cp = model.p.scheme, model.p.carers
    carers = model.registry.carers
    for _ in range(s.initial_carers_approved):
        carer = Carer(model, stage=CarerStage.APPROVED, **draw_carer(model, "initial", cp))
        carers[CarerStage.APPROVED][carer.unique_id] = carer
        carer.allocate_worker()
    for _ in range(s.initial_people_supported):
        person = model.draw.person(model.random, initial=True)
        view = _PersonView(model, person)
        fits = candidates(model, view)
        if not fits:
            carer = _household_for(model, view)
            if carer is None:
                continue  # every place is taken: the configured people outnumber the places
            fits = [carer]
        Referral.placed_at_start(model, person, model.random.choice(fits))
    for _ in range(s.initial_carers_in_assessment):
        carer = Carer.enquire(model, "initial", cp.assessment_weeks, stage=CarerStage.ASSESSMENT)
        carer.work_weeks = model.random.randrange(cp.assessment_weeks)
    for _ in range(s.initial_enquiries):
        Carer.enquire(model, "initial", cp.enquiry_weeks)
    build_waiting_referrals(model)


def build_waiting_referrals(model) -> None:
    """Planned referrals already waiting when the run starts (the referral pipeline in flight),
    from teams in proportion to their support decisions, referred up to half a tolerance ago."""
    n = model.p.scheme.initial_referrals
    rates = model.decision_rates
    if not n or sum(rates) <= 0:
        return
    rnd, tolerance = model.random, model.p.referrals.planned_wait_tolerance_weeks
    names = list(model.teams)
    for _ in range(n):
        team = rnd.choices(names, weights=rates)[0]
        person = model.draw.person(rnd, team=team)
        waited = rnd.randrange(tolerance // 2 + 1)
        ref = Referral.refer(model, person, team, rnd.choice(model.teams[team]), tolerance - waited)
        ref.referred_week -= waited


def _household_for(model, person: "_PersonView"):
    """An approved household with a free place for someone already placed whom no household's
    drawn make-up fits: a household that supports a person can support them, so its make-up
    widens to the person (arrangement offered, need, complexity band). None if no place is free."""
    free = [
        c
        for st in CarerStage.HOUSEHOLDS
        for c in model.registry.carers[st].values()
        if c.has_room_for(person) and (person.arrangement == "day_support" or "live_in" in c.offers)
    ]
    if not free:
        return None
    carer = model.random.choice(free)
    carer.offers = carer.offers | {person.arrangement}
    carer.skills = carer.skills | {person.need}
    carer.max_complexity = max(carer.max_complexity, person.complexity)
    return carer


class _PersonView:
    """Attribute view of a drawn person (for compatibility checks before an agent exists)."""

    def __init__(self, model, person):
        self.__dict__.update(person)
        self.slots = model.slots[person["arrangement"]]
        self.alone = model.lives_alone(person["arrangement"], person["complexity"])
        self.excluded = ()


class Drawers:
    """Draws of people and awareness, with weights normalised once."""

    def __init__(self, p: ModelParams):
        rp = p.referrals
        self.needs = NEEDS
        self.need_w = rp.needs_mix.shares()
        self.team_need_w = {  # a team's own needs mix (mental-health, older-adults teams), else the scheme's
            t.name: t.needs_mix.shares() if t.needs_mix is not None else self.need_w for t in p.social_work.teams
        }
        self.kinds = ARRANGEMENTS
        self.kind_w = rp.arrangement_mix.shares()
        self.initial_kind_w = p.scheme.initial_arrangement_mix.shares()
        self.bands = tuple(range(1, len(BANDS) + 1))
        self.band_w = self.base_band_w = rp.complexity_mix.shares()
        self.complexity_shift = 0.0
        self.concentration = p.social_work.awareness_concentration

    def person(self, rnd, initial=False, team=None) -> dict:
        """A person placed at the start (``initial``) or referred by ``team`` (its needs mix)."""
        need_w = self.need_w if team is None else self.team_need_w[team]
        return dict(
            need=rnd.choices(self.needs, weights=need_w)[0],
            complexity=rnd.choices(self.bands, weights=self.band_w)[0],
            arrangement=rnd.choices(self.kinds, weights=self.initial_kind_w if initial else self.kind_w)[0],
            crisis=False,
        )

    def shift_complexity(self, shift: float) -> None:
        """Referrals grow more complex: band b's weight x exp(shift x (b - 2)) (a ``referral_complexity`` event)."""
        if shift != self.complexity_shift:
            self.complexity_shift = shift
            self.band_w = tuple(w * math.exp(shift * (b - 2)) for b, w in zip(self.bands, self.base_band_w))

    def awareness(self, rng, mean, n):
        k = self.concentration
        return rng.beta(mean * k, (1.0 - mean) * k, n)
