"""``slsim-report --out``: the report folder is the report's own; nothing else is ever replaced.

Each case is one an adversarial user tried: ``--out`` the sweep folder itself,
its parent, the current folder, a folder of someone else's files, a report of
other results, a path under a file, and a disk that fills while writing. Every
refusal is one line, exit 2, and leaves every file exactly as it was.
"""

import hashlib
import os
import shutil
import stat

import pytest

from slsim.analysis import report
from slsim.analysis.report import REPORT_MARK, main as report_main
from helpers import slsim


@pytest.fixture(scope="module")
def made_sweep(tmp_path_factory):
    root = tmp_path_factory.mktemp("made")
    proc = slsim(
        "-m",
        "levers=none,extra_workers",
        "experiment.replicates=2",
        "run.years=1",
        "run.warmup_weeks=8",
        f"hydra.sweep.dir={root / 'sweep'}",
        cwd=root,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return root / "sweep"


@pytest.fixture
def sweep(made_sweep, tmp_path):
    """A fresh copy of the tiny sweep in ``tmp_path/multirun/levers`` (tests change it)."""
    dest = tmp_path / "multirun" / "levers"
    shutil.copytree(made_sweep, dest)
    return dest


def snapshot(root) -> dict:
    """{relative path: content hash} of every file under ``root``."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def refused(args, capsys) -> str:
    assert report_main([str(a) for a in args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("slsim-report: error: "), err
    return err[0]


@pytest.mark.parametrize("where", ["sweep", "parent", "grandparent"])
def test_out_holding_the_results_is_refused_and_nothing_is_touched(sweep, tmp_path, capsys, where):
    out = {"sweep": sweep, "parent": sweep.parent, "grandparent": tmp_path}[where]
    before = snapshot(tmp_path)
    assert "contains the results" in refused([sweep, "--out", out], capsys)
    assert snapshot(tmp_path) == before
    assert not [p for p in tmp_path.rglob(".*") if "partial" in p.name or "old-" in p.name], "a temporary folder left"


def test_out_dot_from_the_results_parent_is_refused(sweep, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(sweep.parent)
    before = snapshot(tmp_path)
    assert "contains the results" in refused([sweep.name, "--out", "."], capsys)
    assert snapshot(tmp_path) == before
    assert not list(tmp_path.rglob("..old-*")) and not list(tmp_path.rglob(".*old-*"))


def test_out_of_other_files_is_refused(sweep, tmp_path, capsys):
    mine = tmp_path / "my_notes"
    mine.mkdir()
    (mine / "thesis.tex").write_text("chapter 1\n")
    assert "is not a report of" in refused([sweep, "--out", mine], capsys)
    assert (mine / "thesis.tex").read_text() == "chapter 1\n"
    assert [p.name for p in mine.iterdir()] == ["thesis.tex"]


def test_out_holding_a_report_of_other_results_is_refused(sweep, tmp_path, capsys):
    other = tmp_path / "other"
    shutil.copytree(sweep, other)
    assert report_main([str(other), "--out", str(tmp_path / "rep")]) == 0
    before = snapshot(tmp_path / "rep")
    assert "holds a report of other results" in refused([sweep, "--out", tmp_path / "rep"], capsys)
    assert snapshot(tmp_path / "rep") == before


def test_out_under_a_file_is_refused(sweep, tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    assert "is a file, not a folder" in refused([sweep, "--out", tmp_path / "afile" / "rep"], capsys)
    assert "is a file, not a folder" in refused([sweep, "--out", tmp_path / "afile"], capsys)
    assert (tmp_path / "afile").read_text() == "x"


def test_a_previous_report_of_the_same_results_is_replaced_atomically(sweep, tmp_path, capsys):
    out = tmp_path / "rep"
    assert report_main([str(sweep), "--out", str(out)]) == 0
    assert (out / REPORT_MARK).is_file()
    first = (out / "index.html").read_text()
    assert report_main([str(sweep), "--out", str(out), "--savings", "12000"]) == 0
    assert (out / "index.html").read_text() != first
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    # the default place, and an empty folder the user made for it
    assert report_main([str(sweep)]) == 0 and report_main([str(sweep)]) == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    assert report_main([str(sweep), "--out", str(empty)]) == 0 and (empty / "index.html").exists()


def test_a_report_from_before_the_mark_is_still_replaced_at_its_default_place(sweep, capsys):
    assert report_main([str(sweep)]) == 0
    (sweep / "report" / REPORT_MARK).unlink()
    assert report_main([str(sweep)]) == 0
    (sweep / "report" / REPORT_MARK).unlink()
    (sweep / "report" / "my_edit.txt").write_text("mine")  # not a report's own file: kept, refused
    assert "is not a report of" in refused([sweep], capsys)
    assert (sweep / "report" / "my_edit.txt").read_text() == "mine"


def test_a_full_disk_is_one_line_and_leaves_the_previous_report(sweep, tmp_path, capsys, monkeypatch):
    out = tmp_path / "rep"
    assert report_main([str(sweep), "--out", str(out)]) == 0
    before = snapshot(out)

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report, "_write", full)
    assert "cannot write the report (No space left on device)" in refused([sweep, "--out", out], capsys)
    assert snapshot(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_the_report_is_readable_by_colleagues(sweep, tmp_path):
    old = os.umask(0o022)
    try:
        assert report_main([str(sweep), "--out", str(tmp_path / "rep")]) == 0
    finally:
        os.umask(old)
    rep = tmp_path / "rep"
    assert stat.S_IMODE(rep.stat().st_mode) == 0o755
    assert stat.S_IMODE((rep / "index.html").stat().st_mode) == 0o644
    assert stat.S_IMODE((rep / "figures").stat().st_mode) == 0o755
