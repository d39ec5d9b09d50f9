"""Every shell command in the README and docs/ is run, with tiny sizes, so the text cannot drift
from the behaviour (the tests: tests/test_docs_commands*.py; this module is what they share).

A document's commands fall into *chains*: a command joins the chain of every earlier command
whose output it reads (``slsim-report multirun/levers`` after ``slsim experiment=levers``; the
posterior study after ``slsim-calibrate``) or whose output folder it writes too. Each chain runs
in document order in its own temporary folder, with the venv's ``bin`` first on PATH (a chain
that is the start of a longer one runs as part of it), and the chains are dealt to the test
files (:func:`part`), so that pytest-xdist, which gives each file to one worker
(``--dist loadfile``), runs them side by side. A command written twice in a chain (the
README shows some in two sections) runs once. Sizes are cut by overrides appended after the command as written (a later
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

from helpers import REPO
from slsim.simulation.nation.config import REGIONS

DOCS = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
SHELLS = {"bash", "sh", "shell", "console", "zsh"}
BIN = Path(sys.executable).parent

TINY_RUN = ["run.years=3", "run.warmup_weeks=4"]  # 3 years: the shock presets start at week 105
TINY_SWEEP = [*TINY_RUN, "experiment.replicates=1"]
TINY_EXPERIMENT = {  # experiment -> overrides that shrink its sample (after the command's own)
    "levers": ["levers=none,colocation"],  # the baseline and one lever, not 11 (replaces the axis)
    "sensitivity": ["experiment.sample.n=2"],
    "discovery": ["experiment.sample.n=4"],
    "optimise": ["hydra.sweeper.n_trials=2"],
    "scheme_types": ["scheme_type=typical,small_urban", "levers=none,colocation"],  # 2 kinds x 2, not 6 x 11
    "shocks": ["shocks=pandemic,funding_cut", "shocks.scale=1.0"],  # 2 x 1 x 2 levers, not 5 x 3 x 2
    "investment": ["budget=none,staff"],  # the baseline and one budget, not 6
}
# command (as written, comment removed) -> why it is not run here
NOT_RUN = {
    "make run": "make targets are not run from inside the suite (make test runs it); the target must exist",
    "make test": "the suite itself; the target must exist",
    "make bench": "a benchmark (minutes); the target must exist",
    "make bench-sweep": "a benchmark (minutes); the target must exist",
    "make bench-compose": "a benchmark (half a minute); the target must exist",
    "make bench-nation": "a benchmark (a minute or two); the target must exist",
    "make bench-nation-study": "a benchmark (about three minutes); the target must exist",
    "make baseline": "rewrites tests/baseline; the target must exist",
    "export RAY_AUTH_MODE=token RAY_AUTH_TOKEN=$(python -c 'import uuid; print(uuid.uuid4().hex)')": "the cluster "
    "example: tests/test_nation_study_ray.py runs it (a token of its own)",
    "ray start --head --port=6390 --num-cpus=1": "the cluster example: tests/test_nation_study_ray.py runs it on a "
    "free port with --block, so that it stops its own nodes by their process ids",
    "ray start --address=127.0.0.1:6390 --num-cpus=1": "as the line above (the second node)",
    "slsim-nation-study --executor ray --address 127.0.0.1:6390 --out outputs/nation_study_cluster": "as the line "
    "above: tests/test_nation_study_ray.py runs it against the test's cluster and compares it with the basic executor",
    "ray stop": "stops every Ray process of the user on the machine (other clusters too): "
    "tests/test_nation_study_ray.py stops its own nodes by their process ids instead",
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
    r"^slsim-calibrate --spec period --out (\S+)": ["{0}/posterior.parquet"],
    r"^slsim-validate --seeds 5 --out /tmp/v": ["v/validation.json"],
    r"^slsim-report outputs/nation$": ["outputs/nation/report/index.html"],
    r"^slsim-report outputs/nation_study$": ["outputs/nation_study/report/index.html"],
    r"^slsim-nation --out (\S+)": ["{0}/national.parquet", "{0}/schemes.parquet", "{0}/summary.json"],
    r"^slsim-nation-study --out (\S+)": ["{0}/study.json", "{0}/runs.parquet", "{0}/national.parquet"],
    r"^slsim-nation-validate --out (\S+)": ["{0}/validation.csv", "{0}/validation.json", "{0}/period/summary.json"],
}
# a national run cut to three schemes (one a region of the first three), three years, four warm-up weeks
TINY_NATION = [*(f"regions.{r}.schemes={int(i < 3)}" for i, r in enumerate(REGIONS)), *TINY_RUN]
# a national study of that nation, one seed (the command's own programmes and draws)
TINY_STUDY = [*(f"overrides.{o}" for o in TINY_NATION), "seeds=1"]


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
    if tool == "slsim-nation":
        return [*words, *TINY_NATION]
    if tool == "slsim-nation-validate":
        return [*words, *TINY_NATION]
    if tool == "slsim-nation-study":
        return [*words, *TINY_STUDY]
    return words


def _run(words: list, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    if words[0] == sys.executable and len(words) > 1 and words[1].startswith("docs/"):
        words = [words[0], str(REPO / words[1]), *words[2:]]
    return subprocess.run(words, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


# --- chains -------------------------------------------------------------------------------
PARTS = 3  # test files the chains are dealt to: tests/test_docs_commands.py (part 0), _1, _2
WEIGHTS = {"slsim-calibrate": 12, "slsim-validate": 6, "slsim-report": 4}  # rough cost of a command


def _value(words: list, option: str) -> str | None:
    for i, w in enumerate(words):
        if w == option and i + 1 < len(words):
            return words[i + 1]
        if w.startswith(option + "="):
            return w.split("=", 1)[1]
    return None


def writes(words: list) -> set:
    """The folders a command writes (as written, relative to the document's folder)."""
    tool, out = words[0], set()
    if tool == "slsim":
        for w in words:
            if w.startswith(("hydra.run.dir=", "hydra.sweep.dir=")):
                out.add(w.split("=", 1)[1])
        experiment = _value(words, "experiment")
        if experiment and not any(w.startswith("hydra.sweep.dir=") for w in words):
            out.add(f"multirun/{experiment}")
    elif tool in (
        "slsim-calibrate",
        "slsim-validate",
        "slsim-report",
        "slsim-nation",
        "slsim-nation-study",
        "slsim-nation-validate",
    ):
        default = {
            "slsim-calibrate": "outputs/calibration",
            "slsim-validate": "outputs/validation",
            "slsim-nation": "outputs/nation",
            "slsim-nation-validate": "outputs/nation_validation",
        }.get(tool)
        folder = _value(words, "--out") or default
        if folder:
            out.add(folder)
        if tool == "slsim-report" and len(words) > 1 and not _value(words, "--out"):
            out.add(f"{words[1]}/report")
    return out


def reads(words: list) -> set:
    """Every word (and every value of a key=value word) a command names: the paths it may read."""
    named = set()
    for w in words[1:]:
        named.add(w)
        if "=" in w:
            named.add(w.split("=", 1)[1])
    return named


def _linked(earlier: list, later: list) -> bool:
    outs = writes(earlier)
    if outs & writes(later):
        return True
    return any(n == o or n.startswith(o + "/") or o.startswith(n + "/") for n in reads(later) for o in outs)


def chains(doc: Path) -> list:
    """The document's commands (excused ones left out) as chains, each in document order, a
    command written twice in a chain kept once; the chains in the order of their first command."""
    cmds = [c for c in commands(doc) if c not in NOT_RUN]
    words = [shlex.split(c) for c in cmds]
    root = list(range(len(cmds)))

    def find(i):
        while root[i] != i:
            i = root[i]
        return i

    for j in range(len(cmds)):
        for i in range(j):
            if _linked(words[i], words[j]):
                root[find(j)] = find(i)
    groups = {}
    for i, c in enumerate(cmds):
        group = groups.setdefault(find(i), [])
        if c not in group:
            group.append(c)
    return list(groups.values())


def _weight(chain: list) -> int:
    total = 0
    for c in chain:
        words = shlex.split(c)
        total += 8 if words[0] == "slsim" and _value(words, "experiment") else WEIGHTS.get(words[0], 1)
    return total


def all_chains() -> list:
    """(document, chain) for every document and chain, in document order; a chain another
    document already has, command for command, is run once (with the first document's), and a
    chain that is the start of a longer one (the tutorial's study and its report, the README's
    study, report and a second report) runs as part of it: the longer chain runs the same
    commands, in the same order, from the same empty folder, with the same checks."""
    every = [(doc, chain) for doc in _documents() for chain in chains(doc)]
    out, seen = [], set()
    for doc, chain in every:
        if tuple(chain) in seen or any(started(chain, other) for _, other in every):
            continue
        seen.add(tuple(chain))
        out.append((doc, chain))
    return out


def started(chain: list, longer: list) -> bool:
    """Is ``chain`` the first commands of the (longer) chain ``longer``?"""
    return len(longer) > len(chain) and longer[: len(chain)] == chain


def part(k: int) -> list:
    """The chains of test file ``k`` of :data:`PARTS`: dealt heaviest first to the lightest part."""
    items = sorted(all_chains(), key=lambda dc: -_weight(dc[1]))
    loads, parts = [0] * PARTS, [[] for _ in range(PARTS)]
    for doc, chain in items:
        i = loads.index(min(loads))
        loads[i] += _weight(chain)
        parts[i].append((doc, chain))
    return parts[k]


def chain_id(item) -> str:
    doc, chain = item
    return f"{doc.relative_to(REPO)}:{chain[0][:60]}"


def run_chain(doc: Path, chain: list, folder: Path) -> None:
    """Run a chain's commands in ``folder``: each must exit 0 and write what PROMISES says."""
    for command in chain:
        words = shlex.split(command)
        done = _run(_tiny(words), folder)
        assert done.returncode == 0, f"{doc.name}: `{command}` exited {done.returncode}:\n{done.stderr[-1500:]}"
        for pattern, paths in PROMISES.items():
            match = re.search(pattern, command)
            if match:
                for path in paths:
                    promised = folder / path.format(*match.groups())
                    assert promised.exists(), f"{doc.name}: `{command}` did not write {promised.relative_to(folder)}"


def check_excused(folder: Path) -> None:
    """The excused commands: a make target must exist; the dashboard answers --help."""
    found = {c for d in DOCS for c in commands(d)}
    for command in sorted(NOT_RUN):
        words = shlex.split(command)
        if command not in found:
            continue
        if words[0] == "make":
            assert re.search(rf"^{re.escape(words[1])}:", (REPO / "Makefile").read_text(), re.M), command
        if words[0] == "slsim-dashboard":
            done = _run(_tiny(words), folder)
            assert done.returncode == 0 and "--port" in done.stdout, f"{command}: {done.stderr[-400:]}"
