"""The kinds of scheme (configs/scheme_type/): each loads, is named in the report and in the
lever study's axis, and the evidence's three regimes are there. Each kind's binding constraint
is read from its own baseline runs by the report's rule (analysis/scheme_types.py constraints,
thresholds in configs/analysis.yaml), on 6 seeds of 10 years: the typical scheme waits for
referrals, the scheme short of carers for carers, the small urban scheme for staff time."""

import pandas as pd
import pytest
import yaml
from joblib import Parallel, delayed

from helpers import REPO, params
from slsim.analysis.labels import SCHEME_TYPES
from slsim.analysis.scheme_types import constraints
from slsim.analysis.settings import load_settings
from slsim.simulation.run import run_simulation

KINDS = sorted(p.stem for p in (REPO / "configs" / "scheme_type").glob("*.yaml"))
SEEDS = range(1, 7)


def test_every_kind_loads_is_labelled_and_is_in_the_study():
    axis = yaml.safe_load((REPO / "configs" / "experiment" / "scheme_types.yaml").read_text())
    swept = axis["hydra"]["sweeper"]["params"]["scheme_type"].split(",")
    assert sorted(swept) == KINDS
    for kind in KINDS:
        assert kind in SCHEME_TYPES, kind
        name = params(f"scheme_type={kind}").scheme.name
        assert name == ("typical_england" if kind == "typical" else kind)  # typical: the defaults as they are


def _baseline(kind: str, seed: int):
    result = run_simulation(params(f"scheme_type={kind}", f"run.seed={seed}"))
    run = f"{kind}-{seed}"
    row = {"kind": kind, "lever": "none", "run": run, **result.summary}
    return row, result.timeseries.assign(run=run)


@pytest.fixture(scope="module")
def binding():
    kinds = ("typical", "carer_short", "small_urban")
    done = Parallel(n_jobs=2)(delayed(_baseline)(kind, seed) for kind in kinds for seed in SEEDS)
    table = pd.DataFrame([row for row, _ in done])
    weekly = pd.concat([ts for _, ts in done], ignore_index=True)
    return constraints(table, weekly, load_settings()).set_index("kind")


@pytest.mark.slow
@pytest.mark.parametrize(
    "kind, constraint", [("typical", "referral-bound"), ("carer_short", "carer-bound"), ("small_urban", "staff-bound")]
)
def test_each_regime_of_the_evidence_has_a_kind(binding, kind, constraint):
    assert binding.loc[kind, "constraint"] == constraint, binding.round(3).to_string()
