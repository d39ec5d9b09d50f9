"""Regression baseline: fixed small runs still give the recorded outcomes.

Integers must match exactly, floats to a relative 1e-9. A failure means model
output changed; if that is intended, run ``make baseline`` (which runs
``tests/update_baseline.py``) and commit the reviewed ``tests/baseline/regression.json``.
"""

import json

import pytest

from slsim.simulation.run import versions
from update_baseline import BASELINE, CASES, compute

HOW_TO_UPDATE = (
    "If this change of model output is intended, run `make baseline` and commit tests/baseline/regression.json."
)


def load_baseline() -> dict:
    if not BASELINE.exists():
        pytest.fail(f"no regression baseline at {BASELINE}. {HOW_TO_UPDATE}")
    return json.loads(BASELINE.read_text())


def mismatches(expected: dict, got: dict) -> list:
    out = []
    for key in sorted(set(expected) | set(got)):
        if key not in got or key not in expected:
            out.append(f"{key}: {'missing now' if key not in got else 'new outcome'}")
            continue
        e, g = expected[key], got[key]
        if e is None or g is None or isinstance(e, bool) or isinstance(g, bool):
            same = e is g or e == g
        elif isinstance(e, int) and isinstance(g, int):
            same = e == g
        elif isinstance(e, (int, float)) and isinstance(g, (int, float)):
            same = isinstance(e, float) and isinstance(g, float) and g == pytest.approx(e, rel=1e-9, abs=0.0)
        else:
            same = e == g
        if not same:
            out.append(f"{key}: baseline {e!r}, now {g!r}")
    return out


def test_baseline_covers_the_cases():
    assert set(load_baseline()["cases"]) == set(CASES), (
        f"tests/update_baseline.py and the baseline disagree on the cases. {HOW_TO_UPDATE}"
    )


@pytest.mark.parametrize("name", list(CASES))
def test_outcomes_match_the_baseline(name):
    baseline = load_baseline()
    case = baseline["cases"].get(name)
    assert case is not None, f"case {name} not in the baseline. {HOW_TO_UPDATE}"
    assert case["overrides"] == CASES[name], f"case {name} changed its overrides. {HOW_TO_UPDATE}"
    diffs = mismatches(case["outcomes"], compute(case["overrides"]))
    if diffs:
        changed = {k: (v, versions().get(k)) for k, v in baseline["versions"].items() if versions().get(k) != v}
        env = f" Package versions differ from the baseline's: {changed}." if changed else ""
        pytest.fail(
            f"regression baseline mismatch in case {name} ({len(diffs)} outcomes): "
            + "; ".join(diffs[:8])
            + ("; ..." if len(diffs) > 8 else "")
            + f".{env} {HOW_TO_UPDATE}"
        )


def test_mismatch_rules():
    """The comparison itself: ints exact, floats to rel 1e-9, None only equals None."""
    assert mismatches({"a": 3, "b": 1.0, "c": None}, {"a": 3, "b": 1.0 + 1e-12, "c": None}) == []
    assert mismatches({"a": 3}, {"a": 4})
    assert mismatches({"b": 1.0}, {"b": 1.0 + 1e-6})
    assert mismatches({"c": None}, {"c": 0.0})
    assert mismatches({"a": 3}, {"a": 3.0}), "an int outcome turning float is a change"
    assert mismatches({"a": 1}, {})
