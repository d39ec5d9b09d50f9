"""The scheme as it stands when a run starts (before warm-up).

``build(model)`` creates, in this order (agent ids follow it): the scheme team
(scheme workers, the manager, recruitment officers), each social-work team,
the approved households, the people already placed with them, the
households in assessment and the open enquiries. Every draw comes from the
model's generators.
"""

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
        n = team.social_workers
        awareness = model.draw.awareness(model.rng, sw.initial_awareness_mean, n)
        tenure = model.rng.exponential(WEEKS_PER_YEAR / max(sw.turnover_per_year, 1e-9), n).astype(int)
        agents = SocialWorker.create_agents(
            model,
            n,
            team=team.name,
            awareness=list(awareness),
            trust=sw.trust_prior,
            joined_week=list(model.week - tenure),
        )
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
        fits = candidates(model, _PersonView(person))
        if not fits:
            continue
        Referral.placed_at_start(model, person, model.random.choice(fits))
    for _ in range(s.initial_carers_in_assessment):
        carer = Carer.enquire(model, "initial", cp.assessment_weeks, stage=CarerStage.ASSESSMENT)
        carer.work_weeks = model.random.randrange(cp.assessment_weeks)
    for _ in range(s.initial_enquiries):
        Carer.enquire(model, "initial", cp.enquiry_weeks)


class _PersonView:
    """Attribute view of a drawn person (for compatibility checks before an agent exists)."""

    def __init__(self, person):
        self.__dict__.update(person)
        self.excluded = ()


class Drawers:
    """Draws of people and awareness, with weights normalised once."""

    def __init__(self, p: ModelParams):
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
