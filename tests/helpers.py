"""Helpers shared by the tests and tests/update_baseline.py (no pytest needed).

Parameters come from the real YAML (``load_params``), composed once per set of
overrides; variants for property tests are made with ``evolve``
(:mod:`slsim.experiments.overrides`), which uses ``dataclasses.replace`` down a
dotted path so the root re-validates the whole tree (no Hydra composition per
example). All randomness is the model's own,
seeded through ``run.seed``.
"""

import functools
import subprocess
import sys
from pathlib import Path

from slsim.experiments.config import load_params
from slsim.experiments.overrides import evolve  # noqa: F401 (tests import it from here)
from slsim.experiments.settings import SlsimConfig

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@functools.lru_cache(maxsize=None)
def _load(overrides: tuple) -> SlsimConfig:
    return load_params(list(overrides))


def params(*overrides: str) -> SlsimConfig:
    """Typed parameters of the default config with Hydra-style overrides (cached)."""
    return _load(tuple(overrides))


def refused(args, capsys, tmp_path, monkeypatch):
    """Run the CLI in-process on ``args``; return its one stderr line (asserting exit 2, nothing written)."""
    import pytest

    from slsim.experiments.cli import main

    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as info:
        main([*args, f"hydra.run.dir={tmp_path / 'run'}", f"hydra.sweep.dir={tmp_path / 'sweep'}"])
    assert info.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("slsim: error: "), err[0]
    assert list(tmp_path.iterdir()) == [], "something was written for bad input"
    return err[0]


def slsim(*args, cwd, wait: bool = True, timeout: float = 300):
    """The ``slsim`` console script as a user runs it: finished (CompletedProcess, output captured)
    or, with ``wait=False``, started in a session of its own (Popen, so it can be killed as a group)."""
    cmd = [str(BIN / "slsim"), *map(str, args)]
    if not wait:
        return subprocess.Popen(
            cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


def finished_runs(root: Path) -> list:
    """The run folders under ``root`` that hold a summary, sorted. Hidden folders are not runs: a
    killed worker's ``.partial-*`` write (its summary already inside), a ``.damaged-*`` run kept."""
    found = (p.parent for p in root.rglob("summary.json"))
    return sorted(run for run in found if not any(part.startswith(".") for part in run.relative_to(root).parts))
