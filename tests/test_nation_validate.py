"""slsim-nation-validate: the national model from 2021-22 against the national series (one run of
the period's conditions and one control run, 124 schemes, three years each: ~15 s)."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from slsim.experiments import nation_validate

# Open gaps, each with its reason; a gap that closes fails the test too, so the list cannot go stale.
KNOWN_GAPS = {
    # With 2021-22's staff (723 UK, 14.6 people a staff member against 9.9 in 2024-25) the schemes
    # cannot hold 2021-22's people: they fall about a fifth in warm-up, to where their hours hold
    # them (the model's schemes run near ten people a staff member, its calibration and the LGA's).
    # The staff count is derived (961 / 1.33); with 2022-23's 954 the start passes (README).
    "people_2021_22": "the 2021-22 people supported are not held with the 2021-22 staff"
}


@pytest.fixture(scope="module")
def done(tmp_path_factory):
    out = tmp_path_factory.mktemp("nv") / "validation"
    code = nation_validate.main(["--out", str(out), "--workers", "2", "--quiet"])
    assert code == 0
    return out


def test_every_check_passes_but_the_open_gaps(done):
    table = pd.read_csv(done / "validation.csv").set_index("check")
    assert list(table.index) == ["people_2021_22", "carers_2021_22", *nation_validate.SERIES]
    failing = sorted(table.index[table["status"] != "pass"])
    assert [n for n in failing if n not in KNOWN_GAPS] == [], table.to_string()
    assert [n for n in KNOWN_GAPS if table.loc[n, "status"] == "pass"] == []


def test_the_period_conditions_not_the_start_move_the_series(done):
    table = pd.read_csv(done / "validation.csv").set_index("check")
    # carers rise only with the period's conditions (the staff growth): the control's do not
    assert table.loc["carers_change_3y", "model"] > table.loc["carers_change_3y", "control"] + 0.05
    # the fall in people is smaller than the control's: part of the control's is the start's drain
    assert table.loc["people_change_3y", "control"] < table.loc["people_change_3y", "model"]
    record = json.loads((done / "validation.json").read_text())
    assert record["kind"] == "slsim-nation-validate" and record["control_overrides"] == nation_validate.CONTROL
    assert {p.name for p in done.iterdir()} == {"validation.csv", "validation.json", "period", "control"}
    period = json.loads((done / "period" / "summary.json").read_text())
    # the reported staff growth, 205 modelled posts, bought whole by the nation (programme.whole_posts)
    assert period["programme"]["posts_bought"] == 205
    assert period["programme"]["spent_gbp_per_year"] == period["programme"]["gbp_per_year"]
    assert period["end"]["staff"] > 1.3 * period["start"]["posts"]  # +38% published (723 to 997), less vacancies


def test_the_national_measures_are_the_single_schemes_on_the_summed_table(done):
    from slsim.simulation.measures import BY_NAME, RunView

    parts = pd.read_parquet(done / "period" / "timeseries")
    national = pd.read_parquet(done / "period" / "national.parquet")
    view = nation_validate.national_view(done / "period")
    assert (view.ts["people_supported"].to_numpy() == national["people_supported"].to_numpy()).all()
    one = parts[parts["scheme"].astype(str) == "s000"].drop(columns=["scheme"])
    single = RunView(one, pd.DataFrame({"week": pd.Series(dtype="int64")}))
    assert BY_NAME["share_live_in"].function(single) == pytest.approx(
        one["people_live_in"].iloc[-52:].sum() / one["people_supported"].iloc[-52:].sum()
    )


@pytest.mark.parametrize(
    "args, expected",
    [
        (["run.years=2"], "run.years=2: allowed at least 3"),
        (["nation.colour=red"], "nation.colour: unknown key"),
        (["--workers", "0"], "--workers=0: allowed integer 1 <= x <= 256"),
        (["programme.gbp_per_year=30000000"], "programme.gbp_per_year"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path, capsys, args, expected):
    out = tmp_path / "v"
    assert nation_validate.main(["--out", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1, err
    assert list(tmp_path.iterdir()) == []


def test_a_folder_of_other_files_is_refused_untouched(tmp_path):
    (tmp_path / "mine.txt").write_text("keep")
    proc = subprocess.run(
        [sys.executable, "-m", "slsim.experiments.nation_validate", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "a folder of other files" in proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]
