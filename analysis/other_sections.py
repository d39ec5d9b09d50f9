"""The report's later sections: shocks, sensitivity, optimisation, configuration, assumptions, failed or damaged runs."""

from collections import Counter

import pandas as pd

from slsim.analysis import figures
from slsim.analysis import html as h
from slsim.analysis.answer import money
from slsim.analysis.labels import column_label, scenario_label
from slsim.analysis.stats import mean_ci
from slsim.analysis.tables import assumptions_table

SHARES = {
    "scheme_workers": "Scheme-worker posts",
    "recruitment": "Recruitment posts",
    "outreach": "Outreach (social-work liaison) posts",
    "fees": "A real fee rise",
}
POST_COST = {
    "scheme_workers": "scheme_worker_cost_per_year",
    "recruitment": "recruitment_officer_cost_per_year",
    "outreach": "outreach_officer_cost_per_year",
}  # economics.* (simulation/budget.py: whole posts)


def budget_split(best: dict, config: dict) -> pd.DataFrame:
    """The best trial's budget shares normalised to sum to 1 and turned into GBP a year (as the model
    does, simulation/budget.py); other best parameters are left to the caller."""
    shares = {k.rsplit(".", 1)[-1]: float(v) for k, v in best.items() if k.startswith("budget.shares.")}
    total = sum(shares.values())
    budget = float(best.get("budget.gbp_per_year", config.get("budget", {}).get("gbp_per_year", 0.0)) or 0.0)
    economics = config.get("economics", {})
    rows = []
    for way, weight in shares.items():
        gbp = budget * weight / total if total > 0 else 0.0
        unit = float(economics.get(POST_COST.get(way, ""), 0.0) or 0.0)
        rows.append(
            {
                "way": way,
                "weight": weight,
                "share": weight / total if total > 0 else 0.0,
                "gbp_per_year": gbp,
                "posts": int(gbp // unit) if unit > 0 else None,
            }
        )
    return pd.DataFrame(rows, columns=["way", "weight", "share", "gbp_per_year", "posts"])


def other_sections(results, t: dict, figure, add, note, csv) -> None:
    # shocks
    if not t["shocks"].empty:
        sh = t["shocks"]
        figure(
            "shocks",
            "shock_recovery",
            figures.shock_recovery(sh),
            "Depth of the fall in people supported and weeks to recover, by shock; recovery is averaged over "
            "the runs that recovered within the horizon (the table gives the share that did).",
        )
        head = [
            h.label_th("kind", cls="l"),
            h.label_th("size"),
            h.label_th("group", cls="l"),
            h.label_th("depth"),
            h.label_th("weeks_to_recover"),
            h.label_th("share_recovered"),
        ]
        rows = []
        for (kind, size, group), one in sh.groupby(["kind", "size", "group"]):
            depth, rec = mean_ci(one["depth"]), mean_ci(one["weeks_to_recover"])
            rows.append(
                [
                    h.td(scenario_label(f"shocks={kind}"), cls="l", title=kind),
                    h.td(h.number(size, 2)),
                    h.scenario_td(group),
                    h.td(*h.ci(depth["mean"], depth["ci_low"], depth["ci_high"], lambda x: h.number(x, 1))),
                    h.td(*h.ci(rec["mean"], rec["ci_low"], rec["ci_high"], lambda x: h.number(x, 0))),
                    h.td(f"{one['weeks_to_recover'].notna().mean():.0%}"),
                ]
            )
        add(
            "shocks",
            "<p>Mean over seeds with its 95% interval (recovery: over the runs that recovered).</p>"
            + h.table(head, rows),
        )
        csv("shocks", sh)
    else:
        note("shocks", "No shocks in this study.")

    # sensitivity
    if results.sensitivity is not None:
        sens = results.sensitivity
        figure(
            "sensitivity",
            "sensitivity",
            figures.sensitivity_indices(sens),
            "Global sensitivity (SALib) with 95% intervals.",
        )
        add("sensitivity", h.details("The indices as a table", h.frame_table(sens, index=False, digits=3)))
        csv("sensitivity", sens)
    else:
        note("sensitivity", "Not a sensitivity study.")

    # optimisation
    if results.optimisation:
        best = dict(results.optimisation.get("best_params", {}) or {})
        split = budget_split(best, results.config)
        objective = results.config.get("experiment", {}).get("objective", "the objective")
        value = results.optimisation.get("best_value")
        add(
            "optimisation",
            f"<p>The best trial (optimization_results.yaml): {h.esc(column_label(objective))} "
            f"{h.esc(h.number(value, 1))} (mean over the trial's seeds).</p>",
        )
        if not split.empty:
            head = [
                h.th("Spent on", cls="l"),
                h.th("Share of the budget"),
                h.th("£ a year"),
                h.th("Whole posts it buys"),
                h.th("Weight tried", title="the raw budget.shares value; the model normalises the weights"),
            ]
            rows = [
                [
                    h.td(SHARES.get(r.way, r.way), cls="l", title=f"budget.shares.{r.way}"),
                    h.td(f"{r.share:.0%}"),
                    h.td(money(r.gbp_per_year)),
                    h.td("–" if pd.isna(r.posts) else int(r.posts)),
                    h.td(h.number(r.weight, 2)),
                ]
                for r in split.itertuples(index=False)
            ]
            add(
                "optimisation",
                h.table(head, rows) + "<p class='note'>Shares are the trial's weights normalised to "
                "sum to 1, as the model spends them, of a budget of "
                f"{money(split['gbp_per_year'].sum())} a year; posts are whole (at the post costs of economics.*), "
                "so money short of a post is not spent.</p>",
            )
            csv("optimisation", split)
        rest = {k: v for k, v in best.items() if not k.startswith("budget.shares.")}
        if rest:
            add("optimisation", h.frame_table(pd.DataFrame({"value": rest}).rename_axis("parameter")))
    else:
        note("optimisation", "Not an optimisation study.")

    # configuration, assumptions, failures
    add(
        "configuration",
        h.details(
            "The resolved config of the first complete run (values that differ between runs are in the sweep table)",
            f"<pre>{h.esc(results.config_text)}</pre>",
        ),
    )
    assumptions = assumptions_table(results)
    add(
        "assumptions",
        "<p>Every model parameter with its value here, its default and its unit and source (from the "
        "YAML comments; 'assumption' marks values not taken from a source). A lever's annual cost "
        "here is its own running cost only: posts and fees it buys are costed as staff and fees, and "
        "the answer's extra cost a year includes them.</p>",
    )
    add("assumptions", h.details(f"All {len(assumptions)} parameters", h.frame_table(assumptions, index=False)))
    csv("assumptions", assumptions)
    failed = results.runs[results.runs["status"] != "ok"][["run", "status", "scenario", "seed", "error"]]
    if failed.empty:
        note("failed", "None.")
    else:
        add("failed", h.frame_table(failed, index=False))
        csv("failed", failed)


def made_by(runs: pd.DataFrame) -> str:
    """The report footer: which slsim made the runs (the sweep table's ``slsim_*`` columns, from each
    run's metadata.json), with the number of runs each made when they differ; damaged runs aside."""

    def value(v):
        return None if v is None or (not isinstance(v, str) and pd.isna(v)) else v

    if "status" in runs:
        runs = runs[runs["status"] != "damaged"]  # its metadata could not be read
    cols = ["slsim_version", "slsim_commit", "slsim_dirty"]
    groups = Counter(tuple(value(v) for v in rec) for rec in runs.reindex(columns=cols).itertuples(index=False))
    parts = []
    for (version, commit, dirty), count in groups.items():
        dirty = bool(dirty) if dirty is not None else None
        text = f"slsim {version}" if version else "an slsim that did not record its version"
        if commit and commit != "unknown":
            text += f", git commit {commit}"
            text += {True: " with uncommitted changes", False: ""}.get(dirty, " (uncommitted changes unknown)")
        else:
            text += ", git commit unknown"
        parts.append(text + (f" ({count} run{'' if count == 1 else 's'})" if len(groups) > 1 else ""))
    if not parts:
        return ""
    return "<p>Results made by " + h.esc("; ".join(parts)) + ".</p>"
