"""The report's section "When growth fails": scenario discovery (PRIM) on a sweep with sampled parameters.

Only a sweep whose runs sample uncertain parameters (``experiment.sample``)
gets this section; see :mod:`slsim.analysis.scenario_discovery` for the method.
"""

import numpy as np
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from slsim.analysis import html as h
from slsim.analysis.labels import column_label, parameter_label
from slsim.analysis.scenario_discovery import OP_WORDS, Discovery, boxes_table, discover, parse_rule, uncertainties
from slsim.analysis.figures import PALETTE


def value(v: float) -> str:
    """A limit, readable whatever its scale: 12,000; 0.35; 0.0215."""
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def failure_words(found: Discovery) -> str:
    rule = found.rule
    if rule.text == "growth_people < 0":
        return "fewer people are supported at the end than at week 0"
    return f"{column_label(rule.outcome).lower()} is {OP_WORDS[rule.op]} {rule.value:g}"


def condition(row) -> str:
    """One limit in words: 'X is below 0.3', 'above', or 'between'."""
    low_cut, high_cut = row.low > row.sample_low, row.high < row.sample_high
    name = parameter_label(row.parameter)
    if low_cut and high_cut:
        return f"{name} is between {value(row.low)} and {value(row.high)}"
    if high_cut:
        return f"{name} is at most {value(row.high)}"
    return f"{name} is at least {value(row.low)}"


def box_figure(table, found: Discovery, fails) -> Figure:
    """The runs on the two most restricted parameters of the first box (a parameter it does not restrict
    when it restricts one), failing runs marked, the box drawn."""
    limits = found.boxes[0].limits.sort_values("qp", kind="stable")
    dims = list(limits["parameter"][:2])
    dims += [p for p in found.parameters if p not in dims][: 2 - len(dims)]
    fig = Figure(figsize=(6.4, 4.6), layout="constrained")
    ax = fig.subplots()
    colours = sns.color_palette(PALETTE)
    x, y = table[dims[0]].to_numpy(dtype=float), table[dims[1]].to_numpy(dtype=float)
    ax.scatter(x[~fails], y[~fails], s=10, color=colours[0], alpha=0.6, label="growth", linewidths=0)
    ax.scatter(x[fails], y[fails], s=14, color=colours[3], alpha=0.8, marker="x", label="growth fails", linewidths=1)
    lims = limits.set_index("parameter")
    corners = []
    for d, data in zip(dims, (x, y)):
        corners.append((lims.loc[d, "low"], lims.loc[d, "high"]) if d in lims.index else (data.min(), data.max()))
    (x0, x1), (y0, y1) = corners
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor="black", linewidth=1.5, label="box 1"))
    ax.set_xlabel(parameter_label(dims[0]), fontsize=9)
    ax.set_ylabel(parameter_label(dims[1]), fontsize=9)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def discovery_section(results, s, figure, add, csv) -> None:
    """Add the section's body (nothing when the sweep samples no parameters)."""
    table = results.ok
    params = uncertainties(results.config, table) if results.kind == "sweep" else []
    if not params:
        return
    rule = parse_rule(s.discovery_failure)
    if rule.outcome not in table.columns:
        add("discovery", f"<p class='note'>The runs have no outcome {h.esc(rule.outcome)}: nothing to look for.</p>")
        return
    found = discover(table, params, rule, s.discovery_min_density, s.discovery_max_qp, s.discovery_max_boxes)
    intro = (
        f"<p>A run <b>fails to grow</b> when {h.esc(failure_words(found))} ({h.esc(rule.text)}). "
        f"This study sampled {len(found.parameters)} uncertain parameters; growth failed in "
        f"{found.failures} of its {found.runs} complete runs ({found.failures / max(found.runs, 1):.0%}). "
        "PRIM (patient rule induction, ema_workbench) looks for ranges of the parameters where the failures "
        "gather.</p>"
    )
    add("discovery", intro)
    if not found.boxes:
        add("discovery", f"<p class='note'>{h.esc(found.note)}</p>")
        return
    explain = (
        "<p class='note'><b>Coverage</b> is the share of all failing runs that fall inside the box; "
        "<b>density</b> is the share of the runs inside the box that fail (the box chosen has the highest "
        f"coverage with a density of at least {found.min_density:.0%}; limits no better than chance, "
        f"quasi-p above {s.discovery_max_qp:g}, are dropped).</p>"
    )
    for n, box in enumerate(found.boxes, start=1):
        conditions = [condition(r) for r in box.limits.itertuples(index=False)]
        lead = "Growth fails" if n == 1 else "Growth also fails"
        add(
            "discovery",
            f"<p><b>{lead} when {h.esc(' and '.join(conditions))}</b>: "
            f"{box.failures} of the {box.runs} runs in this box fail ({box.density:.0%} density), "
            f"{box.coverage:.0%} of all failing runs (coverage).</p>",
        )
        head = [
            h.th("Parameter", cls="l"),
            h.th("Box: from"),
            h.th("to"),
            h.th("Sampled: from"),
            h.th("to"),
            h.th("Quasi-p", title="one-sided binomial test of the limit (Bryant and Lempert 2010)"),
        ]
        rows = [
            [
                h.td(parameter_label(r.parameter), cls="l", title=r.parameter),
                h.td(value(r.low)),
                h.td(value(r.high)),
                h.td(value(r.sample_low)),
                h.td(value(r.sample_high)),
                h.td("–" if np.isnan(r.qp) else f"{r.qp:.2g}"),
            ]
            for r in box.limits.itertuples(index=False)
        ]
        add("discovery", h.table(head, rows))
    add("discovery", explain)
    fails = rule.fails(table.dropna(subset=[*params, rule.outcome]))
    figure(
        "discovery",
        "discovery_box",
        box_figure(table.dropna(subset=[*params, rule.outcome]), found, fails),
        "Each run on two parameters of the first box: crosses fail to grow, dots grow; the rectangle is the "
        "box (parameters it does not show are free or limited as in the table).",
    )
    csv("discovery", boxes_table(found))
