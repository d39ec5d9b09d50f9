"""Scenario discovery: the conditions under which growth fails, found with PRIM (ema_workbench).

A sweep with sampled uncertainties (``experiment.sample.parameters``: the Latin
hypercube of ``configs/experiment/discovery.yaml``, or a sensitivity sample)
spreads its runs over the space of uncertain parameters. Each complete run is
a point; it *fails* when the failure rule holds (``configs/analysis.yaml``,
``discovery_failure``; by default ``growth_people < 0``: fewer people
supported at the end than at week 0). PRIM (Friedman and Fisher 1999, used for
scenario discovery by Bryant and Lempert 2010; ``ema_workbench.analysis.prim``)
peels the space, a little at a time, towards a box of parameter values where
failures concentrate, and records each step (its peeling trajectory).

:func:`discover` chooses, on that trajectory, the box with the highest
coverage (share of all failing runs inside it) among the boxes whose density
(share of the runs inside it that fail) is at least ``min_density``, then
drops the limits of parameters whose quasi-p value (one-sided binomial test of
the limit, Bryant and Lempert 2010) is above ``max_qp``: limits no better than
chance. After a box, its runs are set aside and PRIM looks again in the rest,
up to ``max_boxes`` boxes. The same table gives the same boxes (PRIM has no
randomness).
"""

import operator
import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from slsim.analysis.results import AnalysisError

OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
OP_WORDS = {"<": "below", "<=": "at most", ">": "above", ">=": "at least"}
_RULE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(<=|>=|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*")


@dataclass(frozen=True)
class Rule:
    """A run fails when ``outcome op value`` (e.g. ``growth_people < 0``)."""

    outcome: str
    op: str
    value: float

    @property
    def text(self) -> str:
        return f"{self.outcome} {self.op} {self.value:g}"

    def fails(self, frame: pd.DataFrame) -> np.ndarray:
        return OPS[self.op](frame[self.outcome].to_numpy(dtype=float), self.value)


def parse_rule(text, outcomes=None) -> Rule:
    """``'growth_people < 0'`` -> :class:`Rule`; ``outcomes``: the allowed outcome names (one-line AnalysisError)."""
    m = _RULE.fullmatch(text) if isinstance(text, str) else None
    if not m:
        raise AnalysisError(
            f"discovery_failure={text!r}: allowed 'OUTCOME OP NUMBER' with OP one of <, <=, >, >= "
            "(e.g. 'growth_people < 0')"
        )
    outcome, op, value = m.groups()
    if outcomes is not None and outcome not in outcomes:
        raise AnalysisError(
            f"discovery_failure={text!r}: {outcome!r} is not a summary outcome; allowed: " + ", ".join(sorted(outcomes))
        )
    return Rule(outcome, op, float(value))


@dataclass
class Box:
    """One box: ``limits`` has a row per restricted parameter (``parameter``, ``low``, ``high``: the
    box; ``sample_low``, ``sample_high``: the range sampled; ``qp``: the smaller quasi-p value of its
    limits); ``low``/``high`` equal the sample's where that side is not restricted."""

    limits: pd.DataFrame
    coverage: float  # failing runs inside / all failing runs, 0-1
    density: float  # failing runs inside / runs inside, 0-1
    runs: int  # runs inside the box
    failures: int  # failing runs inside the box


@dataclass
class Discovery:
    rule: Rule
    parameters: list  # the uncertain parameters analysed (columns that vary)
    runs: int  # complete runs analysed
    failures: int  # of which fail
    min_density: float
    boxes: list = field(default_factory=list)  # [Box], best first
    note: str | None = None  # why there is no box, in plain English


def uncertainties(config: dict, table: pd.DataFrame) -> list:
    """The sampled parameters of a sweep (``experiment.sample.parameters`` of its first run's
    config) that are columns of the sweep table; [] for a sweep without a sample."""
    sample = ((config or {}).get("experiment") or {}).get("sample") or {}
    if sample.get("method", "none") == "none":
        return []
    return [str(k) for k in (sample.get("parameters") or {}) if str(k) in table.columns]


def _prim():
    with warnings.catch_warnings():  # ema_workbench warns at import about optional parallel back-ends
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim
    return prim


def discover(
    table: pd.DataFrame, parameters, rule: Rule, min_density: float, max_qp: float = 0.05, max_boxes: int = 1
) -> Discovery:
    """The box(es) of ``parameters`` where runs of ``table`` fail by ``rule`` (see the module's doc).

    ``table``: one row per run (``status`` other than ``ok`` is left out); ``parameters``: its
    columns of sampled uncertainties. Never raises on what the sample shows (no failures, only
    failures, no box dense enough): the answer's ``note`` says it."""
    if not 0 < min_density <= 1 or not 0 < max_qp <= 1 or max_boxes < 1:
        raise ValueError(
            f"min_density={min_density}, max_qp={max_qp}, max_boxes={max_boxes}: allowed (0, 1], (0, 1], >= 1"
        )
    if rule.outcome not in table.columns:
        raise AnalysisError(f"discovery_failure={rule.text!r}: the sweep table has no column {rule.outcome!r}")
    runs = table[table["status"] == "ok"] if "status" in table.columns else table
    runs = runs.dropna(subset=[*parameters, rule.outcome])
    x = runs[list(parameters)].astype(float).reset_index(drop=True)
    x = x.loc[:, x.nunique() > 1]  # a parameter held fixed cannot bound a box
    y = rule.fails(runs).astype(int)
    found = Discovery(rule, list(x.columns), len(x), int(y.sum()), min_density)
    if found.runs == 0 or x.shape[1] == 0:
        found.note = "No complete runs with sampled parameters that vary: nothing to look for."
    elif found.failures == 0:
        found.note = (
            f"Growth did not fail in any of the {found.runs} runs, so there are no conditions of failure to find."
        )
    elif found.failures == found.runs:
        found.note = (
            f"Growth failed in every one of the {found.runs} runs, so no part of the sampled ranges "
            "separates failure from growth."
        )
    else:
        _boxes(found, x, y, max_qp, max_boxes)
    return found


def _strong(qp: dict, max_qp: float) -> list:
    """Parameters with a limit whose quasi-p value (-1: that side is not limited) is at most ``max_qp``."""
    return [dim for dim, ps in qp.items() if min((p for p in ps if p >= 0), default=1.0) <= max_qp]


def _choose(box, alg, x: pd.DataFrame, y: np.ndarray, min_density: float, max_qp: float):
    """(trajectory entry, parameters kept) of the box to report: the highest coverage whose box, once its
    limits no better than chance are dropped, still has density >= ``min_density``; None if there is none,
    "chance" if dense boxes exist but none keeps a limit."""
    traj = box.peeling_trajectory
    dense = traj[(traj["density"] >= min_density) & (traj["res_dim"] > 0)]
    order = dense.sort_values(["coverage", "res_dim", "density", "id"], ascending=[False, True, False, True])
    rest = x.loc[alg.yi_remaining]
    chance = False
    for i in order["id"].astype(int):
        kept = _strong(box.qp[i], max_qp)
        if not kept:
            chance = True
            continue
        lims = box.box_lims[i][kept]
        inside = ((rest[kept] >= lims.loc[0]) & (rest[kept] <= lims.loc[1])).all(axis=1).to_numpy()
        if inside.any() and y[alg.yi_remaining[inside]].mean() >= min_density:
            return i, kept
    return "chance" if chance else None


def _boxes(found: Discovery, x: pd.DataFrame, y: np.ndarray, max_qp: float, max_boxes: int) -> None:
    prim = _prim()
    sample_low, sample_high = x.min(), x.max()
    chance = False  # dense boxes were found, but none of their limits beat chance
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warnings from inside ema_workbench
        alg = prim.Prim(x, y, threshold=found.min_density)
        for _ in range(max_boxes):
            box = alg.find_box()
            if box is None:  # no runs left
                break
            chosen = _choose(box, alg, x, y, found.min_density, max_qp)
            if not isinstance(chosen, tuple):
                chance = chance or chosen == "chance"
                break
            i, kept = chosen
            qp = box.qp[i]
            box.select(i)
            for dim in box.qp[i]:
                if dim not in kept:
                    box.drop_restriction(dim)  # a new entry on the trajectory, selected: PRIM sets aside its runs
            lims = box.box_lim
            limits = pd.DataFrame(
                {
                    "parameter": kept,
                    "low": [float(lims.loc[0, c]) for c in kept],
                    "high": [float(lims.loc[1, c]) for c in kept],
                    "sample_low": [float(sample_low[c]) for c in kept],
                    "sample_high": [float(sample_high[c]) for c in kept],
                    "qp": [min(p for p in qp[c] if p >= 0) for c in kept],
                }
            )
            inside, failing = int(len(box.yi)), int(y[box.yi].sum())
            found.boxes.append(Box(limits, failing / found.failures, failing / inside, inside, failing))
    if not found.boxes and chance:
        found.note = (
            f"PRIM found ranges where at least {found.min_density:.0%} of runs fail, but none of their limits "
            f"is better than chance (quasi-p above {max_qp:g}): no condition of failure stands out "
            f"({found.failures} of {found.runs} runs fail overall). Failure here depends on chance, or on "
            "many parameters at once."
        )
    elif not found.boxes:
        found.note = (
            f"No box of parameter values holds failures densely enough: PRIM found no part of the sampled "
            f"ranges where at least {found.min_density:.0%} of runs fail ({found.failures} of {found.runs} runs "
            "fail overall). Failure here depends on chance, or on many parameters at once."
        )


def boxes_table(found: Discovery) -> pd.DataFrame:
    """Every box's limits with its box number, coverage, density and runs: tidy, for tables/discovery.csv."""
    parts = []
    for n, box in enumerate(found.boxes, start=1):
        part = box.limits.copy()
        part.insert(0, "box", n)
        part["coverage"], part["density"], part["runs"], part["failures"] = (
            box.coverage,
            box.density,
            box.runs,
            box.failures,
        )
        parts.append(part)
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, ignore_index=True)
    out["rule"] = found.rule.text
    return out
