"""The report's cost section: every figure against the baseline, seeds paired.

The cost-effectiveness plane, the cost-effectiveness acceptability curve
(CEAC), what the extra cost a year is made of, and the totals over the
recorded years (cost, savings, net benefit at three savings rates, payback).
"""

from slsim.analysis import ce_figures
from slsim.analysis import html as h
from slsim.analysis.answer import ceac_summary, money, uncertainty
from slsim.analysis.labels import scenario_label


def costbenefit_html(t: dict, s, seeds: list, years: float, figure, add, csv, ordered) -> None:
    """Add the section's figures and tables (``figure``/``add``/``csv``: the writer's callbacks)."""
    a, baseline = t["answer"], t["baseline"]
    base = scenario_label(baseline)
    rank = dict(zip(a["scenario"], a["rank"]))
    figure(
        "costbenefit",
        "ce_plane",
        ce_figures.ce_plane(a),
        f"Cost-effectiveness plane: each option's extra people supported at the end against its extra cost a "
        f"year, both against {base} on the same seeds. Numbers are the ranks of the answer table (key on the "
        "right); up and left is better. Options far beyond the rest get their own panel so the others are not "
        "squeezed into a corner.",
    )
    curve = t["ceac"]
    if not curve.empty:
        figure(
            "costbenefit",
            "ceac",
            ce_figures.ceac_curve(curve, rank, s.savings_per_person_year, t.get("ceac_rest")),
            f"Cost-effectiveness acceptability curve: for each amount a council would pay a year per extra "
            f"person supported (x), the share of the {len(seeds)} paired seeds in which the option gives the "
            f"highest net monetary benefit (that amount x extra people − extra cost a year; {base} counts as "
            f"an option at 0). Lines sum to 1 at every amount. The second panel, if any, leaves out the options "
            "far beyond the rest, for a choice among the others.",
        )
        marks = sorted(
            {0.0, 10000.0, s.savings_per_person_year, 2 * s.savings_per_person_year, float(curve["wtp"].max())}
        )
        summ = ceac_summary(curve, marks)
        head = [
            h.th("Willing to pay a year per extra person", title="wtp"),
            h.th("Most likely to be the most cost-effective", cls="l"),
            h.th("Probability"),
        ]
        rest = t.get("ceac_rest")
        if rest is not None and not rest.empty:
            summ = summ.join(ceac_summary(rest, marks)[["scenario", "probability"]].add_suffix("_rest"))
            gone = ", ".join(scenario_label(x) for x in sorted(set(curve["scenario"]) - set(rest["scenario"])))
            head += [h.th(f"Most likely without {gone}", cls="l"), h.th("Probability")]
        rows = [
            [
                h.td(money(r.wtp)),
                h.scenario_td(r.scenario),
                h.td(f"{r.probability:.0%}"),
                *([h.scenario_td(r.scenario_rest), h.td(f"{r.probability_rest:.0%}")] if len(head) > 3 else []),
            ]
            for r in summ.itertuples(index=False)
        ]
        add("costbenefit", h.table(head, rows))
        csv("ceac", curve)
        if t.get("ceac_rest") is not None:
            csv("ceac_without_far_options", t["ceac_rest"])
    add(
        "costbenefit",
        f"<p class='note'>{h.esc(uncertainty(len(seeds), t.get('draws_note')))} With {len(seeds)} seeds the "
        f"probabilities move in steps of {1 / max(len(seeds), 1):.0%}.</p>",
    )

    m = ordered(t["paired_money"])
    head = [
        h.th("#"),
        h.th("Option", cls="l"),
        h.th("Extra cost a year", title="d_cost_year"),
        h.th("of which posts", title="d_posts_year"),
        h.th("lever running costs", title="d_running_year"),
        h.th("fee rises", title="d_fees_year"),
    ]
    rows = [
        [
            h.td(rank.get(r.scenario, "")),
            h.scenario_td(r.scenario),
            h.td(*h.ci(r.d_cost_year, r.d_cost_year_low, r.d_cost_year_high, money)),
            h.td(money(r.d_posts_year)),
            h.td(money(r.d_running_year)),
            h.td(money(r.d_fees_year)),
        ]
        for r in m.itertuples(index=False)
    ]
    add(
        "costbenefit",
        f"<h3>What the extra cost a year is made of</h3><p class='note'>Against {h.esc(base)}, "
        f"seeds paired, £ a year at week-0 prices averaged over the {years:g} recorded years: posts "
        "above the baseline's (the levers' own posts and any the council buys), lever running costs "
        "(fixed costs, carer support, bonuses) and extra carer fees.</p>" + h.table(head, rows),
    )

    rates = [r for r in s.savings_range if f"d_net_benefit_at_{int(r)}" in m]
    head = [
        h.th("#"),
        h.th("Option", cls="l"),
        h.th("Extra cost", title="d_cost"),
        h.th("Extra savings", title="d_savings"),
        h.th(f"Net benefit at {money(s.savings_per_person_year)} a person", title="d_net_benefit"),
        *[h.th(f"at {money(r)}", title=f"d_net_benefit_at_{int(r)}") for r in rates],
        h.th("Payback week (median)", title="median_payback_week"),
        h.th("Seeds paying back", title="share_paid_back"),
    ]
    rows = []
    for r in m.itertuples(index=False):
        at = [
            h.td(
                *h.ci(
                    getattr(r, f"d_net_benefit_at_{int(x)}"),
                    getattr(r, f"d_net_benefit_at_{int(x)}_low"),
                    getattr(r, f"d_net_benefit_at_{int(x)}_high"),
                    money,
                )
            )
            for x in rates
        ]
        rows.append(
            [
                h.td(rank.get(r.scenario, "")),
                h.scenario_td(r.scenario),
                h.td(*h.ci(r.d_cost, r.d_cost_low, r.d_cost_high, money)),
                h.td(*h.ci(r.d_savings, r.d_savings_low, r.d_savings_high, money)),
                h.td(*h.ci(r.d_net_benefit, r.d_net_benefit_low, r.d_net_benefit_high, money)),
                *at,
                h.td(h.number(r.median_payback_week, 0)),
                h.td(f"{r.share_paid_back:.0%}"),
            ]
        )
    add(
        "costbenefit",
        f"<h3>Over the {years:g} recorded years</h3><p class='note'>Totals against {h.esc(base)}, "
        "seeds paired, with 95% intervals: extra cost; extra savings (people supported above the "
        "baseline's, at the saving per person of each arrangement); net benefit = extra savings − "
        "extra cost, at the central saving per live-in person a year and at the low and high ends of "
        "its range (Shared Lives Plus 2024). Payback: the first week from which the cumulative net "
        "benefit against the baseline stays at or above zero (median over the seeds that pay back, "
        "and their share).</p>" + h.table(head, rows),
    )
    csv("paired_money", t["paired_money"])
    csv("paired_by_seed", t["pairs"])
