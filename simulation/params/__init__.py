"""The typed parameter tree of slsim.

One immutable dataclass per config group. The YAML files under ``configs/`` hold
every default value, with its unit and source (or *assumption*) beside it;
fields here are ``MISSING`` so there is exactly one place a number lives.
The tree is registered with Hydra's ConfigStore as the schema of the YAML
(``slsim.experiments.settings.register_schema``), so a wrong type or an unknown key fails at composition,
and the root's ``__post_init__`` checks ranges, naming each field by its
dotted path, when the config is turned into objects. Only the root
(:class:`ModelParams`, or the experiments' :class:`~slsim.experiments.settings.SlsimConfig`) validates: a group built on its own (for example
``dataclasses.replace(params.scheme, ...)``) is checked when it is put back
into a root with ``dataclasses.replace(params, scheme=...)``, and the model
accepts only a root.

Conventions (Starsim-style, see docs/ODD.md):
* rates are **per year** (``*_per_year``) and converted to weekly
  probabilities in one place, :mod:`slsim.simulation.units`;
* durations are in **weeks** (``*_weeks``) unless the name says years;
* money is in **£ at week-0 prices**;
* probabilities and shares lie in [0, 1].


Modules: :mod:`.mixes`, :mod:`.scheme` (run, workload, scheme, economics,
council) and :mod:`.people` (carers, referrals, social work); the levers'
parameters live with the levers (:mod:`slsim.simulation.levers`), the events' with
the shocks (:mod:`slsim.simulation.shocks`), the budget's with the budget
(:mod:`slsim.simulation.budget`), the validator in :mod:`slsim.simulation.validation`.
"""

import math
from dataclasses import dataclass

from omegaconf import MISSING

from slsim.simulation.budget import BUDGET_CHANNELS, BUDGET_POST_CHANNELS, BudgetParams, BudgetShares, week0_fee_bill  # noqa: F401
from slsim.simulation.categories import ARRANGEMENTS, BANDS, NEEDS  # noqa: F401 (re-exported)
from slsim.simulation.levers import LEVER_NAMES, LeversParams  # noqa: F401 (each lever's parameters live in its module)
from slsim.simulation.mixes import (
    ArrangementMix,
    BandMix,
    CapacityMix,
    NeedsMix,
    PerArrangement,
    PerNeed,
    SkillProbabilities,
)
from slsim.simulation.params.people import CarerParams, ReferralParams, SocialWorkParams, TeamParams  # noqa: F401
from slsim.simulation.params.scheme import CouncilParams, EconomicsParams, RunParams, SchemeParams, WorkloadParams  # noqa: F401
from slsim.simulation.shocks import CUT_POSTS, POSTS, SHOCK_KINDS, ShockEvent, ShocksParams  # noqa: F401
from slsim.simulation.validation import (  # noqa: F401 (ConfigError and the bounds, for callers)
    HAZARD_MAX,
    HOURS_MAX,
    LEVER_COST_MAX,
    LOG_ODDS_MAX,
    MAX_BOUGHT_POSTS,
    MAX_DECISIONS_PER_YEAR,
    MAX_EVENTS,
    MAX_FEE_GROWTH,
    MAX_INITIAL_PEOPLE,
    MAX_INVESTMENT_GBP,
    MAX_SOCIAL_WORKERS,
    MAX_TEAMS,
    STAFF_COST_MAX,
    WEEKS_MAX,
    WEIGHT_MAX,
    YEARS_MAX,
    ConfigError,
    _Sealed,
    _V,
    _walk,
)


@dataclass
class ModelParams(_Sealed):
    """Root of the model's parameters (what a run needs; the experiment settings are added by
    :class:`slsim.experiments.settings.SlsimConfig`, the root ``configs/config.yaml`` composes to)."""

    run: RunParams = MISSING
    scheme: SchemeParams = MISSING
    workload: WorkloadParams = MISSING
    carers: CarerParams = MISSING
    referrals: ReferralParams = MISSING
    social_work: SocialWorkParams = MISSING
    economics: EconomicsParams = MISSING
    council: CouncilParams = MISSING
    levers: LeversParams = MISSING
    shocks: ShocksParams = MISSING
    budget: BudgetParams = MISSING

    def __post_init__(self):
        _walk(self, "")
        super().__post_init__()

    def check(self, v: _V):
        """Cross-group rules: names that must exist, events inside the horizon, no contradictions."""
        teams = {t.name for t in self.social_work.teams}
        for lever in ("colocation", "team_meetings", "sl_by_default"):
            for i, name in enumerate(getattr(self.levers, lever).teams):
                if name not in teams:
                    raise ConfigError(
                        f"levers.{lever}.teams[{i}]={name!r}: unknown team (teams: {', '.join(sorted(teams))})"
                    )
        horizon = self.run.years * 52
        by_kind = {}
        for name, event in self.shocks.events.items():
            if event.start_week > horizon:
                raise ConfigError(
                    f"shocks.events.{name}.start_week={event.start_week}: allowed 1 <= x <= {horizon} "
                    f"(the horizon, run.years * 52)"
                )
            by_kind.setdefault(event.kind, []).append((name, event))
        for kind, named in by_kind.items():
            if kind == "investment":
                continue  # investments add up
            named.sort(key=lambda ne: ne[1].start_week)
            for (n1, e1), (n2, e2) in zip(named, named[1:]):
                if e2.start_week < e1.end_week:
                    raise ConfigError(
                        f"shocks.events.{n2}: overlaps shocks.events.{n1} (both {kind}, weeks "
                        f"{e1.start_week}-{e1.end_week - 1} and {e2.start_week}-{e2.end_week - 1}); "
                        "allowed: events of one kind that do not overlap"
                    )
        self._check_budget(horizon)
        self._check_sizes()

    def _spent(self) -> dict:
        """{channel: GBP/year} the budget spends ({} when nothing is spent)."""
        b, shares = self.budget, self.budget.shares.normalised()
        if b.gbp_per_year <= 0 or not any(shares.values()):
            return {}
        return {c: b.gbp_per_year * share for c, share in shares.items()}

    def _budget_fee_rise(self) -> float:
        """The real fee rise the budget buys (a fraction; 0 without one)."""
        money = self._spent()
        if not money.get("fees"):
            return 0.0
        bill = week0_fee_bill(self)
        return money["fees"] / bill if bill > 0 else math.inf

    def _check_sizes(self) -> None:
        """What the run will hold must fit: events, posts bought, and how far fees can carry enquiries."""
        money = self._spent()
        budget_events = [c for c in BUDGET_POST_CHANNELS if money.get(c, 0) > 0]
        if len(self.shocks.events) + len(budget_events) > MAX_EVENTS:
            raise ConfigError(
                f"shocks.events: {len(self.shocks.events)} events (and {len(budget_events)} from the budget); "
                f"allowed at most {MAX_EVENTS} in all"
            )
        e = self.economics
        unit = e.post_costs()
        events = self.shocks.events.items()
        bought = [(f"shocks.events.{n}", ev.size, ev.post) for n, ev in events if ev.kind == "investment"]
        bought += [(f"budget.shares.{c}", money[c], BUDGET_POST_CHANNELS[c]) for c in budget_events]
        posts = 0
        for where, gbp, post in bought:
            posts += int(gbp // unit[post]) if unit[post] > 0 else 0
            if posts > MAX_BOUGHT_POSTS:
                raise ConfigError(
                    f"{where}: investments and the budget would buy {posts} or more posts (GBP a year / "
                    f"economics.{post}_cost_per_year, counted as if all at once); allowed at most {MAX_BOUGHT_POSTS}"
                )
        # real fees: fee_uplift_per_year against inflation, compounded over warm-up and horizon,
        # raise enquiries as (real fee index)^carers.enquiry_fee_elasticity (model.carer_pipeline)
        lv = self.levers.fee_uplift
        rise = self._budget_fee_rise() + (lv.fee_increase if lv.enabled else 0.0)
        if self._spent().get("fees") and not -0.5 <= rise <= 2.0:
            raise ConfigError(
                f"budget.gbp_per_year={self.budget.gbp_per_year}: the fee share buys a real fee rise of {rise:.3g} "
                f"(money / the week-0 fee bill, with levers.fee_uplift.fee_increase); allowed -0.5 <= x <= 2.0"
            )
        extra = lv.extra_uplift_per_year if lv.enabled else 0.0
        per_year = (1 + e.fee_uplift_per_year) * (1 + max(extra, 0.0)) / (1 + e.inflation_per_year)
        years = (self.run.warmup_weeks + self.weeks) / 52 + 2  # whole uplifts either side of the span
        log_growth = math.log1p(max(rise, 0.0)) + years * math.log(max(per_year, 1.0))
        log_enquiries = log_growth * self.carers.enquiry_fee_elasticity
        if max(log_growth, log_enquiries) > math.log(MAX_FEE_GROWTH):

            def fold(x):
                return f"{math.exp(min(x, 700.0)):.3g}"

            raise ConfigError(
                f"economics.fee_uplift_per_year={e.fee_uplift_per_year}: real carer fees could grow up to "
                f"{fold(log_growth)}-fold over the run (against economics.inflation_per_year={e.inflation_per_year}, "
                "with the fee_uplift lever and a budget's fee rise, over warm-up and horizon), multiplying "
                f"enquiries up to {fold(log_enquiries)}-fold (carers.enquiry_fee_elasticity="
                f"{self.carers.enquiry_fee_elasticity}); allowed at most {MAX_FEE_GROWTH:g}-fold"
            )

    def _check_budget(self, horizon: int) -> None:
        """A budget that will be spent must fit the run (simulation/budget.py spends it)."""
        b, money = self.budget, self.budget.shares.normalised()
        if b.gbp_per_year <= 0 or not any(money.values()):
            return  # nothing is spent
        if b.start_week > horizon:
            raise ConfigError(
                f"budget.start_week={b.start_week}: allowed 1 <= x <= {horizon} (the horizon, run.years * 52)"
            )
        for channel in BUDGET_POST_CHANNELS:
            name = f"budget_{channel}"
            if money[channel] > 0 and name in self.shocks.events:
                raise ConfigError(f"shocks.events.{name}: the name is kept for the budget; allowed: another name")
        if money["fees"] > 0:
            if b.start_week != 1:
                raise ConfigError(
                    f"budget.start_week={b.start_week}: a fee rise starts in week 1 (with levers); "
                    "allowed: 1, or budget.shares.fees 0"
                )
            if week0_fee_bill(self) <= 0:
                raise ConfigError(
                    "budget.shares.fees: the week-0 fee bill is 0 (no people or no fees); allowed: fees 0"
                )

    @property
    def weeks(self) -> int:
        """Recorded horizon in weeks (after warm-up)."""
        return self.run.years * 52
