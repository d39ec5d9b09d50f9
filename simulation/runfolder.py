"""A run folder: its files, how it is claimed and written, and whether it is complete.

No model imports: the collector, the progress count and the job runner read
run folders through this module without loading Mesa.

* **Files.** ``RUN_FILES``, written by :func:`slsim.simulation.run.write_run_folder`
  into a hidden ``.partial-<pid>-*`` folder and renamed into place one by one,
  ``summary.json`` last. ``summary.json`` records the size of every other file
  (``files``), so a truncated file is recognised. A run that raised leaves
  ``config.yaml`` and ``failed.json`` instead.
* **Claim.** A process writes a run folder only while it holds the folder's
  claim: an exclusive ``flock`` on its ``.lock`` file. Two processes on one
  sweep therefore never write the same run at once, and never remove each
  other's ``.partial-*`` folders (only the claim's holder clears them, and
  any it finds are a dead writer's). The kernel drops the claim of a process
  that dies, however it dies, so a stale claim is reclaimed by the next
  process that asks. (``flock`` works on local disks and, on Linux, on NFS
  shared by a cluster.)
* **Complete.** :func:`read_run` (:func:`read_complete`: its summary) reads a
  folder with ``summary.json`` and raises :class:`DamagedRun` naming the file
  and what is wrong when any of its files is missing, truncated or of the
  wrong shape; :func:`move_aside`
  keeps a damaged run's files in a hidden ``.damaged-*`` folder inside it, so
  it can be written again without losing anything.
"""

import fcntl
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from slsim.simulation.permissions import umask_mode

CONFIG_FILE = "config.yaml"
SUMMARY_FILE = "summary.json"
FAILED_FILE = "failed.json"
LOCK_FILE = ".lock"
RUN_FILES = (CONFIG_FILE, "metadata.json", "timeseries.parquet", "events.parquet", SUMMARY_FILE)
SIZED_FILES = RUN_FILES[:-1]  # summary.json records their sizes
PARTIAL_PREFIX = ".partial-"
DAMAGED_PREFIX = ".damaged-"
_PARQUET_MAGIC = b"PAR1"
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the same safe YAML, ~10x faster


class DamagedRun(ValueError):
    """A run folder with ``summary.json`` whose files are not all whole (one-line message)."""


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def read_json(path: Path):
    """Strict JSON (no NaN or Infinity) of ``path``."""
    return json.loads(Path(path).read_text(), parse_constant=_no_constant)


def _number(value) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


def check_summary(summary) -> None:
    """Raise ValueError unless ``summary`` has the shape ``write_run_folder`` writes."""
    if not isinstance(summary, dict):
        raise ValueError(f"a {type(summary).__name__}, not an object")
    outcomes = summary.get("outcomes")
    if not isinstance(outcomes, dict) or not all(isinstance(k, str) and _number(v) for k, v in outcomes.items()):
        raise ValueError("'outcomes' is not an object of numbers")
    for key in ("lever_costs_gbp",):
        node = summary.get(key, {})
        if not isinstance(node, dict) or not all(_number(v) for v in node.values()):
            raise ValueError(f"'{key}' is not an object of numbers")
    shocks = summary.get("shocks", {})
    if not isinstance(shocks, dict) or not all(isinstance(v, dict) for v in shocks.values()):
        raise ValueError("'shocks' is not an object of objects")
    if not isinstance(summary.get("files", {}), dict):
        raise ValueError("'files' is not an object")


@dataclass
class CompleteRun:
    """The files of a complete run folder, read and checked (:func:`read_run`)."""

    summary: dict
    meta: dict  # metadata.json
    config_text: str  # config.yaml
    config: dict | None  # config.yaml parsed; None when it was not parsed (it is the YAML expected)


def read_complete(run_dir) -> dict:
    """The summary of a complete run folder; :class:`DamagedRun` if any of its files is not whole."""
    return read_run(run_dir).summary


def read_run(run_dir, expected_config: str | None = None) -> CompleteRun:
    """Every file of a complete run folder, checked; :class:`DamagedRun` if any is not whole.

    ``config.yaml`` is parsed (libyaml's loader where it is installed), unless its text is
    ``expected_config``, the YAML a job writes for this run: a mapping, known whole."""
    run_dir = Path(run_dir)
    try:
        summary = read_json(run_dir / SUMMARY_FILE)
        check_summary(summary)
    except (OSError, ValueError) as exc:
        raise DamagedRun(f"{SUMMARY_FILE}: {_reason(exc)}") from exc
    sizes = summary.get("files", {})
    for name in SIZED_FILES:
        path = run_dir / name
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise DamagedRun(f"{name}: {_reason(exc)}") from exc
        if name in sizes and size != sizes[name]:
            raise DamagedRun(f"{name}: {size} bytes, {sizes[name]} written (truncated or changed)")
        if name.endswith(".parquet"):
            with open(path, "rb") as fh:
                head = fh.read(4)
                fh.seek(max(size - 4, 0))
                tail = fh.read(4)
            if size < 12 or head != _PARQUET_MAGIC or tail != _PARQUET_MAGIC:
                raise DamagedRun(f"{name}: not a whole parquet file")
    try:
        meta = read_json(run_dir / "metadata.json")
        if not isinstance(meta, dict):
            raise ValueError(f"a {type(meta).__name__}, not an object")
    except (OSError, ValueError) as exc:
        raise DamagedRun(f"metadata.json: {_reason(exc)}") from exc
    config = None
    try:
        text = (run_dir / CONFIG_FILE).read_text()
        if expected_config is None or text != expected_config:
            config = yaml.load(text, Loader=YAML_LOADER)
            if not isinstance(config, dict):
                raise ValueError(f"a {type(config).__name__}, not a mapping")
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise DamagedRun(f"{CONFIG_FILE}: {_reason(exc)}") from exc
    return CompleteRun(summary, meta, text, config)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        return "missing"
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    text = str(exc).strip().splitlines()
    return f"not valid ({text[0][:160] if text else type(exc).__name__})"


def move_aside(run_dir) -> Path:
    """Move every file of a damaged run into a new hidden ``.damaged-<time>-<pid>`` folder in it."""
    run_dir = Path(run_dir)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    kept = umask_mode(tempfile.mkdtemp(prefix=f"{DAMAGED_PREFIX}{stamp}-{os.getpid()}-", dir=run_dir))
    for entry in sorted(run_dir.iterdir()):
        if not entry.name.startswith("."):
            os.replace(entry, kept / entry.name)
    return kept


class Claim:
    """The exclusive right to write one run folder (see module doc); release it, or use ``with``."""

    def __init__(self, run_dir: Path, fd: int):
        self.run_dir, self._fd = run_dir, fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


def claim(run_dir, wait: bool = False) -> Claim | None:
    """Claim ``run_dir`` (made if needed); None if another live process holds it and not ``wait``.

    The holder is the only writer, so leftovers of a killed write found now
    are removed."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(run_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    for old in run_dir.glob(f"{PARTIAL_PREFIX}*"):
        shutil.rmtree(old, ignore_errors=True)
    return Claim(run_dir, fd)


def new_partial(run_dir) -> Path:
    """A new hidden folder in ``run_dir`` to write a run's files into, named for this process."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    return umask_mode(tempfile.mkdtemp(prefix=f"{PARTIAL_PREFIX}{os.getpid()}-", dir=run_dir))
