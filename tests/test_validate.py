"""slsim-validate (experiments/validate.py): the report of the model against the targets, its files,
its bad input, and the generated validation block of docs/ODD.md."""

import json
import math
import subprocess

import pandas as pd
import pytest

from helpers import BIN
from slsim.experiments import validate
from slsim.experiments.targets import load_targets

TARGETS = load_targets()


def run(tmp_path, *args):
    out = tmp_path / "v"
    code = validate.main(["--seeds", "2", "--out", str(out), *args])
    return code, out


def test_two_seeds_two_years_writes_the_report(tmp_path, capsys):
    code, out = run(tmp_path, "run.years=2")
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(validate.FILES)  # no temporary folder left
    data = json.loads((out / "validation.json").read_text())
    rows = {r["target"]: r for r in data["rows"]}
    assert list(rows) == list(TARGETS.names) and data["seeds"] == 2 and data["overrides"] == ["run.years=2"]
    assert sum(data["counts"].values()) == len(TARGETS)
    for r in data["rows"]:
        assert r["status"] in validate.STATUSES
        if r["status"] in ("pass", "fail"):
            # a seed can have nothing to measure (a small team that referred nobody in two years)
            assert 1 <= r["n"] <= 2 and (r["n"] == 1 or r["ci_lo"] <= r["mean"] <= r["ci_hi"])
            assert (r["status"] == "pass") == (r["lo"] <= r["mean"] <= r["hi"])
        else:
            assert r["mean"] is None and r["reason"]
    assert rows["scheme_worker_turnover_per_year"]["status"] in ("pass", "fail")  # modelled (processes/posts.py)
    assert rows["people_change_3y"]["reason"] == "the run is shorter than 3 years"
    assert rows["pandemic_change_live_in"]["reason"].startswith("not run with shocks=pandemic: shocks.events.pandemic")
    table = pd.read_parquet(out / "validation.parquet")
    assert list(table["target"]) == list(TARGETS.names)
    png = (out / "validation.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    printed = capsys.readouterr().out
    assert "people_per_staff" in printed and f"{data['counts']['pass']} pass" in printed


def test_three_years_measure_the_trend_and_the_pandemic(tmp_path):
    code, out = run(tmp_path, "run.years=3")
    assert code == 0
    rows = {r["target"]: r for r in json.loads((out / "validation.json").read_text())["rows"]}
    for name in ("people_change_3y", "carers_change_3y", "pandemic_change_live_in", "pandemic_change_day_support"):
        assert rows[name]["n"] == 2 and rows[name]["status"] in ("pass", "fail"), rows[name]
    assert rows["pandemic_change_live_in"]["overrides"] == "shocks=pandemic"


@pytest.mark.parametrize(
    "args,message",
    [
        (["--seeds", "0"], r"--seeds=0: allowed 1 <= x <= 10000"),
        (["--jobs", "0"], r"--jobs=0: allowed 1 <= x <= "),
        (["scheme.scheme_workers=-1"], r"scheme\.scheme_workers=-1"),
        (["levers=nonesuch"], r"levers=nonesuch: allowed .*colocation"),
        (["experiment=levers"], r"experiment=levers: allowed model overrides only"),
        (["--targets", "configs/targets/out_of_sample.yaml"], r"validation_only: true \(out of sample\)"),
        (["--seeds", "x"], r"argument --seeds: invalid int value: 'x'"),
        (["--nonesuch"], r"unrecognized arguments: --nonesuch"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as stop:  # argparse's own errors exit; checked input returns 2
        raise SystemExit(validate.main(["--out", str(tmp_path / "v"), *args]))
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("slsim-validate: error: ")
    import re

    assert re.search(message, err[0]), err[0]
    assert not (tmp_path / "v").exists()


def test_the_console_script_exists_and_refuses_bad_input(tmp_path):
    done = subprocess.run(
        [str(BIN / "slsim-validate"), "--seeds", "-1", "--out", str(tmp_path / "v")], capture_output=True, text=True
    )
    assert done.returncode == 2 and done.stderr.strip() == "slsim-validate: error: --seeds=-1: allowed 1 <= x <= 10000"


def test_the_odd_validation_block_is_generated_from_the_recorded_validation():
    assert validate.check_odd(TARGETS) == []
    data = json.loads(validate.DOC_RECORD.read_text())
    text = validate.DOC.read_text()
    block = text.split(validate.START, 1)[1].split(validate.END, 1)[0]
    assert all(f"`{name}`" in block for name in TARGETS.names)
    assert data["seeds"] >= 20 and data["overrides"] == []


def test_a_changed_target_makes_the_block_stale(tmp_path):
    text = validate.DOC.read_text()
    data = json.loads(validate.DOC_RECORD.read_text())
    data["rows"][0]["mean"] = 1234.5
    assert validate.odd_updated(text, data) != text
    data = json.loads(validate.DOC_RECORD.read_text())
    data["rows"][0]["hi"] += 1
    (tmp_path / "validation.json").write_text(json.dumps(data))
    original = validate.DOC_RECORD
    try:
        validate.DOC_RECORD = tmp_path / "validation.json"
        problems = validate.check_odd(TARGETS)
    finally:
        validate.DOC_RECORD = original
    assert any("targets differ" in p for p in problems)


# ---------------------------------------------------------------------------
# the default scheme against every published target, over 20 seeds (slow: ~40 runs), once for
# the tests below: every target of configs/targets/sector.yaml must pass (the model's mean over
# seeds inside the target's interval, slsim-validate's rule), except the open gaps, each with
# its reason; a gap that starts passing fails too, so the list cannot go stale: remove it then
# ---------------------------------------------------------------------------
SEEDS = 20
KNOWN_GAPS: dict = {
    # none open. The last one closed: people_change_3y (-6.2% over 2021-22 to 2024-25) once the
    # period's runs start from 2021-22's staffing (three scheme workers, scheme.scheme_workers=3 in
    # the targets' overrides) and the complexity trend is re-calibrated from there
    # (configs/calibration/period/): -0.5% over these seeds, inside [-12%, 0] but near its top.
}


@pytest.fixture(scope="module")
def table():
    return validate.validate(TARGETS, SEEDS, [])


@pytest.mark.slow
def test_every_target_passes_but_the_open_gaps(table):
    table = table.set_index("target")
    failing = sorted(table.index[table["status"] != "pass"])
    unexpected = [
        f"{n}: {table.loc[n, 'status']} (mean {table.loc[n, 'mean']:.3g})" for n in failing if n not in KNOWN_GAPS
    ]
    assert not unexpected, f"targets failing over {SEEDS} seeds: {unexpected}"


@pytest.mark.slow
def test_the_open_gaps_are_still_open(table):
    table = table.set_index("target")
    closed = [n for n in KNOWN_GAPS if table.loc[n, "status"] == "pass"]
    assert not closed, f"now passing, remove from KNOWN_GAPS: {closed}"


@pytest.mark.slow
def test_the_recorded_validation_is_what_the_model_gives_now(table):
    """docs/validation.json (and so the ODD block) is current: its seeds re-run, every mean compared."""
    data = json.loads(validate.DOC_RECORD.read_text())
    assert (data["seeds"], data["overrides"]) == (SEEDS, []), (
        "docs/validation.json is not the 20-seed default record: slsim-validate --seeds 20 --jobs 2 --write-odd"
    )
    for row, recorded in zip(table.to_dict("records"), data["rows"]):
        assert row["target"] == recorded["target"]
        if recorded["mean"] is None:
            assert math.isnan(row["mean"])
        else:
            assert row["mean"] == pytest.approx(recorded["mean"], rel=1e-9, abs=1e-12), row["target"]


def test_parallel_runs_give_the_same_table():
    one = validate.validate(TARGETS, 2, ["run.years=1", "run.warmup_weeks=10"])
    two = validate.validate(TARGETS, 2, ["run.years=1", "run.warmup_weeks=10"], jobs=2)
    pd.testing.assert_frame_equal(one, two)


def test_write_odd_writes_the_record_and_the_block(tmp_path, monkeypatch):
    doc, record = tmp_path / "ODD.md", tmp_path / "validation.json"
    doc.write_text(f"# ODD\n\n{validate.START}\nOLD-BLOCK\n{validate.END}\n\n## next\n")
    monkeypatch.setattr(validate, "DOC", doc)
    monkeypatch.setattr(validate, "DOC_RECORD", record)
    assert validate.main(["--seeds", "1", "--out", str(tmp_path / "v"), "--write-odd", "run.years=1"]) == 0
    data = json.loads(record.read_text())
    assert data == json.loads((tmp_path / "v" / "validation.json").read_text())
    text = doc.read_text()
    assert "OLD-BLOCK" not in text and text.endswith(f"{validate.END}\n\n## next\n") and "`people_per_staff`" in text
    assert validate.check_odd(TARGETS) == []
    assert validate.main(["--check-odd"]) == 0
    doc.write_text(text.replace("`people_per_staff`", "`people`"))
    assert validate.main(["--check-odd"]) == 1
