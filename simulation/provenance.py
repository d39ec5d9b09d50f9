"""Which slsim made a file: its version and, in a git clone, its commit.

``stamp()`` is ``{"version": ..., "commit": ..., "dirty": ...}``, written into
every run's ``metadata.json`` (key ``slsim``) and from there into the sweep
table and the report footer:

* ``version``: the installed package's version (``pyproject.toml``), or
  ``"unknown"`` if slsim is not installed;
* ``commit``: ``git rev-parse HEAD`` run in the folder that holds the slsim
  packages, when that folder is the top of a git clone; ``"unknown"``
  otherwise (no git, not a clone, an installed copy in ``site-packages``, git
  slow or failing);
* ``dirty``: whether tracked files differ from that commit (``git status
  --porcelain --untracked-files=no``: new files, run outputs among them, do
  not count), ``None`` when that cannot be told.

It is computed once per process (each git call has a 2-second limit) and is
the same in every process of one checkout, so run files stay byte-identical
across launchers and across a resume. No model imports.
"""

import functools
import os
import subprocess
from importlib import metadata
from pathlib import Path

UNKNOWN = "unknown"
GIT_TIMEOUT_SECONDS = 2.0
ROOT = Path(__file__).resolve().parent.parent  # the folder holding simulation/, experiments/, ...


def _git(*args: str) -> str | None:
    """stdout of ``git args`` run in ROOT, stripped; None on any failure."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}  # not another repository's
    env["GIT_OPTIONAL_LOCKS"] = "0"  # git status must not write .git/index.lock (another process may run git)
    try:
        done = subprocess.run(
            ["git", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=GIT_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _version() -> str:
    try:
        return metadata.version("slsim")
    except metadata.PackageNotFoundError:
        return UNKNOWN


@functools.lru_cache(maxsize=1)
def stamp() -> dict:
    """{"version", "commit", "dirty"} of this slsim (see module doc); computed once per process."""
    top = _git("rev-parse", "--show-toplevel")
    commit = _git("rev-parse", "HEAD") if top and Path(top).resolve() == ROOT else None
    if not commit or len(commit) != 40:
        return {"version": _version(), "commit": UNKNOWN, "dirty": None}
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {"version": _version(), "commit": commit, "dirty": None if status is None else bool(status)}
