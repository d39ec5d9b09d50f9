"""The report's "Which levers matter where" (analysis/scheme_types.py): synthetic sweeps with known
effects and constraints, then a tiny real sweep over two kinds reported and looked at in Chromium."""

import numpy as np
import pandas as pd
import pytest

from helpers import slsim
from slsim.analysis import scheme_types as st
from slsim.analysis.report import main as report_main
from slsim.analysis.settings import load_settings
from test_report_browser import ARTEFACTS, browser, open_page  # noqa: F401  (browser: a fixture)

SEEDS = range(1, 7)


def sweep(effects: dict, base: dict, seeds=SEEDS) -> tuple:
    """(sweep table, weekly table) of kinds x levers. People = 50 + the kind's seed noise (shared by
    its arms: paired) + the lever's known effect in that kind. ``base[kind]``: the baseline's
    (growth hours a week, monitoring coverage, idle share, withdrawn share)."""
    rows, weeks, rng = [], [], np.random.default_rng(0)
    for kind, (hours, coverage, idle, withdrawn) in base.items():
        noise = {seed: float(rng.integers(-5, 6)) for seed in seeds}  # whole numbers: exact differences
        for lever in ("none", *effects[kind]):
            for seed in seeds:
                run = f"{kind}/{lever}/{seed}"
                rows.append(
                    {
                        "run": run,
                        "status": "ok",
                        "scenario": f"levers={lever} scheme_type={kind}",
                        "seed": seed,
                        "people_supported_end": 50 + noise[seed] + effects[kind].get(lever, 0.0),
                        "mean_growth_hours_per_week": hours,
                        "referrals_received": 100.0,
                        "referrals_withdrawn": 100.0 * withdrawn,
                    }
                )
                # two weeks whose means are the given coverage and idle share (households 40 and 60)
                for week, households, shift in ((0, 40, 0.01), (1, 60, -0.01)):
                    weeks.append(
                        {
                            "run": run,
                            "scenario": rows[-1]["scenario"],
                            "seed": seed,
                            "week": week,
                            "monitoring_coverage": min(coverage + shift, 1.0) if coverage < 1 else 1.0,
                            "households": households,
                            "carers_approved": households * (idle + shift),
                        }
                    )
    return pd.DataFrame(rows), pd.DataFrame(weeks)


EFFECTS = {
    "typical": {"colocation": 20.0, "extra_workers": 0.0, "recruitment_post": -15.0},
    "small_urban": {"colocation": 0.0, "extra_workers": 12.0, "recruitment_post": -15.0},
}
BASE = {"typical": (30.0, 1.0, 0.35, 0.05), "small_urban": (2.0, 1.0, 0.35, 0.1)}


class Sweep:
    kind = "sweep"

    def __init__(self, runs, weekly):
        self.ok, self.weekly = runs, weekly


def section(results) -> tuple:
    """(html parts, figures, tables) the section adds for ``results``."""
    out, figures, tables = [], {}, {}
    st.scheme_types_section(
        results,
        load_settings(),
        lambda section, name, fig, caption: figures.setdefault(name, fig),
        lambda section, text: out.append(text),
        lambda name, frame: tables.setdefault(name, frame),
    )
    return out, figures, tables


def test_each_lever_is_paired_with_its_own_kinds_baseline():
    runs, weekly = sweep(EFFECTS, BASE)
    effects = st.effects_by_kind(st.kinds_and_levers(runs), "people_supported_end", 0.95)
    got = effects.set_index(["kind", "lever"])
    for kind, levers in EFFECTS.items():
        for lever, effect in levers.items():
            assert got.loc[(kind, lever), "mean"] == pytest.approx(effect)  # the kind's noise cancels in pairs
            assert got.loc[(kind, lever), "pairs"] == 6
    # the figure shows these numbers: bold where the interval clears zero, in brackets where it crosses
    _, figures, tables = section(Sweep(runs, weekly))
    texts = [t.get_text() for t in figures["scheme_types"].axes[0].texts]
    assert texts == ["+20", "(+0.0)", "(+0.0)", "+12", "-15", "-15"]  # rows: levers; columns: kinds
    shown = tables["scheme_types"].set_index(["kind", "lever"])["mean"]
    assert shown.to_dict() == pytest.approx(effects.set_index(["kind", "lever"])["mean"].to_dict())


@pytest.mark.parametrize(
    "base, expected",
    [
        ((2.0, 1.0, 0.5, 0.05), "staff-bound"),  # hours for growth below 5
        ((30.0, 0.9, 0.5, 0.05), "staff-bound"),  # monitoring coverage below 0.98
        ((2.0, 1.0, 0.05, 0.6), "staff-bound"),  # staff first, whatever the waits
        ((30.0, 1.0, 0.35, 0.05), "referral-bound"),  # idle households, few withdrawals
        ((30.0, 1.0, 0.35, 0.40), "carer-bound"),  # idle households but many withdrawals
        ((30.0, 1.0, 0.10, 0.05), "carer-bound"),  # few idle households
    ],
)
def test_binding_constraints_follow_the_thresholds(base, expected):
    kinds = {"typical": (30.0, 1.0, 0.35, 0.05), "large_county": base}
    runs, weekly = sweep({k: {"colocation": 1.0} for k in kinds}, kinds)
    binding = st.constraints(st.kinds_and_levers(runs), weekly, load_settings()).set_index("kind")
    assert binding.loc["typical", "constraint"] == "referral-bound"
    row = binding.loc["large_county"]
    assert row["constraint"] == expected
    assert [row["growth_hours_per_week"], row["idle_share"], row["withdrawn_share"]] == pytest.approx(
        [base[0], base[2], base[3]]
    )
    assert row["monitoring_coverage"] == pytest.approx(base[1])


def test_thresholds_come_from_the_settings():
    runs, weekly = sweep(EFFECTS, BASE)
    table = st.kinds_and_levers(runs)
    assert st.constraints(table, weekly, load_settings()).set_index("kind").loc["typical", "constraint"] == (
        "referral-bound"
    )
    strict = load_settings(constraint_idle_share=0.5)  # 35% idle is now "few"
    assert st.constraints(table, weekly, strict).set_index("kind").loc["typical", "constraint"] == "carer-bound"
    stingy = load_settings(constraint_growth_hours=40.0)
    assert set(st.constraints(table, weekly, stingy)["constraint"]) == {"staff-bound"}


def test_no_section_for_an_ordinary_lever_sweep_or_a_kind_without_baseline():
    ordinary = pd.DataFrame(
        {"run": ["a", "b"], "status": "ok", "scenario": ["levers=none", "levers=colocation"], "seed": [1, 1]}
    )
    assert st.kinds_and_levers(ordinary) is None and st.focus(ordinary, "levers=none") is None
    assert section(Sweep(ordinary.assign(people_supported_end=[1.0, 2.0]), pd.DataFrame())) == ([], {}, {})
    runs, _ = sweep(EFFECTS, BASE)
    no_base = runs[~(runs["scenario"] == "levers=none scheme_type=small_urban")]
    assert st.kinds_and_levers(no_base) is None
    assert st.kinds_and_levers(runs[runs["scenario"].str.contains("scheme_type=typical")]) is None


def test_the_answer_uses_one_kind_typical_unless_the_baseline_names_another():
    runs, _ = sweep(EFFECTS, BASE)
    kind, baseline, scenarios = st.focus(runs, None)
    assert (kind, baseline) == ("typical", "levers=none scheme_type=typical")
    assert all(s.endswith("scheme_type=typical") for s in scenarios) and len(scenarios) == 4
    kind, baseline, _ = st.focus(runs, "levers=none scheme_type=small_urban")
    assert (kind, baseline) == ("small_urban", "levers=none scheme_type=small_urban")


def test_the_section_says_what_clears_zero_where_and_why():
    runs, weekly = sweep(EFFECTS, BASE)
    out, figures, _ = section(Sweep(runs, weekly))
    text = " ".join(out)
    assert "Typical scheme (national average) is referral-bound (households wait for referrals" in text
    assert "Clear gains: Co-location with social-work teams. Clear losses: Carer-recruitment post." in text
    assert "Small urban council scheme is staff-bound (the team has little time left for growth: 2 hours" in text
    labels = [t.get_text() for t in figures["scheme_types"].axes[0].get_xticklabels()]
    assert labels == [
        "Typical scheme (national average)\n(referral-bound)",
        "Small urban council scheme\n(staff-bound)",
    ]


def test_bad_thresholds_are_refused_in_one_line():
    from slsim.analysis.results import AnalysisError

    with pytest.raises(AnalysisError, match=r"constraint_withdrawn_share=2\.0: allowed a number 0 <= x <= 1"):
        load_settings(constraint_withdrawn_share=2.0)
    with pytest.raises(AnalysisError, match=r"constraint_min_coverage='x': allowed a number 0 <= x <= 1"):
        load_settings(constraint_min_coverage="x")


# ---------------------------------------------------------------------------
# a tiny real sweep over two kinds
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def kinds_sweep(tmp_path_factory):
    root = tmp_path_factory.mktemp("kinds")
    proc = slsim(
        "experiment=scheme_types",
        "levers=none,colocation",
        "scheme_type=typical,new_scheme",
        "experiment.replicates=2",
        "run.years=1",
        "run.warmup_weeks=8",
        f"hydra.sweep.dir={root / 'sweep'}",
        cwd=root,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert report_main([str(root / "sweep")]) == 0
    return root / "sweep"


def test_a_real_sweep_over_kinds_reports_each_kind_and_answers_for_the_typical_one(kinds_sweep):
    report = kinds_sweep / "report"
    assert (report / "figures" / "scheme_types.png").stat().st_size > 0
    table = pd.read_csv(report / "tables" / "scheme_types.csv")
    assert sorted(set(table["kind"])) == ["new_scheme", "typical"] and set(table["lever"]) == {"colocation"}
    assert set(table["constraint"]) <= {"staff-bound", "carer-bound", "referral-bound"}
    # the answer and effects: the typical kind only, against its own baseline, and the heatmap agrees
    answer = pd.read_csv(report / "tables" / "answer.csv")
    assert list(answer["scenario"]) == ["levers=colocation scheme_type=typical"]
    effects = pd.read_csv(report / "tables" / "effects.csv").set_index("scenario")
    typical = table.set_index("kind").loc["typical"]
    assert effects.loc["levers=colocation scheme_type=typical", "effect"] == pytest.approx(typical["mean"])
    html = (report / "index.html").read_text()
    assert "Which levers matter where" in html and "for the typical scheme (national average) only" in html
    # another kind's answer: --baseline names it
    assert report_main([str(kinds_sweep), "--out", str(kinds_sweep.parent / "new"), "--baseline",
                        "levers=none scheme_type=new_scheme"]) == 0  # fmt: skip
    other = pd.read_csv(kinds_sweep.parent / "new" / "tables" / "answer.csv")
    assert list(other["scenario"]) == ["levers=colocation scheme_type=new_scheme"]
    assert "for the new scheme only" in (kinds_sweep.parent / "new" / "index.html").read_text()


def test_the_section_in_chromium(browser, kinds_sweep):  # noqa: F811
    page = open_page(browser, kinds_sweep / "report" / "index.html", 1366, 900)
    section = page.locator("section#schemetypes")
    section.scroll_into_view_if_needed()
    ARTEFACTS.mkdir(exist_ok=True)
    section.screenshot(path=str(ARTEFACTS / "scheme_types_1366.png"))
    assert section.locator("h2").inner_text() == "Which levers matter where"
    image = section.locator("img").evaluate("i => [i.complete, i.naturalWidth, i.getBoundingClientRect().width]")
    assert image[0] and image[1] > 0 and 0 < image[2] <= 1366
    text = section.inner_text()
    assert "Typical scheme (national average) is " in text and "New scheme is " in text
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1366
    page.close()
