"""Scenario discovery (analysis/scenario_discovery.py, the report's "When growth fails") and slsim-report --csv.

PRIM is checked on synthetic sweep tables where failure happens exactly in a
known box (x1 < 0.3 and x2 > 0.6) beside noise parameters; the report on a
tiny real Latin-hypercube sweep (its numbers are the model's, so only the
section's presence and shape are checked, never a model number).
"""

import re
import shutil
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from helpers import slsim
from test_report_browser import browser, open_page, shot  # noqa: F401  (browser: a fixture)
from slsim.analysis.discovery_section import discovery_section
from slsim.analysis.report import main as report_main
from slsim.analysis.results import AnalysisError
from slsim.analysis.scenario_discovery import boxes_table, discover, parse_rule, uncertainties
from slsim.analysis.settings import load_settings

RULE = parse_rule("growth_people < 0")
PARAMS = ["x1", "x2", "n1", "n2", "n3"]


def synthetic(n=600, flip=0.0, seed=1) -> pd.DataFrame:
    """Runs that fail exactly when x1 < 0.3 and x2 > 0.6 (a share ``flip`` of outcomes flipped at random)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "status": "ok",
            "x1": rng.uniform(0, 1, n),
            "x2": rng.uniform(0, 1, n),
            "n1": rng.uniform(0, 1, n),
            "n2": rng.uniform(10, 20, n),  # noise on another scale
            "n3": rng.uniform(-5, -1, n),
        }
    )
    fail = (frame["x1"] < 0.3) & (frame["x2"] > 0.6)
    fail ^= rng.uniform(0, 1, n) < flip
    frame["growth_people"] = np.where(fail, -rng.integers(1, 10, n), rng.integers(0, 10, n))
    return frame


@pytest.mark.parametrize("flip", [0.0, 0.05])
def test_prim_recovers_the_known_box_and_leaves_the_noise_free(flip):
    found = discover(synthetic(flip=flip), PARAMS, RULE, min_density=0.8, max_qp=0.05, max_boxes=2)
    assert found.note is None and found.boxes
    box = found.boxes[0]
    lim = box.limits.set_index("parameter")
    assert sorted(lim.index) == ["x1", "x2"]  # n1, n2, n3 are not restricted
    assert lim.loc["x1", "high"] == pytest.approx(0.3, abs=0.05)
    assert lim.loc["x1", "low"] == lim.loc["x1", "sample_low"]  # x1 limited from above only
    assert lim.loc["x2", "low"] == pytest.approx(0.6, abs=0.05)
    assert lim.loc["x2", "high"] == lim.loc["x2", "sample_high"]
    # flipped outcomes outside the box (5% of ~480 runs) are failures no box can cover: coverage ~0.78
    assert box.density >= 0.8 and box.coverage >= (0.95 if flip == 0 else 0.7)
    # the statistics are those of the box as reported, from the table itself
    t = synthetic(flip=flip)
    inside = t["x1"].between(lim.loc["x1", "low"], lim.loc["x1", "high"]) & t["x2"].between(
        lim.loc["x2", "low"], lim.loc["x2", "high"]
    )
    fails = t["growth_people"] < 0
    assert box.runs == inside.sum() and box.failures == (inside & fails).sum()
    assert box.coverage == pytest.approx((inside & fails).sum() / fails.sum())
    assert box.density == pytest.approx((inside & fails).sum() / inside.sum())
    assert found.runs == len(t) and found.failures == fails.sum()


def test_the_same_table_gives_the_same_boxes():
    a = boxes_table(discover(synthetic(flip=0.05), PARAMS, RULE, 0.8, 0.05, 2))
    b = boxes_table(discover(synthetic(flip=0.05), PARAMS, RULE, 0.8, 0.05, 2))
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns[:4]) == ["box", "parameter", "low", "high"] and set(a["rule"]) == {"growth_people < 0"}


def test_failed_runs_are_left_out():
    t = synthetic()
    t.loc[:49, "status"] = "failed"
    t.loc[:49, "growth_people"] = np.nan
    assert discover(t, PARAMS, RULE, 0.8).runs == len(t) - 50


def test_no_failure_all_failure_and_pure_noise_are_said_plainly():
    t = synthetic()
    t["growth_people"] = 5
    found = discover(t, PARAMS, RULE, 0.8)
    assert not found.boxes and "did not fail in any of the 600 runs" in found.note
    t["growth_people"] = -5
    found = discover(t, PARAMS, RULE, 0.8)
    assert not found.boxes and "failed in every one of the 600 runs" in found.note
    rng = np.random.default_rng(3)
    t["growth_people"] = np.where(rng.uniform(size=len(t)) < 0.3, -1, 1)  # failure unrelated to any parameter
    found = discover(t, PARAMS, RULE, 0.8)
    assert not found.boxes and found.note and "depends on chance" in found.note


def test_no_varying_parameter_is_no_analysis():
    t = synthetic()
    t["x1"] = t["x2"] = t["n1"] = t["n2"] = t["n3"] = 0.5
    found = discover(t, PARAMS, RULE, 0.8)
    assert not found.boxes and "nothing to look for" in found.note
    assert uncertainties({"experiment": {"sample": {"method": "none", "parameters": {}}}}, t) == []
    cfg = {"experiment": {"sample": {"method": "latin", "parameters": {"x1": [0, 1], "gone": [0, 1]}}}}
    assert uncertainties(cfg, t) == ["x1"]  # a sampled parameter must be a column of the table


@pytest.mark.parametrize(
    "text, field",
    [("growth_people", "OUTCOME OP NUMBER"), ("growth_people == 0", "OUTCOME OP NUMBER"), ("nope < 0", "'nope'")],
)
def test_a_bad_failure_rule_is_one_line(text, field, tmp_path):
    with pytest.raises(AnalysisError, match=field) as info:
        parse_rule(text, {"growth_people"})
    assert "\n" not in str(info.value) and str(info.value).startswith("discovery_failure=")
    assert parse_rule(" people_supported_end<=-2.5e1 ") == parse_rule("people_supported_end <= -25")


@pytest.mark.parametrize(
    "key, bad, allowed",
    [
        ("discovery_failure", "'nope < 1'", "not a summary outcome"),
        ("discovery_min_density", "0", "0 < x <= 1"),
        ("discovery_max_qp", "1.5", "0 < x <= 1"),
        ("discovery_max_boxes", "0", "1 <= x <= 10"),
    ],
)
def test_discovery_settings_are_checked(key, bad, allowed, tmp_path):
    from slsim.analysis.settings import CONFIG_FILE

    lines = [f"{key}: {bad}" if line.startswith(f"{key}:") else line for line in CONFIG_FILE.read_text().splitlines()]
    path = tmp_path / "analysis.yaml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(AnalysisError, match=allowed):
        load_settings(path)


def _section(table, method="latin"):
    body = []
    figures = []
    results = SimpleNamespace(
        ok=table,
        kind="sweep",
        config={"experiment": {"sample": {"method": method, "parameters": {p: [0, 1] for p in PARAMS}}}},
    )
    discovery_section(
        results,
        load_settings(),
        lambda section, name, fig, caption: figures.append(name),
        lambda section, text: body.append((section, text)),
        lambda name, frame: None,
    )
    return "".join(t for _, t in body), figures


def test_the_section_says_when_growth_fails_in_plain_english():
    html, figures = _section(synthetic())
    m = re.search(r"Growth fails when X1 is at most ([0-9.]+) and X2 is at least ([0-9.]+)</b>", html)
    assert m and float(m.group(1)) == pytest.approx(0.3, abs=0.05) and float(m.group(2)) == pytest.approx(0.6, abs=0.05)
    assert "<b>Coverage</b> is the share of all failing runs" in html and "<b>density</b>" in html
    assert "N1" not in html and figures == ["discovery_box"]


def test_the_section_is_left_out_without_sampled_parameters_and_says_so_without_failures():
    assert _section(synthetic(), method="none") == ("", [])
    t = synthetic()
    t["growth_people"] = 1
    html, figures = _section(t)
    assert "did not fail in any" in html and not figures


# ---------------------------------------------------------------------------
# the report of a real (tiny) sampled sweep, and --csv
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def latin_sweep(tmp_path_factory):
    root = tmp_path_factory.mktemp("discovery")
    proc = slsim(
        "experiment=discovery",
        "experiment.sample.n=40",
        "experiment.sample.rows_per_job=20",
        "experiment.replicates=1",
        "run.years=1",
        "run.warmup_weeks=8",
        f"hydra.sweep.dir={root / 'sweep'}",
        cwd=root,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return root / "sweep"


def test_the_report_of_a_sampled_sweep_has_the_section_and_csv_writes_the_sweep_table(latin_sweep, capsys):
    out = latin_sweep.parent / "report_csv"
    assert report_main([str(latin_sweep), "--out", str(out), "--csv"]) == 0
    page = (out / "index.html").read_text()
    assert "<section id='discovery'><h2>When growth fails</h2>" in page
    assert "A run <b>fails to grow</b> when fewer people are supported at the end than at week 0" in page
    assert "40 complete runs" in page
    table = pd.read_parquet(latin_sweep / "sweep.parquet")
    csv = pd.read_csv(out / "sweep.csv")
    assert list(csv.columns) == list(table.columns) and len(csv) == len(table) == 40
    assert csv["carers.base_exit_per_year"].to_numpy() == pytest.approx(table["carers.base_exit_per_year"].to_numpy())
    assert not list(out.parent.glob(".report_csv.*"))  # built aside, renamed into place
    plain = latin_sweep.parent / "report_plain"
    assert report_main([str(latin_sweep), "--out", str(plain)]) == 0
    assert not (plain / "sweep.csv").exists()  # only on request


def test_csv_of_a_run_folder_is_one_line_exit_2_and_writes_nothing(latin_sweep, capsys):
    run = next(latin_sweep.glob("*/row-*-seed-*"))
    out = latin_sweep.parent / "report_run"
    assert report_main([str(run), "--out", str(out), "--csv"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("slsim-report: error: --csv: ") and "sweep" in err[0], err
    assert not out.exists()


def test_help_mentions_csv(capsys):
    assert report_main(["--help"]) == 0
    text = capsys.readouterr().out
    assert "--csv" in text and "sweep.csv" in text


def test_a_found_box_reads_in_a_browser(latin_sweep, tmp_path, browser):  # noqa: F811
    """A copy of the sweep whose outcome is rewritten to fail exactly where a parameter is high (so the
    test does not depend on the model's numbers): the section states the box, its table fits, its figure loads."""
    sweep = tmp_path / "sweep"
    shutil.copytree(latin_sweep, sweep, ignore=shutil.ignore_patterns("report*"))
    table = pd.read_parquet(sweep / "sweep.parquet")
    fail = table["carers.base_exit_per_year"] > 0.03  # 40 runs: one limit is clear of chance, two may not be
    table["growth_people"] = np.where(fail, -4, 4)
    table.to_parquet(sweep / "sweep.parquet", index=False)
    assert report_main([str(sweep)]) == 0
    page = open_page(browser, sweep / "report" / "index.html", 1366, 900)
    section = page.locator("section#discovery")
    text = section.inner_text()
    m = re.search(r"Growth fails when Carers leaving for other reasons, a year \(hazard\) is at least ([0-9.]+):", text)
    assert m and float(m.group(1)) == pytest.approx(0.03, abs=0.005), text
    assert section.locator("img").evaluate("img => img.naturalWidth") > 0
    for table_el in section.locator("table").all():
        assert table_el.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth + 1")
    section.scroll_into_view_if_needed()
    shot(page, "discovery_1366.png", full_page=False, clip=section.bounding_box())
    phone = open_page(browser, sweep / "report" / "index.html", 400, 800)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 400
    shot(phone, "discovery_400.png", clip=phone.locator("section#discovery").bounding_box(), full_page=True)
