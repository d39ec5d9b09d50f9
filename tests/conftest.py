"""Fixtures of the slsim test suite (helpers live in tests/helpers.py)."""

from pathlib import Path

import pytest

from helpers import BIN, params
from slsim.experiments.settings import SlsimConfig


@pytest.fixture(scope="session")
def default_params() -> SlsimConfig:
    return params()


@pytest.fixture(scope="session")
def slsim_exe() -> Path:
    exe = BIN / "slsim"
    if not exe.exists():
        pytest.fail(f"console script not found at {exe}; install the package (make venv)")
    return exe


@pytest.fixture(scope="session")
def nation_study(tmp_path_factory) -> Path:
    """A small national study folder (tests/nation_fixture.py): 3 programmes x 2 nation seeds, ~5 s."""
    from nation_fixture import build_study

    return build_study(tmp_path_factory.mktemp("nation") / "study")


# The heaviest test files, heaviest first (seconds each on 2 CI-like cores, measured with
# `pytest -n 2 --dist loadfile --durations=0`, summed by file). `make test` runs the files in
# this order (--no-loadscope-reorder: pytest-xdist would otherwise start with the files of most
# tests), so the long ones start early and the short ones fill in at the end instead of a
# long file running alone on one core while the other idles. Only the order changes.
HEAVIEST_FIRST = (
    "test_experiments.py",  # ~93
    "test_levers.py",  # ~70
    "test_docs_commands_1.py",  # ~69
    "test_run_folders.py",  # ~60
    "test_docs_commands_2.py",  # ~51
    "test_docs_commands.py",  # ~49
    "test_abc.py",  # ~46
    "test_shocks.py",  # ~45
    "test_nation.py",  # ~39
    "test_interrupts.py",  # ~39
    "test_nation_study_ray.py",  # ~27
    "test_nation_validate.py",  # ~26
    "test_permissions.py",  # ~25
    "test_dashboard_browser.py",  # ~25
)


def pytest_collection_modifyitems(session, config, items):
    rank = {name: i for i, name in enumerate(HEAVIEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest as collected
