"""A growth lever: its parameters, when it acts, and what it changes.

A lever is a subclass of :class:`Lever` in the module of its SASCI capability
(``collaboration``, ``leadership``, ``evidence``, ``workforce``), listed in
that module's ``LEVERS``. It has a name (its key under ``levers.`` in the
config), a parameter dataclass (``Params``, a :class:`LeverParams`, beside it
in the module, validated with the rest of the tree), its parameters
(``self.p``: the ``levers.<name>`` node), an activity
:class:`~slsim.simulation.window.Window` (levers act from week 1: week 0 is the state
after warm-up, the same for every scenario, so scenarios compare seed by
seed), and hooks. Every hook defaults to "no effect", so a lever overrides
only what it changes. :class:`slsim.simulation.conditions.Conditions` asks the
levers acting this week, in the order of :data:`slsim.simulation.levers.LEVERS`,
and combines their answers into the week's snapshot.

Hooks that pass a value along (``enquiry_conversion``, ``agreement`` ...)
receive the value so far and return it changed; the others return the
lever's own contribution. See ``docs/adding_a_lever.md`` for a worked example.
"""

from slsim.simulation.units import WEEKS_PER_YEAR
from slsim.simulation.validation import LEVER_COST_MAX, _Sealed, _V
from slsim.simulation.window import Window


class LeverParams(_Sealed):
    """Parameters every lever has: ``enabled`` and a fixed ``annual_cost_gbp`` (each lever's own
    dataclass, beside it in its module, adds the rest; the YAML is ``configs/base/levers.yaml``)."""

    def check(self, v: _V):
        v.non_negative("annual_cost_gbp", hi=LEVER_COST_MAX)


class Lever:
    Params = LeverParams  # the dataclass of levers.<name>
    name = ""  # key under levers.* in the config
    window = Window(start_week=1)  # acts from week 1 to the end of the run

    def __init__(self, params, model_params):
        self.p = params  # this lever's parameters (levers.<name>)
        self.model_params = model_params

    def ramp(self, week: int, years: float) -> float:
        """Share of a learning lever's full effect reached in ``week`` (linear over ``years`` from week 0)."""
        if years <= 0:
            return 1.0
        return min(1.0, week / (years * WEEKS_PER_YEAR))

    # -- once, and every week ---------------------------------------------------
    def start(self, model) -> None:
        """The first week the lever acts."""

    def begin_week(self, week: int) -> None:
        """A new week in which the lever acts (reset what it counts per week)."""

    # -- social workers' referral decision --------------------------------------
    def refer_log_odds(self, team: str) -> float:
        """Log-odds added to a referral decision in ``team``."""
        return 0.0

    def by_default(self, team: str) -> bool:
        """Does ``team`` consider Shared Lives by default in care planning?"""
        return False

    def contacts(self) -> tuple:
        """(team, weekly probability) of each worker meeting the scheme this week."""
        return ()

    def champion_rules(self, rules: tuple) -> tuple:
        """(successes to become a champion, a champion's contacts per year)."""
        return rules

    # -- the scheme's staff --------------------------------------------------------
    def leadership_quality(self, quality: float) -> float:
        return quality

    def meetings_due(self, week: int) -> tuple:
        """(team, hours) of meetings with social-work teams due this week (booked outreach)."""
        return ()

    def posts(self) -> dict:
        """{(funder, role): posts} the lever pays for."""
        return {}

    def matching_weeks(self, weeks: int, week: int) -> int:
        return weeks

    # -- carers ------------------------------------------------------------------------
    def word_of_mouth(self, factor: float) -> float:
        """Multiplier on word-of-mouth enquiries."""
        return factor

    def champion_enquiries(self) -> tuple | None:
        """(enquiries a week per champion, champions at most) from carer champions, or None."""
        return None

    def enquiry_conversion(self, p_apply: float, week: int) -> float:
        return p_apply

    def assessment_weeks(self, weeks: int, week: int) -> int:
        return weeks

    def agreement(self, p_agree: float, week: int) -> float:
        return p_agree

    def satisfaction_shift(self) -> float:
        """Added to every household's satisfaction target."""
        return 0.0

    def paid_break_weeks(self, weeks: float) -> float:
        return weeks

    def fee_factor(self) -> float:
        """Multiplier on carer fees the lever has brought about so far."""
        return 1.0

    def on_fee_uplift(self) -> None:
        """The annual fee uplift happened."""

    def on_approval(self, carer) -> None:
        """A household was approved."""

    # -- the council -------------------------------------------------------------------
    def investment_stay(self, stay: float, savings_last_year: float) -> float:
        """Chance so far that the council does *not* invest at this review, times the lever's."""
        return stay

    # -- costs (GBP a week) ------------------------------------------------------------
    def running_cost(self, model) -> float:
        """The lever's own running cost this week (not its posts or extra fees)."""
        return self.p.annual_cost_gbp / WEEKS_PER_YEAR

    def posts_and_fees_cost(self, model, unit_costs: dict) -> float:
        """This week's cost of the posts the lever pays for and of the fees it adds."""
        return 0.0
