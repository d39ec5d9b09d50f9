"""A whole output folder written at once: built in a hidden folder beside it, then renamed
into place, so a stopped or failed command leaves the previous folder (or nothing) behind.

Serves ``slsim-nation`` (its folder is marked by ``summary.json``), ``slsim-nation-study``
(``study.json``) and ``slsim-report`` (:func:`swap_in`). No model imports (analysis/ may
import it without loading any other slsim module).

* :func:`check_out`: ``out`` may be new, an empty folder, or a previous output of the same
  command (its marker file names the command's ``kind``); anything else is refused in one line.
* :func:`building`: a context manager giving the hidden folder; on leaving it without an
  error the folder replaces ``out``, on any error (Ctrl-C and SIGTERM included) it is removed.
"""

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from slsim.simulation.permissions import umask_mode


def check_out(out: Path, marker: str, mark: str, noun: str) -> None:
    """Refuse ``out`` unless it is new, empty, or a previous ``noun`` (``marker`` holds
    ``{"kind": mark}``), and unless its first existing parent is a folder this user can write."""
    from slsim.simulation.validation import ConfigError

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out}: a file is in the way; allowed a new folder or a previous {noun}")
    if out.is_dir() and any(out.iterdir()):
        try:
            kind = json.loads((out / marker).read_text()).get("kind")
        except (OSError, ValueError, AttributeError):
            kind = None
        if kind != mark:
            raise ConfigError(
                f"--out {out}: a folder of other files; allowed a new or empty folder, or a previous {noun}"
            )
    for parent in out.absolute().parents:
        if parent.exists():
            if not parent.is_dir() or not os.access(parent, os.W_OK):
                raise ConfigError(f"--out {out}: cannot write under {parent}; allowed a folder you can write")
            break


def hidden_beside(out: Path) -> Path:
    """A new hidden folder beside ``out`` (made with the user's umask, not mkdtemp's 700)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    return umask_mode(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))


def swap_in(tmp: Path, out: Path) -> None:
    """Rename the finished folder ``tmp`` to ``out``; a previous ``out`` is moved aside first,
    then removed (at no moment is there neither)."""
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.replace(out, old / out.name)
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def building(out):
    """``with building(out) as tmp:`` write into ``tmp``; it becomes ``out`` at the end,
    or is removed if the block raises (anything, KeyboardInterrupt included)."""
    out = Path(out)
    tmp = hidden_beside(out)
    try:
        yield tmp
        swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
