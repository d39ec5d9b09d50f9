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
