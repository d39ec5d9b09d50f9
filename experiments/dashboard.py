"""The dashboard: explore one scheme week by week in the browser (Mesa's SolaraViz).

Run it with ``slsim-dashboard`` (:mod:`slsim.experiments.dashboard_cli`), which starts
``solara run`` on this module. The sidebar holds Mesa's controls (Reset, play,
Step) and the inputs: the main parameters, a shock, the levers, and more
overrides as typed after ``slsim``. Inputs take effect on Reset, which builds a
:class:`~slsim.experiments.dashboard_model.DashboardModel`: the config is
composed and checked as for ``slsim``, and a refused input is shown as the same
one-line message. Step 0 is week 0, the state after warm-up.

The main area shows the scheme (the equivalent ``slsim`` command, the week) and
three plots of the weekly table (:mod:`slsim.simulation.recorder`): people
supported by arrangement type, the carer pipeline by stage, and staff hours by
activity. Each plot is an SVG whose lines carry ids ``<plot>:<column>``, and a
caption gives the weeks plotted and the latest values.
"""

import shlex
import warnings

# Mesa 3.3's ComponentsView calls a hook after an early return; newer Solara warns about it on import
warnings.filterwarnings("ignore", message="(?s).*use_state. found despite early return", category=UserWarning)

import solara  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from mesa.visualization import SolaraViz  # noqa: E402

from slsim.experiments.dashboard_model import (  # noqa: E402
    LEVER_PREFIX,
    SLIDERS,
    DashboardModel,
    defaults,
    levers,
    shocks,
)
from slsim.simulation.categories import ARRANGEMENTS  # noqa: E402
from slsim.simulation.processes.staff_time import ACTIVITIES  # noqa: E402
from slsim.simulation.stages import CarerStage  # noqa: E402

TITLE = "slsim: one Shared Lives scheme"
# plot name -> (title, y label, {column of the weekly table: legend label})
PLOTS = {
    "people": (
        "People supported by arrangement type",
        "people",
        {f"people_{k}": k.replace("_", " ") for k in ARRANGEMENTS},
    ),
    "pipeline": ("Carer households by pipeline stage", "households", {f"carers_{s}": s for s in CarerStage.ALIVE}),
    "hours": (
        "Staff hours by activity",
        "hours a week",
        {"hours_available": "available", **{f"hours_{a}": a for a in ACTIVITIES}},
    ),
}


def model_params() -> dict:
    """SolaraViz's inputs: a slider per main parameter (at the default config's value), the
    shock, a switch per lever, and a text field of more overrides."""
    values = defaults()
    out = {}
    for name, (_key, label, lo, hi, step) in SLIDERS.items():
        kind = "SliderFloat" if isinstance(lo, float) else "SliderInt"
        out[name] = {"type": kind, "value": values[name], "label": label, "min": lo, "max": hi, "step": step}
    out["shock"] = {"type": "Select", "value": "none", "values": list(shocks()), "label": "Shock"}
    for lever in levers():
        out[LEVER_PREFIX + lever] = {"type": "Checkbox", "value": False, "label": f"Lever: {lever}"}
    out["more"] = {"type": "InputText", "value": "", "label": "More overrides (key=value ..., as after slsim; Enter)"}
    return out


def scheme_card(model: DashboardModel):
    """What runs: the equivalent ``slsim`` command and the week; or why nothing runs."""
    with solara.Card("Scheme", classes=["slsim-scheme"]) as card, solara.Column(gap="6px"):
        if model.error is not None:
            solara.Error(f"Refused: {model.error}", classes=["slsim-refused"])
            solara.Text("Nothing runs: fix the inputs, then press Reset.")
        else:
            solara.Text(
                f"Week {model.week} of {model.horizon} (step 0 is week 0, after warm-up)", classes=["slsim-week"]
            )
            solara.Text(f"Levers on: {', '.join(model.levers_on) or 'none'}; shock: {model.shock}")
            solara.Text("Same run on the command line:")
            words = map(shlex.quote, ["slsim", *model.overrides])
            with solara.Column(classes=["slsim-command"]):
                solara.Preformatted(" \\\n    ".join(words))  # one override a line
            solara.Text("Change the inputs, then press Reset.")
    return card


def plot_figure(name: str, table, horizon: int) -> Figure:
    """Plot ``name`` of :data:`PLOTS` from the weekly table (the first year's axis until the run
    passes it, then the weeks so far; at most ``horizon``); each line's SVG id is ``name:column``."""
    title, ylabel, columns = PLOTS[name]
    fig = Figure(figsize=(6.4, 3.6), layout="constrained")
    ax = fig.subplots()
    for column, label in columns.items():
        if column in table:
            marker = "." if len(table) < 2 else None  # a lone week is a dot
            style = ":" if column == "hours_available" else "-"  # the capacity the activities share
            ax.plot(table["week"], table[column], style, label=label, gid=f"{name}:{column}", marker=marker)
    last = int(table["week"].iloc[-1]) if len(table) else 0
    ax.set(title=title, xlabel="week", ylabel=ylabel, xlim=(0, max(min(52, horizon), last, 1)))  # a year, then all
    ax.set_ylim(bottom=0)
    if len(table):
        fig.legend(loc="outside lower center", fontsize="small", ncol=min(len(columns), 4), frameon=False)
    return fig


def caption(name: str, table) -> str:
    if not len(table):
        return "Nothing plotted: the inputs were refused."
    _title, _ylabel, columns = PLOTS[name]
    last = table.iloc[-1]
    values = ", ".join(f"{label} {last[c]:.4g}" for c, label in columns.items())
    return f"{len(table)} weeks plotted; week {int(last['week'])}: {values}"


def plot_component(name: str):
    """A SolaraViz component drawing plot ``name`` (redrawn after every step or reset)."""

    def component(model: DashboardModel):
        table = model.table()
        with solara.Column(classes=[f"slsim-plot-{name}"]) as column:
            solara.FigureMatplotlib(plot_figure(name, table, model.horizon), format="svg")
            solara.Text(caption(name, table), classes=["slsim-caption"])
        return column

    component.__name__ = f"{name}_plot"
    return component


COMPONENTS = [(scheme_card, 0), *((plot_component(name), 0) for name in PLOTS)]


@solara.component
def Page():
    """The page ``solara run`` serves: a model per browser session, built from the default inputs."""
    model = solara.use_memo(DashboardModel, [])
    SolaraViz(model, components=COMPONENTS, model_params=model_params(), name=TITLE, play_interval=50)
