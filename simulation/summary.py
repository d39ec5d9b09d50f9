"""The run summary (DESIGN.md s.5): one dict of named outcomes per run.

Money is in GBP at week-0 prices. "Growth" is measured against the run's own
state at week 0 (after warm-up):

* ``gross_savings_gbp`` – every recorded week of care against the alternative
  setting (the published saving per person is net of the Shared Lives package);
* ``growth_savings_gbp`` – the part of that from people above the week-0 level
  (negative if the scheme shrank);
* ``additional_cost_gbp`` – running costs above the week-0 level (extra posts;
  later, lever and investment costs);
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
    additional = (rec["cost_staff"] - first["cost_staff"]).to_numpy()
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
        "total_cost_gbp": rec["cost_staff"].sum() + rec["cost_carer_fees"].sum(),
        "gross_savings_gbp": rec["savings_gross"].sum(),
        "growth_savings_gbp": float(growth_savings.sum()),
        "additional_cost_gbp": add_total,
        "net_benefit_gbp": float(net.sum()),
        "payback_week": payback_week(rec["week"].to_numpy(), net, additional),
        "cost_per_additional_person_gbp": (add_total / (end - start)) if end > start and add_total > 0 else None,
    }
    return {k: _num(v) for k, v in out.items()}
