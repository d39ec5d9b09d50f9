"""The national run: every scheme stepped in lockstep a period at a time, exchanges in between.

The parent draws the schemes (:mod:`.population`), builds each one's parameters (its kind's
composed config with its own size, stocks, practice, seed and national shocks; every error
found before anything is written), and hands them to an executor (:mod:`.worker`). Each
period the parent computes, from the schemes' states sorted by id, the peer learning
(:mod:`.peers`) and, at the programme's start, the allocation of its money (:mod:`.programme`),
and sends them as updates; the schemes are stepped to the end of the period wherever they
live. So the results are the same, byte for byte, whatever the number of workers. National
totals are summed week by week from the small states returned; each scheme's weekly table is
written by the worker holding it. Everything goes into a hidden folder beside ``out`` that is
renamed into place at the end (a previous national output there is replaced).
"""

import dataclasses
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from slsim.simulation.nation import peers as peer_mod
from slsim.simulation.nation import programme as prog
from slsim.simulation.nation.population import draw_schemes, totals
from slsim.simulation.nation.worker import executor, with_update
from slsim.simulation.permissions import umask_mode
from slsim.simulation.validation import ConfigError

MARK = "slsim-nation"  # summary.json's "kind": a folder slsim-nation may replace
STOCKS = ("initial_carers_in_assessment", "initial_enquiries", "initial_referrals")
LEARN_STEP = 1e-3  # smallest change of the enquiry conversion sent to a scheme (smaller ones add up first)


def kinds_of(base: dict) -> dict:
    """{kind: its starting values} from the composed configs {(kind, operator): params}."""
    out = {}
    for (kind, operator), p in base.items():
        if operator == "council":
            s = p.scheme
            out[kind] = {
                "people": s.initial_people_supported,
                "carers": s.initial_carers_approved,
                "workers": s.scheme_workers,
                "recruitment_officers": s.recruitment_officers,
            }
    return out


def scheme_params(base, scheme, cfg, national_shocks: list):
    """The parameters of one scheme's model."""
    s = base.scheme
    ratio = scheme.people / s.initial_people_supported if s.initial_people_supported else scheme.size
    sizes = {k: int(round(getattr(s, k) * ratio)) for k in STOCKS}
    new_scheme = dataclasses.replace(
        s,
        scheme_workers=scheme.workers,
        recruitment_officers=scheme.recruitment_officers,
        initial_people_supported=scheme.people,
        initial_carers_approved=scheme.carers,
        **sizes,
    )
    sw = base.social_work
    team_scale = min(10.0, max(0.1, sw.team_scale * scheme.size))
    events = {**base.shocks.events, **prog.shock_events(national_shocks, scheme.local_seed, cfg.shocks["local_sigma"])}
    params = dataclasses.replace(
        base,
        run=dataclasses.replace(base.run, seed=scheme.seed, years=cfg.years, warmup_weeks=cfg.warmup_weeks),
        scheme=new_scheme,
        social_work=dataclasses.replace(sw, team_scale=team_scale),
        shocks=dataclasses.replace(base.shocks, events=events),
    )
    return with_update(params, {"practice": scheme.practice})


def build(cfg, base: dict) -> tuple:
    """(schemes, {id: params}); a scheme whose parameters the model refuses is named."""
    schemes = draw_schemes(cfg, kinds_of(base))
    national = prog.preset_events(cfg.shocks["presets"], cfg.weeks)
    params = {}
    for sc in schemes:
        try:
            params[sc.id] = scheme_params(base[(sc.kind, sc.operator)], sc, cfg, national)
        except ConfigError as exc:
            raise ConfigError(f"scheme {sc.id} ({sc.region}, {sc.kind}, {sc.operator}): {exc}") from None
    return schemes, params


def check_out(out: Path) -> None:
    """``out`` may be new, an empty folder, or a previous national output (replaced)."""
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out}: a file is in the way; allowed a new folder or a previous national output")
    if out.is_dir() and any(out.iterdir()):
        try:
            kind = json.loads((out / "summary.json").read_text()).get("kind")
        except (OSError, ValueError, AttributeError):
            kind = None
        if kind != MARK:
            raise ConfigError(
                f"--out {out}: a folder of other files; allowed a new or empty folder, or a previous national output"
            )
    for parent in out.absolute().parents:
        if parent.exists():
            if not parent.is_dir() or not os.access(parent, os.W_OK):
                raise ConfigError(f"--out {out}: cannot write under {parent}; allowed a folder you can write")
            break


def run_nation(cfg, base: dict, out, workers: int = 1, progress=None) -> dict:
    """Run the nation and write ``out`` (see module doc); returns the summary."""
    out = Path(out)
    check_out(out)
    schemes, params = build(cfg, base)
    net = peer_mod.network(schemes, cfg.peers["region"], cfg.peers["provider"])
    rate = peer_mod.period_rate(cfg.peers["learning_per_year"], cfg.period_weeks) if cfg.peers["enabled"] else 0.0
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = umask_mode(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    started = time.monotonic()
    ex = executor(sorted(params.items()), workers)
    try:
        states = ex.start()
        nat = {}  # week -> [people, households, staff]
        _add(nat, states)
        start = {sid: rows[0] for sid, rows in states.items()}
        now = dict(start)
        practice = {s.id: dict(s.practice) for s in schemes}
        sent = {sid: dict(p) for sid, p in practice.items()}
        money, bought = {}, {}
        week, p = 0, cfg.programme
        while week < cfg.weeks:
            until = min(week + cfg.period_weeks, cfg.weeks)
            updates = {}
            if week > 0 and rate > 0:
                practice = peer_mod.learn(practice, net, rate)
                for sid, new in practice.items():
                    old = sent[sid]
                    if round(new["assessment_weeks"]) != round(old["assessment_weeks"]) or (
                        abs(new["enquiry_to_assessment"] - old["enquiry_to_assessment"]) >= LEARN_STEP
                    ):
                        updates[sid] = {"practice": new}
                        sent[sid] = dict(new)
            if p["gbp_per_year"] > 0 and week + 1 == p["start_week"]:
                states_now = {sid: {"people": now[sid][1], "people0": start[sid][1]} for sid in now}
                money = prog.allocate(p["allocation"], p["gbp_per_year"], states_now, p["stall_growth"])
                for sid, gbp in money.items():
                    events = prog.post_events(params[sid], gbp, p)
                    bought[sid] = prog.posts_bought(params[sid], events)  # (posts, GBP a year)
                    if events:
                        updates.setdefault(sid, {})["events"] = events
            states = ex.step(until, updates)
            _add(nat, states)
            now = {sid: rows[-1] for sid, rows in states.items()}
            week = until
            if progress:
                progress(f"slsim-nation: week {week}/{cfg.weeks}, {time.monotonic() - started:.0f} s")
        ends = ex.finish(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        ex.close()
    try:
        summary = _write_tables(tmp, cfg, schemes, start, ends, nat, practice, money, bought)
        _replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return summary


def _add(nat: dict, states: dict) -> None:
    for sid in sorted(states):
        for week, people, hh, staff in states[sid]:
            acc = nat.setdefault(week, [0, 0, 0])
            acc[0] += people
            acc[1] += hh
            acc[2] += staff


def _write_tables(tmp: Path, cfg, schemes, start, ends, nat, practice, money, bought) -> dict:
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
    summary = {
        "kind": MARK,
        "schemes": len(schemes),
        "weeks": cfg.weeks,
        "targets_at_start": cfg.targets,
        "start": {**totals(schemes), "people_week0": int(national["people_supported"].iloc[0])},
        "end": {k: int(national[k].iloc[-1]) for k in ("people_supported", "households", "staff")},
        "growth_classes": {k: int((table["growth_class"] == k).sum()) for k in ("grow", "stall", "shrink")},
        "programme": {
            "allocation": cfg.programme["allocation"],
            "gbp_per_year": cfg.programme["gbp_per_year"],
            "allocated_gbp_per_year": float(sum(money.values())),
            "posts_bought": int(sum(b[0] for b in bought.values())),
            "spent_gbp_per_year": float(sum(b[1] for b in bought.values())),  # whole posts: the rest is not spent
        },
        "league_top": league["id"].head(10).tolist(),
        "league_bottom": league["id"].tail(10).tolist()[::-1],
        "config": cfg.raw,
    }
    (tmp / "summary.json").write_text(json.dumps(summary, indent=2, allow_nan=False) + "\n")
    return summary


def _replace(tmp: Path, out: Path) -> None:
    """Rename the finished folder into place (a previous output moved aside, then removed)."""
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.replace(out, old / "previous")
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def stderr_progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
