"""Every shell command in the README and docs/ is run, in document order, with tiny sizes, so the
text cannot drift from the behaviour.

Each document's commands run in one temporary folder (later commands read what earlier ones
wrote: ``slsim-report multirun/levers`` after ``slsim experiment=levers``), with the venv's
``bin`` first on PATH. Sizes are cut by overrides appended after the command as written (a later
override wins in Hydra): three recorded years (the shock presets start in year 3), four warm-up
weeks, one seed a job, the smallest samples. A command must exit 0 and leave the outputs the text promises (``PROMISES``).

Commands not run are in ``NOT_RUN`` with the reason; a command in neither fails the meta-test,
so a new command in the docs needs coverage, and an entry nobody uses fails too.
"""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO

DOCS = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
SHELLS = {"bash", "sh", "shell", "console", "zsh"}
BIN = Path(sys.executable).parent

TINY_RUN = ["run.years=3", "run.warmup_weeks=4"]  # 3 years: the shock presets start at week 105
TINY_SWEEP = [*TINY_RUN, "experiment.replicates=1"]
TINY_EXPERIMENT = {  # experiment -> overrides that shrink its sample (after the command's own)
    "sensitivity": ["experiment.sample.n=2"],
    "discovery": ["experiment.sample.n=4"],
    "optimise": ["hydra.sweeper.n_trials=2"],
    "scheme_types": ["levers=none,colocation"],  # 5 kinds x 2, not x 11 (replaces the axis)
}
# command (as written, comment removed) -> why it is not run here
NOT_RUN = {
    "make run": "make targets are not run from inside the suite (make test runs it); the target must exist",
    "make test": "the suite itself; the target must exist",
    "make bench": "a benchmark (minutes); the target must exist",
    "make bench-sweep": "a benchmark (minutes); the target must exist",
    "make baseline": "rewrites tests/baseline; the target must exist",
    "source .venv/bin/activate": "a shell builtin; these tests run with the venv's bin first on PATH",
    "slsim levers.practice_newsletter.enabled=true": "needs the example lever: tests/test_docs_lever_example.py adds it in a copy and runs it",
    "slsim -m levers.practice_newsletter.enabled=false,true experiment.replicates=10": "as the line above",
    "slsim-dashboard": "a server: run with --help here; tests/test_dashboard_browser.py serves it and drives it in Chromium",
    "slsim-dashboard --host 0.0.0.0 --port 9000": "as the line above (and 0.0.0.0 would listen on every interface)",
}
# a command's promised outputs (paths under the document's folder), by a pattern of the command
PROMISES = {
    r"^slsim run\.years=10 run\.seed=42 hydra\.run\.dir=outputs/first$": ["outputs/first/summary.json"],
    r"^slsim hydra\.run\.dir=outputs/two_workers$": ["outputs/two_workers/timeseries.parquet"],
    r"^slsim experiment=(?!sensitivity)(\w+)\b": ["multirun/{0}/sweep.parquet"],
    r"^slsim experiment=sensitivity hydra/launcher=joblib$": ["multirun/sensitivity-sobol/sensitivity.parquet"],
    r"^slsim experiment=sensitivity experiment\.sample\.method=morris": ["multirun/sensitivity-morris/sweep.parquet"],
    r"^slsim-report multirun/(\w+)$": ["multirun/{0}/report/index.html"],
    r"^slsim-report multirun/levers --csv$": ["multirun/levers/report/sweep.csv"],
    r"--out inv_report$": ["inv_report/index.html"],
    r"^slsim-validate$": ["outputs/validation/validation.json"],
    r"^slsim-calibrate --out outputs/calibration": ["outputs/calibration/posterior.parquet"],
    r"^slsim-validate --seeds 5 --out /tmp/v": ["v/validation.json"],
}


def commands(path: Path) -> list:
    """The shell commands of ``path``'s fenced shell blocks, comments and prompts removed."""
    out = []
    for lang, body in re.findall(r"^```(\w*)\n(.*?)^```", path.read_text(), flags=re.S | re.M):
        if lang not in SHELLS:
            continue
        for line in re.sub(r"\\\n\s*", " ", body).splitlines():  # continuation lines joined
            line = re.sub(r"^\$ ", "", line.strip())
            if line and not line.startswith("#"):
                out.append(re.sub(r"\s+#.*$", "", line).strip())
    return out


def _documents() -> list:
    return [d for d in DOCS if commands(d)]


def _tiny(words: list) -> list:
    """The command as written plus the overrides that make it small."""
    tool = words[0]
    if tool == "slsim":
        if "--help" in words or "--cfg" in words:
            return words
        experiment = next((w.split("=", 1)[1] for w in words if w.startswith("experiment=")), None)
        posterior = ["calibration.draws=2"] if "calibration=posterior" in words else []
        if experiment is not None:
            return [*words, *TINY_SWEEP, *TINY_EXPERIMENT.get(experiment, []), *posterior]
        return [*words, *TINY_RUN]
    if tool == "slsim-validate":
        # 2 seeds (the command's own --seeds replaced), /tmp/v -> the test's folder, and the tiny
        # overrides after the command's last override (argparse takes the overrides in one run)
        words = ["v" if w == "/tmp/v" else w for w in words]
        if "--seeds" in words:
            words[words.index("--seeds") + 1] = "2"
        else:
            words = [tool, "--seeds", "2", *words[1:]]
        last = max((i for i, w in enumerate(words) if "=" in w and not w.startswith("-")), default=len(words) - 1)
        return [*words[: last + 1], *TINY_RUN, *words[last + 1 :]]
    if tool == "slsim-dashboard":
        return [tool, "--help"]
    if tool == "slsim-calibrate":  # 4 particles, 1 generation, 1 seed each, 2 predictive draws
        sizes = ["--population", "4", "--generations", "1", "--seeds-per-particle", "1", "--predictive-draws", "2"]
        return [*words, *sizes, *TINY_RUN]
    if tool == "python":
        return [sys.executable, *words[1:], *TINY_RUN]
    return words


def _run(words: list, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    if words[0] == sys.executable and len(words) > 1 and words[1].startswith("docs/"):
        words = [words[0], str(REPO / words[1]), *words[2:]]
    return subprocess.run(words, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("doc", _documents(), ids=lambda d: str(d.relative_to(REPO)))
def test_every_command_of_the_document_runs_as_written(doc, tmp_path):
    for command in commands(doc):
        words = shlex.split(command)
        if command in NOT_RUN:
            if words[0] == "make":
                assert re.search(rf"^{re.escape(words[1])}:", (REPO / "Makefile").read_text(), re.M), command
            if words[0] == "slsim-dashboard":
                done = _run(_tiny(words), tmp_path)
                assert done.returncode == 0 and "--port" in done.stdout, f"{command}: {done.stderr[-400:]}"
            continue
        done = _run(_tiny(words), tmp_path)
        assert done.returncode == 0, f"{doc.name}: `{command}` exited {done.returncode}:\n{done.stderr[-1500:]}"
        for pattern, paths in PROMISES.items():
            match = re.search(pattern, command)
            if match:
                for path in paths:
                    promised = tmp_path / path.format(*match.groups())
                    assert promised.exists(), f"{doc.name}: `{command}` did not write {promised.relative_to(tmp_path)}"


def test_every_command_is_run_or_excused_and_no_excuse_is_stale():
    found = {c for d in DOCS for c in commands(d)}
    assert found, "no shell commands found in the docs"
    stale = sorted(set(NOT_RUN) - found)
    assert not stale, f"NOT_RUN entries no document has any more: {stale}"
    tools = {shlex.split(c)[0] for c in found}
    runnable = {
        "slsim",
        "slsim-report",
        "slsim-validate",
        "slsim-dashboard",
        "slsim-calibrate",
        "python",
        "make",
        "source",
    }
    assert tools <= runnable, f"commands of tools this test does not know how to run: {sorted(tools - runnable)}"
