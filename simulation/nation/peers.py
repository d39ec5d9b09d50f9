"""The peer network of schemes and how practice spreads over it.

Two schemes are peers if they are in one region (regional networks) or run by one
voluntary-sector provider (``peers.region``, ``peers.provider``). Practice is what a scheme
does that another can copy: weeks of assessment work to approval (fewer is better) and the
share of enquiries that become applications (more is better). Between periods each scheme
moves toward the mean practice of those of its peers whose practice is better than its own,
closing a share ``1 - (1 - learning_per_year)^(period_weeks / 52)`` of the gap; a scheme with
no better peer keeps its practice, so leaders never copy laggards. All schemes update at once
from the practice before the exchange (so the order schemes are listed in does not matter),
and carers and referrals stay local: only practice moves.
"""

from slsim.simulation.units import WEEKS_PER_YEAR

LOWER_IS_BETTER = {"assessment_weeks": True, "enquiry_to_assessment": False}


def network(schemes: list, region: bool = True, provider: bool = True) -> dict:
    """{scheme id: sorted tuple of its peers' ids}."""
    groups = {}
    for s in schemes:
        if region:
            groups.setdefault(("region", s.region), []).append(s.id)
        if provider and s.operator == "voluntary_sector":
            groups.setdefault(("provider", s.provider), []).append(s.id)
    peers = {s.id: set() for s in schemes}
    for members in groups.values():
        for a in members:
            peers[a].update(b for b in members if b != a)
    return {k: tuple(sorted(v)) for k, v in sorted(peers.items())}


def period_rate(learning_per_year: float, period_weeks: int) -> float:
    """The share of the gap closed in a period of ``period_weeks``."""
    return 1.0 - (1.0 - learning_per_year) ** (period_weeks / WEEKS_PER_YEAR)


def learn(practice: dict, peers: dict, rate: float) -> dict:
    """New practice {id: {key: value}} after one exchange (see module doc)."""
    out = {}
    for sid in sorted(practice):
        mine = practice[sid]
        new = dict(mine)
        for key, lower in LOWER_IS_BETTER.items():
            own = mine[key]
            better = [
                practice[p][key]
                for p in peers.get(sid, ())
                if (practice[p][key] < own if lower else practice[p][key] > own)
            ]
            if better and rate > 0:
                target = sum(better) / len(better)
                new[key] = own + rate * (target - own)
        out[sid] = new
    return out
