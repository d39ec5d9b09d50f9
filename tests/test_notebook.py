"""run_many: many runs in one process, the table a sweep gives, and the notebook example that uses it."""

import math
import re

import matplotlib
import pandas as pd
import pytest

from slsim.experiments.notebook import run_many
from helpers import REPO, slsim
from slsim.simulation.params import ConfigError

TINY = ("run.years=3", "run.warmup_weeks=8")  # the pandemic preset starts in year 3


def test_run_many_gives_the_numbers_of_the_cli_sweep_table(tmp_path):
    proc = slsim(
        "-m",
        "levers=none,extra_workers",
        "shocks=none,pandemic",
        "experiment.replicates=2",
        *TINY,
        f"hydra.sweep.dir={tmp_path / 'sweep'}",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    sweep = pd.read_parquet(tmp_path / "sweep" / "sweep.parquet")
    scenarios = [f"levers={lv} shocks={sh}" for lv in ("none", "extra_workers") for sh in ("none", "pandemic")]
    table = run_many(scenarios, seeds=[42, 43], common=list(TINY))
    assert len(table) == len(sweep) == 8
    assert list(table.columns[:3]) == ["scenario", "overrides", "seed"]
    assert sorted(set(table["scenario"])) == sorted(set(sweep["scenario"]))  # labelled as the sweep labels them
    outcomes = [c for c in table.columns[3:]]
    assert "people_supported_end" in outcomes and any(c.startswith("shock.pandemic.") for c in outcomes)
    assert set(outcomes) <= set(sweep.columns)
    both = table.merge(sweep, on=["scenario", "seed"], suffixes=("", "_cli"), validate="1:1")
    assert len(both) == 8
    for col in outcomes:
        for ours, cli in zip(both[col], both[f"{col}_cli"]):
            same = (
                ours == cli
                or (ours is None and pd.isna(cli))
                or (isinstance(ours, float) and math.isnan(ours) and pd.isna(cli))
            )
            assert same, f"{col}: run_many {ours!r}, sweep table {cli!r}"


def test_run_many_takes_strings_or_lists_and_checks_before_running(monkeypatch):
    import slsim.experiments.notebook as notebook

    ran = []
    monkeypatch.setattr(notebook, "run_simulation", lambda p: ran.append(p) or pytest.fail("ran"))
    with pytest.raises(ConfigError, match="scheme.scheme_workers"):
        run_many(["levers=none", ["scheme.scheme_workers=-1"]], seeds=[1])
    with pytest.raises(ConfigError, match="run_many's seeds"):
        run_many(["run.seed=3"], seeds=[1])
    with pytest.raises(ValueError):
        run_many([], seeds=[1])
    assert ran == []


def test_the_notebook_example_runs_as_written(tmp_path, monkeypatch):
    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    text = (REPO / "docs" / "examples" / "notebook.md").read_text()
    cells = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    assert len(cells) == 3 and "run_many(" in cells[0] and "seaborn" in cells[1]
    namespace = {}
    for cell in cells:
        exec(compile(cell, "notebook.md", "exec"), namespace)  # noqa: S102 (the example's own code)
    table = namespace["table"]
    assert len(table) == 3 * 5 and table.groupby("scenario")["seed"].nunique().eq(5).all()
    assert (tmp_path / "people_supported.png").stat().st_size > 1000
    assert (tmp_path / "lever_effects.png").stat().st_size > 1000
    assert set(namespace["effects"]["scenario"]) == {"levers=extra_workers", "levers=colocation"}
