"""The run summary (DESIGN.md s.5): one dict of named outcomes per run.

Money is in GBP at week-0 prices. "Growth" is measured against the run's own
state at week 0 (after warm-up):

* ``gross_savings_gbp`` – every recorded week of care against the alternative
  setting (the published saving per person is net of the Shared Lives package);
* ``growth_savings_gbp`` – the part of that from people above the week-0 level
  (negative if the scheme shrank);
* ``additional_cost_gbp`` – costs above the week-0 level: posts above week 0's
  (levers, investments, the council; negative for posts cut), lever running
  costs (fixed, carer support, referral bonuses) and the extra carer fees of
  the fee_uplift lever;
* ``net_benefit_gbp`` = growth savings - additional cost;
* ``payback_week`` – first week from which cumulative net benefit stays >= 0
  to the end, once additional money has been spent (None if never, or if
  nothing extra was spent);
* ``cost_per_additional_person_gbp`` – additional cost / (people at end - at
  start), when both are positive.
"""

import math

import numpy as np
import pandas as pd

# whether more is better, for each outcome (EMA workbench's MAXIMIZE/MINIMIZE)
OUTCOME_DIRECTIONS = {
    "people_supported_start": "info",
    "people_supported_end": "maximize",
    "people_supported_mean": "maximize",
    "growth_people": "maximize",
    "growth_pct": "maximize",
    "weeks_of_care": "maximize",
    "households_start": "info",
    "households_end": "maximize",
    "carers_recruited": "maximize",
    "carers_lost": "minimize",
    "referrals_received": "maximize",
    "referrals_placed": "maximize",
    "referrals_withdrawn": "minimize",
    "breakdowns": "minimize",
    "mean_wait_to_placement_weeks": "minimize",
    "mean_households_per_worker": "info",
    "mean_growth_hours_per_week": "maximize",
    "final_sw_awareness": "maximize",
    "final_carer_satisfaction": "maximize",
    "staff_cost_gbp": "minimize",
    "carer_fee_cost_gbp": "info",
    "total_cost_gbp": "minimize",
    "gross_savings_gbp": "maximize",
    "growth_savings_gbp": "maximize",
    "additional_cost_gbp": "minimize",
    "net_benefit_gbp": "maximize",
    "payback_week": "minimize",
    "cost_per_additional_person_gbp": "minimize",
    "lever_cost_gbp": "minimize",
    "investment_cost_gbp": "minimize",
    "council_cost_gbp": "minimize",
    "council_investments": "info",
}


def _num(x):
    """JSON-safe number: Python int/float, None for NaN."""
    if x is None:
        return None
    if isinstance(x, (np.integer, int)):
        return int(x)
    x = float(x)
    return None if math.isnan(x) else x


def mean_wait_to_placement(events: pd.DataFrame, first_week: int = 1) -> float:
    """Mean weeks from (re-)referral to placement, for placements in recorded weeks.

    A person re-matched after their carer left has a second referral event; each
    placement is timed from that person's latest referral event *before it in
    the event log* (the log is in the order things happened, so a rematch later
    in the same week as a placement is not taken for its start).
    """
    log = events.reset_index(drop=True)
    log = log.assign(seq=np.arange(len(log), dtype="int64"))
    refs = log.loc[log["event"] == "referral", ["referral_id", "seq", "week"]]
    placed = log.loc[(log["event"] == "placement") & (log["week"] >= first_week), ["referral_id", "seq", "week"]]
    if placed.empty or refs.empty:
        return math.nan
    joined = pd.merge_asof(
        placed, refs.rename(columns={"week": "referred"}), on="seq", by="referral_id", direction="backward"
    ).dropna(subset=["referred"])
    if joined.empty:
        return math.nan
    return float((joined["week"] - joined["referred"]).mean())


def payback_week(weeks: np.ndarray, net: np.ndarray, cost: np.ndarray):
    """First week from which cumulative net benefit stays >= 0, after money was spent."""
    cum_net, cum_cost = np.cumsum(net), np.cumsum(cost)
    if cum_cost[-1] <= 0 or cum_net[-1] < 0:
        return None
    negative = np.flatnonzero(cum_net < 0)
    start = 0 if negative.size == 0 else negative[-1] + 1
    spent = np.flatnonzero(cum_cost > 0)
    return int(weeks[max(start, spent[0])])


def summarise(ts: pd.DataFrame, events: pd.DataFrame) -> dict:
    """Outcomes of one run from its weekly table and event table."""
    first, rec = ts.iloc[0], ts.iloc[1:]
    start, end = int(first["people_supported"]), int(ts["people_supported"].iloc[-1])
    growth_savings = (rec["savings_gross"] - first["savings_gross"]).to_numpy()
    additional = (
        rec["cost_staff"] - first["cost_staff"] + rec["cost_levers_other"] + rec["cost_extra_fees"]
    ).to_numpy()
    lever_cols = [c for c in ts.columns if c.startswith("cost_lever_")]
    net = growth_savings - additional
    add_total = float(additional.sum())
    out = {
        "people_supported_start": start,
        "people_supported_end": end,
        "people_supported_mean": rec["people_supported"].mean(),
        "growth_people": end - start,
        "growth_pct": 100.0 * (end - start) / start if start else math.nan,
        "weeks_of_care": int(rec["people_supported"].sum()),
        "households_start": int(first["households"]),
        "households_end": int(ts["households"].iloc[-1]),
        "carers_recruited": int(rec["new_approvals"].sum()),
        "carers_lost": int(rec["carer_exits"].sum()),
        "referrals_received": int(rec["referrals_received"].sum()),
        "referrals_placed": int(rec["referrals_placed"].sum()),
        "referrals_withdrawn": int(rec["referrals_withdrawn"].sum()),
        "breakdowns": int(rec["breakdowns"].sum()),
        "mean_wait_to_placement_weeks": mean_wait_to_placement(events),
        "mean_households_per_worker": rec["households_per_worker"].mean(),
        "mean_growth_hours_per_week": (rec["hours_outreach"] + rec["hours_recruitment"]).mean(),
        "final_sw_awareness": ts["sw_mean_awareness"].iloc[-1],
        "final_carer_satisfaction": ts["carer_mean_satisfaction"].iloc[-1],
        "staff_cost_gbp": rec["cost_staff"].sum(),
        "carer_fee_cost_gbp": rec["cost_carer_fees"].sum(),
        "total_cost_gbp": rec["cost_staff"].sum() + rec["cost_carer_fees"].sum() + rec["cost_levers_other"].sum(),
        "gross_savings_gbp": rec["savings_gross"].sum(),
        "growth_savings_gbp": float(growth_savings.sum()),
        "additional_cost_gbp": add_total,
        "net_benefit_gbp": float(net.sum()),
        "payback_week": payback_week(rec["week"].to_numpy(), net, additional),
        "cost_per_additional_person_gbp": (add_total / (end - start)) if end > start and add_total > 0 else None,
        "lever_cost_gbp": float(rec[lever_cols].to_numpy().sum()),
        "investment_cost_gbp": rec["cost_investment"].sum(),
        "council_cost_gbp": rec["cost_council"].sum(),
        "council_investments": int(rec["council_investments"].sum()),
    }
    return {k: _num(v) for k, v in out.items()}


def lever_costs(ts: pd.DataFrame) -> dict:
    """Total cost attributed to each lever over the recorded weeks, GBP (levers with any cost)."""
    rec = ts.iloc[1:]
    out = {}
    for col in ts.columns:
        if col.startswith("cost_lever_"):
            total = float(rec[col].sum())
            if total:
                out[col[len("cost_lever_") :]] = total
    return out


def shock_outcomes(ts: pd.DataFrame, events: dict, before_weeks: int = 13) -> dict:
    """Depth of the fall and weeks to recover, per investment or shock event.

    ``pre_level``: mean people supported over the ``before_weeks`` weeks before the
    event; ``trough``: the lowest level from its start to the end of the run (or
    to recovery); ``depth`` = pre_level - trough (>= 0); ``recovery_week``: first
    week from the event's end at which people supported is back to pre_level,
    ``weeks_to_recover`` = recovery_week - end_week (None if not within the run).
    """
    people = ts.set_index("week")["people_supported"]
    last = int(people.index.max())
    out = {}
    for name, e in events.items():
        start, end = e.start_week, e.start_week + e.duration_weeks
        before = people.loc[max(0, start - before_weeks) : start - 1]
        pre = float(before.mean()) if len(before) else float(people.loc[start])
        after_end = people.loc[end:] if end <= last else people.iloc[0:0]
        back = after_end[after_end >= pre]
        recovery = int(back.index[0]) if len(back) else None
        window = people.loc[start : (recovery if recovery is not None else last)]
        trough = float(window.min())
        out[name] = {
            "kind": e.kind,
            "size": float(e.size),
            "start_week": start,
            "end_week": min(end, last + 1),
            "pre_level": pre,
            "trough": trough,
            "trough_week": int(window.idxmin()),
            "depth": max(0.0, pre - trough),
            "depth_pct": 100.0 * max(0.0, pre - trough) / pre if pre else None,
            "recovery_week": recovery,
            "weeks_to_recover": (recovery - end) if recovery is not None else None,
        }
    return out
