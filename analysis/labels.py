"""Plain-English labels for the code names of scenarios and columns.

The report shows these labels; the code name stays available as a tooltip
(``title=``) and in the CSV tables. Unknown names fall back to a readable
form of the code name (underscores to spaces), so a new lever or column is
never hidden, only less nicely named.
"""

import re

LEVERS = {
    "none": "No lever",
    "all": "All levers together",
    "colocation": "Co-location with social-work teams",
    "team_meetings": "Joining social-work team meetings",
    "sl_by_default": "Shared Lives by default in care planning",
    "referral_route": "Simple referral route",
    "leadership": "Leadership development",
    "commissioner": "A commissioner pushing for growth",
    "sw_champions": "Social-worker champions",
    "carer_champions": "Carer champions",
    "business_case": "Business case from measured savings",
    "peer_network": "Peer network of schemes",
    "channel_tracking": "Tracking recruitment channels",
    "extra_workers": "Extra scheme-worker post",
    "recruitment_post": "Carer-recruitment post",
    "fee_uplift": "Carer fee rise",
    "carer_support": "Carer support and paid breaks",
    "referral_incentives": "Bonus for carers who bring carers",
}
BUDGETS = {
    "none": "No budget",
    "staff": "Budget on scheme-worker posts",
    "staff_time_limited": "Scheme-worker posts, time-limited",
    "recruitment": "Budget on recruitment posts",
    "outreach": "Budget on outreach posts",
    "fees": "Budget on a fee rise",
}
SHOCKS = {
    "none": "No shock",
    "pandemic": "Pandemic",
    "cost_of_living": "Cost-of-living squeeze",
    "sw_turnover_spike": "Social-worker turnover spike",
    "carer_retirement_wave": "Carer retirement wave",
    "funding_cut": "Funding cut",
    "time_limited_investment": "Time-limited investment",
}
SCHEME_TYPES = {  # the kinds of scheme of configs/scheme_type/
    "typical": "Typical scheme (national average)",
    "small_urban": "Small urban council scheme",
    "large_county": "Large county scheme",
    "voluntary_sector": "Voluntary-sector scheme",
    "new_scheme": "New scheme",
    "carer_short": "Scheme short of carers",
}
COLUMNS = {
    # outcomes of a run
    "people_supported_end": "People supported at the end",
    "growth_people": "Growth in people supported",
    "weeks_of_care": "Weeks of care",
    "carers_recruited": "Carers recruited",
    "carers_lost": "Carers lost",
    "referrals_received": "Referrals received",
    "referrals_placed": "Referrals placed",
    "referrals_withdrawn": "Referrals withdrawn",
    "mean_wait_to_placement_weeks": "Mean wait to placement, weeks",
    "mean_households_per_worker": "Households per scheme worker",
    "final_sw_awareness": "Social-worker awareness at the end (0-1)",
    "net_benefit_gbp": "Net benefit (GBP)",
    # money of a run, totals over the recorded years
    "scheme_cost_gbp": "Scheme staff cost",
    "lever_cost_gbp": "Lever costs (incl. their posts and fees)",
    "investment_cost_gbp": "Posts bought by investment",
    "carer_fees_gbp": "Carer fees",
    "gross_savings_gbp": "Savings against other care",
    # against the baseline
    "d_people": "Extra people supported at the end",
    "d_cost": "Extra cost over the run (GBP)",
    "d_net_benefit": "Net benefit over the run (GBP)",
    "pairs": "Seed pairs",
    "effect": "Extra people supported at the end",
    "sd": "SD of the paired differences",
    "se": "Standard error",
    "ci_low": "95% interval, low",
    "ci_high": "95% interval, high",
    # growth, shocks
    "median_weeks_to_target": "Weeks to reach the target (median)",
    "share_reaching_target": "Share of runs reaching it",
    "depth": "Fall in people supported",
    "weeks_to_recover": "Weeks to recover",
    "share_recovered": "Share of runs that recovered",
    "kind": "Shock",
    "size": "Size",
    "group": "Scenario",
    # sensitivity
    "output": "Outcome",
    "parameter": "Parameter",
}

PARAMETERS = {
    # uncertain model parameters of the sensitivity and discovery experiments (configs/experiment/)
    "carers.base_enquiries_per_year": "Carer enquiries a year from standing publicity",
    "carers.enquiry_to_assessment": "Share of carer enquiries that apply for assessment",
    "carers.base_exit_per_year": "Carers leaving for other reasons, a year (hazard)",
    "social_work.refer_intercept": "Social workers' readiness to refer (log-odds at zero awareness)",
    "social_work.initial_awareness_mean": "Social workers' awareness of Shared Lives at the start (0-1)",
    "workload.monitoring_hours_per_household_week": "Monitoring hours a week per carer household",
    "workload.enquiries_per_recruitment_hour": "Carer enquiries per hour of recruitment",
    "referrals.breakdown_per_year": "Placement breakdowns a year (hazard)",
    "economics.savings_per_person_year.live_in": "Saving per live-in person a year (GBP)",
}
GROUPS = {"carers": "carers", "social_work": "social work", "workload": "staff time", "referrals": "referrals"}


def parameter_label(code) -> str:
    """A model parameter's plain label: known ones from :data:`PARAMETERS`, else its last part in words with
    its group, e.g. 'carers.max_age' -> 'Max age (carers)'."""
    text = str(code)
    if text in PARAMETERS:
        return PARAMETERS[text]
    group, _, name = text.rpartition(".")
    words = _words(name)[:1].upper() + _words(name)[1:]
    return f"{words} ({GROUPS.get(group, _words(group))})" if group else words


def _words(code: str) -> str:
    return code.replace("_", " ")


def _part(key: str, value: str, alone: bool) -> str:
    names = {"levers": LEVERS, "budget": BUDGETS, "shocks": SHOCKS}.get(key)
    if names is not None:
        values = [v.strip() for v in value.strip("[]").split(",") if v.strip()]
        text = " + ".join(names.get(v, _words(v)) for v in values) or value
        return text if alone or key != "levers" or value != "none" else "no levers"
    if key == "scheme_type":
        text = SCHEME_TYPES.get(value, f"{_words(value)} scheme")
        return text if alone else f"{text[:1].lower()}{text[1:]}"
    if key == "shocks.scale":
        return f"at {value}x size"
    return f"{_words(key.rsplit('.', 1)[-1])} {value}"


def scenario_label(code) -> str:
    """'levers=colocation' -> 'Co-location with social-work teams'; several overrides are joined by commas."""
    text = str(code)
    parts = [p.partition("=") for p in text.split()]
    if not parts or any(sep != "=" for _, sep, _ in parts):
        return text
    words = [_part(key, value, len(parts) == 1) for key, _, value in parts]
    label = ", ".join(words)
    return label[:1].upper() + label[1:]


def column_label(code) -> str:
    """A table column's plain label: known names from :data:`COLUMNS`, money columns at a saving
    rate (``net_benefit_gbp_at_12000``) spelled out, the rest with spaces for underscores."""
    text = str(code)
    if text in COLUMNS:
        return COLUMNS[text]
    m = re.fullmatch(r"net_benefit_gbp_at_(\d+)", text)
    if m:
        return f"Net benefit at a saving of GBP {int(m.group(1)):,} a year"
    return _words(text)[:1].upper() + _words(text)[1:]
