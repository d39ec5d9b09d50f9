"""The documentation is current and every parameter is documented.

(a) the parameter table in docs/ODD.md matches the YAML (``paramdoc --check``);
(b) every leaf of the composed default config has a row in that table, with
    the same default value;
(c) every YAML parameter line (or the parent line whose comment it inherits)
    says what unit the number is in (or that it is dimensionless) and where it
    comes from (a source, or the word "assumption"/"calibrated");
(d) levers and shock kinds are documented in the YAML and the ODD;
(e) every number states the upper bound the checks enforce;
(f) no shipped file cites the design document that does not ship (cite the
    primary source instead; docs/design.md lists them).
"""

import re
import subprocess
import sys

import pytest
import yaml
from omegaconf import DictConfig, ListConfig, OmegaConf

from slsim.simulation import paramdoc
from slsim.experiments.config import compose_cfg

# a unit, or a marker that the number has none
UNIT = re.compile(
    r"\b(weeks?|years?|hours?|GBP|persons?|households?|head count|count|enquiries|contacts|decisions)\b"
    r"|£|/\s*(week|year|hour|household|worker)\b|\bper (week|year|hour)\b"
    r"|\b(dimensionless|weights|share|probability|fraction(al)?|log-odds|multiplier|per unit)\b"
    r"|\b0-1\b|>=?\s*\d",
    re.IGNORECASE,
)
FLAG = re.compile(r"\b(on|off|true|false|flag|switch)\b", re.IGNORECASE)  # booleans: what true means
SOURCE = re.compile(
    r"LGA|Shared Lives Plus|Bank of England|Skills for Care|Devon|SASCI|CQC|\bassumption\b|\bcalibrated\b",
    re.IGNORECASE,
)


def table_rows():
    """{dotted name: default cell} of the table in docs/ODD.md."""
    text = paramdoc.DOC.read_text()
    body = text.split(paramdoc.START, 1)[1].split(paramdoc.END, 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \| (.*?) \| .* \|$", body, re.MULTILINE)
    return {name: default.replace("\\|", "|") for name, default in rows}


def config_leaves(node, path=""):
    """{dotted name: value} of the composed config; list items as ``name[].field``."""
    out = {}
    if isinstance(node, DictConfig):
        for key in node:
            sub = f"{path}.{key}" if path else str(key)
            out.update(config_leaves(node._get_node(key), sub))
    elif isinstance(node, ListConfig) and not any(OmegaConf.is_config(item) for item in node._iter_ex(resolve=False)):
        out[path] = OmegaConf.to_container(node)  # a list of scalars is one parameter
    elif isinstance(node, ListConfig):
        for item in node:
            for name, value in config_leaves(item, f"{path}[]").items():
                out.setdefault(name, []).append(value)
    else:
        out[path] = OmegaConf.to_container(node) if OmegaConf.is_config(node) else node._value()
    return out


def same(cell, value):
    return yaml.safe_load(cell) == value


# (a) ---------------------------------------------------------------------------
def test_param_table_is_current():
    proc = subprocess.run(
        [sys.executable, "-m", "slsim.simulation.paramdoc", "--check"],
        cwd=paramdoc.ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_check_detects_a_stale_table(tmp_path, monkeypatch, capsys):
    doc = tmp_path / "ODD.md"
    doc.write_text(f"intro\n{paramdoc.START}\n| old | table |\n{paramdoc.END}\nrest\n")
    monkeypatch.setattr(paramdoc, "DOC", doc)
    assert paramdoc.main(["--check"]) == 1
    assert len(capsys.readouterr().out.strip().splitlines()) == 1
    assert paramdoc.main(["--write"]) == 0
    assert paramdoc.main(["--check"]) == 0
    text = doc.read_text()
    assert text.startswith("intro\n") and text.endswith("rest\n") and "`run.years`" in text


# (b) ---------------------------------------------------------------------------
def test_every_config_leaf_is_in_the_table():
    leaves = config_leaves(compose_cfg())
    rows = table_rows()
    missing = sorted(set(leaves) - set(rows))
    extra = sorted(set(rows) - set(leaves))
    assert not missing, f"parameters missing from the table in docs/ODD.md: {missing}"
    assert not extra, f"rows in docs/ODD.md that are not parameters of the composed config: {extra}"
    wrong = []
    for name, value in leaves.items():
        cell = rows[name]
        if cell.startswith("${"):
            continue  # interpolation: the table shows it as written
        if isinstance(value, list) and "[]." in name:  # a field of a list of mappings: "label: value; ..."
            parts = [p.split(": ", 1)[-1] for p in cell.split("; ")]
            ok = len(parts) == len(value) and all(same(p, v) for p, v in zip(parts, value))
        else:
            ok = same(cell, value)
        if not ok:
            wrong.append(f"{name}: table {cell!r}, config {value!r}")
    assert not wrong, "table defaults differ from the composed config:\n" + "\n".join(wrong)


# (c) ---------------------------------------------------------------------------
def comment_problem(p):
    """Why a parameter's comment is not enough, or None."""
    if not p.comment:
        return "no comment"
    if p.name.rsplit(".", 1)[-1] == "name":
        return None  # a label (scheme or team name): saying what it names is enough
    text = " ".join([p.comment, *p.notes])
    values = [v.split(": ", 1)[-1] for v in p.default.split("; ")]
    is_flag = all(v in ("true", "false") for v in values)
    lacks = []
    if not (UNIT.search(text) or (is_flag and FLAG.search(text))):
        lacks.append("a unit (or 'dimensionless', '0-1', 'weights', ...)")
    if not SOURCE.search(text):
        lacks.append("a source (LGA, SASCI, Shared Lives Plus, ...) or the word 'assumption'/'calibrated'")
    return "lacks " + " and ".join(lacks) if lacks else None


@pytest.mark.parametrize("p", paramdoc.collect(), ids=lambda p: p.name)
def test_yaml_comment_has_unit_and_source(p):
    problem = comment_problem(p)
    where = f"{p.file}:{p.line} {p.name}" + (" (comment inherited from the parent line)" if p.inherited else "")
    if problem is not None:
        pytest.fail(f"{where}: {problem}: {p.comment!r}", pytrace=False)


# (d) levers and events: every name and field documented in the YAML and in the ODD --------
def _odd_text():
    return paramdoc.DOC.read_text()


def test_every_lever_is_documented_in_yaml_and_odd():
    from slsim.simulation.params import LEVER_NAMES

    levers_yaml = (paramdoc.CONFIG_DIR / "base" / "levers.yaml").read_text()
    odd = _odd_text()
    for name in LEVER_NAMES:
        assert f"\n{name}:" in levers_yaml, f"lever {name} has no block in configs/base/levers.yaml"
        assert (paramdoc.CONFIG_DIR / "levers" / f"{name}.yaml").exists(), f"no option configs/levers/{name}.yaml"
        assert f"`{name}`" in odd, f"lever {name} is not described in docs/ODD.md"


def test_every_shock_kind_and_event_field_is_documented_in_yaml_and_odd():
    import dataclasses

    from slsim.simulation.params import SHOCK_KINDS, ShockEvent

    shocks_yaml = (paramdoc.CONFIG_DIR / "base" / "shocks.yaml").read_text()
    odd = _odd_text()
    for kind in SHOCK_KINDS:
        assert re.search(rf"^#\s+{kind}\s+\S", shocks_yaml, re.MULTILINE), (
            f"kind {kind} not described in base/shocks.yaml"
        )
        assert f"`{kind}`" in odd, f"shock kind {kind} is not described in docs/ODD.md"
    for field in dataclasses.fields(ShockEvent):
        assert field.name in shocks_yaml, f"event field {field.name} not described in base/shocks.yaml"
        assert f"`{field.name}`" in odd, f"event field {field.name} is not described in docs/ODD.md"


# (e) every number has an upper bound, stated beside its field in the YAML ---------------------
# a bound is stated as "upper bound N", "<= N" or a range "L-N" (0-1); N may be 2^k or 2^k - 1
_NUM = r"(2\^\d+(?:\s*-\s*1)?|\d[\d,]*(?:\.\d+)?(?:e[+-]?\d+)?)"


def _stated_bounds(text) -> set:
    out = set()
    for pattern in (rf"upper bound {_NUM}", rf"<=\s*{_NUM}", rf"\b\d+(?:\.\d+)?-{_NUM}"):
        for m in re.finditer(pattern, text):
            number = m.group(1).rstrip(",")
            power = re.fullmatch(r"2\^(\d+)(\s*-\s*1)?", number)
            out.add(
                float(2 ** int(power.group(1)) - (1 if power.group(2) else 0))
                if power
                else float(number.replace(",", ""))
            )
    return out


@pytest.fixture(scope="module")
def enforced_bounds():
    """{dotted field: upper bound} that the checks of the parameter tree enforce (recorded by _V)."""
    from slsim.experiments.config import load_params
    from slsim.simulation.params import _V

    _V.bounds = {}
    try:
        load_params(["levers=all"])  # every node is checked, whichever levers are on
        return dict(_V.bounds)
    finally:
        _V.bounds = None


def test_every_number_has_an_upper_bound(enforced_bounds):
    params = paramdoc.collect()
    numeric = []
    for p in params:
        values = [v.split(": ", 1)[-1] for v in p.default.split("; ")]
        parsed = [yaml.safe_load(v) for v in values]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in parsed):
            numeric.append(p.name)
    unbounded = sorted(set(numeric) - set(enforced_bounds))
    assert not unbounded, f"numbers without an upper bound in the parameter tree: {unbounded}"
    undocumented_fields = sorted(set(enforced_bounds) - {p.name for p in params})
    assert not undocumented_fields, f"bounds on fields missing from the table: {undocumented_fields}"


@pytest.mark.parametrize("p", [p for p in paramdoc.collect()], ids=lambda p: p.name)
def test_yaml_comment_states_the_upper_bound(p, enforced_bounds):
    bound = enforced_bounds.get(p.name)
    if bound is None:
        return  # not a number (names, switches, lists)
    text = " ".join([p.comment, *p.notes])
    if float(bound) not in _stated_bounds(text):
        where = f"{p.file}:{p.line} {p.name}" + (" (comment inherited from the parent line)" if p.inherited else "")
        pytest.fail(
            f"{where}: the comment does not state the upper bound {bound:,} the checks enforce "
            f"(write 'upper bound {bound:,}'): {p.comment!r}",
            pytrace=False,
        )


def test_stated_bounds_are_read_as_written():
    assert _stated_bounds("persons; upper bound 5,000: the largest scheme") == {5000.0}
    assert _stated_bounds("0-1 (assumption)") == {1.0}
    assert _stated_bounds("upper bound 2^63 - 1 (numpy)") == {float(2**63 - 1)}
    assert _stated_bounds("-0.5 <= x <= 2") == {2.0}
    assert _stated_bounds("about 40 hours") == set()


# (f) no citation of a file that does not ship ----------------------------------------------
# The project's working design document (named below) is not part of the repository, so a reader
# cannot follow a citation of it: cite the primary source (LGA 2025, SASCI 2025, Shared Lives
# Plus, ...; docs/design.md lists them) or say "assumption". The name is split so that this
# file does not mention it.
UNSHIPPED = "DESIGN" + ".md"
# Files allowed to mention it: none (the last citations went with the restructured parameters).
UNSHIPPED_ALLOWED = frozenset()


def _shipped(path: str) -> bool:
    """Is a tracked file part of what ships? Everything except the Python of tests/."""
    return not (path.startswith("tests/") and path.endswith(".py"))


def unshipped_citations(root, paths) -> list:
    """'path:line' of every mention of the unshipped design document in the text files `paths`
    (relative to `root`), except tests' Python and the files in UNSHIPPED_ALLOWED."""
    found = []
    for rel in paths:
        if not _shipped(rel) or rel in UNSHIPPED_ALLOWED:
            continue
        file = root / rel
        if not file.is_file():
            continue  # deleted in the working tree
        data = file.read_bytes()
        if b"\0" in data:
            continue  # binary (images, parquet)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        found += [f"{rel}:{n}" for n, line in enumerate(text.splitlines(), 1) if UNSHIPPED in line]
    return found


def test_no_shipped_file_cites_the_unshipped_design_document():
    proc = subprocess.run(["git", "ls-files", "-z"], cwd=paramdoc.ROOT, capture_output=True)
    if proc.returncode != 0:
        pytest.skip("not a git checkout: no list of shipped files")
    paths = [p for p in proc.stdout.decode().split("\0") if p]
    assert "docs/design.md" in paths and "configs/config.yaml" in paths
    found = unshipped_citations(paramdoc.ROOT, paths)
    assert not found, (
        f"{UNSHIPPED} does not ship, so these citations cannot be followed; cite the primary "
        f"source (see docs/design.md) or say 'assumption':\n" + "\n".join(found)
    )


def test_unshipped_citation_check_finds_a_citation(tmp_path):
    files = {
        "configs/x.yaml": f"a: 1  # units ({UNSHIPPED} s.6)\n",
        "docs/y.md": f"text\nsee {UNSHIPPED}\n",
        "analysis/z.py": f"# {UNSHIPPED}\n",
        "docs/design.md": "the rationale: lower-case design.md is the shipped one\n",
        "tests/test_z.py": f"NAME = '{UNSHIPPED}'\n",  # tests' Python may name it
        "simulation/params/__init__.py": f"# {UNSHIPPED}\n",
        "docs/img.png": f"\0{UNSHIPPED}".encode(),
    }
    for rel, content in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            (tmp_path / rel).write_bytes(content)
        else:
            (tmp_path / rel).write_text(content)
    found = unshipped_citations(tmp_path, [*files, "gone.md"])
    assert found == ["configs/x.yaml:1", "docs/y.md:2", "analysis/z.py:1", "simulation/params/__init__.py:1"]
