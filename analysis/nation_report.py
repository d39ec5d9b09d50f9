"""The report of a national run or national study (``slsim-report DIR`` on either), answer first.

Written by :func:`write` into the report folder :func:`slsim.analysis.report.build` makes:
``index.html`` (self-contained, figures embedded), ``figures/*.png`` and ``tables/*.csv``.
Sections: what each programme buys per pound (against the comparison programme, runs paired by
nation seed and posterior draw), national totals over time, how scheme growth is spread (grow,
stall, shrink; histogram), the league of schemes, and about this study. Numbers come from
:mod:`slsim.analysis.nation_tables`; settings from ``configs/analysis.yaml`` (``nation_*``).
"""

import io
import json
import math

import pandas as pd

from slsim.analysis import html as h
from slsim.analysis import nation_figures as nf
from slsim.analysis import nation_tables as nt
from slsim.analysis.nation_results import Nation
from slsim.analysis.results import AnalysisError
from slsim.analysis.settings import Settings

RUN_SHOWN = {"run": "Run", "programme": "Programme", "seed": "Nation seed", "draw": "Draw",
             "people_start": "People at week 0", "people_end": "People at the end",
             "households_end": "Households at the end", "posts_bought": "Posts bought",
             "gbp_spent": "GBP spent over the run", "grow": "Grow", "stall": "Stall", "shrink": "Shrink"}  # fmt: skip
SECTIONS = (
    ("answer", "The answer: what each programme buys, per pound"),
    ("totals", "National totals over time"),
    ("growth", "How many schemes grow, stall or shrink"),
    ("league", "The league of schemes"),
    ("about", "About this study"),
)


def gbp(x) -> str:
    return "–" if x is None or math.isnan(x) else f"£{x:,.0f}".replace("£-", "−£")


def count(x, digits=1) -> str:
    return h.number(x, digits)


def _interval(low, high, fmt) -> str | None:
    return None if math.isnan(low) or math.isnan(high) else f"({fmt(low)} to {fmt(high)})"


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return buf.getvalue()


def choose(nation: Nation, s: Settings) -> tuple:
    """(comparison programme or None, focus programme of the league); a named programme the study lacks
    is refused (one line naming the setting and the programmes there are)."""
    programmes = nation.programmes
    named = s.baseline or s.nation_baseline
    if s.baseline and s.baseline not in programmes:
        raise AnalysisError(f"--baseline={s.baseline!r}: allowed a programme of the study ({', '.join(programmes)})")
    baseline = named if named in programmes and len(programmes) > 1 else None
    focus = s.nation_focus or baseline or programmes[0]
    if focus not in programmes:
        raise AnalysisError(f"nation_focus={focus!r}: allowed a programme of the study ({', '.join(programmes)})")
    return baseline, focus


def answer(value: pd.DataFrame, baseline: str, s: Settings, per: str) -> str:
    """The headline and the ranked table of programmes."""
    best = value[value["gbp_spent"] > 0].head(1)
    if best.empty:
        return (
            f"<p class='lead'>No programme spends money in runs paired with {h.esc(baseline)} (the same nation seed "
            "and draw), so there is nothing to rank per pound.</p>"
        )
    b = best.iloc[0]
    sure = (
        f"its extra people are clear of zero at {s.confidence:.0%}: {gbp(b.cost_per_extra_person)} spent per "
        f"extra person {_interval(b.cost_per_extra_person_low, b.cost_per_extra_person_high, gbp)}"
        if b.clear
        else f"but its extra people are not clear of zero at {s.confidence:.0%} "
        f"{_interval(b.extra_people_low, b.extra_people_high, count) or '(one pair: no interval)'}: "
        "more seeds or draws would tell"
    )
    if b.people_per_gbp > 0:
        lead = (
            f"<p class='lead'><b>Most people per pound: {h.esc(b.programme)}</b> (allocation {h.esc(b.allocation)}): "
            f"{count(b.people_per_gbp)} extra people supported at the end per {per} spent, against "
            f"{h.esc(baseline)} on the same nation seeds and draws; {h.esc(sure)}.</p>"
        )
    else:
        lead = (
            f"<p class='lead'><b>No programme supports more people than {h.esc(baseline)}</b> on average, on the "
            f"same nation seeds and draws: the least bad per pound, {h.esc(b.programme)}, has "
            f"{count(b.extra_people)} extra people at the end "
            f"{_interval(b.extra_people_low, b.extra_people_high, count) or ''} for {gbp(b.gbp_spent)} spent.</p>"
        )
    head = [
        h.th("#"),
        h.th("Programme", cls="l"),
        h.th("Allocation", cls="l"),
        h.th("GBP a year", title="gbp_per_year"),
        h.th("Posts bought", title="posts_bought (mean over runs)"),
        h.th("GBP spent over the run", title="gbp_spent_per_year x years spent, mean over pairs"),
        h.th("Extra people at the end", title="extra_people: people_end minus the comparison's, paired"),
        h.th("GBP per extra person", title="cost_per_extra_person"),
        h.th(f"Extra people per {per}", title="people_per_gbp"),
    ]
    rows = []
    for r in value.itertuples():
        rows.append(
            [
                h.td(r.rank),
                h.td(r.programme, cls="l"),
                h.td(r.allocation, cls="l"),
                h.td(gbp(r.gbp_per_year)),
                h.td(count(r.posts_bought)),
                h.td(gbp(r.gbp_spent)),
                h.td(
                    count(r.extra_people),
                    _interval(r.extra_people_low, r.extra_people_high, count),
                    cls="yes" if r.clear else "neg" if r.extra_people_high < 0 else "no",
                ),
                h.td(
                    gbp(r.cost_per_extra_person),
                    _interval(r.cost_per_extra_person_low, r.cost_per_extra_person_high, gbp),
                ),
                h.td(count(r.people_per_gbp), _interval(r.people_per_gbp_low, r.people_per_gbp_high, count)),
            ]
        )
    low, high = int(value["pairs"].min()), int(value["pairs"].max())
    pairs = f"{low}" if low == high else f"{low} to {high}"
    note = (
        f"<p class='note'>Against {h.esc(baseline)}, {pairs} pairs of runs (same nation seed and posterior draw) a "
        f"programme; intervals: {s.confidence:.0%} Student t over the pairs. GBP per extra person is shown where "
        "more people are supported on average; its interval only where the extra people's interval lies above zero. "
        "Money short of a whole post is not spent.</p>"
    )
    idle = value[(value["gbp_spent"] == 0) & (value["gbp_per_year"] > 0)]["programme"].tolist()
    if idle:
        note += (
            f"<p class='note'>{h.esc(', '.join(idle))} spend{'s' if len(idle) == 1 else ''} nothing: each scheme's "
            "share of the money is short of a whole post (not in the figure below).</p>"
        )
    return lead + h.table(head, rows, cls="t perpound") + note  # intervals on a second line: fits 1,366 px


def write(nation: Nation, s: Settings, folder) -> None:
    (folder / "figures").mkdir()
    (folder / "tables").mkdir()
    body = {key: [] for key, _ in SECTIONS}
    runs, programmes = nation.runs, nation.programmes
    baseline, focus = choose(nation, s)
    per = nf._gbp(s.nation_per_gbp)

    def figure(section, name, fig, caption):
        data = _png(fig)
        (folder / "figures" / f"{name}.png").write_bytes(data)
        body[section].append(h.figure(data, caption))

    def csv(name, frame):
        frame.to_csv(folder / "tables" / f"{name}.csv", index=False)

    def note(section, text):
        body[section].append(f"<p class='note'>{h.esc(text)}</p>")

    # the answer
    if baseline is None:
        body["answer"].append(what_happened(nation))
        why = "one national run" if len(runs) == 1 else f"no programme {s.baseline or s.nation_baseline!r} to compare"
        note("answer", f"Nothing to compare ({why}): what a programme buys needs a study with the comparison "
             "programme (slsim-nation-study). What happened is below.")  # fmt: skip
    else:
        value = nt.value(runs, baseline, s.confidence, s.nation_per_gbp)
        csv("value", value)
        body["answer"].append(answer(value, baseline, s, per))
        if (value["gbp_spent"] > 0).any():
            figure("answer", "value", nf.value(value, s.nation_per_gbp, s.confidence),
                   f"Extra people supported at the end per {per} spent, each programme against {baseline}, "
                   f"paired by nation seed and posterior draw; lines: {s.confidence:.0%} interval.")  # fmt: skip

    # national totals
    tot = nt.totals(nation.national, runs, s.nation_band)
    csv("totals", tot)
    figure("totals", "totals", nf.totals(tot, programmes, s.nation_band),
           "People supported and approved carer households, summed over schemes, each week" + (
               "." if len(runs) == 1 else f": median over a programme's runs (nation seeds x draws) and the band "
               f"holding {s.nation_band:.0%} of them."))  # fmt: skip
    ends = tot[tot["week"].isin([0, nation.horizon_weeks])].pivot_table(
        index="programme", columns=["total", "week"], values="median", sort=False
    )
    ends.columns = [f"{total}_week_{week}" for total, week in ends.columns]
    body["totals"].append(h.frame_table(ends.reset_index(), index=False, digits=0))

    # growth classes and histogram
    cls = nt.classes(runs, s.confidence)
    csv("growth_classes", cls)
    figure("growth", "growth_classes", nf.classes(cls, programmes, s.confidence),
           "Schemes that grow, stall or shrink over the run" + (
               "." if len(runs) == 1 else f", mean over each programme's runs; lines: {s.confidence:.0%} "
               "Student-t interval."))  # fmt: skip
    head = [h.th("Programme", cls="l"), h.th("Runs"), *[h.th(f"Schemes that {k}") for k in nt.CLASSES]]
    rows = []
    for programme in programmes:
        one = cls[cls["programme"] == programme].set_index("class")
        cells = [h.td(count(one.loc[k, "mean"]), _interval(one.loc[k, "ci_low"], one.loc[k, "ci_high"], count))
                 for k in nt.CLASSES]  # fmt: skip
        rows.append([h.td(programme, cls="l"), h.td(int(one["runs"].iloc[0])), *cells])
    body["growth"].append(h.table(head, rows))
    edges = _growth_edges(nation)
    figure("growth", "growth_histogram",
           nf.growth_histogram(nation.schemes, runs, programmes, s.nation_growth_bins, edges),
           "Growth of people supported over the run, every scheme of every run, as schemes per run; dashed: "
           "the thresholds between shrink, stall and grow (growth.shrink_below, growth.grow_above).")  # fmt: skip

    # the league
    seed, lg = nt.league(nation.schemes, runs, focus)
    csv("league", lg)
    draws = int(lg["runs"].max())
    where = f"programme {focus}, nation seed {seed}" + (f", median over {draws} runs (draws)" if draws > 1 else "")
    figure("league", "league", nf.league(lg, s.nation_league_colour, f"Schemes ranked by growth ({where})"),
           f"Every scheme's growth of people supported against its rank, coloured by {s.nation_league_colour} "
           f"({where}; another nation seed draws other schemes).")  # fmt: skip
    show = pd.concat([lg.head(10), lg.tail(10)]).drop_duplicates("id")
    body["league"].append(h.details("Top and bottom ten schemes", league_table(show)))

    # about
    seeds = sorted(runs["seed"].unique())
    draws = sorted(runs["draw"].unique())
    about = pd.DataFrame({
        "item": ["folder", "kind", "runs", "programmes", "nation seeds", "posterior draws", "weeks recorded",
                 "comparison programme", "league"],
        "value": [str(nation.root), nation.kind, str(len(runs)), ", ".join(programmes),
                  ", ".join(map(str, seeds)), ", ".join("calibrated defaults" if d < 0 else str(d) for d in draws),
                  str(nation.horizon_weeks), baseline or "no comparison", where],
    })  # fmt: skip
    csv("about", about)
    body["about"].append(h.frame_table(about, index=False))
    shown = runs[list(RUN_SHOWN)].rename(columns=RUN_SHOWN)  # every column: tables/runs.csv
    csv("runs", runs)
    body["about"].append(
        h.details("Each run (every column: tables/runs.csv)", h.frame_table(shown, index=False, digits=0))
    )
    text = json.dumps(nation.config, indent=2, default=str, allow_nan=False)
    body["about"].append(h.details("Configuration (study.json, or the run's config)", f"<pre>{h.esc(text)}</pre>"))

    header = (
        f"<h1>slsim report: {h.esc(nation.kind)}</h1><p>{h.esc(nation.root)} · {len(runs)} run"
        f"{'' if len(runs) == 1 else 's'} · {len(programmes)} programme{'' if len(programmes) == 1 else 's'}"
        f" · {len(seeds)} nation seed{'' if len(seeds) == 1 else 's'} · {nation.horizon_weeks} weeks</p>"
    )
    sections = [(k, title, "".join(body[k])) for k, title in SECTIONS]
    (folder / "index.html").write_text(h.page(f"slsim report: {nation.root}", header, sections, "answer"))


def league_table(frame: pd.DataFrame) -> str:
    """Schemes of the league with plain headers: rank, id, region, kind, operator, people at week 0, growth."""
    head = [h.th("Rank"), h.th("Scheme", cls="l"), h.th("Region", cls="l"), h.th("Kind of scheme", cls="l"),
            h.th("Operator", cls="l"), h.th("People at week 0"), h.th("Growth", title="growth (median over runs)")]  # fmt: skip
    rows = [
        [
            h.td(r.rank),
            *(h.td(str(v).replace("_", " "), cls="l") for v in (r.id, r.region, r.kind, r.operator)),
            h.td(f"{r.people_start:,.0f}"),
            h.td(f"{r.growth:+.0%}".replace("-", "−")),
        ]  # fmt: skip
        for r in frame.itertuples()
    ]
    return h.table(head, rows)


def what_happened(nation: Nation) -> str:
    """The headline of one national run (or of a study without a comparison: its first run's programme)."""
    runs = nation.runs
    one = runs.iloc[0]
    several = len(runs) > 1
    text = (
        f"{'Median over ' + str(len(runs)) + ' runs: p' if several else 'P'}eople supported "
        f"{runs['people_start'].median():,.0f} at week 0, {runs['people_end'].median():,.0f} at week "
        f"{nation.horizon_weeks}; carer households {runs['households_start'].median():,.0f} to "
        f"{runs['households_end'].median():,.0f}; schemes that grow, stall, shrink: "
        + ", ".join(f"{runs[k].median():,.0f}" for k in nt.CLASSES)
    )
    if not several and one["gbp_per_year"] > 0:
        text += (
            f". Programme {one['programme']}: {gbp(one['gbp_per_year'])} a year, "
            f"{gbp(one['gbp_spent_per_year'])} of it spent a year on {int(one['posts_bought'])} posts"
        )
    return f"<p class='lead'>{h.esc(text)}.</p>"


def _growth_edges(nation: Nation) -> tuple:
    """(shrink_below, grow_above) of the (first) run's config; () when it does not say."""
    growth = nation.run_config.get("growth")
    try:
        return tuple(float(growth[k]) for k in ("shrink_below", "grow_above"))
    except (KeyError, TypeError, ValueError):
        return ()
