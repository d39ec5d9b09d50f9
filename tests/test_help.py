"""`slsim --help`: slsim's own help (configs/hydra/help/slsim.yaml), not Hydra's generic one."""

import pytest

from helpers import REPO, slsim

EXPERIMENTS = sorted(p.stem for p in (REPO / "configs" / "experiment").glob("*.yaml"))
GROUPS = sorted(p.name for p in (REPO / "configs").iterdir() if p.is_dir() and p.name not in ("hydra", "base"))


@pytest.fixture(scope="module")
def help_run(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("help")
    proc = slsim("--help", cwd=cwd)
    return proc, cwd


def test_help_exits_0_and_writes_nothing(help_run):
    proc, cwd = help_run
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stderr == ""
    assert list(cwd.iterdir()) == []  # no outputs/ or multirun/ folder


def test_help_says_what_slsim_is_and_fits_a_screen_or_two(help_run):
    text = help_run[0].stdout
    assert text.startswith("slsim: an agent-based simulator of one Shared Lives scheme")
    assert "powered by Hydra" not in text  # not Hydra's default template
    assert "== Config ==" not in text  # nor the whole config (slsim --cfg job prints it)
    assert len(text.rstrip().splitlines()) <= 60
    assert "README.md" in text


def test_help_lists_every_experiment_with_its_command(help_run):
    text = help_run[0].stdout
    assert len(EXPERIMENTS) == 7
    for name in EXPERIMENTS:
        assert f"slsim -m +experiment={name} " in text, name


def test_help_lists_every_config_group_with_its_options(help_run):
    lines = help_run[0].stdout.splitlines()
    for group in GROUPS:
        options = sorted(p.stem for p in (REPO / "configs" / group).glob("*.yaml"))
        assert f"{group}: {', '.join(options)}" in lines, group


def test_help_says_where_outputs_go(help_run):
    text = help_run[0].stdout
    for where in (
        "outputs/<date>/<time>/",
        "multirun/<experiment.name>/",
        "multirun/sensitivity-sobol/",
        "sweep.parquet",
        "slsim-report FOLDER",
    ):
        assert where in text, where
