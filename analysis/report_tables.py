"""HTML of the report's two main tables: the answer (each option against the baseline) and the
outcomes by scenario, with plain labels and intervals (:mod:`slsim.analysis.html`)."""

import pandas as pd

from slsim.analysis import html as h
from slsim.analysis.answer import NOTES, findings, money
from slsim.analysis.labels import scenario_label
from slsim.analysis.settings import Settings
from slsim.analysis.variance import split_sentence


def answer_html(a: pd.DataFrame, baseline: str, seeds: int, years: float, s: Settings, split=None) -> str:
    """The answer table; ``split``: a study drawn from a posterior, its intervals' split
    (:func:`slsim.analysis.variance.variance_table`)."""
    head = [
        h.th("#"),
        h.th("Option", cls="l"),
        h.th("Extra people supported at the end", title="d_people"),
        h.th("Clears zero?", title="is the 95% interval of the extra people wholly above or below zero?"),
        h.th("Extra cost a year", title="d_cost_year"),
        h.th("Net benefit a year", title="d_net_year"),
        h.th("Cost a year per extra person", title="cost_per_person_year"),
    ]
    flag = {"more": ("yes: more", "yes"), "fewer": ("yes: fewer", "neg"), "no": ("no", "no")}
    rows = []
    for r in a.itertuples(index=False):
        text, cls = flag[r.clears]
        cpp = money(r.cost_per_person_year) if r.cpp_note == "" else "–"
        rows.append(
            [
                h.td(r.rank),
                h.scenario_td(r.scenario),
                h.td(*h.ci(r.d_people, r.d_people_low, r.d_people_high, h.people, sign=True)),
                h.td(text, cls=cls),
                h.td(*h.ci(r.d_cost_year, r.d_cost_year_low, r.d_cost_year_high, money)),
                h.td(*h.ci(r.d_net_year, r.d_net_year_low, r.d_net_year_high, money)),
                h.td(
                    cpp if r.cpp_note != "saves" else NOTES["saves"],
                    cls=None if r.cpp_note == "" else "no",
                    title=NOTES[r.cpp_note] or None,
                ),
            ]
        )
    lead = " ".join(findings(a, scenario_label, seeds, s.savings_per_person_year))
    rates = " and ".join(money(x) for x in s.savings_range) or "other savings"
    note = (
        f"Against <b>{h.esc(scenario_label(baseline))}</b> (<code>{h.esc(baseline)}</code>) on the same {seeds} "
        f"seeds; (95% intervals). £ a year at week-0 prices, averaged over the {years:g} recorded years: posts, "
        f"lever running costs, fee rises. Net benefit: savings at {money(s.savings_per_person_year)} per "
        f"live-in person a year (assumption; {rates} in the cost section) minus the extra cost. Clears zero: "
        "the interval lies wholly above or below zero. –: the interval crosses zero or the option loses people, "
        "so a cost per person would be a ratio to noise. "
    )
    if split is None:
        note += (
            "The intervals show the model's run-to-run randomness only, not uncertainty in its parameters "
            "(calibration=posterior adds that): the true uncertainty is wider."
        )
    else:
        note += (
            "The intervals carry the calibrated parameters' uncertainty (posterior draws, paired by draw and "
            f"seed) as well as run-to-run randomness. {h.esc(split_sentence(split))}"
        )
    return f"<p class='lead'>{h.esc(lead)}</p>" + h.table(head, rows, cls="t answer") + f"<p class='note'>{note}</p>"


def outcome_table(means: pd.DataFrame, outcomes: list) -> str:
    head = [h.th("Scenario", cls="l"), *[h.label_th(o) for o in outcomes]]
    rows = []
    for scenario, one in means.groupby("scenario", sort=False):
        by = one.set_index("outcome")
        digits = {o: 0 if by.loc[o, "mean"] >= 100 else (2 if abs(by.loc[o, "mean"]) < 1 else 1) for o in outcomes}
        rows.append(
            [
                h.scenario_td(scenario),
                *[
                    h.td(
                        *h.ci(
                            by.loc[o, "mean"],
                            by.loc[o, "ci_low"],
                            by.loc[o, "ci_high"],
                            lambda x, d=digits[o]: h.number(x, d),
                        )
                    )
                    for o in outcomes
                ],
            ]
        )
    return h.table(head, rows)
