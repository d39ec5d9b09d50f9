"""The report's "Which levers matter where" (analysis/scheme_types.py) on synthetic sweep tables."""

import numpy as np
import pandas as pd
import pytest

from slsim.analysis import scheme_types as st
from slsim.analysis.settings import load_settings


def sweep(effects: dict, hours: dict, withdrawn: dict, seeds=range(1, 7)) -> pd.DataFrame:
    """Runs of kinds x levers: people = 50 + seed noise + the lever's known effect in that kind."""
    rows, rng = [], np.random.default_rng(0)
    for kind in hours:
        noise = {seed: rng.normal(0, 3) for seed in seeds}  # shared by the kind's arms: paired
        for lever in ("none", *effects[kind]):
            for seed in seeds:
                rows.append(
                    {
                        "scenario": f"levers={lever} scheme_type={kind}",
                        "seed": seed,
                        "people_supported_end": 50 + noise[seed] + effects[kind].get(lever, 0.0),
                        "mean_growth_hours_per_week": hours[kind],
                        "referrals_received": 100.0,
                        "referrals_withdrawn": 100.0 * withdrawn[kind],
                    }
                )
    return pd.DataFrame(rows)


EFFECTS = {
    "typical": {"colocation": 20.0, "extra_workers": 0.0},
    "small_urban": {"colocation": 0.0, "extra_workers": 12.0},
}
HOURS = {"typical": 30.0, "small_urban": 2.0}
WITHDRAWN = {"typical": 0.05, "small_urban": 0.1}


def test_each_lever_is_paired_with_its_own_kinds_baseline():
    table = st.kinds_and_levers(sweep(EFFECTS, HOURS, WITHDRAWN))
    effects = st.effects_by_kind(table, "people_supported_end", 0.95).set_index(["kind", "lever"])
    for kind, levers in EFFECTS.items():
        for lever, effect in levers.items():
            assert effects.loc[(kind, lever), "mean"] == pytest.approx(effect)  # noise cancels in pairs
            assert effects.loc[(kind, lever), "pairs"] == 6


def test_binding_constraints_follow_the_thresholds():
    hours = {"typical": 30.0, "small_urban": 2.0, "large_county": 30.0}
    withdrawn = {"typical": 0.05, "small_urban": 0.5, "large_county": 0.4}
    effects = {k: {"colocation": 1.0} for k in hours}
    binding = st.constraints(st.kinds_and_levers(sweep(effects, hours, withdrawn)), 5.0, 0.25).set_index("kind")
    assert binding.loc["typical", "constraint"] == "referral-bound"
    assert binding.loc["small_urban", "constraint"] == "staff-bound"  # staff first, whatever the waits
    assert binding.loc["large_county", "constraint"] == "carer-bound"
    assert binding.loc["large_county", "withdrawn_share"] == pytest.approx(0.4)


def test_no_section_for_an_ordinary_lever_sweep_or_a_kind_without_baseline():
    ordinary = pd.DataFrame({"scenario": ["levers=none", "levers=colocation"], "seed": [1, 1]})
    assert st.kinds_and_levers(ordinary) is None
    table = sweep(EFFECTS, HOURS, WITHDRAWN)
    no_base = table[
        ~((table["scenario"].str.contains("levers=none")) & (table["scenario"].str.contains("small_urban")))
    ]
    assert st.kinds_and_levers(no_base) is None
    one_kind = table[table["scenario"].str.contains("scheme_type=typical")]
    assert st.kinds_and_levers(one_kind) is None


def test_the_section_draws_the_figure_and_says_what_clears_zero(tmp_path):
    table = sweep(EFFECTS, HOURS, WITHDRAWN)

    class Results:
        kind, ok = "sweep", table

    out, figures, tables = [], {}, {}
    st.scheme_types_section(
        Results,
        load_settings(),
        lambda section, name, fig, caption: figures.setdefault(name, fig),
        lambda section, text: out.append(text),
        lambda name, frame: tables.setdefault(name, frame),
    )
    assert "scheme_types" in figures and "scheme_types" in tables
    text = " ".join(out)
    assert "Typical (national average) (referral-bound): co-location" in text
    assert "Small urban council (staff-bound): extra scheme-worker post" in text
    fig = figures["scheme_types"]
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels == ["Typical (national average)\n(referral-bound)", "Small urban council\n(staff-bound)"]


def test_bad_thresholds_are_refused_in_one_line():
    from slsim.analysis.results import AnalysisError

    with pytest.raises(AnalysisError, match=r"constraint_withdrawn_share=2\.0: allowed a number 0 <= x <= 1"):
        load_settings(constraint_withdrawn_share=2.0)
