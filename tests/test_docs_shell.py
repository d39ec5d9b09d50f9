"""Commands in the docs work as written in bash and in zsh (macOS's default shell).

zsh expands an unquoted ``[...]`` as a glob and stops with "no matches found"
(``slsim levers=[a,b]``), and both shells read ``{a,b}`` as a brace expansion
and ``(`` as syntax, so every override holding them is quoted:
``'levers=[colocation,fee_uplift]'``. Checked in every shell code block of the
README and docs/ (and ``$ `` lines of text blocks), and in inline code that is
an override.
"""

import re

import pytest

from helpers import REPO

DOCS = sorted([REPO / "README.md", *(REPO / "docs").rglob("*.md")])
SHELLS = {"bash", "sh", "shell", "zsh", "console"}
SPECIAL = "[]{}()"
_FENCE = re.compile(r"^```(\w*)\s*$")
_INLINE = re.compile(r"`([^`\n]+)`")


def unquoted(command: str) -> list:
    """The words of a shell ``command`` with a bracket, brace or parenthesis outside quotes
    (``$(...)`` command substitution aside); a comment ends the command."""
    bad, word, flagged, quote, i = [], "", False, None, 0
    while i < len(command):
        c = command[i]
        if quote:
            quote = None if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c == "\\":
            word += command[i : i + 2]
            i += 2
            continue
        elif command.startswith("$(", i):  # command substitution: its own command, kept whole
            depth, j = 0, i + 1
            while j < len(command):
                depth += {"(": 1, ")": -1}.get(command[j], 0)
                if depth == 0:
                    break
                j += 1
            word += command[i : j + 1]
            i = j + 1
            continue
        elif c.isspace():
            if flagged:
                bad.append(word)
            word, flagged = "", False
            i += 1
            continue
        elif c == "#" and not word:
            break
        elif c in SPECIAL:
            flagged = True
        word += c
        i += 1
    if flagged:
        bad.append(word)
    return bad


def commands(path):
    """(line number, text) of every shell command in the file: lines of shell code blocks, ``$ `` lines
    of other code blocks, and inline code that is an override (``key=[...]``, ``key={...}``)."""
    lang = None
    for n, line in enumerate(path.read_text().splitlines(), 1):
        fence = _FENCE.match(line.strip())
        if fence:
            lang = None if lang is not None else fence.group(1).lower() or "text"
            continue
        if lang in SHELLS:
            yield n, line.removeprefix("$ ")
        elif lang is not None and lang != "python" and line.startswith("$ "):
            yield n, line[2:]
        elif lang is None:
            for span in _INLINE.findall(line):
                if re.match(r"^[+~]?[\w.\-/]+=[\[{]", span) or span.startswith("slsim "):
                    yield n, span


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_overrides_with_brackets_are_quoted(path):
    found = [f"{path.name}:{n}: {word}" for n, text in commands(path) for word in unquoted(text)]
    assert not found, "quote these for zsh, e.g. 'levers=[a,b]':\n" + "\n".join(found)


def test_the_check_finds_what_zsh_refuses():
    assert unquoted("slsim levers=[colocation,fee_uplift] run.years=5") == ["levers=[colocation,fee_uplift]"]
    assert unquoted("slsim '+shocks.events.cut={kind:funding_cut}'") == []
    assert unquoted('slsim "levers=[a,b]" x=1  # levers=[c]') == []
    assert unquoted("slsim +shocks.events.cut={kind:funding_cut}") == ["+shocks.events.cut={kind:funding_cut}"]
    assert unquoted("slsim -m experiment.sample.index=range(0,4)") == ["experiment.sample.index=range(0,4)"]
    assert unquoted("kill -- -$(cat JOB/pid)") == []
    assert unquoted(r"slsim levers=\[a\]") == []
    path = REPO / "tests" / "artefacts" / "docs_shell_example.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text(
        "Pick `levers=[A,B]`.\n\n```bash\nslsim shocks=[a,b]\n```\n\n```text\n$ slsim levers=[x]\nslsim: "
        "error: levers=[x]\n```\n\n```python\nload_params(['levers=[a,b]'])\n```\n"
    )
    assert [(n, w) for n, t in commands(path) for w in unquoted(t)] == [
        (1, "levers=[A,B]"),
        (4, "shocks=[a,b]"),
        (8, "levers=[x]"),
    ]
