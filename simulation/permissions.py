"""Permissions of what slsim writes: files and folders get the modes the user's umask allows
(644 and 755 under umask 022), although they are first made private by ``tempfile``
(600/700) to be written atomically. No model imports: the report uses it too."""

import os
from pathlib import Path


def umask_mode(path) -> Path:
    """``path`` (a folder ``tempfile.mkdtemp`` made, mode 700) given the mode the umask allows, as any
    folder slsim makes: colleagues who may read the sweep may read (and clear up) it too."""
    os.chmod(path, 0o777 & ~umask())
    return Path(path)


def umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
