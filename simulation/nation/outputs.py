"""The national run's tables: ``national.parquet`` (weekly totals), ``schemes.parquet`` (a row a
scheme: who it is, start and end, growth and its class, league rank, the programme's money,
practice learnt) and ``summary.json`` (totals, the growth distribution nationally and by
region, the league's top and bottom, the programme, the config). Written into the run's
temporary folder by :func:`slsim.simulation.nation.runner.run_nation`."""

import json
import math
from pathlib import Path

import pandas as pd

from slsim.simulation.nation import programme as prog
from slsim.simulation.nation.population import totals

MARK = "slsim-nation"  # summary.json's "kind": a folder slsim-nation may replace
CLASSES = ("grow", "stall", "shrink")


def write_tables(tmp: Path, cfg, schemes, start, ends, nat, practice, money, bought) -> dict:
    weeks = sorted(nat)
    national = pd.DataFrame(
        {
            "week": pd.array(weeks, dtype="int32"),
            "people_supported": [nat[w][0] for w in weeks],
            "households": [nat[w][1] for w in weeks],
            "staff": [nat[w][2] for w in weeks],
        }
    )
    national.to_parquet(tmp / "national.parquet", index=False, engine="pyarrow")
    g = cfg.growth
    rows = []
    for s in schemes:
        _, p0, h0, st0 = start[s.id]
        end = ends[s.id]
        growth = prog.growth(end["people_end"], p0)
        klass = "grow" if growth > g["grow_above"] else "shrink" if growth < g["shrink_below"] else "stall"
        rows.append(
            {
                "id": s.id,
                "region": s.region,
                "kind": s.kind,
                "operator": s.operator,
                "provider": s.provider,
                "size": s.size,
                "seed": s.seed,
                "people_start": p0,
                "people_end": end["people_end"],
                "households_start": h0,
                "households_end": end["households_end"],
                "staff_start": st0,
                "staff_end": end["staff_end"],
                "growth": growth,
                "growth_class": klass,
                "programme_gbp_per_year": float(money.get(s.id, 0.0)),
                "programme_posts": int(bought.get(s.id, (0, 0.0))[0]),
                "programme_spent_gbp_per_year": float(bought.get(s.id, (0, 0.0))[1]),
                "assessment_weeks_start": s.practice["assessment_weeks"],
                "assessment_weeks_end": practice[s.id]["assessment_weeks"],
                "enquiry_to_assessment_start": s.practice["enquiry_to_assessment"],
                "enquiry_to_assessment_end": practice[s.id]["enquiry_to_assessment"],
            }
        )
    table = pd.DataFrame(rows)
    order = sorted(range(len(rows)), key=lambda i: (-rows[i]["growth"], rows[i]["id"]))
    rank = [0] * len(rows)
    for r, i in enumerate(order, start=1):
        rank[i] = r
    table["rank"] = rank  # the league table: 1 = most growth (ties by id)
    table.to_parquet(tmp / "schemes.parquet", index=False, engine="pyarrow")
    league = table.sort_values("rank")
    regions = {}
    for region, rows_r in table.groupby("region", sort=True):
        regions[str(region)] = {
            "schemes": int(len(rows_r)),
            "people_start": int(rows_r["people_start"].sum()),
            "people_end": int(rows_r["people_end"].sum()),
            **{k: int((rows_r["growth_class"] == k).sum()) for k in CLASSES},
        }
    summary = {
        "kind": MARK,
        "schemes": len(schemes),
        "weeks": cfg.weeks,
        "targets_at_start": cfg.targets,
        "start": {**totals(schemes), "people_week0": int(national["people_supported"].iloc[0])},
        "end": {k: int(national[k].iloc[-1]) for k in ("people_supported", "households", "staff")},
        "growth_classes": {k: int((table["growth_class"] == k).sum()) for k in CLASSES},
        "regions": regions,
        "programme": {
            "allocation": cfg.programme["allocation"],
            "gbp_per_year": cfg.programme["gbp_per_year"],
            "allocated_gbp_per_year": math.fsum(money.values()),  # exactly the budget: the shares sum to it
            "posts_bought": int(sum(b[0] for b in bought.values())),
            "spent_gbp_per_year": float(sum(b[1] for b in bought.values())),  # whole posts: the rest is not spent
        },
        "league_top": league["id"].head(10).tolist(),
        "league_bottom": league["id"].tail(10).tolist()[::-1],
        "config": cfg.raw,
    }
    (tmp / "summary.json").write_text(json.dumps(summary, indent=2, allow_nan=False) + "\n")
    return summary
