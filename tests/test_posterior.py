"""calibration=posterior: a study's runs drawn from a calibration's posterior, and the split of an
effect's interval into parameter uncertainty and seed noise (experiments/posterior.py,
analysis/variance.py)."""

import json

import numpy as np
import pandas as pd
import pytest

from helpers import refused, slsim

KEYS = ("carers.base_enquiries_per_year", "social_work.refer_intercept")
PARTICLES = pd.DataFrame(
    {
        "particle": [0, 1, 2, 3],
        "weight": [0.1, 0.4, 0.3, 0.2],
        "distance": [0.9, 0.5, 0.6, 0.8],
        KEYS[0]: [6.0, 9.5, 14.0, 20.0],
        KEYS[1]: [-5.0, -4.45, -4.0, -3.5],
    }
)
TINY = ["run.years=1", "run.warmup_weeks=4"]


def write_posterior(path, frame=PARTICLES, meta=True):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    if meta:
        info = {
            "spec": "configs/abc/default.yaml",
            "targets_file": "sector",
            "folder": str(path.parent),
            "generation": 4,
        }
        table = table.replace_schema_metadata(
            {**table.schema.metadata, b"slsim.calibration": json.dumps(info).encode()}
        )
    pq.write_table(table, path)
    return path


@pytest.fixture(scope="module")
def calibration(tmp_path_factory):
    folder = tmp_path_factory.mktemp("calibration")
    write_posterior(folder / "posterior.parquet")
    return folder


def sweep(root, calibration, name="sweep"):
    proc = slsim(
        "-m",
        "levers=none,colocation",
        "calibration=posterior",
        f"calibration.path={calibration}",  # the folder: its posterior.parquet
        "calibration.draws=2",
        "calibration.seeds_per_draw=2",
        "calibration.seed=3",
        *TINY,
        f"hydra.sweep.dir={root / name}",
        cwd=root,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return root / name


@pytest.fixture(scope="module")
def study(tmp_path_factory, calibration):
    root = tmp_path_factory.mktemp("study")
    return sweep(root, calibration)


def test_runs_carry_their_draw_and_values_from_the_posterior(study, calibration):
    from slsim.experiments.posterior import load, particle_of

    table = pd.read_parquet(study / "sweep.parquet")
    assert len(table) == 8 and (table["status"] == "ok").all()  # 2 arms x 2 draws x 2 seeds
    assert sorted(table["draw"].unique()) == [0, 1]
    assert table.groupby("scenario").size().to_dict() == {"levers=colocation": 4, "levers=none": 4}
    post = load(str(calibration))
    particles = {tuple(p) for p in PARTICLES[list(KEYS)].itertuples(index=False)}
    for row in table.itertuples(index=False):
        values = (row[table.columns.get_loc(KEYS[0])], row[table.columns.get_loc(KEYS[1])])
        assert values in particles  # a particle of the posterior, as it is in the file
        expected = PARTICLES.iloc[particle_of(post, 3, row.draw)]
        assert values == (expected[KEYS[0]], expected[KEYS[1]])
        assert row.run.endswith(f"draw-{row.draw}-seed-{row.seed}")
        meta = json.loads((study / row.run / "metadata.json").read_text())
        assert meta["draw"] == row.draw and meta["posterior"] == dict(zip(KEYS, values))
        assert meta["calibration"]["generation"] == 4 and len(meta["calibration"]["sha256"]) == 64


def test_arms_are_paired_by_draw_and_seed(study):
    table = pd.read_parquet(study / "sweep.parquet")
    arms = [one.set_index("seed")[["draw", *KEYS]].sort_index() for _, one in table.groupby("scenario")]
    pd.testing.assert_frame_equal(arms[0], arms[1])  # the same seed has the same draw and parameters in each arm
    assert table["seed"].nunique() == 4  # every run of an arm has its own seed: run.seed + d*2 + k
    per_draw = table.groupby("draw")["seed"].unique().apply(sorted).to_dict()
    assert per_draw == {0: [42, 43], 1: [44, 45]}


def test_same_config_same_bytes(tmp_path, study, calibration):
    again = sweep(tmp_path, calibration, "again")
    runs = sorted(p.relative_to(study) for p in study.glob("*/draw-*"))
    assert runs == sorted(p.relative_to(again) for p in again.glob("*/draw-*")) and len(runs) == 8
    for run in runs:
        for name in ("timeseries.parquet", "events.parquet", "config.yaml"):
            assert (study / run / name).read_bytes() == (again / run / name).read_bytes(), (run, name)
    a, b = (pd.read_parquet(p / "sweep.parquet") for p in (study, again))
    pd.testing.assert_frame_equal(a, b)


def test_a_draw_does_not_depend_on_how_many_draws(calibration):
    from slsim.experiments.posterior import load, particle_of

    post = load(str(calibration))
    picks = [particle_of(post, 0, d) for d in range(400)]
    shares = np.bincount(picks, minlength=4) / 400
    assert np.abs(shares - PARTICLES["weight"].to_numpy()).max() < 0.08  # by weight
    assert picks == [particle_of(post, 0, d) for d in range(400)]  # seeded
    assert picks != [particle_of(post, 1, d) for d in range(400)]  # another seed, other draws


def test_report_splits_the_interval_only_for_a_study_with_draws(study):
    from slsim.analysis.report import main as report_main

    assert report_main([str(study)]) == 0
    text = (study / "report" / "index.html").read_text()
    assert "Of the interval&#x27;s width" in text and "from parameter uncertainty (posterior draws)" in text
    assert "run-to-run randomness only" not in text
    split = pd.read_csv(study / "report" / "tables" / "variance.csv")
    assert list(split["scenario"]) == ["levers=colocation"] and split["draws"].iloc[0] == 2
    shares = split["param_share"].iloc[0] + split["seed_share"].iloc[0]
    assert shares == pytest.approx(1.0) or np.isnan(shares)


# the variance split ------------------------------------------------------------------------
def synthetic(draws, seeds, sd_param, sd_seed, seed=0):
    rng = np.random.default_rng(seed)
    effect = 5.0 + rng.normal(0, sd_param, draws)
    rows = []
    for d in range(draws):
        for k in range(seeds):
            s = d * seeds + k
            rows.append({"scenario": "base", "draw": d, "seed": s, "status": "ok", "y": 100.0})
            rows.append(
                {
                    "scenario": "lever",
                    "draw": d,
                    "seed": s,
                    "status": "ok",
                    "y": 100.0 + effect[d] + rng.normal(0, sd_seed),
                }
            )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("sd_param, sd_seed", [(3.0, 2.0), (0.0, 2.0), (2.0, 0.5)])
def test_the_split_recovers_known_components(sd_param, sd_seed):
    from slsim.analysis.variance import variance_table

    runs = synthetic(600, 4, sd_param, sd_seed)
    row = variance_table(runs, "y", "base").iloc[0]
    assert row["draws"] == 600 and row["seeds_per_draw"] == 4
    assert row["within_var"] == pytest.approx(sd_seed**2, rel=0.08)
    assert row["between_var"] == pytest.approx(sd_param**2, rel=0.15, abs=0.05)
    expected = sd_param**2 / (sd_param**2 + sd_seed**2 / 4)
    assert row["param_share"] == pytest.approx(expected, abs=0.04)
    assert row["param_share"] + row["seed_share"] == pytest.approx(1.0)


def test_the_interval_is_over_draw_means():
    from slsim.analysis.stats import paired_effects
    from slsim.analysis.variance import variance_table

    runs = synthetic(40, 5, 3.0, 1.0, seed=1)
    eff = paired_effects(runs, "y", "base").iloc[0]
    diff = runs[runs["scenario"] == "lever"].groupby("draw")["y"].mean() - 100.0
    assert eff["pairs"] == 200 and eff["sd"] == pytest.approx(diff.std(ddof=1))
    row = variance_table(runs, "y", "base").iloc[0]
    assert row["mean_var"] == pytest.approx(diff.var(ddof=1) / 40)  # the parts add up to the interval's variance
    without = runs.drop(columns="draw")  # no posterior: seeds paired, as before
    assert paired_effects(without, "y", "base").iloc[0]["sd"] == pytest.approx(
        (runs[runs["scenario"] == "lever"]["y"] - 100.0).std(ddof=1)
    )


def test_one_seed_a_draw_cannot_be_split():
    from slsim.analysis.variance import split_sentence, variance_table

    table = variance_table(synthetic(10, 1, 3.0, 1.0), "y", "base")
    assert np.isnan(table["param_share"].iloc[0])
    assert "cannot be told" in split_sentence(table)
    assert split_sentence(variance_table(synthetic(10, 3, 3.0, 1.0), "y", "base")).startswith("Of the interval's width")


# bad input -----------------------------------------------------------------------------------
@pytest.fixture
def bad_posteriors(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    out = {"corrupt": folder / "corrupt.parquet", "folder": folder / "empty_folder"}
    out["corrupt"].write_bytes(b"PAR1 this is not a parquet file")
    out["folder"].mkdir()
    out["unknown_key"] = write_posterior(
        folder / "unknown.parquet", PARTICLES.rename(columns={KEYS[0]: "carers.no_such_rate"})
    )
    out["run_key"] = write_posterior(folder / "run.parquet", PARTICLES.rename(columns={KEYS[0]: "run.years"}))
    out["no_weight"] = write_posterior(folder / "noweight.parquet", PARTICLES.drop(columns="weight"))
    out["nan_weight"] = write_posterior(folder / "nanweight.parquet", PARTICLES.assign(weight=[0.1, np.nan, 0.3, 0.2]))
    out["refused"] = write_posterior(folder / "refused.parquet", PARTICLES.assign(**{KEYS[0]: -1.0}))
    out["empty"] = write_posterior(folder / "empty.parquet", PARTICLES.iloc[:0])
    return out


@pytest.mark.parametrize(
    "case, field",
    [
        ("missing", "calibration.path"),
        ("folder", "calibration.path"),
        ("corrupt", "calibration.path"),
        ("unknown_key", "calibration.path"),
        ("run_key", "calibration.path"),
        ("no_weight", "calibration.path"),
        ("nan_weight", "calibration.path"),
        ("refused", "calibration.path"),
        ("empty", "calibration.path"),
    ],
)
@pytest.mark.parametrize("mode", ["single", "sweep"])
def test_a_bad_posterior_is_refused_in_one_line(case, field, mode, bad_posteriors, capsys, tmp_path, monkeypatch):
    path = bad_posteriors.get(case, tmp_path.parent / "no_such_calibration")
    args = ["calibration=posterior", f"calibration.path={path}", *TINY]
    if mode == "sweep":
        args = ["-m", "levers=none,colocation", *args]
    line = refused(args, capsys, tmp_path, monkeypatch)
    assert f"{field}=" in line, line


@pytest.mark.parametrize(
    "override, field",
    [
        ("calibration.draws=0", "calibration.draws"),
        ("calibration.draws=10001", "calibration.draws"),
        ("calibration.seeds_per_draw=0", "calibration.seeds_per_draw"),
        ("calibration.seed=-1", "calibration.seed"),
        ("calibration.method=prior", "calibration.method"),
        ("calibration.seeds_per_draw=10000", "calibration.draws"),  # 20 x 10,000 runs a job
        ("experiment=discovery", "experiment.sample.method=latin"),
    ],
)
def test_bad_calibration_settings_are_refused(override, field, calibration, capsys, tmp_path, monkeypatch):
    line = refused(
        ["calibration=posterior", f"calibration.path={calibration}", override], capsys, tmp_path, monkeypatch
    )
    assert field in line, line


def test_calibration_none_leaves_run_configs_as_they_were(tmp_path):
    from slsim.experiments.config import compose_cfg, resolved_yaml

    text = resolved_yaml(compose_cfg(TINY))
    assert "calibration" not in text  # a run done before the group existed is still recognised
    assert "calibration:\n  method: posterior" in resolved_yaml(compose_cfg([*TINY, "calibration=posterior"]))
