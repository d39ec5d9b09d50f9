"""Which slsim made a result: LICENSE and CITATION.cff, and the version and commit stamped in every
run's metadata.json, the sweep table and the report footer."""

import json
import subprocess
import tomllib
from importlib import metadata

import pandas as pd
import pytest
import yaml

import slsim.simulation.provenance as provenance
from slsim.analysis.other_sections import made_by
from slsim.analysis.report import build
from slsim.experiments.collect import sweep_table
from helpers import REPO, params
from slsim.simulation.run import run_simulation, write_run_folder

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
# CFF 1.2.0's top-level keys (schema.json: additionalProperties false) and the ones it requires
CFF_KEYS = {
    "abstract",
    "authors",
    "cff-version",
    "commit",
    "contact",
    "date-released",
    "doi",
    "identifiers",
    "keywords",
    "license",
    "license-url",
    "message",
    "preferred-citation",
    "references",
    "repository",
    "repository-artifact",
    "repository-code",
    "title",
    "type",
    "url",
    "version",
}
CFF_REQUIRED = {"authors", "cff-version", "message", "title"}


# ---------------------------------------------------------------------------
# LICENSE and CITATION.cff
# ---------------------------------------------------------------------------
def test_license_is_the_mit_license_of_pyproject():
    text = (REPO / "LICENSE").read_text()
    assert PYPROJECT["license"] == "MIT"
    assert text.startswith("MIT License\n")
    assert "Copyright (c) " in text and "the slsim authors" in text
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in text


def test_citation_cff_is_cff_1_2_with_the_package_version():
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text())
    assert set(cff) <= CFF_KEYS, set(cff) - CFF_KEYS
    assert CFF_REQUIRED <= set(cff)
    assert cff["cff-version"] == "1.2.0"
    assert cff["version"] == PYPROJECT["version"] == metadata.version("slsim")
    assert isinstance(cff["version"], str)  # 0.1 unquoted would be a float
    assert cff["authors"] == [{"name": "the slsim authors"}]  # an entity: "name" only
    assert cff["license"] == "MIT" and cff["type"] == "software"
    for key in ("title", "message", "abstract"):
        assert isinstance(cff[key], str) and cff[key].strip() and "\n" not in cff[key]


# ---------------------------------------------------------------------------
# the stamp
# ---------------------------------------------------------------------------
@pytest.fixture
def fresh_stamp(monkeypatch):
    """stamp() computed again in this test (and again after it)."""
    provenance.stamp.cache_clear()
    yield provenance.stamp
    provenance.stamp.cache_clear()


def _git(*args, cwd=REPO):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


def test_the_stamp_is_the_checkouts_head_and_its_state(fresh_stamp):
    try:
        head = _git("rev-parse", "HEAD")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("the tests do not run in a git clone of slsim")
    status = _git("status", "--porcelain", "--untracked-files=no")
    assert fresh_stamp() == {"version": metadata.version("slsim"), "commit": head, "dirty": bool(status)}


def test_the_stamp_is_computed_once_per_process(fresh_stamp, monkeypatch):
    calls = []
    real = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: calls.append(a) or real(*a, **k))
    first = fresh_stamp()
    n = len(calls)
    assert fresh_stamp() is first and fresh_stamp() == first
    assert len(calls) == n  # no git call the second and third time


@pytest.mark.parametrize("failure", ["no git", "git fails", "git hangs"])
def test_without_git_the_commit_is_unknown(fresh_stamp, monkeypatch, tmp_path, failure):
    if failure == "no git":
        monkeypatch.setenv("PATH", str(tmp_path))  # no git on the PATH
    elif failure == "git fails":
        fake = tmp_path / "git"
        fake.write_text("#!/bin/sh\necho 'fatal: something' >&2\nexit 128\n")
        fake.chmod(0o755)
        monkeypatch.setenv("PATH", str(tmp_path))
    else:

        def hangs(cmd, **kwargs):
            assert kwargs["timeout"] == provenance.GIT_TIMEOUT_SECONDS == 2.0
            raise subprocess.TimeoutExpired(cmd, kwargs["timeout"])

        monkeypatch.setattr(subprocess, "run", hangs)
    assert fresh_stamp() == {"version": metadata.version("slsim"), "commit": "unknown", "dirty": None}


def test_a_copy_inside_another_clone_is_not_that_clones_commit(fresh_stamp, monkeypatch, tmp_path):
    """An installed copy of slsim in a virtual environment inside some git clone: the clone's HEAD
    is not slsim's commit."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(tmp_path),
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "x",
        ],
        check=True,
    )
    inside = tmp_path / "venv" / "site-packages"
    inside.mkdir(parents=True)
    monkeypatch.setattr(provenance, "ROOT", inside)
    assert fresh_stamp()["commit"] == "unknown"
    monkeypatch.setattr(provenance, "ROOT", tmp_path)  # the top of a clone: its HEAD
    provenance.stamp.cache_clear()
    assert fresh_stamp()["commit"] == _git("rev-parse", "HEAD", cwd=tmp_path)
    assert fresh_stamp()["dirty"] is False


# ---------------------------------------------------------------------------
# where it is written and read
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def one_run(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("run") / "run"
    p = params("run.years=1", "run.warmup_weeks=8")
    write_run_folder(
        run_simulation(p), run_dir, "run:\n  seed: 42\n", {"experiment": "t", "job": 0, "overrides": ["levers=none"]}
    )
    return run_dir


def test_every_run_records_the_slsim_that_made_it(one_run):
    meta = json.loads((one_run / "metadata.json").read_text())
    assert meta["slsim"] == provenance.stamp()
    assert set(meta["slsim"]) == {"version", "commit", "dirty"}
    assert meta["versions"]["slsim"] == meta["slsim"]["version"]


def test_the_sweep_table_and_the_report_footer_carry_the_stamp(one_run, tmp_path):
    sweep = tmp_path / "sweep"
    (sweep / "0").mkdir(parents=True)
    for name, stamp in (
        ("seed-1", {"version": "0.1.0", "commit": "a" * 40, "dirty": True}),
        ("seed-2", None),
    ):  # a run made before runs were stamped: version only
        run = sweep / "0" / name
        run.mkdir()
        for f in one_run.iterdir():
            if f.is_file() and not f.name.startswith("."):
                (run / f.name).write_bytes(f.read_bytes())
        meta = json.loads((run / "metadata.json").read_text())
        if stamp is None:
            del meta["slsim"]
        else:
            meta["slsim"] = stamp
        text = json.dumps(meta)
        (run / "metadata.json").write_text(text)
        summary = json.loads((run / "summary.json").read_text())
        summary["files"]["metadata.json"] = len(text.encode())
        (run / "summary.json").write_text(json.dumps(summary))
    table = sweep_table(sweep)
    assert list(table["slsim_version"]) == ["0.1.0", metadata.version("slsim")]
    assert list(table["slsim_commit"].fillna("-")) == ["a" * 40, "-"]
    assert list(table["slsim_dirty"].astype(object).fillna("-")) == [True, "-"]
    footer = made_by(table)
    assert f"slsim 0.1.0, git commit {'a' * 40} with uncommitted changes (1 run)" in footer
    assert "git commit unknown (1 run)" in footer


def test_the_report_of_a_run_names_its_slsim(one_run, tmp_path):
    html = (build(one_run, tmp_path / "report") / "index.html").read_text()
    stamp = provenance.stamp()
    footer = html[html.index("<footer>") :]
    assert f"slsim {stamp['version']}" in footer
    assert (stamp["commit"] in footer) if stamp["commit"] != "unknown" else ("git commit unknown" in footer)


def test_one_stamp_is_one_sentence():
    runs = pd.DataFrame(
        {
            "status": ["ok", "ok", "damaged"],
            "slsim_version": ["0.2.0", "0.2.0", None],
            "slsim_commit": ["b" * 40, "b" * 40, None],
            "slsim_dirty": [False, False, None],
        }
    )
    assert made_by(runs) == f"<p>Results made by slsim 0.2.0, git commit {'b' * 40}.</p>"
