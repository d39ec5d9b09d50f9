"""slsim-report on national folders: a national study (tests/nation_fixture.py) and one slsim-nation run.

The numbers of the report are checked against ones computed here from the parquet files alone
(pairs by nation seed, Student-t intervals with scipy, growth classes counted from schemes.parquet);
bad input is refused in one line with exit code 2 and nothing written."""

import json
import math
import shutil

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from slsim.analysis.report import main as report_main
from slsim.analysis.results import AnalysisError
from slsim.analysis.settings import load_settings

YEARS = 2  # the fixture's run.years; the programmes spend from week 1 to the end


@pytest.fixture(scope="module")
def report(nation_study):
    assert report_main([str(nation_study)]) == 0
    folder = nation_study / "report"
    return folder, (folder / "index.html").read_text()


def _t_interval(x):
    x = np.asarray(x, dtype=float)
    half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return x.mean(), x.mean() - half, x.mean() + half


def test_cost_per_extra_person_is_paired_against_none(nation_study, report):
    folder, html = report
    runs = pd.read_parquet(nation_study / "runs.parquet")
    none = runs[runs["programme"] == "none"].set_index("seed")["people_end"]
    value = pd.read_csv(folder / "tables" / "value.csv").set_index("programme")
    assert set(value.index) == {"equal", "by_need"}
    expected = {}
    for programme in ("equal", "by_need"):
        own = runs[runs["programme"] == programme].set_index("seed")
        extra = own["people_end"] - none.loc[own.index]
        gbp = (own["gbp_spent_per_year"] * YEARS).mean()
        mean, low, high = _t_interval(extra)
        row = value.loc[programme]
        assert row["pairs"] == 2
        assert row["gbp_spent"] == pytest.approx(gbp)
        assert (row["extra_people"], row["extra_people_low"], row["extra_people_high"]) == pytest.approx(
            (mean, low, high)
        )
        assert row["people_per_gbp"] == pytest.approx(mean / gbp * 1e6)
        if mean > 0:
            assert row["cost_per_extra_person"] == pytest.approx(gbp / mean)
            assert f"£{gbp / mean:,.0f}" in html  # the table shows it
        expected[programme] = mean / gbp
    best = max(expected, key=expected.get)
    assert list(value.sort_values("rank").index) == sorted(expected, key=expected.get, reverse=True)
    if expected[best] > 0:
        assert f"Most people per pound: {best}</b>" in html
        assert f"{expected[best] * 1e6:,.1f} extra people supported at the end per £1m spent" in html


def test_growth_classes_and_totals_match_the_parquet_files(nation_study, report):
    folder, html = report
    runs = pd.read_parquet(nation_study / "runs.parquet")[["run", "programme"]]
    schemes = pd.read_parquet(nation_study / "schemes.parquet").merge(runs, on="run")
    counts = schemes.groupby(["programme", "run"])["growth_class"].value_counts().unstack(fill_value=0)
    table = pd.read_csv(folder / "tables" / "growth_classes.csv").set_index(["programme", "class"])
    for (programme, klass), row in table.iterrows():
        own = counts.loc[programme][klass] if klass in counts else pd.Series([0, 0])
        assert row["mean"] == pytest.approx(own.mean())
        assert row["ci_low"] >= 0
    national = pd.read_parquet(nation_study / "national.parquet").merge(runs, on="run")
    last = national[national["week"] == national["week"].max()]
    for programme, group in last.groupby("programme"):
        median = float(np.median(group["people_supported"]))
        assert f">{median:,.0f}</td>" in html.split("id='totals'")[1].split("</section>")[0]
    league = pd.read_csv(folder / "tables" / "league.csv")
    first = runs[(runs["programme"] == "none")]["run"].min()  # none, nation seed 1: one run (no draws)
    own = schemes[schemes["run"] == first].sort_values(["growth", "id"], ascending=[False, True])
    assert list(league["id"]) == list(own["id"])
    assert league["growth"].to_numpy() == pytest.approx(own["growth"].to_numpy())


def test_the_report_is_the_same_bytes_twice(nation_study, report, tmp_path):
    folder, html = report
    assert report_main([str(nation_study), "--out", str(tmp_path / "again")]) == 0
    assert (tmp_path / "again" / "index.html").read_text() == html
    for png in (folder / "figures").iterdir():
        assert (tmp_path / "again" / "figures" / png.name).read_bytes() == png.read_bytes()


def test_one_national_run_is_reported_without_a_comparison(nation_study, tmp_path):
    run = nation_study / "runs" / "run=2"  # programme "equal", nation seed 1: an slsim-nation folder
    summary = json.loads((run / "summary.json").read_text())
    assert report_main([str(run), "--out", str(tmp_path / "one")]) == 0
    html = (tmp_path / "one" / "index.html").read_text()
    assert "Nothing to compare (one national run)" in html
    spent = summary["programme"]["spent_gbp_per_year"]
    assert f"£{spent:,.0f} of it spent a year on {summary['programme']['posts_bought']} posts" in html
    assert len(list((tmp_path / "one" / "figures").iterdir())) == 4  # totals, classes, histogram, league
    national = pd.read_parquet(run / "national.parquet")
    start, end = national["people_supported"].iloc[0], national["people_supported"].iloc[-1]
    assert f">{end:,.0f}</td>" in html
    week = national["week"].iloc[-1]
    classes = ", ".join(str(summary["growth_classes"][k]) for k in ("grow", "stall", "shrink"))
    assert f"People supported {start:,} at week 0, {end:,} at week {week};" in html
    assert f"schemes that grow, stall, shrink: {classes}." in html


def _copy(nation_study, tmp_path):
    dest = tmp_path / "study"
    dest.mkdir()
    for name in ("study.json", "runs.parquet", "national.parquet", "schemes.parquet"):
        shutil.copy(nation_study / name, dest / name)
    return dest


def _break_runs(dest, frame_fn):
    frame_fn(pd.read_parquet(dest / "runs.parquet")).to_parquet(dest / "runs.parquet")


BAD = {
    "corrupt runs": (
        lambda d: (d / "runs.parquet").write_bytes(b"PAR1 not really"),
        "runs.parquet: unreadable parquet",
    ),
    "missing column": (
        lambda d: _break_runs(d, lambda f: f.drop(columns="gbp_spent_per_year")),
        "runs.parquet: missing column(s) gbp_spent_per_year (expected: run, programme",
    ),
    "text for a number": (
        lambda d: _break_runs(d, lambda f: f.assign(people_end=f["people_end"].astype(str))),
        "runs.parquet: column people_end must be numeric",
    ),
    "a run without weeks": (
        lambda d: pd.read_parquet(d / "national.parquet").query("run != 3").to_parquet(d / "national.parquet"),
        "national.parquet: runs [3] differ from runs.parquet's",
    ),
    "no schemes table": (lambda d: (d / "schemes.parquet").unlink(), "schemes.parquet: missing"),
    "study.json a list": (lambda d: (d / "study.json").write_text("[1]"), "study.json: not a JSON object"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_line_exit_2_and_nothing_written(nation_study, tmp_path, capsys, case):
    dest = _copy(nation_study, tmp_path)
    breaker, expected = BAD[case]
    breaker(dest)
    before = sorted(p.name for p in dest.iterdir())
    assert report_main([str(dest)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("slsim-report: error: "), err
    assert expected in err, err
    assert sorted(p.name for p in dest.iterdir()) == before  # no report, no partial folder


def test_a_folder_that_is_neither_and_a_programme_the_study_lacks(nation_study, tmp_path, capsys):
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("x")
    assert report_main([str(tmp_path / "other")]) == 2
    assert "not a slsim run, sweep or national folder" in capsys.readouterr().err
    run = tmp_path / "run"
    shutil.copytree(nation_study / "runs" / "run=0", run)
    (run / "summary.json").write_text(json.dumps({"kind": "something else"}))
    assert report_main([str(run)]) == 2
    assert 'summary.json: not a national output (expected "kind": "slsim-nation")' in capsys.readouterr().err
    out = tmp_path / "r"
    assert report_main([str(nation_study), "--baseline", "nothing", "--out", str(out)]) == 2
    assert "--baseline='nothing': allowed a programme of the study (none, equal, by_need)" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    "line, expected",
    [
        ("nation_league_colour: size", "nation_league_colour='size': allowed region, operator, kind"),
        ("nation_band: 1.5", "nation_band=1.5: allowed a number 0 < x < 1"),
        ("nation_growth_bins: 1", "nation_growth_bins=1: allowed an integer 2 <= x <= 200"),
        ("nation_per_gbp: 0", "nation_per_gbp=0: allowed a number > 0"),
    ],
)
def test_bad_national_settings_are_refused(tmp_path, line, expected):
    from slsim.analysis.settings import CONFIG_FILE

    key = line.split(":")[0]
    lines = [line if raw.startswith(f"{key}:") else raw for raw in CONFIG_FILE.read_text().splitlines()]
    assert line in lines  # the shipped file has the key: replaced
    path = tmp_path / "analysis.yaml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(AnalysisError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        load_settings(path)


def test_runs_pair_by_seed_and_draw_and_money_counts_the_years_spent(nation_study, tmp_path):
    from slsim.analysis.nation_results import load_nation
    from slsim.analysis.nation_tables import value

    dest = _copy(nation_study, tmp_path)
    runs = pd.read_parquet(dest / "runs.parquet")
    runs.loc[runs["programme"] == "equal", "programme_years"] = 0.5  # 26 weeks from week 53
    runs.loc[runs["programme"] != "none", "start_week"] = 53  # by_need: recurrent, weeks 53-104
    runs.to_parquet(dest / "runs.parquet")
    got = load_nation(dest).runs.set_index("run")
    for run, row in runs.set_index("run").iterrows():
        years = {"none": 2.0, "equal": 0.5, "by_need": 1.0}[row["programme"]]
        assert got.loc[run, "gbp_spent"] == pytest.approx(row["gbp_spent_per_year"] * years)
    # two draws on one seed: each programme run is paired with the none run of its own draw
    synthetic = pd.DataFrame(
        {
            "programme": ["none", "none", "p", "p"],
            "allocation": ["equal", "equal", "equal", "equal"],
            "seed": [1, 1, 1, 1],
            "draw": [0, 1, 1, 0],
            "people_end": [100.0, 200.0, 230.0, 110.0],
            "gbp_per_year": [0.0, 0.0, 1e6, 1e6],
            "posts_bought": [0, 0, 20, 20],
            "gbp_spent_per_year": [0.0, 0.0, 9e5, 9e5],
            "gbp_spent": [0.0, 0.0, 1.8e6, 1.8e6],
        }
    )
    row = value(synthetic, "none", 0.95, 1e6).iloc[0]
    assert row["pairs"] == 2 and row["extra_people"] == pytest.approx((30 + 10) / 2)
    assert row["cost_per_extra_person"] == pytest.approx(1.8e6 / 20)
    assert row["extra_people_low"] == pytest.approx(
        20 - stats.t.ppf(0.975, 1) * np.std([30, 10], ddof=1) / math.sqrt(2)
    )
