"""``slsim-report PATH``: a self-contained HTML report of a run folder or a sweep folder.

    slsim-report multirun/levers                 # -> multirun/levers/report/index.html
    slsim-report outputs/default --out my_report
    slsim-report multirun/investment --savings 26000 --target 90 --baseline budget=none

The report (``index.html``, figures embedded as PNG; the same figures in
``figures/*.png``; the tables as CSV in ``tables/``) has these sections, each
present in every report (with a note when the study has nothing for it):
summary, outcomes by scenario, growth, effects against the baseline,
cost-benefit, carer pipeline, staff time, shocks, sensitivity, optimisation,
configuration, assumptions, failed or damaged runs.

It reads result files only (``analysis.results``) and the money assumptions in
``configs/analysis.yaml``; the assumptions list comes from the parameter table
of ``docs/ODD.md`` (generated from the YAML comments). The report folder is
written to a temporary folder and renamed into place. Bad input (no such
folder, a folder that is not a run or sweep, a corrupt file, a bad flag) prints
one line and exits with code 2.
"""

import argparse
import base64
import html
import io
import json
import math
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from analysis import figures
from analysis.costbenefit import cost_benefit
from analysis.results import AnalysisError, Results, load
from analysis.stats import default_baseline, growth, paired_effects, scenario_means

ROOT = Path(__file__).resolve().parent.parent
CONFIG_FILE = ROOT / "configs" / "analysis.yaml"
ODD_FILE = ROOT / "docs" / "ODD.md"
SECTIONS = (
    ("summary", "Summary"),
    ("outcomes", "Outcomes by scenario"),
    ("growth", "Growth"),
    ("effects", "Effects against the baseline"),
    ("costbenefit", "Cost-benefit"),
    ("pipeline", "Carer pipeline"),
    ("stafftime", "Staff time"),
    ("shocks", "Shocks and recovery"),
    ("sensitivity", "Sensitivity"),
    ("optimisation", "Optimisation"),
    ("configuration", "Configuration"),
    ("assumptions", "Assumptions and sources"),
    ("failed", "Failed or damaged runs"),
)
KEY_OUTCOMES = (
    "people_supported_end", "growth_people", "weeks_of_care", "carers_recruited", "carers_lost",
    "referrals_received", "referrals_placed", "referrals_withdrawn", "mean_wait_to_placement_weeks",
    "mean_households_per_worker", "final_sw_awareness",
)
MONEY = ("scheme_cost_gbp", "lever_cost_gbp", "investment_cost_gbp", "carer_fees_gbp", "gross_savings_gbp",
         "additional_cost_gbp", "net_benefit_gbp", "benefit_cost_ratio", "cost_per_additional_person_gbp")


@dataclass
class Settings:
    savings_per_person_year: float
    savings_range: tuple
    confidence: float
    target_people: float
    baseline: str | None


def load_settings(path: Path = CONFIG_FILE, **overrides) -> Settings:
    """``configs/analysis.yaml`` with flag overrides, checked (one-line AnalysisError naming the field)."""
    try:
        raw = yaml.safe_load(Path(path).read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise AnalysisError(f"{path}: unreadable ({str(exc).splitlines()[0]})")
    allowed = set(Settings.__dataclass_fields__)
    unknown = set(raw) - allowed
    if unknown:
        raise AnalysisError(f"{path}: unknown key {sorted(unknown)[0]} (allowed keys: {', '.join(sorted(allowed))})")
    raw.update({k: v for k, v in overrides.items() if v is not None})
    for key in ("savings_per_person_year", "target_people"):
        value = raw.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise AnalysisError(f"{key}={value!r}: allowed a number >= 0")
    rng = raw.get("savings_range")
    if not isinstance(rng, (list, tuple)) or not all(isinstance(x, (int, float)) and x >= 0 for x in rng):
        raise AnalysisError(f"savings_range={rng!r}: allowed a list of numbers >= 0")
    conf = raw.get("confidence")
    if not isinstance(conf, float) or not 0 < conf < 1:
        raise AnalysisError(f"confidence={conf!r}: allowed a number 0 < x < 1")
    return Settings(float(raw["savings_per_person_year"]), tuple(float(x) for x in rng), conf,
                    float(raw["target_people"]), raw.get("baseline"))


# ---------------------------------------------------------------------------
# the computations the report shows (tables, one per section)
# ---------------------------------------------------------------------------
def savings_of(results: Results, settings: Settings) -> dict:
    """GBP/person/year by arrangement: live-in from the settings, the others from the runs' config."""
    econ = results.config.get("economics", {}).get("savings_per_person_year", {})
    return {"live_in": settings.savings_per_person_year, "short_break": float(econ.get("short_break", 0.0)),
            "day_support": float(econ.get("day_support", 0.0))}


def ci_table(means: pd.DataFrame, digits: int = 1) -> pd.DataFrame:
    """Wide table: scenario x outcome, cells 'mean [low, high]'."""
    if means.empty:
        return pd.DataFrame()

    def cell(r):
        if math.isnan(r["mean"]):
            return "-"
        if math.isnan(r["ci_low"]):
            return f"{r['mean']:,.{digits}f}"
        return f"{r['mean']:,.{digits}f} [{r['ci_low']:,.{digits}f}, {r['ci_high']:,.{digits}f}]"

    out = means.assign(cell=means.apply(cell, axis=1)).pivot(index="scenario", columns="outcome", values="cell")
    order = list(dict.fromkeys(means["scenario"]))
    cols = [c for c in dict.fromkeys(means["outcome"]) if c in out.columns]
    return out.loc[order, cols]


def shock_table(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per run and (non-investment) event, from the sweep table's ``shock.<event>.<field>`` columns."""
    pattern = re.compile(r"^shock\.(.+)\.kind$")
    events = sorted(m.group(1) for c in runs.columns if (m := pattern.match(c)))
    ok = runs[runs["status"] == "ok"]
    parts = []
    for event in events:
        cols = {f"shock.{event}.{f}": f for f in ("kind", "size", "depth", "weeks_to_recover")}
        part = ok[["run", "scenario", *[c for c in cols if c in ok]]].rename(columns=cols).assign(event=event)
        parts.append(part[part["kind"].notna() & (part["kind"] != "investment")])
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if frame.empty:
        return frame
    frame["group"] = [_without_shock(s) for s in frame["scenario"]]
    return frame


def _without_shock(label: str) -> str:
    parts = [p for p in str(label).split() if not p.startswith("shocks=")]
    return " ".join(parts) or "shock alone"


def analyse(results: Results, settings: Settings) -> dict:
    """Every table of the report, by name."""
    runs, weekly = results.runs, results.weekly
    out = {}
    baseline = settings.baseline or default_baseline(runs["scenario"])
    if settings.baseline and settings.baseline not in set(runs["scenario"]):
        raise AnalysisError(f"baseline={settings.baseline!r}: not a scenario of this study "
                            f"(scenarios: {', '.join(dict.fromkeys(runs['scenario']))})")
    out["baseline"] = baseline
    outcomes = [o for o in KEY_OUTCOMES if o in runs.columns]
    out["means"] = scenario_means(runs, outcomes, level=settings.confidence)
    cb = cost_benefit(weekly, savings_of(results, settings), settings.savings_range)
    out["cost_benefit_runs"] = cb
    money = [c for c in (*MONEY, *[f"net_benefit_gbp_at_{int(r)}" for r in settings.savings_range]) if c in cb]
    out["cost_benefit"] = scenario_means(cb, money, level=settings.confidence)  # complete runs only, by construction
    out["payback"] = cb.groupby("scenario", sort=False)["payback_week"].agg(
        median_payback_week="median", share_paid_back=lambda s: float(s.notna().mean()))
    g = growth(weekly, settings.target_people)
    out["growth_runs"] = g
    out["growth"] = scenario_means(g, ["cagr"], level=settings.confidence)
    out["target"] = g.groupby("scenario", sort=False)["weeks_to_target"].agg(
        median_weeks_to_target="median", share_reaching_target=lambda s: float(s.notna().mean()))
    if baseline is not None and runs["scenario"].nunique() > 1:

        def named(effects, name):  # effect, ci_low, ci_high -> name, name_low, name_high
            cols = {"effect": name, "ci_low": f"{name}_low", "ci_high": f"{name}_high"}
            return effects[["scenario", *cols]].rename(columns=cols)

        out["effects"] = paired_effects(runs, "people_supported_end", baseline, level=settings.confidence)
        ce = named(out["effects"], "d_people").merge(
            named(paired_effects(cb, "additional_cost_gbp", baseline, level=settings.confidence), "d_cost"),
            on="scenario")
        ce["cost_per_extra_person_gbp"] = [c / p if p > 0 else math.nan for c, p in zip(ce["d_cost"], ce["d_people"])]
        out["ce"] = ce.merge(
            named(paired_effects(cb, "net_benefit_gbp", baseline, level=settings.confidence), "d_net_benefit"),
            on="scenario")
    out["shocks"] = shock_table(runs)
    return out


# ---------------------------------------------------------------------------
# the report
# ---------------------------------------------------------------------------
def assumptions_table(results: Results) -> pd.DataFrame:
    """Every parameter of docs/ODD.md's generated table: its value in this study, default and source."""
    if not ODD_FILE.exists():
        return pd.DataFrame()
    text = ODD_FILE.read_text()
    start, end = text.find("<!-- params:start -->"), text.find("<!-- params:end -->")
    rows = []
    flat = _flatten(results.config)
    varying = set(results.runs.columns)
    for line in text[start:end].splitlines():
        m = re.match(r"^\| `([^`]+)` \| (.*?) \| (.*) \|$", line)
        if not m:
            continue
        name, default, source = m.groups()
        value = "varies" if name in varying else flat.get(name, "")
        rows.append({"parameter": name, "value in this study": value, "default": default,
                     "unit, source or assumption": source,
                     "assumption": "yes" if re.search(r"assumption|calibrated", source, re.I) else ""})
    return pd.DataFrame(rows)


def _flatten(node, prefix="", out=None):
    out = {} if out is None else out
    if isinstance(node, dict):
        for k, v in node.items():
            _flatten(v, f"{prefix}.{k}" if prefix else str(k), out)
    else:
        out[prefix] = node if not isinstance(node, list) else ", ".join(map(str, node))
    return out


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return buf.getvalue()


def _table_html(frame: pd.DataFrame, index: bool = True) -> str:
    if frame is None or frame.empty:
        return "<p class='note'>Nothing to show.</p>"
    return frame.to_html(index=index, border=0, classes="t", float_format=lambda x: f"{x:,.2f}", na_rep="-")


REPORT_MARK = ".slsim-report.json"  # in every report folder: the results folder it reports
_REPORT_ENTRIES = {"index.html", "figures", "tables", REPORT_MARK}


def build(path, out=None, settings: Settings | None = None) -> Path:
    """Write the report of the run or sweep at ``path``; return the report folder.

    The report folder is slsim-report's own: ``out`` (default ``PATH/report``)
    must be new or a previous report of the same results (see :func:`check_out`);
    it is built in a temporary folder beside it and swapped into place, so a
    failure leaves the previous report (or nothing) behind."""
    results = load(path)
    settings = settings or load_settings()
    tables = analyse(results, settings)
    out = Path(out) if out else results.root / "report"
    check_out(out, results.root)
    tmp = None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 700; a report is for colleagues too
        _write(results, settings, tables, tmp)
        (tmp / REPORT_MARK).write_text(json.dumps({"results": str(results.root.resolve())}) + "\n")
        if out.exists():  # a previous report of these results (checked): swapped, then removed
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.replace(out, old / out.name)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except OSError as exc:  # a full disk, a read-only folder ...
        raise AnalysisError(f"{out}: cannot write the report ({exc.strerror or type(exc).__name__})") from exc
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def check_out(out: Path, results_root: Path) -> None:
    """Refuse a report folder that would replace or mix with anything slsim-report did not write.

    Allowed: a folder that does not exist yet (its parents are made), an empty
    folder, or a previous report of the same results (it holds ``.slsim-report.json`` naming
    them; a report made before that mark existed is recognised at the default
    place ``PATH/report`` by its contents alone)."""
    target, source = out.resolve(), results_root.resolve()
    for parent in [target, *target.parents]:
        if parent.exists() and not parent.is_dir():
            raise AnalysisError(f"--out {out}: {parent} is a file, not a folder")
    if target == source or target in source.parents:
        raise AnalysisError(f"--out {out}: contains the results it would report ({results_root}); "
                            "give a new folder")
    if not target.exists():
        return
    mark = target / REPORT_MARK
    if mark.is_file():
        try:
            reported = json.loads(mark.read_text()).get("results")
        except (OSError, ValueError, AttributeError):
            reported = None
        if reported == str(source):
            return
        raise AnalysisError(f"--out {out}: holds a report of other results ({reported}); give a new folder")
    entries = {p.name for p in target.iterdir()}
    legacy = target == source / "report" and entries <= _REPORT_ENTRIES
    if entries and not legacy:  # an empty folder holds nothing to lose
        raise AnalysisError(f"--out {out}: exists and is not a report of {results_root}; "
                            "give a new folder (slsim-report replaces only its own reports)")


def _umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write(results: Results, s: Settings, t: dict, folder: Path) -> None:
    (folder / "figures").mkdir()
    (folder / "tables").mkdir()
    body = {key: [] for key, _ in SECTIONS}
    baseline = t["baseline"]
    ok = results.ok
    weekly = results.weekly

    def figure(section, name, fig, caption):
        data = _png(fig)
        (folder / "figures" / f"{name}.png").write_bytes(data)
        src = base64.b64encode(data).decode()
        body[section].append(f"<figure><img alt='{html.escape(caption)}' src='data:image/png;base64,{src}'>"
                             f"<figcaption>{html.escape(caption)}</figcaption></figure>")

    def table(section, name, frame, index=True, caption="", csv=None):
        """``frame`` shown; ``csv`` (default ``frame``) saved, tidy and numeric, as tables/NAME.csv."""
        data = frame if csv is None else csv
        if data is not None and not data.empty:
            data.to_csv(folder / "tables" / f"{name}.csv", index=index if csv is None else False)
        if caption:
            body[section].append(f"<p>{caption}</p>")
        body[section].append(_table_html(frame, index))

    def note(section, text):
        body[section].append(f"<p class='note'>{text}</p>")

    # summary
    seeds = sorted(ok["seed"].dropna().unique())
    years = (weekly["week"].max()) / 52 if len(weekly) else 0
    summary = pd.DataFrame({"": [
        str(results.root), results.kind, str(ok["experiment"].iloc[0] if "experiment" in ok else ""),
        f"{len(ok)} complete, {int((results.runs['status'] == 'failed').sum())} failed"
        + (f", {damaged} damaged" if (damaged := int((results.runs['status'] == 'damaged').sum())) else ""),
        str(results.runs["scenario"].nunique()), f"{len(seeds)} ({', '.join(map(str, seeds[:12]))}{'...' if len(seeds) > 12 else ''})",
        f"{years:g}", baseline or "none",
        f"GBP {s.savings_per_person_year:,.0f} per live-in person a year (range {', '.join(f'{x:,.0f}' for x in s.savings_range)})",
        f"{s.confidence:.0%} (Student t across seeds)",
    ]}, index=["folder", "kind", "experiment", "runs", "scenarios", "seeds", "years recorded", "baseline",
               "saving against the alternative", "intervals"])
    table("summary", "summary", summary)

    # outcomes
    table("outcomes", "outcomes", ci_table(t["means"]), csv=t["means"],
          caption="Mean over seeds [95% confidence interval] of each run's summary outcomes.")

    # growth
    figure("growth", "fan_chart", figures.fan_chart(weekly), "People supported over time by scenario: median, "
           "50% and 90% of runs.")
    gt = ci_table(t["growth"].assign(mean=t["growth"]["mean"] * 100, ci_low=t["growth"]["ci_low"] * 100,
                                     ci_high=t["growth"]["ci_high"] * 100), digits=2)
    gt.columns = ["CAGR of people supported, % a year"] if len(gt.columns) else gt.columns
    table("growth", "growth", gt.join(t["target"]) if not gt.empty else t["target"], csv=t["growth_runs"],
          caption=f"Compound annual growth from week 0 to the end; weeks to reach {s.target_people:g} people "
                  "(median over the runs that reach it; share of runs reaching it).")

    # effects
    if "effects" in t:
        eff = t["effects"]
        figure("effects", "tornado", figures.tornado(eff, f"extra people supported at the end vs {baseline}"),
               f"Effect of each scenario on people supported at the end, against {baseline}, seeds paired.")
        table("effects", "effects", eff.set_index("scenario").drop(columns=["outcome"]))
    else:
        note("effects", "One scenario or no baseline: no effects to show.")

    # cost-benefit
    table("costbenefit", "cost_benefit", ci_table(t["cost_benefit"], digits=0).join(t["payback"]),
          csv=t["cost_benefit_runs"],
          caption="Per scenario, mean over seeds [95% CI], GBP at week-0 prices over the recorded years, each run "
                  "against its own week 0: net benefit = savings from people above the week-0 level - additional "
                  "cost (posts above week 0's, lever running costs, extra fees); net_benefit_gbp_at_X uses a live-in "
                  "saving of GBP X a year. Against the baseline, see the table under the plane.")
    if "ce" in t:
        figure("costbenefit", "ce_plane", figures.ce_plane(t["ce"]),
               f"Cost-effectiveness plane: extra people supported and extra cost against {baseline}, seeds paired.")
        table("costbenefit", "ce", t["ce"].set_index("scenario"),
              caption=f"Against {baseline}, seeds paired: d_people extra people supported at the end, d_cost extra "
                      "additional cost (GBP), d_net_benefit extra net benefit (GBP), each with its 95% CI.")

    # pipeline, staff time
    figure("pipeline", "pipeline_funnel", figures.pipeline_funnel(weekly),
           "Carer pipeline: enquiries and approvals over the run, households and active households at the end.")
    staff_scenario = baseline if baseline in set(weekly["scenario"]) else weekly["scenario"].iloc[0]
    figure("stafftime", "staff_time", figures.staff_time(weekly, staff_scenario),
           f"Staff hours by activity, mean over the runs of {staff_scenario}.")

    # shocks
    if not t["shocks"].empty:
        figure("shocks", "shock_recovery", figures.shock_recovery(t["shocks"]),
               "Depth of the fall in people supported and weeks to recover, by shock; recovery is averaged over "
               "the runs that recovered within the horizon (the table gives the share that did).")
        grouped = t["shocks"].groupby(["kind", "size", "group"])
        summ = grouped[["depth", "weeks_to_recover"]].mean().join(
            grouped["weeks_to_recover"].agg(share_recovered=lambda s: float(s.notna().mean())))
        table("shocks", "shocks", summ, caption="Mean over seeds (recovery: over the runs that recovered).",
              csv=t["shocks"])
    else:
        note("shocks", "No shocks in this study.")

    # sensitivity
    if results.sensitivity is not None:
        figure("sensitivity", "sensitivity", figures.sensitivity_indices(results.sensitivity),
               "Global sensitivity (SALib) with 95% intervals.")
        table("sensitivity", "sensitivity", results.sensitivity, index=False)
    else:
        note("sensitivity", "Not a sensitivity study.")

    # optimisation
    if results.optimisation:
        best = pd.DataFrame({"value": {**results.optimisation.get("best_params", {}),
                                       "best_value": results.optimisation.get("best_value")}})
        table("optimisation", "optimisation", best, caption="The best trial (optimization_results.yaml).")
    else:
        note("optimisation", "Not an optimisation study.")

    # configuration, assumptions, failures
    body["configuration"].append("<p>The resolved config of the first complete run (values that differ between "
                                 "runs are in the sweep table).</p>")
    body["configuration"].append(f"<pre>{html.escape(results.config_text)}</pre>")
    table("assumptions", "assumptions", assumptions_table(results), index=False,
          caption="Every model parameter with its value here, its default and its unit and source "
                  "(from the YAML comments; 'assumption' marks values not taken from a source).")
    failed = results.runs[results.runs["status"] != "ok"][["run", "status", "scenario", "seed", "error"]]
    if failed.empty:
        note("failed", "None.")
    else:
        table("failed", "failed", failed, index=False)

    nav = " · ".join(f"<a href='#{k}'>{title}</a>" for k, title in SECTIONS)
    parts = [f"<section id='{k}'><h2>{title}</h2>{''.join(body[k])}</section>" for k, title in SECTIONS]
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>slsim report: {html.escape(str(results.root))}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }}
table.t {{ border-collapse: collapse; font-size: 0.82em; margin: 0.5em 0 1em; }}
table.t td, table.t th {{ border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: right; }}
table.t th {{ background: #f4f4f4; }} img {{ max-width: 100%; }} figcaption, .note {{ color: #555; font-size: 0.9em; }}
pre {{ background: #f7f7f7; padding: 1em; font-size: 0.78em; max-height: 30em; overflow: auto; }}
nav {{ font-size: 0.9em; margin-bottom: 1.5em; }}
</style></head><body>
<h1>slsim report</h1><nav>{nav}</nav>
{''.join(parts)}
</body></html>
"""
    (folder / "index.html").write_text(page)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="slsim-report", description=__doc__.splitlines()[0])
    ap.add_argument("path", help="a run folder (with summary.json) or a sweep folder (with sweep.parquet)")
    ap.add_argument("--out", help="report folder (default PATH/report)")
    ap.add_argument("--savings", type=float, help="live-in saving per person, GBP/year (configs/analysis.yaml)")
    ap.add_argument("--target", type=float, help="growth target, people supported")
    ap.add_argument("--baseline", help="scenario to compare against (default: levers=none, budget=none, ...)")
    try:
        args = ap.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    try:
        settings = load_settings(savings_per_person_year=args.savings, target_people=args.target,
                                 baseline=args.baseline)
        folder = build(args.path, args.out, settings)
    except AnalysisError as exc:
        print(f"slsim-report: error: {exc}", file=sys.stderr)
        return 2
    print(f"slsim-report: report written to {folder / 'index.html'} (figures in {folder / 'figures'})")
    return 0


def cli() -> None:
    sys.exit(main())


if __name__ == "__main__":
    cli()
