"""Run folders are never lost: claims, damaged runs, stray runs, refused runs, concurrent sweeps.

Each test is a case an adversarial user found (the reliability issue):

* two copies of one sweep into one folder lose no run and leave the same
  bytes as one uninterrupted sweep; a sweep killed with SIGKILL resumes to
  the same bytes too;
* a stale claim of a dead process is reclaimed, a live one is waited for;
* a damaged complete run (truncated or wrong-shaped files, a file missing) is
  listed as damaged by the collector and the report, and a re-run moves its
  files aside (kept) and runs it again, saying so in one line;
* a single run never writes into a sweep folder, a sweep never into a run
  folder, and a refused run leaves its folder exactly as it was.
"""

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from slsim.experiments.collect import collect, main as collect_main
from helpers import finished_runs, slsim
from slsim.simulation.runfolder import LOCK_FILE, RUN_FILES, claim, read_complete

TINY = ("run.years=1", "run.warmup_weeks=8")
SWEEP = ("-m", "levers=none,extra_workers", "experiment.replicates=4", *TINY)


def run_bytes(root: Path) -> dict:
    """{run folder/file: sha256} of every run file under ``root`` (what a sweep made)."""
    out = {}
    for run in finished_runs(root):
        for name in RUN_FILES:
            path = run / name
            out[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def snapshot(root: Path) -> dict:
    """{relative path: sha256} of every file under ``root``, hidden ones included."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def no_traceback(text: str) -> None:
    assert "Traceback" not in text, text[-3000:]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """One uninterrupted sweep of 8 runs (2 scenarios x 4 seeds), the bytes every other way must give."""
    root = tmp_path_factory.mktemp("reference")
    proc = slsim(*SWEEP, f"hydra.sweep.dir={root / 'sweep'}", cwd=root)
    assert proc.returncode == 0, proc.stderr[-2000:]
    made = run_bytes(root / "sweep")
    assert len(made) == 8 * len(RUN_FILES)
    return root / "sweep", made


# ---------------------------------------------------------------------------
# claims and concurrency
# ---------------------------------------------------------------------------
def test_two_copies_of_one_sweep_started_together_lose_nothing(reference, tmp_path):
    sweep = tmp_path / "sweep"
    procs = [slsim(*SWEEP, f"hydra.sweep.dir={sweep}", cwd=tmp_path, wait=False) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    for proc, (_, err) in zip(procs, outs):
        assert proc.returncode == 0, err[-2000:]
        no_traceback(err)
    assert run_bytes(sweep) == reference[1]
    assert not list(sweep.rglob("failed.json")) and not list(sweep.rglob(".partial-*"))
    table = collect(sweep, quiet=True)
    assert len(table) == 8 and set(table["status"]) == {"ok"}


def test_a_second_copy_started_later_waits_for_the_first(reference, tmp_path):
    sweep = tmp_path / "sweep"
    first = slsim(*SWEEP, "experiment.replicates=4", f"hydra.sweep.dir={sweep}", cwd=tmp_path, wait=False)
    deadline = time.monotonic() + 120
    while not list(sweep.rglob("summary.json")) and time.monotonic() < deadline:  # the first is under way
        time.sleep(0.05)
    second = slsim(*SWEEP, f"hydra.sweep.dir={sweep}", cwd=tmp_path, wait=False)
    for proc in (first, second):
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-2000:]
        no_traceback(err)
    assert run_bytes(sweep) == reference[1]
    assert not list(sweep.rglob("failed.json"))


def test_a_sweep_killed_mid_way_resumes_to_the_same_bytes(reference, tmp_path):
    sweep = tmp_path / "sweep"
    proc = slsim(*SWEEP, f"hydra.sweep.dir={sweep}", cwd=tmp_path, wait=False)
    deadline = time.monotonic() + 120
    while len(finished_runs(sweep)) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert len(run_bytes(sweep)) < 8 * len(RUN_FILES), "the sweep finished before it was killed"
    assert not (sweep / "sweep.parquet").exists()
    before = {run: (run / "summary.json").stat().st_mtime_ns for run in finished_runs(sweep)}
    again = slsim(*SWEEP, f"hydra.sweep.dir={sweep}", cwd=tmp_path)
    assert again.returncode == 0, again.stderr[-2000:]
    assert f"({len(before)} done before)" in again.stderr
    assert {run: (run / "summary.json").stat().st_mtime_ns for run in before} == before  # not done again
    assert run_bytes(sweep) == reference[1]
    assert not list(sweep.rglob(".partial-*"))
    table = pd.read_parquet(sweep / "sweep.parquet")
    third = slsim(*SWEEP, f"hydra.sweep.dir={sweep}", cwd=tmp_path)  # nothing left to do: the same table
    assert third.returncode == 0 and "(8 done before)" in third.stderr, third.stderr[-2000:]
    pd.testing.assert_frame_equal(pd.read_parquet(sweep / "sweep.parquet"), table)


_HOLDER = """
import sys, time
from slsim.simulation.runfolder import claim, new_partial
held = claim(sys.argv[1])
new_partial(sys.argv[1])              # a write under way
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


def _hold(run_dir: Path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(run_dir), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_live_claim_is_respected_and_a_dead_ones_is_reclaimed(tmp_path):
    run_dir = tmp_path / "seed-1"
    holder = _hold(run_dir, 60)
    assert claim(run_dir) is None  # another live process writes it
    assert len(list(run_dir.glob(".partial-*"))) == 1  # and its write is left alone
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    held = claim(run_dir)  # the dead process's claim is gone with it
    assert held is not None
    assert not list(run_dir.glob(".partial-*")), "the dead writer's leftovers are cleared by the new holder"
    held.release()
    assert (run_dir / LOCK_FILE).exists()


def test_waiting_for_a_claim_returns_when_the_holder_ends(tmp_path):
    run_dir = tmp_path / "seed-1"
    holder = _hold(run_dir, 1.0)
    start = time.monotonic()
    with claim(run_dir, wait=True) as held:
        # it waited for the holder's second (the holder's lock goes as its interpreter shuts
        # down, a moment before the process is reaped: poll() may still say it runs)
        assert held is not None and time.monotonic() - start >= 0.5
    assert holder.wait(timeout=30) == 0


# ---------------------------------------------------------------------------
# damaged runs: listed, moved aside (kept), run again
# ---------------------------------------------------------------------------
def _truncate(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


DAMAGES = {  # name -> (file it names in the error, how)
    "truncated summary": ("summary.json", lambda d: _truncate(d / "summary.json")),
    "summary a list": ("summary.json", lambda d: (d / "summary.json").write_text("[1, 2]")),
    "outcomes not an object": ("summary.json", lambda d: (d / "summary.json").write_text('{"outcomes": "x"}')),
    "config missing": ("config.yaml", lambda d: (d / "config.yaml").unlink()),
    "timeseries truncated": ("timeseries.parquet", lambda d: _truncate(d / "timeseries.parquet", 0.9)),
    "events missing": ("events.parquet", lambda d: (d / "events.parquet").unlink()),
    "metadata garbage": ("metadata.json", lambda d: (d / "metadata.json").write_text("\x00\x01")),
    "summary with Infinity": (
        "summary.json",
        lambda d: (d / "summary.json").write_text(
            (d / "summary.json")
            .read_text()
            .replace('"people_supported_end": ', '"people_supported_end": Infinity, "x": ', 1)
        ),
    ),
}


def damaged_sweep(reference, tmp_path) -> tuple:
    """A copy of the reference sweep with each of DAMAGES done to a different run: (sweep, {run: file})."""
    sweep = tmp_path / "sweep"
    shutil.copytree(reference[0], sweep)
    (sweep / "sweep.parquet").unlink()
    runs = finished_runs(sweep)
    assert len(runs) == len(DAMAGES)
    named = {}
    for run_dir, (name, (file, damage)) in zip(runs, DAMAGES.items()):
        damage(run_dir)
        named[run_dir.relative_to(sweep).as_posix()] = file
    return sweep, named


def test_the_collector_lists_damaged_runs_naming_the_file(reference, tmp_path, capsys):
    sweep, named = damaged_sweep(reference, tmp_path)
    assert collect_main([str(sweep)]) == 0
    err = capsys.readouterr().err
    assert f"{len(DAMAGES)} damaged: re-run the sweep" in err
    table = collect(sweep, quiet=True)
    assert len(table) == len(DAMAGES)
    for rec in table.itertuples():
        assert rec.status == "damaged", rec
        assert rec.error.startswith(named[rec.run] + ":"), (rec.run, rec.error)


def test_the_report_lists_damaged_runs(reference, tmp_path):
    sweep = tmp_path / "sweep"
    shutil.copytree(reference[0], sweep)
    run = finished_runs(sweep)[0]
    _truncate(run / "summary.json")
    collect(sweep, quiet=True)
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "slsim-report"), str(sweep)], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    page = (sweep / "report" / "index.html").read_text()
    assert "7 complete, 0 failed, 1 damaged" in page
    assert run.relative_to(sweep).as_posix() in page and "summary.json: not valid" in page


def test_a_rerun_heals_damaged_runs_and_keeps_their_files(reference, tmp_path):
    sweep, named = damaged_sweep(reference, tmp_path)
    proc = slsim(*SWEEP, f"hydra.sweep.dir={sweep}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    no_traceback(proc.stderr)
    said = [line for line in proc.stderr.splitlines() if "damaged run" in line]
    assert len(said) == len(DAMAGES), proc.stderr
    for run, file in named.items():
        assert any(f"{run}: damaged run ({file}:" in line for line in said), (run, said)
        kept = list((sweep / run).glob(".damaged-*"))
        assert len(kept) == 1 and (kept[0] / "summary.json").exists()  # the damaged files are kept
    assert run_bytes(sweep) == reference[1]
    again = slsim(*SWEEP, f"hydra.sweep.dir={sweep}", cwd=tmp_path)  # and the next re-run is quiet
    assert again.returncode == 0 and "damaged run" not in again.stderr


def test_a_whole_run_reads_as_complete(reference):
    for summary in reference[0].rglob("summary.json"):
        outcomes = read_complete(summary.parent)["outcomes"]
        assert outcomes["people_supported_end"] > 0


# ---------------------------------------------------------------------------
# single runs and sweeps keep to their own folders
# ---------------------------------------------------------------------------
def _refused(proc) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("slsim: error: "), lines
    return lines[0]


@pytest.mark.parametrize("inside", [".", "0", "0/seed-1"])
def test_a_single_run_never_writes_into_a_sweep(reference, tmp_path, inside):
    sweep = tmp_path / "sweep"
    shutil.copytree(reference[0], sweep)
    before = snapshot(sweep)
    line = _refused(slsim(*TINY, f"hydra.run.dir={sweep / inside}", cwd=tmp_path))
    assert "a single run never writes into a sweep" in line
    assert snapshot(sweep) == before


def test_a_stray_run_in_a_sweep_hides_none_of_its_runs(reference, tmp_path):
    sweep = tmp_path / "sweep"
    shutil.copytree(reference[0], sweep)
    single = tmp_path / "single"
    assert slsim(*TINY, f"hydra.run.dir={single}", cwd=tmp_path).returncode == 0
    for name in RUN_FILES:  # as an older slsim could leave it
        shutil.copy(single / name, sweep / name)
    table = collect(sweep, quiet=True)
    assert len(table) == 9 and "." in set(table["run"])


def test_a_sweep_never_writes_into_a_run_folder_or_another_sweep(reference, tmp_path):
    single = tmp_path / "single"
    assert slsim(*TINY, f"hydra.run.dir={single}", cwd=tmp_path).returncode == 0
    before = snapshot(single)
    assert "a sweep never writes into a run" in _refused(slsim(*SWEEP, f"hydra.sweep.dir={single}", cwd=tmp_path))
    assert "a sweep never writes into a run" in _refused(
        slsim(*SWEEP, f"hydra.sweep.dir={single / 'inner'}", cwd=tmp_path)
    )
    assert snapshot(single) == before
    sweep = tmp_path / "sweep"
    shutil.copytree(reference[0], sweep)
    assert "inside the sweep folder" in _refused(slsim(*SWEEP, f"hydra.sweep.dir={sweep / 'nested'}", cwd=tmp_path))
    assert not (sweep / "nested").exists()


def test_a_refused_single_run_leaves_its_folder_untouched(tmp_path):
    run = tmp_path / "run"
    assert slsim(*TINY, f"hydra.run.dir={run}", cwd=tmp_path).returncode == 0
    before = snapshot(run)
    stamps = {p: p.stat().st_mtime_ns for p in run.rglob("*")}
    line = _refused(slsim(*TINY, "run.seed=7", f"hydra.run.dir={run}", cwd=tmp_path))
    assert "holds a run of a different configuration" in line
    assert snapshot(run) == before and {p: p.stat().st_mtime_ns for p in run.rglob("*")} == stamps
    same = slsim(*TINY, f"hydra.run.dir={run}", cwd=tmp_path)  # the same run again: nothing rewritten
    assert same.returncode == 0, same.stderr
    assert {name: (run / name).stat().st_mtime_ns for name in RUN_FILES} == {
        name: stamps[run / name] for name in RUN_FILES
    }
    assert json.loads((run / "summary.json").read_text())["outcomes"]


# ---------------------------------------------------------------------------
# readers treat every file as untrusted: one line naming the file, exit 2
# ---------------------------------------------------------------------------
def test_collect_weekly_with_a_corrupt_timeseries_is_one_line(reference, tmp_path, capsys):
    sweep = tmp_path / "sweep"
    shutil.copytree(reference[0], sweep)
    run = finished_runs(sweep)[0]
    data = bytearray((run / "timeseries.parquet").read_bytes())
    data[8:200] = b"\x00" * 192  # whole-looking (size and magic intact), unreadable inside
    (run / "timeseries.parquet").write_bytes(bytes(data))
    assert collect_main([str(sweep), "--weekly"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "timeseries.parquet: unreadable parquet" in err[0], err
    no_traceback("\n".join(err))


def test_collect_when_sweep_parquet_is_a_folder_is_one_line(reference, tmp_path, capsys):
    sweep = tmp_path / "sweep"
    shutil.copytree(reference[0], sweep)
    (sweep / "sweep.parquet").unlink()
    (sweep / "sweep.parquet").mkdir()
    assert collect_main([str(sweep)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot write sweep.parquet" in err[0], err
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "slsim-report"), str(sweep)], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 2 and "sweep.parquet: not a file" in proc.stderr and proc.stderr.count("\n") == 1


@pytest.fixture(scope="module")
def a_run(tmp_path_factory):
    """A finished single run (its folder), for tests that copy it and damage the copy."""
    root = tmp_path_factory.mktemp("a_run")
    assert slsim(*TINY, f"hydra.run.dir={root / 'run'}", cwd=root).returncode == 0
    return root / "run"


@pytest.mark.parametrize(
    "summary",
    [
        "[1, 2]",
        '{"outcomes": "x"}',
        '{"outcomes": {"a": "b"}}',
        '{"outcomes": {"a": 1}, "shocks": [1]}',
        '{"outcomes": {"a": NaN}}',
    ],
)
def test_the_report_of_a_run_with_a_wrong_shaped_summary_is_one_line(tmp_path, a_run, summary):
    run = tmp_path / "run"
    shutil.copytree(a_run, run)  # one run made for every case (module fixture), each case its own copy
    (run / "summary.json").write_text(summary)
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "slsim-report"), str(run)], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "summary.json" in proc.stderr, proc.stderr
    assert not (run / "report").exists()
