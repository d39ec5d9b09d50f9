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
import sys
import time
from pathlib import Path


from slsim.simulation import outfolder
from slsim.simulation.nation import peers as peer_mod
from slsim.simulation.nation import programme as prog
from slsim.simulation.nation.outputs import MARK, write_tables
from slsim.simulation.nation.population import draw_schemes
from slsim.simulation.nation.worker import executor, with_update
from slsim.simulation.validation import ConfigError

STOCKS = ("initial_carers_in_assessment", "initial_enquiries", "initial_referrals")
LEARN_STEP = 1e-3  # smallest change of the enquiry conversion sent to a scheme (smaller ones add up first)


def kinds_of(base: dict) -> dict:
    """{(kind, operator): its starting values} from the composed configs {(kind, operator): params}."""
    out = {}
    for key, p in base.items():
        s = p.scheme
        out[key] = {
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
    outfolder.check_out(out, "summary.json", MARK, "national output")


def run_nation(cfg, base: dict, out, workers: int = 1, progress=None) -> dict:
    """Run the nation and write ``out`` (see module doc); returns the summary."""
    out = Path(out)
    check_out(out)
    schemes, params = build(cfg, base)
    net = peer_mod.network(schemes, cfg.peers["region"], cfg.peers["provider"])
    rate = peer_mod.period_rate(cfg.peers["learning_per_year"], cfg.period_weeks) if cfg.peers["enabled"] else 0.0
    with outfolder.building(out) as tmp:
        nat, start, ends, practice, money, bought = _run(cfg, schemes, params, net, rate, tmp, workers, progress)
        return write_tables(tmp, cfg, schemes, start, ends, nat, practice, money, bought)


def _run(cfg, schemes, params, net, rate, tmp: Path, workers: int, progress) -> tuple:
    """Step every scheme to the end, each one's files written into ``tmp``; the national
    totals and what the parent computed on the way."""
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
                money, posts = _allocate(p, states_now, params, cfg.seed)
                for sid, gbp in money.items():
                    try:
                        events = (
                            prog.whole_post_events(params[sid], posts[sid], p)
                            if p["whole_posts"]
                            else prog.post_events(params[sid], gbp, p)
                        )
                    except ConfigError as exc:  # found at the allocation: nothing has been written yet
                        raise ConfigError(
                            f"programme.gbp_per_year: {p['allocation']} gives scheme {sid} GBP {gbp:,.0f} a year, "
                            f"too much for one scheme ({exc}); allowed less money or an allocation that spreads it"
                        ) from None
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
    finally:
        ex.close()
    return nat, start, ends, practice, money, bought


def _allocate(p: dict, states_now: dict, params: dict, seed: int) -> tuple:
    """({scheme id: GBP a year}, {scheme id: {channel: whole posts}} or None) of the programme."""
    bids = prog.bidders(seed, states_now, p["bid_share"]) if p["allocation"] == "by_bids" else frozenset()
    if not p["whole_posts"]:
        return prog.allocate(p["allocation"], p["gbp_per_year"], states_now, p["stall_growth"], bids), None
    units = prog.unit_costs(params[min(params)])
    for sid in sorted(params):
        if prog.unit_costs(params[sid]) != units:
            raise ConfigError(
                f"programme.whole_posts=true: scheme {sid}'s post costs differ from scheme {min(params)}'s; "
                "allowed one cost a post across the nation (economics.*_cost_per_year), or whole_posts false"
            )
    posts = prog.allocate_posts(
        p["allocation"], p["gbp_per_year"], states_now, p["stall_growth"], p["shares"], units, bids
    )
    money = {sid: float(sum(n * units[c] for c, n in got.items())) for sid, got in posts.items()}
    return money, posts


def _add(nat: dict, states: dict) -> None:
    for sid in sorted(states):
        for week, people, hh, staff in states[sid]:
            acc = nat.setdefault(week, [0, 0, 0])
            acc[0] += people
            acc[1] += hh
            acc[2] += staff


def stderr_progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
