"""The README's Python examples run as written, on folders shaped as slsim writes them, and the
README names the folder each experiment writes to."""

import re

import pytest
from omegaconf import OmegaConf

from slsim.experiments.collect import collect
from helpers import REPO, params
from slsim.experiments.config import compose_cfg
from slsim.simulation.run import run_simulation, write_run_folder

EXPERIMENTS = sorted(p.stem for p in (REPO / "configs" / "experiment").glob("*.yaml"))


def python_blocks(path) -> list:
    return re.findall(r"^```python\n(.*?)^```", path.read_text(), flags=re.S | re.M)


def _tiny_run(folder, seed, levers):
    p = params("run.years=1", "run.warmup_weeks=8", f"run.seed={seed}", f"levers={levers}")
    write_run_folder(
        run_simulation(p),
        folder,
        f"levers: {levers}\nrun:\n  seed: {seed}\n",
        {"experiment": "levers", "job": 0 if levers == "none" else 1, "overrides": [f"levers={levers}"]},
    )


def test_readme_python_examples_run_as_written(tmp_path, monkeypatch):
    """In order, in one namespace (a notebook), from a folder holding a run folder outputs/first and
    a sweep multirun/levers, as the README's commands make them."""
    _tiny_run(tmp_path / "outputs" / "first", 42, "none")
    for job, levers in enumerate(("none", "all")):
        _tiny_run(tmp_path / "multirun" / "levers" / str(job) / "seed-42", 42, levers)
    collect(tmp_path / "multirun" / "levers", quiet=True)
    monkeypatch.chdir(tmp_path)
    blocks = python_blocks(REPO / "README.md")
    assert any('summary["outcomes"]["people_supported_end"]' in b for b in blocks)
    namespace = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102 (the README's own code)
    assert namespace["summary"]["outcomes"]["people_supported_end"] > 0
    assert set(namespace["sweep"]["scenario"]) == {"levers=none", "levers=all"}


@pytest.mark.parametrize(
    "overrides",
    [[f"+experiment={e}"] for e in EXPERIMENTS] + [["+experiment=sensitivity", "experiment.sample.method=morris"]],
    ids=" ".join,
)
def test_readme_names_the_folder_each_experiment_writes_to(overrides):
    cfg = compose_cfg(overrides, hydra_node=True)
    folder = OmegaConf.select(cfg, "hydra.sweep.dir")
    assert f"`{folder}/`" in (REPO / "README.md").read_text(), folder
    assert folder == f"multirun/{cfg.experiment.name}"  # the README's rule: multirun/<experiment.name>/
