"""Everything slsim writes gets the permissions the umask allows, like any file the user makes.

``tempfile.mkstemp``/``mkdtemp`` make 600/700 whatever the umask: every file or folder slsim
makes that way (the sweep tables, the report folder, a run's temporary folder, a damaged run's
kept files, the calibration JSON) is given ``0o666 & ~umask`` / ``0o777 & ~umask`` before it is
renamed into place. Checked under umask 027 for a sweep with its weekly table, a
sensitivity sweep, a healed damaged run, a single run and their reports; under 022 again for
the single run, its report and the calibration JSON, so that a mode written into the code (a
hard-coded 640, which 027 alone would pass) shows in the writers every command uses. The sweeps
run once (they are the suite's slowest part here).
"""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import BIN

TINY = ("run.years=1", "run.warmup_weeks=8")


def _as_user(umask: int, cwd: Path, *cmd) -> None:
    proc = subprocess.run(
        list(map(str, cmd)), cwd=cwd, capture_output=True, text=True, timeout=600, preexec_fn=lambda: os.umask(umask)
    )
    assert proc.returncode == 0, proc.stderr[-3000:]


def _modes(root: Path) -> dict:
    """{relative path: (kind, mode)} of everything under ``root`` (hidden entries included)."""
    out = {}
    for here, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(here) / name
            st = path.lstat()
            kind = "dir" if stat.S_ISDIR(st.st_mode) else "file"
            out[path.relative_to(root).as_posix()] = (kind, stat.S_IMODE(st.st_mode))
    return out


@pytest.mark.parametrize("umask", [0o022, 0o027], ids=["umask-022", "umask-027"])
def test_every_file_and_folder_follows_the_umask(tmp_path, umask):
    slsim, report = BIN / "slsim", BIN / "slsim-report"
    sweeps = umask == 0o027  # the sweeps once (see the module doc)
    if sweeps:
        _sweeps(umask, tmp_path)
    _as_user(umask, tmp_path, slsim, *TINY, "hydra.run.dir=one")
    _as_user(umask, tmp_path, report, "one", "--out", "one_report")
    _as_user(
        umask,
        tmp_path,
        sys.executable,
        "-m",
        "slsim.experiments.calibration",
        "--seeds",
        "2",
        "--json",
        "calibration.json",
        *TINY,
    )

    made = _modes(tmp_path)
    for must in ("one/metadata.json", "one_report/figures", "calibration.json"):
        assert must in made, f"{must} was not written"
    if sweeps:
        for must in (
            "sweep/sweep.parquet",
            "sweep/weekly.parquet",
            "sweep/report/index.html",
            "sweep/0/seed-43/.lock",
            "sens/sensitivity.parquet",
        ):
            assert must in made, f"{must} was not written"
        assert any(p.startswith("sweep/0/seed-42/.damaged-") for p in made), "no damaged run was kept"
    wrong = {
        p: f"{kind} {mode:o}"
        for p, (kind, mode) in made.items()
        if mode != (0o777 if kind == "dir" else 0o666) & ~umask
    }
    assert not wrong, f"not {0o666 & ~umask:o}/{0o777 & ~umask:o}: {dict(sorted(wrong.items())[:10])}"


def _sweeps(umask: int, tmp_path: Path) -> None:
    """A levers sweep with its weekly table, a damaged run healed, its report, a sensitivity sweep."""
    slsim, report = BIN / "slsim", BIN / "slsim-report"
    levers = (
        "-m",
        "levers=none,all",
        "experiment.replicates=2",
        "experiment.per_week=true",
        *TINY,
        "hydra.sweep.dir=sweep",
    )
    _as_user(umask, tmp_path, slsim, *levers)
    (tmp_path / "sweep" / "0" / "seed-42" / "events.parquet").write_bytes(b"PAR1 damaged")
    _as_user(umask, tmp_path, slsim, *levers)  # moves the damaged run aside into .damaged-*/ and runs it again
    _as_user(umask, tmp_path, report, "sweep")
    _as_user(
        umask,
        tmp_path,
        slsim,
        "-m",
        "+experiment=sensitivity",
        "experiment.sample.n=2",
        "experiment.sample.rows_per_job=22",
        "experiment.replicates=1",
        *TINY,
        "hydra.sweep.dir=sens",
    )
