"""Every shell command of the README and docs/ runs as written (tiny sizes): part 1 of the chains
(tests/docs_commands.py deals them to the files so that workers run them side by side)."""

import pytest

from docs_commands import chain_id, part, run_chain


@pytest.mark.parametrize("item", part(1), ids=chain_id)
def test_every_command_of_the_chain_runs_as_written(item, tmp_path):
    run_chain(*item, tmp_path)
