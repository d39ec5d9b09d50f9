"""The report's sections, answer first, written into a report folder (:func:`write`).

``index.html`` (one self-contained file, figures embedded), ``figures/*.png``
and ``tables/*.csv`` (tidy and numeric, code names as column names).
"""

import io

import pandas as pd

from slsim.analysis import figures
from slsim.analysis import html as h
from slsim.analysis.answer import money, uncertainty
from slsim.analysis.labels import scenario_label
from slsim.analysis.results import Results
from slsim.analysis.settings import Settings
from slsim.analysis.cost_section import costbenefit_html
from slsim.analysis.discovery_section import discovery_section
from slsim.analysis.scheme_types import KIND, kind_label, scheme_types_section
from slsim.analysis.other_sections import made_by, other_sections
from slsim.analysis.report_tables import answer_html, outcome_table
from slsim.analysis.variance import split_html

SECTIONS = (
    ("answer", "The answer: each option against the baseline"),
    ("summary", "About this study"),
    ("effects", "Effects against the baseline"),
    ("costbenefit", "Costs and benefits against the baseline"),
    ("outcomes", "Outcomes by scenario"),
    ("growth", "Growth"),
    ("pipeline", "Carer pipeline"),
    ("stafftime", "Staff time"),
    ("shocks", "Shocks and recovery"),
    ("sensitivity", "Sensitivity"),
    ("discovery", "When growth fails"),
    ("schemetypes", "Which levers matter where"),
    ("optimisation", "Optimisation"),
    ("configuration", "Configuration"),
    ("assumptions", "Assumptions and sources"),
    ("failed", "Failed or damaged runs"),
)
OPTIONAL = ("discovery", "schemetypes")  # sections left out when the study has nothing for them (the others say so)
SHOWN_OUTCOMES = (
    "people_supported_end",
    "carers_recruited",
    "referrals_received",
    "referrals_placed",
    "referrals_withdrawn",
    "mean_wait_to_placement_weeks",
)


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return buf.getvalue()


def write(results: Results, s: Settings, t: dict, folder) -> None:
    (folder / "figures").mkdir()
    (folder / "tables").mkdir()
    body = {key: [] for key, _ in SECTIONS}
    baseline, years = t["baseline"], t["years"]
    ok, weekly = results.ok, results.weekly
    seeds = sorted(ok["seed"].dropna().unique())
    rank = dict(zip(t["answer"]["scenario"], t["answer"]["rank"])) if "answer" in t else {}

    def figure(section, name, fig, caption):
        data = _png(fig)
        (folder / "figures" / f"{name}.png").write_bytes(data)
        body[section].append(h.figure(data, caption))

    def csv(name, frame, index=False):
        if frame is not None and not frame.empty:
            frame.to_csv(folder / "tables" / f"{name}.csv", index=index)

    def add(section, text):
        body[section].append(text)

    def note(section, text):
        body[section].append(f"<p class='note'>{h.esc(text)}</p>")

    def ordered(frame):  # rows in the answer's order (rank), the study's order without one
        if not rank:
            return frame
        return frame.assign(_r=frame["scenario"].map(rank)).sort_values("_r", kind="stable").drop(columns="_r")

    # the answer
    if "focus_kind" in t:  # a sweep over kinds of scheme: the answer, effects and costs of one kind
        kind = kind_label(t["focus_kind"])
        for section in ("answer", "effects", "costbenefit"):
            note(
                section,
                f"This study runs {ok['scenario'].str.extract(KIND)[0].nunique()} kinds of scheme; this section is "
                f"for the {kind[:1].lower()}{kind[1:]} only, each option against that kind's own baseline. "
                "Every kind is compared in “Which levers matter where”; for another kind's answer: "
                "slsim-report --baseline 'levers=none scheme_type=KIND'.",
            )
    if "answer" in t:
        add("answer", answer_html(t["answer"], baseline, len(seeds), years, s, t.get("variance")))
        csv("answer", t["answer"])
    else:
        note(
            "answer",
            "One scenario or no baseline: nothing to compare, so no answer to rank. The outcomes, growth "
            "and costs of this study are below.",
        )

    # about this study
    summary = pd.DataFrame(
        {
            "value": [
                str(results.root),
                results.kind,
                str(ok["experiment"].iloc[0] if "experiment" in ok else ""),
                f"{len(ok)} complete, {int((results.runs['status'] == 'failed').sum())} failed"
                + (f", {damaged} damaged" if (damaged := int((results.runs["status"] == "damaged").sum())) else ""),
                str(results.runs["scenario"].nunique()),
                f"{len(seeds)} ({', '.join(map(str, seeds[:12]))}{'...' if len(seeds) > 12 else ''})",
                f"{years:g}",
                (f"{scenario_label(baseline)} ({baseline})" if scenario_label(baseline) != baseline else baseline)
                if baseline
                else "none",
                f"£{s.savings_per_person_year:,.0f} per live-in person a year (range "
                f"{', '.join(f'£{x:,.0f}' for x in s.savings_range)}; Shared Lives Plus 2024)",
                uncertainty(len(seeds), t.get("draws_note")),
            ]
        },
        index=[
            "folder",
            "kind",
            "experiment",
            "runs",
            "scenarios",
            "seeds",
            "years recorded",
            "baseline",
            "saving against the alternative",
            "intervals",
        ],
    )
    add("summary", h.frame_table(summary.rename_axis("item")))
    csv("summary", summary, index=True)

    # effects
    if "effects" in t:
        eff = t["effects"]
        figure(
            "effects",
            "tornado",
            figures.tornado(eff, f"extra people supported at the end, against {figures.short(baseline)}"),
            f"Effect of each scenario on people supported at the end, against {scenario_label(baseline)}, "
            "seeds paired.",
        )
        head = [h.th("#"), h.th("Option", cls="l"), h.label_th("pairs"), h.label_th("effect"), h.label_th("sd")]
        rows = [
            [
                h.td(rank.get(r.scenario, "")),
                h.scenario_td(r.scenario),
                h.td(r.pairs),
                h.td(*h.ci(r.effect, r.ci_low, r.ci_high, h.people, sign=True)),
                h.td(h.number(r.sd, 1)),
            ]
            for r in ordered(eff).itertuples(index=False)
        ]
        add(
            "effects",
            h.details(
                "The effects as a table (the answer's first columns, with the spread of the paired differences)",
                h.table(head, rows),
            ),
        )
        csv("effects", eff)
        if "variance" in t:  # calibration=posterior: parameter uncertainty and seed noise
            add("effects", split_html(t["variance"], ordered))
            csv("variance", t["variance"])
    else:
        note("effects", "One scenario or no baseline: no effects to show.")

    # costs and benefits
    if "answer" in t:
        costbenefit_html(t, s, seeds, years, figure, add, csv, ordered)
    else:
        note("costbenefit", "One scenario or no baseline: no comparison to show.")
    spend = t["spending"]
    spend_head = [h.th("Scenario", cls="l"), *[h.label_th(c) for c in dict.fromkeys(spend["outcome"])]]
    spend_rows = []
    for scenario, one in spend.groupby("scenario", sort=False):
        spend_rows.append(
            [
                h.scenario_td(scenario),
                *[h.td(*h.ci(r.mean, r.ci_low, r.ci_high, money)) for r in one.itertuples(index=False)],
            ]
        )
    add(
        "costbenefit",
        h.details(
            f"What each scenario spends and saves over the {years:g} years (totals, not against the baseline)",
            "<p class='note'>Totals over the recorded years, mean over seeds with 95% intervals. These are "
            "levels, not effects: compare options with the tables above. Each run's own figures against its "
            "week 0 are in tables/cost_benefit.csv.</p>" + h.table(spend_head, spend_rows),
            is_open="answer" not in t,
        ),
    )
    csv("cost_benefit", t["cost_benefit_runs"])

    # outcomes
    means = t["means"]
    outcomes = list(dict.fromkeys(means["outcome"]))
    shown = [o for o in SHOWN_OUTCOMES if o in outcomes]
    add("outcomes", "<p>Mean over seeds, with its 95% interval below it, of each run's outcomes.</p>")
    add("outcomes", outcome_table(means, shown))
    add("outcomes", h.details("All outcomes", outcome_table(means, [o for o in outcomes if o not in shown])))
    csv("outcomes", means)

    # growth
    figure(
        "growth",
        "fan_chart",
        figures.fan_chart(weekly),
        "People supported over time by scenario: median, 50% and 90% of runs.",
    )
    growth = t["growth"].set_index("scenario")
    head = [
        h.th("Scenario", cls="l"),
        h.th("Growth of people supported, % a year", title="cagr"),
        h.label_th("median_weeks_to_target"),
        h.label_th("share_reaching_target"),
    ]
    rows = [
        [
            h.scenario_td(sc),
            h.td(*h.ci(g["mean"] * 100, g["ci_low"] * 100, g["ci_high"] * 100, lambda x: h.number(x, 2))),
            h.td(h.number(t["target"].loc[sc, "median_weeks_to_target"], 0)),
            h.td(f"{t['target'].loc[sc, 'share_reaching_target']:.0%}"),
        ]
        for sc, g in growth.iterrows()
    ]
    add(
        "growth",
        f"<p>Compound annual growth from week 0 to the end; weeks to reach {s.target_people:g} people "
        "(median over the runs that reach it; share of runs reaching it).</p>" + h.table(head, rows),
    )
    csv("growth", t["growth_runs"])

    # pipeline, staff time
    figure(
        "pipeline",
        "pipeline_funnel",
        figures.pipeline_funnel(weekly),
        "Carer pipeline: enquiries and approvals over the run, households and active households at the end.",
    )
    staff_scenario = baseline if baseline in set(weekly["scenario"]) else weekly["scenario"].iloc[0]
    figure(
        "stafftime",
        "staff_time",
        figures.staff_time(weekly, staff_scenario),
        f"Staff hours by activity, mean over the runs of {scenario_label(staff_scenario)}.",
    )

    other_sections(results, t, figure, add, note, csv)
    discovery_section(results, s, figure, add, csv)
    scheme_types_section(results, s, figure, add, csv)
    header = (
        f"<h1>slsim report: {h.esc(ok['experiment'].iloc[0] if 'experiment' in ok else results.kind)} study</h1>"
        f"<p>{h.esc(results.root)} · {_n(len(ok), 'run')} · {_n(results.runs['scenario'].nunique(), 'scenario')}"
        f" · {_n(len(seeds), 'seed')} · {_n(years, 'year')} recorded</p>"
    )
    sections = [(k, title, "".join(body[k])) for k, title in SECTIONS if body[k] or k not in OPTIONAL]
    (folder / "index.html").write_text(
        h.page(f"slsim report: {results.root}", header, sections, "answer", made_by(results.runs))
    )


def _n(count, noun: str) -> str:
    return f"{count:g} {noun}{'' if count == 1 else 's'}"
