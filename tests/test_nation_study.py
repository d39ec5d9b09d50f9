"""slsim-nation-study on the basic executor: the study folder's layout and what it holds, the same
bytes for the same study, posterior draws, and bad input refused in one line with exit 2 and
nothing written. (The Ray cluster against the basic executor: tests/test_nation_study_ray.py.)"""

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from nation_study_helpers import files, tiny

from slsim.experiments import nation_study_cli

RUN_COLUMNS = [
    "run", "programme", "allocation", "gbp_per_year", "programme_years", "start_week", "seed", "draw",
    "people_start", "people_end", "households_start", "households_end", "staff_start", "staff_end",
    "posts_bought", "gbp_allocated_per_year", "gbp_spent_per_year", "grow", "stall", "shrink",
]  # fmt: skip


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    out = tmp_path_factory.mktemp("study") / "s"
    assert nation_study_cli.main(["--out", str(out), "--quiet", *tiny()]) == 0
    return out


def test_the_study_folder_has_the_layout_and_the_runs(study):
    names = sorted(p.name for p in study.iterdir())
    assert names == ["national.parquet", "runs", "runs.parquet", "schemes.parquet", "study.json"]
    assert sorted(p.name for p in (study / "runs").iterdir()) == [f"run={i}" for i in range(4)]
    assert not [p for p in study.parent.iterdir() if p.name.startswith(".")]  # no partial folder left
    runs = pd.read_parquet(study / "runs.parquet")
    assert list(runs.columns) == RUN_COLUMNS
    # order: programme, draw, seed
    assert runs[["run", "programme", "seed", "draw"]].values.tolist() == [
        [0, "none", 1, -1],
        [1, "none", 2, -1],
        [2, "stalled", 1, -1],
        [3, "stalled", 2, -1],
    ]
    assert runs["allocation"].tolist()[2:] == ["to_stalled"] * 2 and runs["start_week"].tolist()[2:] == [27, 27]
    national = pd.read_parquet(study / "national.parquet")
    schemes = pd.read_parquet(study / "schemes.parquet")
    assert list(national.columns) == ["run", "week", "people_supported", "households", "staff"]
    for r in runs.itertuples():
        folder = study / "runs" / f"run={r.run}"
        own = pd.read_parquet(folder / "national.parquet")
        mine = national[national["run"] == r.run].drop(columns="run").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, own)
        own_s = pd.read_parquet(folder / "schemes.parquet")
        pd.testing.assert_frame_equal(
            schemes[schemes["run"] == r.run].drop(columns="run").reset_index(drop=True), own_s
        )
        summary = json.loads((folder / "summary.json").read_text())
        assert summary["config"]["nation"]["seed"] == r.seed
        assert summary["config"]["programme"]["allocation"] == r.allocation
        assert (r.people_start, r.people_end) == (own["people_supported"].iloc[0], own["people_supported"].iloc[-1])
        assert (r.staff_start, r.staff_end) == (own["staff"].iloc[0], own["staff"].iloc[-1])
        assert r.grow + r.stall + r.shrink == len(own_s) == 4
        assert r.posts_bought == own_s["programme_posts"].sum()
        assert r.gbp_spent_per_year == pytest.approx(own_s["programme_spent_gbp_per_year"].sum())
        assert sorted(p.name for p in (folder / "timeseries").iterdir()) == sorted(f"scheme={i}" for i in own_s["id"])
    none, stalled = runs.iloc[:2], runs.iloc[2:]
    assert (none["posts_bought"] == 0).all() and (stalled["gbp_allocated_per_year"] == 300000).all()
    assert (stalled["posts_bought"] > 0).all()  # the money buys posts: staff grow over the no-programme runs
    assert (stalled["staff_end"].values > none["staff_end"].values).all()
    recorded = json.loads((study / "study.json").read_text())
    assert recorded["seeds"] == [1, 2] and recorded["draws"] == 0 and set(recorded["programmes"]) == {"none", "stalled"}
    assert "executor" not in json.dumps(recorded)


def test_a_run_is_the_same_bytes_in_any_study(study, tmp_path):
    # run 3 (stalled, seed 2) alone, in a study of one programme and one seed: the same files
    out = tmp_path / "alone"
    assert nation_study_cli.main(["--out", str(out), "--quiet", *tiny("seeds=[2]"), "programmes.none=null"]) == 0
    assert files(out / "runs" / "run=0") == files(study / "runs" / "run=3")
    # and again over itself: the same bytes, the previous study replaced
    before = files(out)
    assert nation_study_cli.main(["--out", str(out), "--quiet", *tiny("seeds=[2]"), "programmes.none=null"]) == 0
    assert files(out) == before


def test_posterior_draws_change_the_parameters_and_are_recorded(study, tmp_path):
    out = tmp_path / "drawn"
    args = [*tiny("seeds=[1]"), "programmes.stalled=null", "draws=2"]
    assert nation_study_cli.main(["--out", str(out), "--quiet", *args]) == 0
    runs = pd.read_parquet(out / "runs.parquet")
    assert runs[["run", "draw", "seed"]].values.tolist() == [[0, 0, 1], [1, 1, 1]]
    recorded = json.loads((out / "study.json").read_text())
    draws = recorded["posterior_draws"]
    assert [d["draw"] for d in draws] == [0, 1] and len(recorded["calibration"]["sha256"]) == 64
    assert draws[0]["values"] and not any(k.startswith("scheme.") for k in draws[0]["values"])
    # a drawn parameter set is not the calibrated defaults: the same seed's weekly totals differ
    base = pd.read_parquet(study / "runs" / "run=0" / "national.parquet")
    for r in (0, 1):
        other = pd.read_parquet(out / "runs" / f"run={r}" / "national.parquet")
        assert not base.equals(other)


@pytest.mark.parametrize(
    "args, expected",
    [
        (["seeds=0"], "seeds=0: allowed integer 1 <= x <= 10000"),
        (["seeds=[1, 1]"], "seeds=[1, 1]: allowed a count 1 <= x <= 10000 or a list of distinct seeds"),
        (["seeds=[-1]"], "seeds[]=-1: allowed integer 0 <= x <= 9223372036854775807"),
        (["draws=-1"], "draws=-1: allowed integer 0 <= x <= 10000"),
        (["draws=two"], "draws='two': allowed integer 0 <= x <= 10000"),
        (["colour=red"], "colour: unknown key (allowed keys: programmes, seeds, draws, calibration, overrides)"),
        (["programmes.equal.colour=red"], "programmes.equal.colour: unknown programme field (allowed: gbp_per_year,"),
        (["programmes.equal.allocation=random"], "programmes.equal: programme.allocation='random': allowed equal,"),
        (["overrides.run.years=0"], "overrides: run.years=0: allowed integer 1 <= x <= 100"),
        (["overrides.nation.seed=4"], "overrides.nation.seed: set by seeds"),
        (["draws=1", "calibration.path=nowhere"], "calibration.path=/"),
        (["--executor", "dask"], "--executor dask: allowed basic, ray"),
        (["--cpus", "2"], "--executor basic: --address and --cpus are for --executor ray"),
        (["--executor", "ray", "--cpus", "0"], "--cpus=0: allowed integer 1 <= x <= 1024"),
        (["--executor", "ray", "--address", "nohost"], "--address nohost: allowed HOST:PORT of a running Ray head"),
        (["--executor", "ray", "--address", "127.0.0.1:9"], "--address 127.0.0.1:9: no Ray cluster answers there"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path, capsys, args, expected):
    code = nation_study_cli.main(["--out", str(tmp_path / "s"), "--quiet", *args])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("slsim-nation-study: error: "), err
    assert expected in err, err
    assert list(tmp_path.iterdir()) == []


def test_ray_not_installed_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray raises ImportError
    assert nation_study_cli.main(["--out", str(tmp_path / "s"), "--executor", "ray", *tiny()]) == 2
    assert (
        "--executor ray: ray is not installed; allowed basic, or pip install 'ray>=2.40,<3'" in capsys.readouterr().err
    )
    assert list(tmp_path.iterdir()) == []


def test_an_out_folder_of_other_files_is_refused_untouched(tmp_path, capsys):
    (tmp_path / "keep.txt").write_text("mine")
    assert nation_study_cli.main(["--out", str(tmp_path), "--quiet", *tiny()]) == 2
    assert "a folder of other files" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_sigterm_leaves_nothing_partial(tmp_path):
    out = tmp_path / "s"
    cmd = [sys.executable, "-m", "slsim.experiments.nation_study_cli", "--out", str(out), *tiny("seeds=40")]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    assert "run 0 done" in proc.stderr.readline()  # runs are under way: the partial folder holds one
    assert any(p.name.startswith(".s.partial-") for p in tmp_path.iterdir())
    os.kill(proc.pid, signal.SIGTERM)
    rest = proc.stderr.read()
    assert proc.wait(timeout=30) == 143, rest
    assert "stopped (SIGTERM): nothing was written" in rest
    time.sleep(0.1)
    assert list(tmp_path.iterdir()) == []


def test_a_config_file_replaces_the_programmes_and_merges_the_overrides(tmp_path, capsys):
    from slsim.experiments import nation_study

    path = tmp_path / "study.yaml"
    path.write_text(
        "programmes: {base: {gbp_per_year: 0}, rich: {gbp_per_year: 1000000, start_week: 14}}\n"
        "seeds: [7, 3]\noverrides: {peers: {enabled: false}}\n"
    )
    study = nation_study.load(["draws=2"], path)
    assert list(study["programmes"]) == ["base", "rich"] and study["seeds"] == [7, 3]
    assert study["overrides"] == {"run": {"years": 5}, "peers": {"enabled": False}}  # merged with the default's
    runs = nation_study.plan(study)
    assert [(r.run, r.programme, r.draw, r.seed) for r in runs] == [
        (i, p, d, s) for i, (p, d, s) in enumerate((p, d, s) for p in ("base", "rich") for d in (0, 1) for s in (7, 3))
    ]
    assert runs[5].cfg.programme["gbp_per_year"] == 1e6 and runs[5].cfg.seed == 3 and not runs[5].cfg.peers["enabled"]
    path.write_text("programmes: {x: {colour: red}}\n")
    assert nation_study_cli.main(["--out", str(tmp_path / "s"), "--config", str(path)]) == 2
    assert "programmes.x.colour: unknown programme field" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()
