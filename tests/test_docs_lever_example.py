"""docs/adding_a_lever.md works: its two edits, applied to a copy of the project, give a lever that
validates, acts from week 1 only, changes what it says, and moves referrals."""

import re
import shutil
import subprocess
import sys

from helpers import REPO

DOC = REPO / "docs" / "adding_a_lever.md"

CHECK = r"""
import sys
sys.path.insert(0, "tests")
from helpers import evolve, params
from slsim.simulation.conditions import Conditions
from slsim.simulation.levers import LEVER_NAMES
from slsim.simulation.params import ConfigError
from slsim.simulation.run import run_simulation

assert LEVER_NAMES[4] == "practice_newsletter", LEVER_NAMES
base = params("run.years=3", "run.warmup_weeks=26")
assert not base.levers.practice_newsletter.enabled and "practice_newsletter" not in base.levers.enabled()
on = params("run.years=3", "run.warmup_weeks=26", "levers.practice_newsletter.enabled=true")
weight = on.levers.practice_newsletter.refer_weight
for week, expected in ((0, 0.0), (1, weight)):
    c = Conditions(on)
    c.begin_week(week, False)
    assert set(c.refer_log_odds.values()) == {expected}, (week, c.refer_log_odds)
try:
    params("levers.practice_newsletter.refer_weight=-1")
except ConfigError as exc:
    assert "levers.practice_newsletter.refer_weight" in str(exc), exc
else:
    raise AssertionError("a negative weight was accepted")
more = 0
for seed in range(6):
    a = run_simulation(evolve(base, {"run.seed": seed})).summary["referrals_received"]
    b = run_simulation(evolve(on, {"run.seed": seed, "levers.practice_newsletter.refer_weight": 2.0})).summary["referrals_received"]
    more += b > a
assert more >= 5, more
print("ok", weight)
"""

CHECK_COPY = """
import pathlib
import slsim.simulation.levers as levers
assert str(pathlib.Path(levers.__file__).resolve()).startswith("{copy}"), levers.__file__
"""


def blocks(kind: str) -> str:
    text = DOC.read_text()
    found = re.findall(rf"<!-- example:{kind} -->\n```{kind}\n(.*?)```", text, re.S)
    assert len(found) == 1, f"one {kind} example in {DOC.name}"
    return found[0]


def test_the_worked_example_lever_works(tmp_path):
    copy = tmp_path / "slsim"
    files = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        if (REPO / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, copy / name)
    module = copy / "simulation" / "levers" / "collaboration.py"
    text = module.read_text()
    line = "LEVERS = (Colocation, TeamMeetings, SlByDefault, ReferralRoute)"
    assert line in text
    module.write_text(text.replace(line, blocks("python") + "\n\n" + line[:-1] + ", PracticeNewsletter)"))
    levers_yaml = copy / "configs" / "base" / "levers.yaml"
    levers_yaml.write_text(levers_yaml.read_text() + "\n" + blocks("yaml"))
    # the copy's folders under the slsim namespace, found before the editable install's mapping to REPO
    namespace = tmp_path / "path" / "slsim"
    namespace.mkdir(parents=True)
    for folder in ("simulation", "agents", "experiments", "analysis"):
        (namespace / folder).symlink_to(copy / folder)
    proc = subprocess.run(
        [sys.executable, "-c", CHECK + CHECK_COPY.format(copy=copy)],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=600,
        env={"PYTHONPATH": str(namespace.parent), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.startswith("ok 0.3"), proc.stdout
