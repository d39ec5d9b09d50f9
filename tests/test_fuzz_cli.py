"""Fuzz tier: generated command lines against the bad-input promise.

Override strings are generated from the schema (the ``SlsimConfig`` dataclass
tree: every dotted field and its type) and from the config groups: wrong types,
out-of-range numbers, NaN and infinities, huge values, unknown keys, unknown
group options, odd folder names and paths. Each command line runs through the
CLI in-process (``slsim.experiments.cli.main``) in a fresh working folder, and the
outcome must be one of two:

* exit 0 with a complete run folder (every file of ``RUN_FILES``, a
  ``summary.json`` that is strict JSON), or
* exit 2 with exactly one stderr line, ``slsim: error: ...``, and nothing
  written (the working folder and its parent unchanged);

never a traceback, never another exit code. Valid runs are kept short
(``run.years=1``, no warm-up, one seed a job) and generated values are small
or invalid, so a valid example costs about a second. Example counts are
bounded and the search is derandomized (the same examples on every machine):
the tier runs in about half a minute on a 2-core machine.
"""

import contextlib
import dataclasses
import io
import json
import os
import sys
import tempfile
import typing
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from slsim.experiments.config import CONFIG_DIR, group_options
from slsim.experiments.settings import SlsimConfig
from slsim.simulation.run import RUN_FILES

# fast valid runs: one year, no warm-up, one seed and one sample row a job
BASE = ("run.years=1", "run.warmup_weeks=0", "experiment.replicates=1", "experiment.sample.rows_per_job=1")
# no shrinking: an example costs up to a second, and the failing command line is printed as found
FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# ---------------------------------------------------------------------------
# the schema: every leaf field (list items at index 0 and 1) and its type
# ---------------------------------------------------------------------------
def _leaves(node=SlsimConfig, prefix=""):
    hints = typing.get_type_hints(node)
    for f in dataclasses.fields(node):
        tp, name = hints[f.name], prefix + f.name
        if dataclasses.is_dataclass(tp):
            yield from _leaves(tp, name + ".")
        elif typing.get_origin(tp) is list and dataclasses.is_dataclass(typing.get_args(tp)[0]):
            for i in (0, 1):
                yield from _leaves(typing.get_args(tp)[0], f"{name}.{i}.")
        else:
            yield name, tp


# run length and seeds are fuzzed by the values below too, but kept small by BASE when valid
LEAVES = [(n, t) for n, t in _leaves() if n not in ("run.years", "run.warmup_weeks")]
NUMBERS = [(n, t) for n, t in LEAVES if t in (int, float)]
SWITCHES = [n for n, t in LEAVES if t is bool]
TEXTS = [(n, t) for n, t in LEAVES if t not in (int, float, bool)]
GROUPS = sorted(p.name for p in CONFIG_DIR.iterdir() if p.is_dir() and p.name not in ("base", "hydra"))
GROUPS += ["hydra/launcher", "hydra/sweeper"]


def test_the_schema_walk_covers_the_tree():
    names = {n for n, _ in LEAVES}
    assert {
        "carers.base_enquiries_per_year",
        "social_work.teams.1.sl_by_default",
        "levers.colocation.enabled",
        "experiment.sample.index",
        "budget.shares.fees",
        "shocks.scale",
    } <= names
    assert len(NUMBERS) > 150 and len(SWITCHES) >= 19


# ---------------------------------------------------------------------------
# values: mostly wrong; the valid ones are small, so a valid run stays quick
# ---------------------------------------------------------------------------
WRONG_ANY = ["ten", "''", "null", "[1,2]", "{a:1}", "yes", "'1; rm -rf /'", "${run.seed}", "${nope}"]
NUMBER_TEXT = st.one_of(
    st.sampled_from(["-1", "0", "1", "2", "0.5", "0.999", "1.5", "3"]),  # small: valid or just out of range
    st.sampled_from(["1e12", "1e308", "1e400", "-1e400", "10000000", "100000000000000000000000000000", "-0.0001"]),
    st.sampled_from(["nan", "inf", "-inf", "NaN", "Infinity", "-INF", "true", "false"]),
    st.sampled_from(WRONG_ANY),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**20), 10**20).map(str),
)
SWITCH_TEXT = st.sampled_from(
    ["true", "false", "True", "2", "1", "0", "yes", "no", "on", "off", "null", "'true'", "[true]"]
)
NAME_TEXT = st.one_of(
    st.sampled_from(["learning_disability", "x", "", "a b", "..", "1abc", "[learning_disability]", "[nope]", "[]"]),
    st.sampled_from(WRONG_ANY),
    st.from_regex(r"[a-z_]{1,12}", fullmatch=True),
)
IDENT = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)


@st.composite
def value_override(draw):
    kind = draw(st.sampled_from(["number", "number", "number", "switch", "text"]))
    prefix = draw(st.sampled_from(["", "", "", "", "+", "++", "~"]))
    if kind == "number":
        name, _ = draw(st.sampled_from(NUMBERS))
        text = draw(NUMBER_TEXT)
    elif kind == "switch":
        name, text = draw(st.sampled_from(SWITCHES)), draw(SWITCH_TEXT)
    else:
        name, _ = draw(st.sampled_from(TEXTS))
        text = draw(NAME_TEXT)
    return f"~{name}" if prefix == "~" else f"{prefix}{name}={text}"


@st.composite
def unknown_key(draw):
    top = draw(
        st.sampled_from(
            [
                "",
                "scheme.",
                "carers.",
                "levers.colocation.",
                "social_work.teams.0.",
                "experiment.",
                "shocks.",
                "budget.shares.",
                "social_work.teams.9.",
                "hydra.launcher.",
                "run.",
            ]
        )
    )
    prefix = draw(st.sampled_from(["", "+", "++"]))
    return f"{prefix}{top}{draw(IDENT)}={draw(st.sampled_from(['1', 'x', '1.5', 'true']))}"


@st.composite
def group_choice(draw):
    group = draw(st.sampled_from(GROUPS))
    options = list(group_options(group))
    if group == "experiment":
        options = []  # a valid experiment is a study: thousands of runs in a sweep, refused or long
    name = draw(
        st.one_of(
            st.sampled_from(options or ["nope"]), IDENT, st.sampled_from(["", "null", "../levers", "[none,nope]"])
        )
    )
    plus = "+" if group == "experiment" else draw(st.sampled_from(["", "", "+"]))
    return f"{plus}{group}={name}"


@st.composite
def event(draw):
    fields = {
        "kind": draw(
            st.sampled_from(
                [
                    "investment",
                    "pandemic",
                    "cost_of_living",
                    "sw_turnover_spike",
                    "carer_retirement_wave",
                    "funding_cut",
                    "nope",
                    "1",
                ]
            )
        ),
        "start_week": draw(st.sampled_from(["1", "2", "52", "53", "0", "-1", "1e9", "x", "1.5"])),
        "duration_weeks": draw(st.sampled_from(["1", "4", "0", "100000", "inf", "x"])),
        "size": draw(NUMBER_TEXT.filter(lambda t: "," not in t and "{" not in t and "$" not in t)),
        "post": draw(st.sampled_from(["scheme_worker", "outreach_officer", "recruitment_officer", "nope"])),
    }
    keys = draw(st.lists(st.sampled_from(list(fields) + ["extra"]), min_size=1, max_size=6, unique=True))
    body = ",".join(f"{k}:{fields.get(k, '1')}" for k in keys)
    return f"+shocks.events.{draw(IDENT)}={{{body}}}"


def _path_text():
    parts = st.sampled_from(["a", "b", ".", "", " ", "~", "-x", "x" * 300, "blocker", "blocker/x", "é", "a\\b"])
    plain = st.lists(parts, min_size=0, max_size=3)
    # half the paths climb with '..' somewhere (out of the working folder, or out of the example's root)
    climbing = st.tuples(plain, st.integers(0, 3), st.integers(1, 3)).map(
        lambda t: t[0][: t[1]] + [".."] * t[2] + t[0][t[1] :]
    )
    return st.one_of(plain, climbing).map("/".join)


ROOT = "@ROOT@"  # replaced by the example's own temporary folder


@st.composite
def path_override(draw):
    """(multirun, override) of a setting that names a folder: hydra.run.dir (a run), hydra.sweep.dir
    (a sweep), experiment.name (either; in a sweep the folder is multirun/${experiment.name})."""
    which, multirun = draw(
        st.sampled_from(
            [("hydra.run.dir", False), ("hydra.sweep.dir", True), ("experiment.name", False), ("experiment.name", True)]
        )
    )
    text = draw(st.one_of(_path_text(), _path_text().map(lambda t: f"{ROOT}/{t}")))
    if which == "experiment.name":
        text = draw(
            st.one_of(st.sampled_from(["..", ".", "a/b", "ok", "ok.v2", "-x", ".hidden", "x" * 101]), _path_text())
        )
    quoted = "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return multirun, f"{which}={quoted}"


# ---------------------------------------------------------------------------
# the property
# ---------------------------------------------------------------------------
def _run_cli(args, work: Path):
    """main(args) in ``work``: (exit code, stdout, stderr); any other exception propagates (a traceback)."""
    from slsim.experiments.cli import main

    out, err = io.StringIO(), io.StringIO()
    old_cwd, old_argv = os.getcwd(), list(sys.argv)
    code = 0
    os.chdir(work)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        os.chdir(old_cwd)
        sys.argv = old_argv
    return code, out.getvalue(), err.getvalue()


def _snapshot(folder: Path) -> list:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _strict_json(path: Path):
    def refuse(constant):
        raise ValueError(f"{path}: {constant} is not JSON")

    return json.loads(path.read_text(), parse_constant=refuse)


def _complete(run_dir: Path) -> bool:
    """A complete run folder, or (several seeds or rows) a folder of complete run folders."""
    if (run_dir / "summary.json").exists():
        return all((run_dir / name).is_file() for name in RUN_FILES)
    runs = [p for p in run_dir.iterdir() if p.is_dir() and not p.name.startswith(".")] if run_dir.is_dir() else []
    return bool(runs) and all(all((r / name).is_file() for name in RUN_FILES) for r in runs)


def check_promise(overrides, own_dirs=False):
    """Run the CLI on ``overrides`` (after BASE) and assert the promise (module doc)."""
    with tempfile.TemporaryDirectory(prefix="slsim-fuzz-") as tmp:
        root = Path(tmp)
        (root / "blocker").write_text("a file, not a folder")
        work = root / "work"
        work.mkdir()
        run_dir = work / "run"
        args = [a.replace(ROOT, str(root)) for a in (*BASE, *overrides)]
        if not own_dirs:
            args += [f"hydra.run.dir={run_dir}", f"hydra.sweep.dir={work / 'sweep'}"]
        before = _snapshot(root)
        code, out, err = _run_cli(args, work)
        shown = f"slsim {' '.join(args)}\nexit {code}\nstderr: {err!r}"
        assert "Traceback" not in err and "Traceback" not in out, shown
        assert code in (0, 2), shown
        if code == 2:
            lines = err.splitlines()
            assert len(lines) == 1 and lines[0].startswith("slsim: error: "), shown
            assert _snapshot(root) == before, f"{shown}\nwritten: {sorted(set(_snapshot(root)) - set(before))}"
            return "refused"
        if own_dirs:
            made = sorted(set(p.split("/")[0] for p in _snapshot(work)))
            assert len(made) <= 1, shown
            located = [line.rsplit("run folder ", 1)[-1] for line in out.splitlines() if "run folder " in line]
            run_dir = Path(located[-1]) if located else work / (made[0] if made else "run")
            if not run_dir.is_absolute():
                run_dir = work / run_dir
            home = root if any(ROOT in o for o in overrides) else work
            assert run_dir.resolve().is_relative_to(home.resolve()), f"{shown}\nran outside {home}: {run_dir}"
        assert _complete(run_dir), (
            f"{shown}\nincomplete run folder {run_dir}: {_snapshot(run_dir) if run_dir.exists() else 'missing'}"
        )
        for summary in [run_dir / "summary.json", *run_dir.glob("*/summary.json")]:
            if summary.exists():
                _strict_json(summary)
                _strict_json(summary.parent / "metadata.json")
        return "ran"


@settings(FUZZ, max_examples=20)
@given(overrides=st.lists(value_override(), min_size=1, max_size=2))
def test_fuzz_values_from_the_schema(overrides):
    check_promise(overrides)


@settings(FUZZ, max_examples=10)
@given(overrides=st.lists(st.one_of(unknown_key(), group_choice()), min_size=1, max_size=2))
def test_fuzz_unknown_keys_and_group_options(overrides):
    check_promise(overrides)


@settings(FUZZ, max_examples=8)
@given(overrides=st.lists(event(), min_size=1, max_size=2))
def test_fuzz_events(overrides):
    check_promise(overrides)


@settings(FUZZ, max_examples=10)
@given(case=path_override())
def test_fuzz_paths(case):
    multirun, override = case
    if not multirun:
        assert check_promise([override], own_dirs=True) in ("refused", "ran")
    elif override.startswith("experiment.name="):
        assert _sweep_promise([override, "hydra.sweep.dir=multirun/${experiment.name}"]) in ("refused", "ran")
    else:
        assert _sweep_promise([override]) in ("refused", "ran")


def _sweep_promise(overrides):
    """The same promise for ``-m``: refused with nothing written, or a sweep folder of complete runs."""
    with tempfile.TemporaryDirectory(prefix="slsim-fuzz-") as tmp:
        root = Path(tmp)
        (root / "blocker").write_text("a file, not a folder")
        work = root / "work"
        work.mkdir()
        args = ["-m", *(a.replace(ROOT, str(root)) for a in (*BASE, *overrides))]  # flags come first
        if not any(o.startswith("hydra.sweep.dir=") for o in overrides):
            args.append(f"hydra.sweep.dir={work / 'sweep'}")
        before = _snapshot(root)
        code, out, err = _run_cli(args, work)
        shown = f"slsim {' '.join(args)}\nexit {code}\nstderr: {err!r}"
        assert "Traceback" not in err and code in (0, 2), shown
        if code == 2:
            lines = err.splitlines()
            assert len(lines) == 1 and lines[0].startswith("slsim: error: "), shown
            assert _snapshot(root) == before, shown
            return "refused"
        tables = list(root.rglob("sweep.parquet"))
        assert len(tables) == 1, f"{shown}\nsweep tables: {tables} (outside its folder?)"
        home = root if any(ROOT in o for o in overrides) else work
        assert tables[0].resolve().is_relative_to(home.resolve()), f"{shown}\nswept outside {home}: {tables[0]}"
        assert _complete(tables[0].parent / "0"), shown
        return "ran"


def test_the_fuzz_promise_checker_catches_a_broken_cli(monkeypatch):
    """The checker fails on each way of breaking the promise (so the fuzz tier can fail)."""
    import pytest

    import slsim.experiments.cli as cli

    def traceback_(args):
        raise RuntimeError("boom")

    def two_lines(args):
        print("slsim: error: one", file=sys.stderr)
        print("slsim: error: two", file=sys.stderr)
        sys.exit(2)

    def writes_then_refuses(args):
        Path("left_behind").mkdir()
        print("slsim: error: x", file=sys.stderr)
        sys.exit(2)

    def exit_1(args):
        sys.exit(1)

    def ok_without_files(args):
        return None

    for broken in (traceback_, two_lines, writes_then_refuses, exit_1, ok_without_files):
        monkeypatch.setattr(cli, "main", broken)
        with pytest.raises((AssertionError, RuntimeError)):
            check_promise(["run.seed=1"])
