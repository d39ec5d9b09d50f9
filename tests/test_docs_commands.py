"""Every shell command of the README and docs/ runs as written (tiny sizes): part 0 of the chains,
the excused commands and the meta-tests. The machinery and the rules: tests/docs_commands.py."""

import shlex

import pytest

from docs_commands import (
    DOCS,
    NOT_RUN,
    PARTS,
    all_chains,
    chain_id,
    chains,
    check_excused,
    commands,
    part,
    run_chain,
    started,
)


@pytest.mark.parametrize("item", part(0), ids=chain_id)
def test_every_command_of_the_chain_runs_as_written(item, tmp_path):
    run_chain(*item, tmp_path)


def test_excused_commands_have_their_make_target_or_help(tmp_path):
    check_excused(tmp_path)


def test_every_command_is_in_exactly_one_part():
    dealt = [(str(doc), tuple(chain)) for k in range(PARTS) for doc, chain in part(k)]
    assert sorted(dealt) == sorted((str(doc), tuple(chain)) for doc, chain in all_chains())
    assert len(set(dealt)) == len(dealt)
    for doc in DOCS:
        written = [c for c in commands(doc) if c not in NOT_RUN]
        assert set(written) == {c for chain in chains(doc) for c in chain}, doc
    ran = [chain for _, chain in all_chains()]
    for doc in DOCS:  # a shared chain runs once; a chain that starts a longer one runs within it
        for chain in chains(doc):
            assert chain in ran or any(started(chain, longer) for longer in ran), (doc, chain)


def test_a_report_joins_its_sweep_and_a_posterior_study_its_calibration():
    from helpers import REPO

    readme = {chain[0]: chain for chain in chains(REPO / "README.md")}
    levers = next(chain for chain in readme.values() if "slsim-report multirun/levers --csv" in chain)
    assert "slsim experiment=levers" in levers
    assert any(c.startswith("slsim-calibrate") for c in levers)  # the posterior study reads outputs/calibration
    discovery = next(chain for chain in readme.values() if "slsim-report multirun/discovery" in chain)
    assert discovery.count("slsim experiment=discovery hydra/launcher=joblib") == 1  # written twice, run once
    assert not any("experiment=levers" in c for c in discovery)


def test_every_command_is_run_or_excused_and_no_excuse_is_stale():
    found = {c for d in DOCS for c in commands(d)}
    assert found, "no shell commands found in the docs"
    stale = sorted(set(NOT_RUN) - found)
    assert not stale, f"NOT_RUN entries no document has any more: {stale}"
    tools = {shlex.split(c)[0] for c in found}
    runnable = {
        "slsim",
        "slsim-report",
        "slsim-validate",
        "slsim-dashboard",
        "slsim-calibrate",
        "slsim-nation",
        "slsim-nation-study",
        "slsim-nation-validate",
        "python",
        "make",
        "source",
        "export",  # the cluster example's token (excused: tests/test_nation_study_ray.py)
        "ray",  # the cluster example's ray start / ray stop (excused, as above)
    }
    assert tools <= runnable, f"commands of tools this test does not know how to run: {sorted(tools - runnable)}"
