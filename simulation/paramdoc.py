"""The parameter table of docs/ODD.md, generated from the YAML under ``configs/``.

Reads the root ``config.yaml`` (its own keys except ``defaults`` and ``hydra``)
and the group files its defaults list chooses, and lists every leaf parameter
with its dotted name, default value and trailing comment. A nested mapping's
children inherit the comment on the parent line (``capacity_mix:  # ...``);
list items (``social_work.teams``) are documented once per field as
``teams[].field``, with each item's value and any item-specific comment.

    python -m slsim.simulation.paramdoc            # print the table
    python -m slsim.simulation.paramdoc --write    # rewrite docs/ODD.md between the markers
    python -m slsim.simulation.paramdoc --check    # exit 1 if docs/ODD.md is stale
"""

import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = ROOT / "configs"
DOC = ROOT / "docs" / "ODD.md"
START, END = "<!-- params:start -->", "<!-- params:end -->"
SKIP_ROOT_KEYS = ("defaults", "hydra")


@dataclass
class Param:
    name: str  # dotted, e.g. carers.capacity_mix.one or social_work.teams[].crisis_share
    default: str  # as written in the YAML (list fields: "item: value; ...")
    comment: str  # own comment, else the nearest parent's
    file: str  # path relative to the repository root
    line: int  # 1-based line of the (first) value
    inherited: bool = False  # True when the comment comes from a parent line
    notes: list = field(default_factory=list)  # item-specific comments of list fields


def _comment(lines, line, col):
    """Text of a ``#`` comment on ``line`` after column ``col`` ('' if none)."""
    rest = lines[line][col:]
    i = rest.find("#")
    return rest[i + 1 :].strip() if i >= 0 else ""


def _walk(node, prefix, inherited, lines, file):
    """Leaf parameters of a YAML mapping node, in file order."""
    out = []
    for key, value in node.value:
        name = prefix + key.value
        if isinstance(value, yaml.ScalarNode):
            own = _comment(lines, value.end_mark.line, value.end_mark.column)
            line = key.start_mark.line + 1
            out.append(Param(name, value.value, own or inherited, file, line, inherited=bool(inherited and not own)))
        else:
            own = _comment(lines, key.end_mark.line, key.end_mark.column)
            if isinstance(value, yaml.MappingNode):
                out += _walk(value, name + ".", own or inherited, lines, file)
            else:
                out += _walk_list(value, name, own or inherited, lines, file)
    return out


def _walk_list(node, name, inherited, lines, file):
    """A list of scalars is one Param; a list of mappings, one Param per field."""
    if all(isinstance(item, yaml.ScalarNode) for item in node.value):
        own = _comment(lines, node.end_mark.line, node.end_mark.column)
        default = "[" + ", ".join(item.value for item in node.value) + "]"
        return [
            Param(
                name, default, own or inherited, file, node.start_mark.line + 1, inherited=bool(inherited and not own)
            )
        ]
    merged = {}
    for i, item in enumerate(node.value):
        if not isinstance(item, yaml.MappingNode):
            raise ValueError(f"{file}:{item.start_mark.line + 1}: {name}: only lists of mappings are supported")
        label = next((v.value for k, v in item.value if k.value == "name"), str(i))
        for p in _walk(item, f"{name}[].", "", lines, file):
            m = merged.setdefault(p.name, Param(p.name, "", "", file, p.line, notes=[]))
            m.default += ("; " if m.default else "") + (
                p.default if p.name.endswith("[].name") else f"{label}: {p.default}"
            )
            if p.comment and not m.comment:
                m.comment = p.comment
            elif p.comment and p.comment != m.comment:
                m.notes.append(f"{label}: {p.comment}")
    for m in merged.values():
        if not m.comment:
            m.comment, m.inherited = inherited, bool(inherited)
    return list(merged.values())


def _load(path, prefix, skip=()):
    text = path.read_text()
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if node is None:
        return []
    node.value = [(k, v) for k, v in node.value if k.value not in skip]
    return _walk(node, prefix, "", text.splitlines(), str(path.relative_to(ROOT)))


def group_files(config_dir=CONFIG_DIR):
    """(group, path) for each group file the root defaults list chooses, in order."""
    root = yaml.safe_load((config_dir / "config.yaml").read_text())
    out = []
    for entry in root.get("defaults", []):
        if isinstance(entry, dict):
            for group, option in entry.items():
                group = group.replace("override ", "").replace("optional ", "").strip()
                if option is not None and not group.startswith("hydra"):  # Hydra's own settings (hydra/help)
                    out.append((group, config_dir / group / f"{option}.yaml"))
        elif isinstance(entry, str) and "@" in entry:  # a config file at a package: base/levers@levers
            path, package = entry.split("@", 1)
            out.append((package, config_dir / f"{path}.yaml"))
    return out


def collect(config_dir=CONFIG_DIR):
    """Every leaf parameter of the default config, root keys first."""
    params = _load(config_dir / "config.yaml", "", skip=SKIP_ROOT_KEYS)
    for group, path in group_files(config_dir):
        params += _load(path, group + ".")
    return params


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def render(params=None):
    """The Markdown table: one section per top-level group."""
    params = collect() if params is None else params
    out, section = [], None
    for p in params:
        top = p.name.split(".")[0]
        if top != section:
            section = top
            if out:
                out.append("")
            out += [f"**{top}** (`{p.file}`)", "", "| parameter | default | meaning, unit, source |", "|---|---|---|"]
        meaning = p.comment + "".join(f" *{n}*" for n in p.notes)
        out.append(f"| `{p.name}` | {_cell(p.default)} | {_cell(meaning)} |")
    return "\n".join(out) + "\n"


def _rel(path):
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def _split(text):
    if START not in text or END not in text or text.index(START) > text.index(END):
        raise SystemExit(f"paramdoc: {_rel(DOC)} lacks the markers {START} ... {END}")
    head, rest = text.split(START, 1)
    return head, rest.split(END, 1)[1]


def updated(text, table=None):
    """``text`` with the part between the markers replaced by the table."""
    head, tail = _split(text)
    return f"{head}{START}\n{render() if table is None else table}{END}{tail}"


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if not args:
        sys.stdout.write(render())
        return 0
    text = DOC.read_text()
    if args == ["--write"]:
        DOC.write_text(updated(text))
        return 0
    if args == ["--check"]:
        if updated(text) != text:
            print(
                f"paramdoc: the parameter table in {_rel(DOC)} is stale; run python -m slsim.simulation.paramdoc --write"
            )
            return 1
        return 0
    print("usage: python -m slsim.simulation.paramdoc [--write | --check]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
