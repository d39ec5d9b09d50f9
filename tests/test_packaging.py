"""slsim installs under one namespace: slsim.simulation, slsim.agents, slsim.experiments,
slsim.analysis (pyproject.toml's package-dir maps them to the top-level folders), and nothing
as a generic top-level name."""

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FOLDERS = ("simulation", "agents", "experiments", "analysis")


def _setuptools():
    return tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_package_folder_is_listed_under_the_namespace():
    conf = _setuptools()
    listed = set(conf["packages"])
    for folder in FOLDERS:
        assert conf["package-dir"][f"slsim.{folder}"] == folder
        for init in (REPO / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(REPO).parts
            assert "slsim." + ".".join(rel) in listed, f"{init.parent} is not in pyproject's packages"
    for name in listed:
        assert name.startswith(("slsim.", "hydra_plugins")), name


@pytest.mark.parametrize("folder", FOLDERS)
def test_the_generic_names_are_not_importable(tmp_path, folder):
    proc = subprocess.run([sys.executable, "-c", f"import {folder}"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 1 and f"No module named '{folder}'" in proc.stderr, proc.stderr


def test_the_namespaced_modules_and_the_launcher_plugin_are_found(tmp_path):
    code = (
        "import slsim.simulation.model, slsim.agents.carer, slsim.experiments.cli, slsim.analysis.report\n"
        "from hydra.core.plugins import Plugins\n"
        "from hydra.plugins.launcher import Launcher\n"
        "names = {f'{c.__module__}.{c.__name__}' for c in Plugins.instance().discover(Launcher)}\n"
        "print('hydra_plugins.slsim_launcher.joblib_launcher.SlsimJoblibLauncher' in names)"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.strip() == "True", proc.stderr[-2000:]


def _python_files():
    for folder in (*FOLDERS, "tests", "benchmarks", "docs", "hydra_plugins"):
        yield from (REPO / folder).rglob("*.py")


def test_no_code_imports_a_bare_top_level_name():
    """A `from simulation import ...` would pass under pytest (the clone is on sys.path) and fail for a user."""
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in FOLDERS, f"{path.relative_to(REPO)} imports {name}"


def test_docs_and_configs_name_modules_under_the_namespace():
    """`python -m experiments.collect`, `_target_: experiments.callbacks...` or `from analysis...` in the docs
    would fail for a user."""
    bare = re.compile(r"(?<![\w./-])(?:-m |_target_: |from |import )(?:simulation|agents|experiments|analysis)\b")
    texts = [REPO / "README.md", *(REPO / "docs").rglob("*.md"), *(REPO / "configs").rglob("*.yaml"), REPO / "Makefile"]
    for path in texts:
        for n, line in enumerate(path.read_text().splitlines(), 1):
            assert not bare.search(line), f"{path.relative_to(REPO)}:{n}: {line.strip()}"
