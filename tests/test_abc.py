"""slsim-calibrate (ABC-SMC with pyabc): the spec's checks, the distance, the sampler's seeding,
bad input, and a tiny calibration as a user runs it: outputs, resume, and a run killed between
generations that resumes to the same posterior.

The tiny calibration: 3 parameters, 4 targets, 1-year runs after a 1-year warm-up, 8 particles,
2 generations then a third, on 2 processes (about 30 s on a 2-core machine: marked slow).
"""

import dataclasses
import json
import re
import math
import os
import signal
import subprocess
import time

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import BIN, params
from slsim.experiments.abc_model import MISSING_TERM, BandDistance, target_term
from slsim.experiments.abc_sampler import particle_seed
from slsim.experiments.abc_spec import DEFAULT_SPEC, check_bounds, identity, load_spec
from slsim.experiments.targets import load_targets
from slsim.simulation.params import ConfigError

FIT = ["people_per_scheme", "carers_per_scheme", "carer_exits_per_carer_year", "share_live_in"]
PRIORS = {
    "carers.base_enquiries_per_year": {
        "distribution": "loguniform",
        "bounds": [3.0, 40.0],
        "unit": "per year",
        "why": "test",
    },
    "referrals.arrangement_mix.short_break": {
        "distribution": "uniform",
        "bounds": [0.15, 0.7],
        "unit": "weight",
        "why": "test",
    },
    "scheme.scheme_workers": {"distribution": "uniform", "bounds": [2, 5], "unit": "posts", "why": "test"},
}
ABC = {"population": 8, "generations": 2, "epsilon_quantile": 0.5, "min_epsilon": 0.0, "seeds_per_particle": 1,
       "max_walltime_minutes": 10, "seed": 5, "predictive_draws": 4, "aggregate": "rms",
       "transition": "per_parameter"}  # fmt: skip


def tiny_spec(folder, **changes) -> os.PathLike:
    names = load_targets().names
    data = {
        "version": 1,
        "targets": "sector",
        "fit": FIT,
        "left_out": {n: "not in the tiny test" for n in names if n not in FIT},
        "overrides": ["run.years=1", "run.warmup_weeks=52"],
        "priors": PRIORS,
        "abc": ABC,
    }
    data.update(changes)
    path = folder / "tiny.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def calibrate(*args, cwd, wait=True):
    cmd = [str(BIN / "slsim-calibrate"), *map(str, args)]
    if not wait:  # its own session, to be killed as a group; stderr read as bytes
        return subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


# --------------------------------------------------------------------------- the distance
def test_a_term_is_zero_at_the_value_one_at_the_band_edges_and_more_outside():
    assert target_term(10.0, 5.0, 20.0, 10.0) == 0.0
    assert target_term(10.0, 5.0, 20.0, 20.0) == pytest.approx(1.0)
    assert target_term(10.0, 5.0, 20.0, 5.0) == pytest.approx(1.0)
    assert target_term(10.0, 5.0, 20.0, 15.0) == pytest.approx(0.5)  # in units of the upper side (10)
    assert target_term(10.0, 5.0, 20.0, 7.5) == pytest.approx(0.5)  # in units of the lower side (5)
    assert target_term(10.0, 5.0, 20.0, 30.0) == pytest.approx(2.0)
    assert target_term(0.0, -1.0, 0.0, 0.5) > 1.0  # the value on the band's edge: beyond it is outside
    assert target_term(10.0, 5.0, 20.0, math.nan) == MISSING_TERM


class _T:
    def __init__(self, name, value, lo, hi):
        self.name, self.value, self.lo, self.hi = name, value, lo, hi


bands = st.tuples(st.floats(-100, 100), st.floats(0.01, 50), st.floats(0.01, 50)).map(
    lambda t: (t[0] - t[1], t[0], t[0] + t[2])
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(bands, st.floats(-3, 4)), min_size=1, max_size=6))
def test_distance_is_at_most_one_inside_every_band_and_max_says_exactly_when(rows):
    targets = [_T(f"t{i}", v, lo, hi) for i, ((lo, v, hi), _) in enumerate(rows)]
    x = {t.name: t.lo + u * (t.hi - t.lo) for t, (_, u) in zip(targets, rows)}  # u in [0, 1]: inside
    inside = all(t.lo <= x[t.name] <= t.hi for t in targets)
    rms, top = BandDistance(targets, "rms")(x), BandDistance(targets, "max")(x)
    assert rms <= top + 1e-12
    if inside:
        assert rms <= 1.0 + 1e-9
    assert (top <= 1.0 + 1e-9) == inside or abs(top - 1.0) < 1e-9


def test_particle_seeds_depend_on_seed_generation_and_number_only():
    assert particle_seed(1, 0, 5) == particle_seed(1, 0, 5)
    seeds = {particle_seed(s, t, i) for s in (1, 2) for t in (-1, 0, 1) for i in range(50)}
    assert len(seeds) == 2 * 3 * 50


# --------------------------------------------------------------------------- the spec
def test_the_proposal_kernel_is_a_product_of_marginals_unless_joint_is_asked(tmp_path):
    import numpy as np
    import pandas as pd
    import pyabc

    from slsim.experiments.abc_model import transition

    spec = load_spec(DEFAULT_SPEC)
    kernel = transition(spec)
    assert isinstance(kernel, pyabc.AggregatedTransition) and set(kernel.mapping) == {(k,) for k in spec.names}
    joint = dataclasses.replace(spec, abc=dataclasses.replace(spec.abc, transition="joint"))
    assert isinstance(transition(joint), pyabc.MultivariateNormalTransition)
    # the product kernel's density is the product of its one-dimensional kernels' densities
    rng = np.random.default_rng(3)
    particles = pd.DataFrame({k: rng.uniform(p.lo, p.hi, 40) for k, p in zip(spec.names, spec.priors)})
    kernel.fit(particles, np.full(40, 1 / 40))
    point = pyabc.Parameter(particles.iloc[0].to_dict())
    product = 1.0
    for key in spec.names:
        one = pyabc.MultivariateNormalTransition()
        one.fit(particles[[key]], np.full(40, 1 / 40))
        product *= one.pdf(pyabc.Parameter({key: point[key]}))
    assert kernel.pdf(point) == pytest.approx(product, rel=1e-9)


def test_the_default_spec_loads_and_its_bounds_suit_the_model():
    spec = load_spec()
    assert spec.path == DEFAULT_SPEC
    fitted = {t.name for t in spec.fit}
    assert fitted | set(spec.left_out) == set(spec.targets.names) and not fitted & set(spec.left_out)
    assert not any(p.key.startswith("levers.") for p in spec.priors)
    for p in spec.priors:
        assert p.unit.strip() and p.why.strip(), p.key
    check_bounds(spec, params())


@pytest.mark.parametrize(
    "change, message",
    [
        ({"priors": {"levers.colocation.referral_boost": PRIORS["scheme.scheme_workers"]}}, "lever strengths stay priors"),
        ({"priors": {"run.years": PRIORS["scheme.scheme_workers"]}}, "run settings"),
        ({"priors": {"carers.nonesuch": PRIORS["scheme.scheme_workers"]}}, "not a numeric parameter"),
        ({"priors": {"scheme.scheme_workers": {**PRIORS["scheme.scheme_workers"], "distribution": "loguniform"}}},
         "integer parameter"),
        ({"priors": {"carers.base_exit_per_year": {**PRIORS["scheme.scheme_workers"], "bounds": [0.1, 0.0]}}},
         "allowed lo < hi"),
        ({"priors": {"carers.base_exit_per_year": {**PRIORS["scheme.scheme_workers"], "distribution": "gamma"}}},
         "allowed uniform, loguniform, normal, lognormal"),
        ({"priors": {"carers.base_exit_per_year": {"distribution": "normal", "bounds": [0, 1], "unit": "u", "why": "w"}}},
         ".mean: missing"),
        ({"fit": [*FIT, "nonesuch"]}, "nonesuch: not a target"),
        ({"fit": FIT[:-1]}, "neither in fit nor in left_out"),
        ({"abc": {**ABC, "population": 1}}, "abc.population=1: allowed 2 <= x <= 100000"),
        ({"abc": {**ABC, "epsilon_quantile": 1.0}}, "abc.epsilon_quantile=1.0: allowed 0.0 < x < 1.0"),
        ({"abc": {**ABC, "aggregate": "mean"}}, "abc.aggregate='mean': allowed rms, max"),
        ({"abc": {**ABC, "transition": "kde"}}, "abc.transition='kde': allowed per_parameter, joint"),
        ({"abc": {k: v for k, v in ABC.items() if k != "seed"}}, "abc.seed: missing"),
        ({"extra": 1}, "extra: unknown key"),
        ({"targets": "out_of_sample"}, "validation_only"),
    ],
)  # fmt: skip
def test_a_bad_spec_is_refused_in_one_line_naming_the_field(tmp_path, change, message):
    with pytest.raises(ConfigError) as info:
        load_spec(tiny_spec(tmp_path, **change))
    assert message in str(info.value) and "\n" not in str(info.value)


def test_bounds_the_model_refuses_are_named(tmp_path):
    bad = {"carers.enquiry_to_assessment": {"distribution": "uniform", "bounds": [0.1, 1.5], "unit": "p", "why": "w"}}
    spec = load_spec(tiny_spec(tmp_path, priors=bad))
    with pytest.raises(
        ConfigError, match=r"priors.carers.enquiry_to_assessment.bounds=\[0.1, 1.5\]: the model refuses 1.5"
    ):
        check_bounds(spec, params())


def test_identity_ignores_what_may_change_on_resume(tmp_path):
    spec = load_spec(tiny_spec(tmp_path))
    more = load_spec(tiny_spec(tmp_path), generations=9, max_walltime_minutes=1, predictive_draws=0)
    assert identity(spec) == identity(more)
    assert identity(spec) != identity(load_spec(tiny_spec(tmp_path), population=9))


# --------------------------------------------------------------------------- the command: bad input
@pytest.mark.parametrize(
    "args, message",
    [
        (["--procs", "0"], "--procs=0: allowed 1 <= x"),
        (["--population", "1"], "--population=1: allowed 2 <= x <= 100000"),
        (["--spec", "missing.yaml"], "cannot read"),
        (["experiment=levers"], "allowed model overrides"),
        (["scheme.scheme_workers=lots"], "scheme.scheme_workers"),
        (["--bogus"], "unrecognized arguments"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path, args, message):
    spec = tiny_spec(tmp_path)
    if args[:1] != ["--spec"]:
        args = ["--spec", spec, *args]
    proc = calibrate(*args, "--out", tmp_path / "out", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("slsim-calibrate: error: ") and message in lines[0], lines
    assert not (tmp_path / "out").exists()


def test_a_target_the_runs_cannot_measure_is_refused(tmp_path):
    # two years: the target's own period preset (its events start in year 2) fits, its 3-year trend does not
    spec = tiny_spec(tmp_path, fit=[*FIT, "people_change_3y"], overrides=["run.years=2", "run.warmup_weeks=52"])
    names = load_targets().names
    text = yaml.safe_load(spec.read_text())
    text["left_out"] = {n: "x" for n in names if n not in text["fit"]}
    spec.write_text(yaml.safe_dump(text))
    proc = calibrate("--spec", spec, "--out", tmp_path / "out", cwd=tmp_path)
    assert proc.returncode == 2
    assert "fit: people_change_3y: the run is shorter than 3 years" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_a_folder_of_another_calibration_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "spec.json").write_text(json.dumps({"identity": {"abc": {"population": 99}}}))
    proc = calibrate("--spec", tiny_spec(tmp_path), "--out", out, cwd=tmp_path)
    assert proc.returncode == 2 and "holds a calibration of a different spec" in proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["spec.json"]


# --------------------------------------------------------------------------- a tiny calibration
@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """2 generations, then a third by the same command with --generations 3 (continues)."""
    folder = tmp_path_factory.mktemp("abc")
    spec = tiny_spec(folder)
    first = calibrate("--spec", spec, "--out", "out", "--procs", "2", cwd=folder)
    posterior2 = pd.read_parquet(folder / "out" / "posterior.parquet")
    again = calibrate("--spec", spec, "--out", "out", "--procs", "2", cwd=folder)
    more = calibrate("--spec", spec, "--out", "out", "--procs", "2", "--generations", "3", cwd=folder)
    return folder, spec, first, posterior2, again, more


@pytest.mark.slow
def test_a_tiny_calibration_writes_the_posterior_and_figures(tiny):
    folder, spec, first, posterior2, _, _ = tiny
    assert first.returncode == 0, first.stderr[-3000:]
    lines = first.stderr.splitlines()
    assert sum(bool(re.match(r"slsim-calibrate: generation \d/2: epsilon ", line)) for line in lines) == 2
    assert any("ETA" in line for line in lines) and all("Traceback" not in line for line in lines)
    assert list(posterior2.columns) == ["particle", "weight", "distance", *PRIORS]
    assert len(posterior2) == ABC["population"] and posterior2["weight"].sum() == pytest.approx(1.0)
    for key, prior in PRIORS.items():
        lo, hi = prior["bounds"]
        assert posterior2[key].between(lo, hi).all(), key
    assert (posterior2["scheme.scheme_workers"] == posterior2["scheme.scheme_workers"].round()).all()
    out = folder / "out"
    for name in ("marginals.png", "epsilon.png", "predictive.png"):
        assert (out / "figures" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary left


@pytest.mark.slow
def test_calibration_json_says_what_was_fitted_and_how_it_went(tiny):
    folder = tiny[0]
    data = json.loads((folder / "out" / "calibration.json").read_text())
    assert data["fit"] == FIT and len(data["generations"]) == 3
    assert [g["generation"] for g in data["generations"]] == [1, 2, 3]
    eps = [g["epsilon"] for g in data["generations"]]
    assert eps == sorted(eps, reverse=True)  # each threshold a quantile of the last generation's distances
    assert set(data["posterior"]) == set(PRIORS)
    assert "Lever strengths" in data["not_calibrated"]
    assert set(data["predictive"]["targets"]) == set(FIT)
    pred = pd.read_parquet(folder / "out" / "predictive.parquet")
    assert len(pred) == ABC["predictive_draws"] * len(FIT)


@pytest.mark.slow
def test_the_same_command_again_resumes_and_more_generations_continue(tiny):
    folder, _, _, posterior2, again, more = tiny
    assert again.returncode == 0 and "the history has 2 generations" in again.stderr
    assert "generation 1/2" not in again.stderr  # nothing sampled again
    assert more.returncode == 0 and "continuing from generation 2" in more.stderr
    assert "generation 3/3" in more.stderr and "generation 2/3" not in more.stderr
    assert not pd.read_parquet(folder / "out" / "posterior.parquet").equals(posterior2)


@pytest.mark.slow
def test_a_run_killed_between_generations_resumes_to_the_same_posterior(tiny):
    folder, spec = tiny[0], tiny[1]
    proc = calibrate("--spec", spec, "--out", "killed", "--procs", "2", "--generations", "3", cwd=folder, wait=False)
    seen, deadline = "", time.time() + 120
    os.set_blocking(proc.stderr.fileno(), False)
    while "generation 1/3" not in seen and time.time() < deadline and proc.poll() is None:
        try:
            seen += os.read(proc.stderr.fileno(), 65536).decode()
        except BlockingIOError:
            time.sleep(0.05)
    assert "generation 1/3" in seen, seen
    os.killpg(proc.pid, signal.SIGKILL)  # no clean-up of any kind, workers included
    proc.wait()
    assert not (folder / "killed" / "posterior.parquet").exists()
    resumed = calibrate("--spec", spec, "--out", "killed", "--procs", "1", "--generations", "3", cwd=folder)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "continuing from generation" in resumed.stderr
    got = pd.read_parquet(folder / "killed" / "posterior.parquet")
    want = pd.read_parquet(folder / "out" / "posterior.parquet")  # 2 generations, then a third, on 2 processes
    pd.testing.assert_frame_equal(got, want)


@pytest.mark.slow
def test_the_posterior_file_names_its_calibration(tiny):
    import pyarrow.parquet as pq

    meta = json.loads(pq.read_schema(tiny[0] / "out" / "posterior.parquet").metadata[b"slsim.calibration"])
    assert meta["fit"] == FIT and meta["generation"] == 3 and meta["targets_file"].endswith("sector.yaml")


def test_an_events_size_can_be_calibrated_and_the_period_spec_loads():
    from slsim.experiments.abc_spec import check_bounds
    from slsim.experiments.overrides import apply_values

    spec = load_spec(DEFAULT_SPEC.parent / "period.yaml")
    assert load_spec("period").path == spec.path  # a name in configs/abc/ will do
    assert spec.names == ("shocks.events.complexity.size",)
    assert [t.name for t in spec.fit] == ["people_change_3y", "carers_change_3y"]
    base = params(*spec.overrides)
    check_bounds(spec, base)
    changed = apply_values(base, {"shocks.events.complexity.size": 1.25})
    assert changed.shocks.events["complexity"].size == 1.25
    assert changed.shocks.events["staff_2022"] == base.shocks.events["staff_2022"]  # the others untouched
    with pytest.raises(ConfigError, match="nonesuch: no such entry here"):
        apply_values(base, {"shocks.events.nonesuch.size": 1.0})
    with pytest.raises(ConfigError, match=r"shocks.events.complexity.size=3.0: allowed"):
        apply_values(base, {"shocks.events.complexity.size": 3.0})
