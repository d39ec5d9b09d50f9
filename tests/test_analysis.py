"""analysis/: computations against hand-computed values, figures render, the report builds, bad input.

The computations are checked on small synthetic tables whose answers are
worked out by hand in the comments; the report is built from a tiny real
sweep (two scenarios, two seeds, two years).
"""

import ast
import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from helpers import REPO, slsim
from slsim.analysis import ce_figures, figures
from slsim.analysis.costbenefit import cost_benefit, run_cost_benefit
from slsim.analysis.report import SECTIONS, build, load_settings, main as report_main
from slsim.analysis.sections import OPTIONAL
from slsim.analysis.results import AnalysisError, load
from slsim.analysis.stats import cagr, growth, mean_ci, paired_effects, scenario_means

T_975_2 = 4.302652729911275  # Student t, 97.5% quantile, 2 degrees of freedom (tables: 4.303)


# ---------------------------------------------------------------------------
# statistics
# ---------------------------------------------------------------------------
def test_mean_ci_by_hand():
    ci = mean_ci([1.0, 2.0, 3.0])  # mean 2, sd 1, se 1/sqrt(3)
    assert ci["n"] == 3 and ci["mean"] == 2.0 and ci["sd"] == pytest.approx(1.0)
    half = T_975_2 / math.sqrt(3)
    assert ci["ci_low"] == pytest.approx(2 - half) and ci["ci_high"] == pytest.approx(2 + half)
    one = mean_ci([5.0])
    assert one["mean"] == 5.0 and math.isnan(one["ci_low"])


RUNS = pd.DataFrame(
    {
        "scenario": ["base"] * 3 + ["a"] * 4,
        "seed": [1, 2, 3, 1, 2, 3, 4],
        "status": ["ok"] * 7,
        "people": [10.0, 20.0, 30.0, 12.0, 21.0, 33.0, 99.0],
    }
)


def test_scenario_means_by_hand():
    means = scenario_means(RUNS, ["people"]).set_index("scenario")
    assert means.loc["base", "mean"] == 20.0 and means.loc["base", "n"] == 3
    assert means.loc["a", "mean"] == pytest.approx((12 + 21 + 33 + 99) / 4)


def test_paired_effects_pair_seeds_by_hand():
    # pairs on seeds 1-3 (seed 4 has no baseline): differences 2, 1, 3 -> mean 2, sd 1
    eff = paired_effects(RUNS, "people", "base").set_index("scenario")
    assert list(eff.index) == ["a"]
    assert eff.loc["a", "pairs"] == 3 and eff.loc["a", "effect"] == pytest.approx(2.0)
    assert eff.loc["a", "ci_high"] - eff.loc["a", "effect"] == pytest.approx(T_975_2 / math.sqrt(3))
    with pytest.raises(ValueError, match="baseline scenario 'nope'"):
        paired_effects(RUNS, "people", "nope")


def test_cagr_and_time_to_target_by_hand():
    assert cagr(100, 121, 2) == pytest.approx(0.10)  # 100 x 1.1 x 1.1 = 121
    assert math.isnan(cagr(0, 10, 1))
    weeks = list(range(0, 105))
    weekly = pd.DataFrame(
        {"run": "r", "scenario": "s", "seed": 1, "week": weeks, "people_supported": [100 + w * 21 / 104 for w in weeks]}
    )
    g = growth(weekly, target=110).iloc[0]
    assert g["cagr"] == pytest.approx(0.10)
    assert g["weeks_to_target"] == 50  # 100 + 50 x 21/104 = 110.1, first >= 110
    assert math.isnan(growth(weekly, target=500).iloc[0]["weeks_to_target"])


# ---------------------------------------------------------------------------
# cost-benefit
# ---------------------------------------------------------------------------
def _tiny_weekly():
    return pd.DataFrame(
        {
            "run": "r",
            "scenario": "s",
            "seed": 1,
            "week": [0, 1, 2],
            "people_supported": [10, 11, 12],
            "people_live_in": [10, 11, 12],
            "people_short_break": [0, 0, 0],
            "people_day_support": [0, 0, 0],
            "cost_staff": [500.0, 600.0, 600.0],
            "cost_levers_other": [0.0, 100.0, 100.0],
            "cost_extra_fees": [0.0, 0.0, 50.0],
            "cost_carer_fees": [40.0, 44.0, 48.0],
            "cost_investment": [0.0, 100.0, 100.0],
            "cost_lever_colocation": [0.0, 10.0, 10.0],
        }
    )


def test_cost_benefit_by_hand():
    # saving GBP 52,000 a year = 1,000 a person-week: savings by week 10,000 / 11,000 / 12,000
    cb = run_cost_benefit(_tiny_weekly(), {"live_in": 52000.0})
    assert cb["gross_savings_gbp"] == pytest.approx(23000.0)  # weeks 1 and 2
    assert cb["growth_savings_gbp"] == pytest.approx(3000.0)  # 1,000 + 2,000 above week 0
    # additional: week 1 (600-500) + 100 + 0 = 200; week 2 (600-500) + 100 + 50 = 250
    assert cb["additional_cost_gbp"] == pytest.approx(450.0)
    assert cb["net_benefit_gbp"] == pytest.approx(2550.0)
    assert cb["benefit_cost_ratio"] == pytest.approx(3000.0 / 450.0)
    assert cb["payback_week"] == 1  # cumulative net 800 at week 1, money spent from week 1
    assert cb["cost_per_additional_person_gbp"] == pytest.approx(450.0 / 2)
    assert cb["scheme_cost_gbp"] == 1200.0 and cb["carer_fees_gbp"] == 92.0
    assert cb["investment_cost_gbp"] == 200.0 and cb["lever_cost_gbp"] == 20.0
    table = cost_benefit(_tiny_weekly(), {"live_in": 52000.0}, savings_range=(26000.0,))
    assert table["net_benefit_gbp_at_26000"].iloc[0] == pytest.approx(1500.0 - 450.0)  # half the growth savings


def test_cost_benefit_matches_the_models_summary(tmp_path):
    from slsim.experiments.config import load_params
    from slsim.simulation.run import run_simulation, write_run_folder

    result = run_simulation(load_params(["run.years=3", "run.seed=3", "levers=extra_workers"]))
    write_run_folder(result, tmp_path / "run", "run:\n  seed: 3\n")
    res = load(tmp_path / "run")
    own = result.params.economics.savings_per_person_year
    cb = cost_benefit(
        res.weekly, {"live_in": own.live_in, "short_break": own.short_break, "day_support": own.day_support}
    ).iloc[0]
    s = result.summary
    for key in (
        "gross_savings_gbp",
        "growth_savings_gbp",
        "additional_cost_gbp",
        "net_benefit_gbp",
        "investment_cost_gbp",
        "lever_cost_gbp",
    ):
        assert cb[key] == pytest.approx(s[key]), key
    assert (cb["payback_week"] if not math.isnan(cb["payback_week"]) else None) == s["payback_week"]


# ---------------------------------------------------------------------------
# figures: each renders on a tiny table with the expected axes
# ---------------------------------------------------------------------------
def _weekly_two_scenarios():
    parts = []
    for scenario in ("base", "a"):
        for seed in (1, 2):
            w = _tiny_weekly().assign(scenario=scenario, seed=seed, run=f"{scenario}/{seed}")
            w = w.assign(
                new_enquiries=[0, 3, 4],
                new_approvals=[0, 1, 0],
                households=[5, 6, 6],
                carers_active=[4, 5, 5],
                hours_monitoring=10.0,
                hours_matching=2.0,
                hours_assessment=3.0,
                hours_outreach=4.0,
                hours_recruitment=5.0,
            )
            parts.append(w)
    return pd.concat(parts, ignore_index=True)


def test_every_figure_renders_with_its_axes(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    weekly = _weekly_two_scenarios()
    effects = pd.DataFrame(
        {"scenario": ["a", "b"], "effect": [2.0, -1.0], "ci_low": [1.0, -2.0], "ci_high": [3.0, 0.5]}
    )
    sens = pd.DataFrame(
        {
            "method": "sobol",
            "output": "y",
            "parameter": ["p1", "p2"],
            "S1": [0.6, 0.2],
            "S1_conf": [0.1, 0.05],
            "ST": [0.7, 0.3],
            "ST_conf": [0.1, 0.05],
        }
    )
    ce = pd.DataFrame(
        {
            "rank": [1, 2, 3],
            "scenario": ["levers=all", "a", "b"],
            "d_cost_year": [400000.0, 1000.0, 3000.0],
            "d_cost_year_low": [390000.0, 800.0, 2900.0],
            "d_cost_year_high": [410000.0, 1200.0, 3100.0],
            "d_people": [100.0, 2.0, -1.0],
            "d_people_low": [90.0, 1.0, -3.0],
            "d_people_high": [110.0, 3.0, 1.0],
        }
    )
    morris = pd.DataFrame(
        {
            "method": "morris",
            "output": "net_benefit_gbp",
            "parameter": ["p1", "p2"],
            "mu_star": [1.2e6, 3.4e5],
            "mu_star_conf": [2e5, 1e5],
        }
    )  # GBP: no '1e6' offset text
    curve = pd.DataFrame(
        {
            "wtp": [0.0, 0.0, 0.0, 1000.0, 1000.0, 1000.0],
            "scenario": ["base", "a", "b"] * 2,
            "probability": [1.0, 0.0, 0.0, 0.2, 0.5, 0.3],
        }
    )
    shocks = pd.DataFrame(
        {
            "kind": ["pandemic", "pandemic", "funding_cut"],
            "group": ["levers=none"] * 3,
            "depth": [5.0, 7.0, 3.0],
            "weeks_to_recover": [10.0, None, 4.0],
        }
    )
    cases = {
        "fan_chart": (figures.fan_chart(weekly), "week", "people supported"),
        "pipeline_funnel": (figures.pipeline_funnel(weekly), "carer households (mean over runs)", "scenario"),
        "tornado": (figures.tornado(effects, "extra people"), "extra people", "scenario"),
        "sensitivity": (
            figures.sensitivity_indices(sens),
            "Sobol index (S1 first order, ST total order; lines: 95% CI)",
            "parameter",
        ),
        "sensitivity_morris": (
            figures.sensitivity_indices(morris),
            "Morris mu* (mean absolute elementary effect; lines: 95% CI)",
            "parameter",
        ),
        "ce_plane": (
            ce_figures.ce_plane(ce),
            "extra cost a year against the baseline",
            "extra people supported at the end",
        ),
        "ceac": (
            ce_figures.ceac_curve(curve, {"a": 1, "b": 2}, 500.0, curve[curve["scenario"] != "b"]),
            "willingness to pay a year per extra person supported at the end",
            "probability most cost-effective",
        ),
        "shock_recovery": (figures.shock_recovery(shocks), "shock", "depth (people below pre-shock level)"),
        "staff_time": (figures.staff_time(weekly, "base"), "week", "staff hours per week"),
    }
    for name, (fig, xlabel, ylabel) in cases.items():
        ax = fig.axes[0]
        assert (ax.get_xlabel(), ax.get_ylabel()) == (xlabel, ylabel), name
        fig.savefig(tmp_path / f"{name}.png")
        assert (tmp_path / f"{name}.png").stat().st_size > 1000
        assert_no_clipped_or_offset_text(fig, name)
    assert len(cases["fan_chart"][0].get_axes()) >= 2  # a panel per scenario
    assert [t.get_text() for t in cases["tornado"][0].axes[0].get_yticklabels()] == ["b", "a"]  # largest on top
    plane = cases["ce_plane"][0]
    assert len([a for a in plane.axes if a.get_visible() and a.axison]) == 2  # every lever at once: a panel apart
    numbers = {t.get_text() for a in plane.axes for t in a.texts}
    assert {"1", "2", "3"} <= numbers  # numbered points, with a key
    assert any("2  A" in t.get_text() or "All levers together" in t.get_text() for a in plane.axes for t in a.texts)


def assert_no_clipped_or_offset_text(fig, name):
    """Every visible text lies inside the figure (a title losing its ')' fails), and no axis shows an
    offset or scale text ('1e6') that could overlap its label."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    drawn = fig.get_tightbbox(renderer)  # inches: everything drawn, titles, labels and annotations included
    width, height = fig.get_size_inches()
    assert drawn.x0 >= -0.02 and drawn.y0 >= -0.02 and drawn.x1 <= width + 0.02 and drawn.y1 <= height + 0.02, (
        f"{name}: something is drawn off the figure ({drawn} in a {width} x {height} inch figure)"
    )
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            assert not axis.get_offset_text().get_text(), f"{name}: offset text {axis.get_offset_text().get_text()}"


# ---------------------------------------------------------------------------
# the report
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny_sweep(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    proc = slsim(
        "-m",
        "levers=none,extra_workers",
        "experiment.replicates=2",
        "run.years=2",
        "run.warmup_weeks=8",
        f"hydra.sweep.dir={root / 'sweep'}",
        cwd=root,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return root / "sweep"


def test_report_of_a_sweep_has_every_section_and_embedded_figures(tiny_sweep, capsys):
    assert report_main([str(tiny_sweep)]) == 0
    out = tiny_sweep / "report"
    page = (out / "index.html").read_text()
    for key, title in SECTIONS:
        assert (f"<section id='{key}'><h2>{title}</h2>" in page) == (key not in OPTIONAL), key  # no sampled parameters
    assert page.count("data:image/png;base64,") == 6  # fan chart, tornado, CE plane, CEAC, funnel, staff time
    for name in ("fan_chart", "tornado", "ce_plane", "ceac", "pipeline_funnel", "staff_time"):
        assert (out / "figures" / f"{name}.png").exists()
    effects = pd.read_csv(out / "tables" / "effects.csv")
    assert list(effects["scenario"]) == ["levers=extra_workers"]
    assert "levers.extra_workers.enabled" in page  # the assumptions table names parameters
    assert "report written to" in capsys.readouterr().out
    assert not list(tiny_sweep.glob(".report.*"))  # no temporary folders left
    assert report_main([str(tiny_sweep), "--savings", "12000"]) == 0  # a second build replaces the first


def test_report_of_a_single_run(tmp_path):
    run = tmp_path / "run"
    proc = slsim("run.years=1", "run.warmup_weeks=8", f"hydra.run.dir={run}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    folder = build(run)
    page = (folder / "index.html").read_text()
    assert "<section id='costbenefit'>" in page and "One scenario or no baseline" in page


def _refused(args, capsys):
    assert report_main([str(a) for a in args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("slsim-report: error: "), err
    return err[0]


def test_bad_input_one_line_exit_2_no_report(tmp_path, tiny_sweep, capsys):
    assert "no such folder" in _refused([tmp_path / "nowhere"], capsys)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "not a slsim run, sweep or national folder" in _refused([empty], capsys)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "data.csv").write_text("a,b\n1,2\n")
    assert "not a slsim run, sweep or national folder" in _refused([foreign], capsys)
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "sweep.parquet").write_bytes(b"PAR1 this is not parquet")
    assert "sweep.parquet: unreadable parquet" in _refused([corrupt], capsys)
    assert "savings_per_person_year=-5.0" in _refused([tiny_sweep, "--savings", "-5"], capsys)
    assert "baseline='nope'" in _refused([tiny_sweep, "--baseline", "nope", "--out", tmp_path / "r"], capsys)
    for folder in (empty, foreign, corrupt):
        assert not (folder / "report").exists()
    assert not (tmp_path / "r").exists()
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "slsim-report"), str(empty)], capture_output=True, text=True
    )
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1


def test_settings_are_checked(tmp_path):
    bad = tmp_path / "a.yaml"
    bad.write_text(
        "savings_per_person_year: 1\nsavings_range: [1]\nconfidence: 0.95\ntarget_people: 1\nbaseline: null\nextra: 1\n"
    )
    with pytest.raises(AnalysisError, match="unknown key extra"):
        load_settings(bad)
    s = load_settings()
    assert s.savings_per_person_year == 20000.0 and s.savings_range == (12000.0, 26000.0)


def test_analysis_never_imports_the_model():
    """analysis/ imports nothing of the model but the declarations of slsim.simulation.outputs, and importing
    all of it loads neither Mesa nor any other slsim module."""
    banned = ("slsim.simulation", "slsim.agents", "slsim.experiments", "mesa")
    allowed = {
        "slsim.simulation.outputs",
        "slsim.simulation.outfolder",
        "slsim.simulation.permissions",
        "slsim.simulation.units",
    }
    for path in (REPO / "analysis").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = (
                    [node.module]
                    if node.module != "slsim.simulation"
                    else [f"slsim.simulation.{a.name}" for a in node.names]
                )
            for name in names:
                assert name in allowed or not name.startswith(banned), f"{path.name} imports {name}"
    code = (
        "import sys, slsim.analysis.report, slsim.analysis.results, slsim.analysis.stats, "
        "slsim.analysis.costbenefit, slsim.analysis.figures; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'mesa' "
        "or m.startswith(('slsim.agents', 'slsim.experiments', 'slsim.simulation'))))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert (
        proc.stdout.strip() == "['slsim.simulation', 'slsim.simulation.outfolder', 'slsim.simulation.outputs', "
        "'slsim.simulation.permissions', 'slsim.simulation.units']"
    ), proc.stdout


def test_the_compose_api_example_runs(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(REPO / "docs" / "examples" / "compose_and_run.py"), "run.years=1", "run.warmup_weeks=8"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "people supported" in proc.stdout
    json.loads(proc.stdout.strip().splitlines()[-1])  # the summary, as JSON
