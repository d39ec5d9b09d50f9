"""The report's answer: ranking, cost per extra person only where the effect clears zero, the CEAC.

Small synthetic studies whose answers are worked out by hand in the comments,
then the answer table of a tiny real sweep's report (the fixture of
test_analysis.py is rebuilt here: three scenarios, two seeds, two years).
"""

import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from slsim.analysis.answer import answer_table, ceac, far_options, findings, money, paired_by_seed
from slsim.analysis.labels import column_label, scenario_label
from slsim.analysis.other_sections import budget_split
from slsim.analysis.report import main as report_main
from slsim.analysis.stats import paired_differences, paired_effects
from helpers import slsim

# people supported at the end, by scenario and seed (seeds 1-4); the baseline is 50, 60, 70, 80
PEOPLE = {
    "base": [50, 60, 70, 80],
    "a": [60, 72, 81, 93],  # +10 +12 +11 +13: mean 11.5, clear of zero
    "b": [49, 62, 70, 81],  # -1 +2 0 +1: mean 0.5, crosses zero
    "c": [70, 81, 92, 103],  # +20 +21 +22 +23: clear of zero, and cheaper than the baseline
    "d": [45, 54, 65, 74],  # -5 -6 -5 -6: clear of zero, below
}
# additional cost of each run over its two recorded years, GBP; the baseline spends 1,000
COST = {"base": 1000.0, "a": 11400.0, "b": 3000.0, "c": 800.0, "d": 5000.0}


def _study():
    runs, cb = [], []
    for scenario, people in PEOPLE.items():
        for seed, p in zip((1, 2, 3, 4), people):
            runs.append({"scenario": scenario, "seed": seed, "status": "ok", "people_supported_end": float(p)})
            cb.append(
                {
                    "scenario": scenario,
                    "seed": seed,
                    "additional_cost_gbp": COST[scenario],
                    "net_benefit_gbp": 2000.0 * p - COST[scenario],
                }
            )
    return pd.DataFrame(runs), pd.DataFrame(cb)


def test_answer_ranks_as_the_paired_effects_and_annualises_costs():
    runs, cb = _study()
    a = answer_table(runs, cb, "base", years=2.0)
    effects = paired_effects(runs, "people_supported_end", "base")
    assert list(a["scenario"]) == list(effects.sort_values("effect", ascending=False, kind="stable")["scenario"])
    assert list(a["scenario"]) == ["c", "a", "b", "d"] and list(a["rank"]) == [1, 2, 3, 4]
    row = a.set_index("scenario").loc["a"]
    assert row["d_people"] == pytest.approx(11.5)
    assert row["d_cost_year"] == pytest.approx((11400 - 1000) / 2)  # GBP 5,200 a year
    assert row["d_net_year"] == pytest.approx((2000 * 11.5 - 10400) / 2)


def test_no_cost_per_extra_person_unless_the_effect_clears_zero():
    runs, cb = _study()
    a = answer_table(runs, cb, "base", years=2.0).set_index("scenario")
    assert a.loc["a", "clears"] == "more"
    assert a.loc["a", "cost_per_person_year"] == pytest.approx(5200 / 11.5)  # GBP a year per extra person
    assert a.loc["b", "clears"] == "no" and a.loc["b", "d_people_low"] < 0 < a.loc["b", "d_people_high"]
    assert math.isnan(a.loc["b", "cost_per_person_year"]) and a.loc["b", "cpp_note"] == "crosses"
    assert a.loc["d", "clears"] == "fewer" and math.isnan(a.loc["d", "cost_per_person_year"])
    assert a.loc["c", "clears"] == "more" and a.loc["c", "cpp_note"] == "saves"  # more people for less money
    assert all(math.isnan(x) for x in a[a["clears"] != "more"]["cost_per_person_year"])
    text = " ".join(findings(a.reset_index(), str, 4, 20000.0))
    assert "2 of 4 options add people supported" in text and "c (+22)" in text and "a (+12)" in text
    assert "a costs £452 a year per extra person" in text  # 5,200 / 11.5; c saves money, so has no cost
    assert "Of the other 2, 1 does measurably worse and 1 cannot be told apart from the baseline with 4 seeds." in text


def test_ceac_by_hand():
    # two options and the baseline on two seeds (differences from the baseline on each seed):
    #   A: people +2, 0; cost 100, 100      B: people +1, +1; cost 0, 50
    # WTP 0:    NMB A -100, -100; B 0, -50; baseline 0, 0 -> seed 1: B and baseline tie (1/2 each);
    #           seed 2: baseline.  P(baseline) = 3/4, P(B) = 1/4, P(A) = 0
    # WTP 100:  A 100, -100; B 100, 50 -> seed 1: A and B tie; seed 2: B.  P(A) = 1/4, P(B) = 3/4
    # WTP 1000: A 1900, -100; B 1000, 950 -> seed 1: A; seed 2: B.  1/2 each
    pairs = pd.DataFrame(
        {
            "scenario": ["A", "A", "B", "B"],
            "seed": [1, 2, 1, 2],
            "d_people": [2.0, 0.0, 1.0, 1.0],
            "d_cost_year": [100.0, 100.0, 0.0, 50.0],
        }
    )
    curve = ceac(pairs, "base", [0, 100, 1000]).pivot(index="wtp", columns="scenario", values="probability")
    assert curve.loc[0.0].to_dict() == pytest.approx({"base": 0.75, "A": 0.0, "B": 0.25})
    assert curve.loc[100.0].to_dict() == pytest.approx({"base": 0.0, "A": 0.25, "B": 0.75})
    assert curve.loc[1000.0].to_dict() == pytest.approx({"base": 0.0, "A": 0.5, "B": 0.5})


def test_ceac_sums_to_one_at_every_wtp_and_uses_only_common_seeds():
    runs, cb = _study()
    runs = runs[~((runs["scenario"] == "b") & (runs["seed"] == 4))]  # b lacks seed 4: seed 4 is left out
    cb = cb[~((cb["scenario"] == "b") & (cb["seed"] == 4))]
    pairs = paired_by_seed(runs, cb, "base", years=2.0)
    curve = ceac(pairs, "base", np.linspace(0, 5000, 11))
    assert set(curve["scenario"]) == {"base", "a", "b", "c", "d"}
    assert np.allclose(curve.groupby("wtp")["probability"].sum(), 1.0)
    assert set(np.round(curve["probability"] * 3, 9)) <= {0, 1, 2, 3}  # three common seeds: thirds
    # c gives more people for less money on every seed: the most cost-effective at any WTP
    assert curve[curve["scenario"] == "c"]["probability"].eq(1.0).all()


def test_paired_differences_match_paired_effects():
    runs, _ = _study()
    diff = paired_differences(runs, ["people_supported_end"], "base")
    means = diff.groupby("scenario", sort=False)["people_supported_end"].mean()
    eff = paired_effects(runs, "people_supported_end", "base").set_index("scenario")["effect"]
    assert means.to_dict() == pytest.approx(eff.to_dict())


def test_far_options_are_set_apart_only_when_far():
    table = pd.DataFrame(
        {
            "scenario": ["all", "x", "y", "z"],
            "d_people": [100.0, 10.0, 5.0, -2.0],
            "d_cost_year": [400e3, 8e3, 3e3, 2e3],
        }
    )
    assert far_options(table) == ["all"]  # 100 > 3 x 10 people, 400k > 3 x 8k
    assert far_options(table.iloc[1:]) == []  # 10 is not three times 5 people, nor 8k three times 3k
    assert far_options(table.iloc[:2]) == []  # two or more options always remain


def test_plain_labels_and_money():
    assert scenario_label("levers=colocation") == "Co-location with social-work teams"
    assert scenario_label("levers=none") == "No lever"
    assert scenario_label("levers=[colocation,fee_uplift]") == "Co-location with social-work teams + Carer fee rise"
    assert scenario_label("shocks=pandemic shocks.scale=0.5 levers=none") == "Pandemic, at 0.5x size, no levers"
    assert scenario_label("budget=staff") == "Budget on scheme-worker posts"
    assert scenario_label("levers=brand_new") == "Brand new"  # unknown: readable, not hidden
    assert scenario_label("baseline") == "baseline"
    assert column_label("d_people") == "Extra people supported at the end"
    assert column_label("net_benefit_gbp_at_12000") == "Net benefit at a saving of GBP 12,000 a year"
    assert [money(x) for x in (850, 4500, 45000, -1.2e6, 0.2)] == ["£850", "£4.5k", "£45k", "−£1.2m", "£0"]


def test_budget_split_is_normalised_in_pounds():
    best = {
        "budget.shares.scheme_workers": 0.9,
        "budget.shares.recruitment": 0.9,
        "budget.shares.outreach": 0.3,
        "budget.shares.fees": 0.19,
    }  # weights summing to 2.29
    split = budget_split(
        best, {"budget": {"gbp_per_year": 90000.0}, "economics": {"scheme_worker_cost_per_year": 30000.0}}
    ).set_index("way")
    assert split["share"].sum() == pytest.approx(1.0)
    assert split["gbp_per_year"].sum() == pytest.approx(90000.0)
    assert split.loc["scheme_workers", "gbp_per_year"] == pytest.approx(90000 * 0.9 / 2.29)
    assert split.loc["scheme_workers", "posts"] == 1  # GBP 35,371 buys one whole post at 30,000


# ---------------------------------------------------------------------------
# the report of a tiny real sweep
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def report_page(tmp_path_factory):
    root = tmp_path_factory.mktemp("answer")
    proc = slsim(
        "-m",
        "levers=none,extra_workers,colocation",
        "experiment.replicates=2",
        "run.years=2",
        "run.warmup_weeks=8",
        f"hydra.sweep.dir={root / 'sweep'}",
        cwd=root,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert report_main([str(root / "sweep")]) == 0
    return root / "sweep" / "report"


def test_the_report_opens_with_the_answer_ranked_as_the_effects(report_page):
    page = (report_page / "index.html").read_text()
    assert page.index("<section id='answer'>") < page.index("<section id=", page.index("<section id='answer'>") + 1)
    assert re.search(r"<meta name=\"viewport\" content=\"width=device-width", page)
    answer = page[page.index("<section id='answer'>") : page.index("</section>")]
    shown = re.findall(r"<td class='l' title='([^']+)'>", answer)  # the code names, in the table's order
    effects = pd.read_csv(report_page / "tables" / "effects.csv")
    assert shown == list(effects.sort_values("effect", ascending=False, kind="stable")["scenario"])
    table = pd.read_csv(report_page / "tables" / "answer.csv")
    for row in table.itertuples():
        if not row.d_people_low > 0:
            assert math.isnan(row.cost_per_person_year)
    # two seeds: every interval is wide; a cost per extra person appears only where the effect clears zero
    cells = re.findall(r"<tr>(.*?)</tr>", answer)
    for cell, row in zip(cells[1:], table.itertuples()):
        last = re.findall(r"<td[^>]*>(.*?)</td>", cell)[-1]
        assert (last.startswith("£") and row.clears == "more") or (not last.startswith("£") and row.clears != "more")
    assert "levers=colocation" in answer and "Co-location with social-work teams" in answer
    assert "d_people" not in re.sub(r"title='[^']*'", "", answer)  # code names only in tooltips


def test_every_cost_figure_is_against_the_baseline(report_page):
    page = (report_page / "index.html").read_text()
    for gone in ("benefit_cost_ratio", "Benefit-cost ratio", "cost_per_additional_person_gbp"):
        assert gone not in page
    money_table = pd.read_csv(report_page / "tables" / "paired_money.csv")
    assert "levers=none" not in set(money_table["scenario"])  # the baseline is the reference, not a row
    assert (report_page / "tables" / "ceac.csv").exists()


def test_help_is_plain_text():
    exe = Path(sys.executable).parent / "slsim-report"
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=True).stdout
    assert "``" not in out and "`" not in out
    assert out.splitlines()[0].startswith("usage: slsim-report")
    assert "opens with the answer" in out
