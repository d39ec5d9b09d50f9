"""Stopping cleanly: Ctrl-C, SIGTERM, a killed main process, a killed worker.

What the user sees (``slsim`` and ``slsim -m ...``):

* **Ctrl-C (SIGINT) or SIGTERM**: the runs that are complete stay (each run
  folder is written atomically, ``summary.json`` last), the launcher's worker
  processes are stopped, and one line goes to stderr, e.g.
  ``slsim: stopped: 5 of 18 runs complete; run the same command to resume``.
  Exit code 130 for SIGINT, 143 for SIGTERM (128 + the signal, as shells do).
* **a worker process dies** (killed, out of memory): one line,
  ``slsim: error: a worker process died (signal 9, SIGKILL); 5 of 18 runs
  complete; run the same command to resume``, exit code 1 (as for a run that
  fails: something went wrong, and re-running completes what is missing).
* **the main process is killed** (SIGKILL, nothing can be printed): joblib's
  worker processes end with it, within a second (without this, loky's workers,
  ~200 MB each, were still running half an hour later: loky does not watch
  for a dead parent). Each worker asks Linux for SIGKILL when its parent dies
  (``prctl(PR_SET_PDEATHSIG)``, :func:`stop_with_parent`).

Pieces, each called from one place:

* :func:`stop_cleanly` decorates ``slsim.experiments.cli.main``: it installs the
  SIGINT/SIGTERM handlers in the main process (a signal raises
  ``KeyboardInterrupt``, or :class:`Terminated` for SIGTERM, in the main
  thread, so every library's own clean-up for Ctrl-C runs: joblib kills its
  workers) and turns the end of the command into the one line and exit code.
* :func:`watch` is called by the sweep callback (main process) when runs
  start: where they go and how many there will be, for the line.
* :func:`stop_with_parent` is called by the sweep callback at the start of
  every job, in the process that runs it: in a joblib worker it arms the
  parent-death signal and leaves Ctrl-C to the main process.
* slsim's joblib launcher (``hydra_plugins/slsim_launcher``) raises
  :class:`WorkerDied` when loky reports a dead worker, and the interrupt
  (:func:`stop_received`) when loky's clean-up after one fails.

Not covered: a Ctrl-C on a terminal in the second or two while joblib's
workers start (before they run slsim's code) reaches them too, and each prints
a ``KeyboardInterrupt`` traceback of its own (slsim's line and exit code are
still right). A signal mask blocked around their start would be inherited, but
loky's and multiprocessing's resource trackers unblock SIGINT in the main
thread when they start, just before the workers; loky has no hook to start
workers in a process group of their own.

Other launchers (measured by hand; only joblib is tested): the basic launcher
runs jobs in the main process, so all of the above holds. **Ray**: Ctrl-C
gives the line and 130; SIGTERM is taken by Ray's own crash handler in the
main process (three lines, ``*** SIGTERM received ...``, and an abort, exit
code 134); a killed Ray worker is retried by Ray and the sweep goes on; if the
main process is killed, Ray stops its workers at once and its agent processes
within about a minute. **submitit_local**: Ctrl-C on a terminal also reaches
submitit's job controllers, which print their own ``KeyboardInterrupt``
tracebacks and stop their jobs (slsim still prints its line, 130); a signal to
the main process alone, or killing it, leaves the jobs running to their end
(submitit's controllers are made to outlive the session): their runs are kept
and a re-run skips them. **submitit_slurm** (not tried here): jobs on the
cluster are not stopped by slsim; ``scancel`` them. See the README ("Stopping and resuming") and
``tests/test_interrupts.py``.
"""

import argparse
import ctypes
import functools
import multiprocessing
import os
import re
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

EXIT_WORKER_DIED = 1  # like a single run that fails: re-running completes what is missing


def exit_code(signum: int) -> int:
    """The shell's code for a process ended by ``signum``: 130 for SIGINT, 143 for SIGTERM."""
    return 128 + int(signum)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread. A kind of ``KeyboardInterrupt`` on purpose:
    code that cleans up after Ctrl-C (joblib stopping its workers) does the same here."""


class WorkerDied(BaseException):
    """A launcher's worker process died. Not an ``Exception``, like ``KeyboardInterrupt``:
    Hydra prints a traceback for any ``Exception`` of a launcher; this one reaches
    :func:`stop_cleanly`, which prints one line."""

    def __init__(self, how: str):
        super().__init__(how)
        self.how = how  # e.g. "signal 9, SIGKILL"


def worker_died(error: BaseException) -> WorkerDied:
    """:class:`WorkerDied` for loky's error about a dead worker (its message names the
    exit codes, e.g. ``{SIGKILL(-9)}`` or ``{EXIT(1)}``)."""
    text = str(error)
    found = re.search(r"\b(SIG[A-Z0-9]+)\((-?\d+)\)", text)
    if found:
        return WorkerDied(f"signal {abs(int(found.group(2)))}, {found.group(1)}")
    found = re.search(r"\bEXIT\((-?\d+)\)", text)
    if found:
        return WorkerDied(f"exit code {found.group(1)}")
    return WorkerDied("")


# ---------------------------------------------------------------------------
# where the runs go (main process)
# ---------------------------------------------------------------------------
@dataclass
class Watched:
    folder: Path  # the sweep folder, or a single run's folder
    total: int | None  # runs the command makes, if known
    sweep: bool
    resume: str  # how to resume, for the line
    halt: Callable[[], None] | None = None  # stops the progress line before ours


_watched: Watched | None = None
_received: int | None = None  # the first SIGINT/SIGTERM the main process received


def watch(folder, total: int | None, *, sweep: bool, fixed: bool, halt: Callable[[], None] | None = None) -> None:
    """Record where this command's runs go (``folder``) and how many it makes (``total``,
    None if unknown); ``fixed``: the folder does not depend on the time, so the same
    command finds it again; ``halt``: called before the stop line is printed."""
    global _watched
    folder = Path(folder)
    if fixed:
        resume = "run the same command to resume"
    else:
        key = "hydra.sweep.dir" if sweep else "hydra.run.dir"
        resume = f"to resume, run the same command with {key}={folder}"
    _watched = Watched(folder, total, sweep, resume, halt)


def stop_summary() -> str:
    """'5 of 18 runs complete; run the same command to resume', or what is true instead."""
    from slsim.experiments.callbacks import count_runs

    w = _watched
    if w is None:
        return "no run had started"
    done, failed = count_runs(w.folder) if w.folder.exists() else (0, 0)
    if not w.sweep and w.total == 1:
        if done:
            return f"the run is complete ({w.folder})"
        return f"the run did not finish; no results were written ({w.folder})"
    count = f"{done} of {w.total}" if w.total else f"{done}"
    count += " run" if (w.total or done) == 1 else " runs"
    count += " complete" + (f" ({failed} failed)" if failed else "")
    return f"{count}; {w.resume}"  # all complete: the re-run writes the sweep table


# ---------------------------------------------------------------------------
# the main process: signals in, one line and an exit code out
# ---------------------------------------------------------------------------
_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def stop_received() -> KeyboardInterrupt | None:
    """The interrupt to raise if the main process has received SIGINT or SIGTERM, else None
    (for a launcher whose clean-up after the signal failed with an error of its own)."""
    if _received is None:
        return None
    return Terminated() if _received == signal.SIGTERM else KeyboardInterrupt()


def _raise(signum, frame):
    global _received
    if _received is None:
        _received = signum
    raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def stop_cleanly(main):
    """Decorate the command's entry point: SIGINT and SIGTERM stop it with one line on
    stderr and exit code 130 or 143, a dead worker with one line and exit code 1; no
    traceback. Signals that were ignored when the command started stay ignored; the
    handlers before the call are put back when it returns (tests call ``main`` in-process)."""

    @functools.wraps(main)
    def stopping_cleanly(*args, **kwargs):
        global _watched, _received
        if threading.current_thread() is not threading.main_thread():
            return main(*args, **kwargs)  # signal handlers can only be set from the main thread
        _watched = _received = None
        before = {s: signal.getsignal(s) for s in _SIGNALS}
        for s, handler in before.items():
            if handler is not signal.SIG_IGN:
                signal.signal(s, _raise)
        stop = None
        try:
            return main(*args, **kwargs)
        except KeyboardInterrupt as exc:
            signum = _received or (signal.SIGTERM if isinstance(exc, Terminated) else signal.SIGINT)
            stop = (exit_code(signum), "slsim: stopped: ")
        except WorkerDied as exc:
            if _received is not None:  # the whole group was signalled and a worker went first
                stop = (exit_code(_received), "slsim: stopped: ")
            else:
                how = f" ({exc.how})" if exc.how else ""
                stop = (EXIT_WORKER_DIED, f"slsim: error: a worker process died{how}; ")
        finally:
            if stop is None:
                for s, handler in before.items():
                    signal.signal(s, handler)
        code, lead = stop
        for s, handler in before.items():  # a second Ctrl-C while we finish: exit at once
            if handler is not signal.SIG_IGN:
                signal.signal(s, lambda *_: os._exit(code))
        _finish_line()
        print(lead + stop_summary(), file=sys.stderr, flush=True)
        sys.exit(code)

    return stopping_cleanly


class OneLineParser(argparse.ArgumentParser):
    """argparse for a :func:`plain_command`: a bad flag raises ``ConfigError`` (one line, exit 2)."""

    def error(self, message):
        from slsim.simulation.validation import ConfigError

        raise ConfigError(message.replace("\n", " "))


def plain_command(prog: str, body: Callable[[], int], failures: tuple = ()) -> int:
    """Run ``body`` (a plain argparse command that writes its output folder at once, as
    ``slsim-nation`` and ``slsim-nation-study`` do) and turn how it ends into one line on stderr
    and an exit code: a ``ConfigError`` 2 (``PROG: error: ...``), Ctrl-C 130 and SIGTERM 143
    (``PROG: stopped: nothing was written``), an exception of ``failures`` 1 (its first line).
    SIGTERM raises :class:`Terminated` in the main thread while ``body`` runs (the handler
    before is put back after); a signal's exception that Ray's C code (``ray.wait``) hands back
    wrapped in a ``SystemError`` is recognised by its cause."""
    from slsim.simulation.validation import ConfigError

    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return body()
    except ConfigError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        return _stopped(prog, exc)
    except failures as exc:
        print(f"{prog}: error: {str(exc).splitlines()[0]}; nothing was written", file=sys.stderr)
        return EXIT_WORKER_DIED
    except SystemError as exc:
        stop = _cause(exc, KeyboardInterrupt)
        if stop is None:
            raise
        return _stopped(prog, stop)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _terminate(signum, frame):
    raise Terminated()


def _cause(exc: BaseException, kind: type):
    """The first exception of ``kind`` in ``exc``'s chain of causes, or None."""
    seen = exc
    while seen is not None and not isinstance(seen, kind):
        seen = seen.__cause__ or seen.__context__
    return seen


def _stopped(prog: str, exc: KeyboardInterrupt) -> int:
    term = isinstance(exc, Terminated)
    print(f"{prog}: stopped{' (SIGTERM)' if term else ''}: nothing was written", file=sys.stderr)
    return exit_code(signal.SIGTERM if term else signal.SIGINT)


def _finish_line() -> None:
    """Stop the progress line (it may be half-written on a terminal)."""
    if _watched is not None and _watched.halt is not None:
        try:
            _watched.halt()
        except Exception:
            pass


# ---------------------------------------------------------------------------
# worker processes
# ---------------------------------------------------------------------------
PR_SET_PDEATHSIG = 1  # linux/prctl.h
_armed = False


def stop_with_parent() -> None:
    """In a worker process that slsim's main process started through ``multiprocessing``
    (joblib's loky workers): die with the main process, and leave Ctrl-C to it.

    * ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: Linux kills this process when its parent
      dies, however the parent dies (SIGKILL included). If the parent is already gone
      (it died before this ran), exit now. Linux's "parent" here is the thread that
      started the worker: loky starts workers from the main thread, and replaces one
      from its executor's manager thread, which lives as long as the executor.
    * SIGINT ignored: a Ctrl-C on the terminal reaches the whole process group; the main
      process stops the sweep and joblib kills its workers, so a worker has nothing to
      do with it (and would otherwise race the main process to report it).

    Does nothing in the main process, on other systems, or in processes not started
    by ``multiprocessing`` (Ray and submitit jobs: their own machinery stops them).
    Called at the start of every job; acts once per process.
    """
    global _armed
    parent = multiprocessing.parent_process()
    if _armed or parent is None or not sys.platform.startswith("linux"):
        return
    _armed = True
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            return
    except (OSError, AttributeError):
        return
    if os.getppid() != parent.pid:  # the parent died before the signal was armed
        os._exit(1)
