"""The schemes of a nation, drawn from the nation seed (``numpy.random.SeedSequence``).

Each scheme is one kind of configs/scheme_type/ (drawn from its region's shares), run by the
council or a voluntary-sector provider (the ``voluntary_sector`` kind's differences on top),
with a size multiplier (lognormal, mean 1, clipped) on its kind's people, carers, scheme
workers and council, and its own practice (weeks of assessment, enquiry conversion). The
starting stocks are then scaled so the nation adds up to its national figures exactly
(largest-remainder rounding): people supported, carer households, and modelled posts (a
manager a scheme, recruitment officers, scheme workers; at least one worker a scheme, the
floor paid for in proportion by the others). Each scheme's model seed comes from
its own child of the nation's seed sequence, so a scheme's randomness is its own.
"""

from dataclasses import dataclass, field

import numpy as np

from slsim.simulation.nation.config import KINDS, NationConfig
from slsim.simulation.validation import ConfigError

SIZE_FIELDS = ("initial_carers_in_assessment", "initial_enquiries", "initial_referrals")


@dataclass
class Scheme:
    id: str
    index: int
    region: str
    kind: str
    operator: str  # council | voluntary_sector
    provider: str  # the council's own name, or the voluntary-sector provider running it
    size: float  # size multiplier on its kind
    seed: int  # its model's run.seed
    local_seed: int  # seed of its own draws (local variation of national shocks)
    people: int = 0
    carers: int = 0
    workers: int = 0
    recruitment_officers: int = 0
    practice: dict = field(default_factory=dict)  # assessment_weeks (float), enquiry_to_assessment


def _seeds(seq: np.random.SeedSequence) -> tuple:
    a, b = seq.generate_state(2, dtype=np.uint64)
    return int(a >> np.uint64(1)), int(b >> np.uint64(1))  # within 0 .. 2^63 - 1


def largest_remainder(weights, total: int, minimum: int = 0) -> list:
    """Integers proportional to ``weights`` summing to ``total``, each at least ``minimum``
    (ties broken by position, so the result is deterministic). Those whose proportional share
    is under ``minimum`` get ``minimum``; the rest is shared in proportion among the others, so
    the floor is not paid for by every one alike (a small scheme's one worker comes out of the
    nation's posts in proportion to the other schemes' sizes)."""
    weights = np.asarray(weights, dtype=float)
    n = len(weights)
    if n == 0:
        return []
    if total - minimum * n < 0:
        raise ValueError(f"cannot share {total} with at least {minimum} each among {n}")
    floored = np.zeros(n, dtype=bool)
    while True:  # ends: each pass floors at least one more, and never all (total >= minimum x n)
        free = np.flatnonzero(~floored)
        rest = total - minimum * int(floored.sum())
        w = weights[free]
        exact = w / w.sum() * rest if w.sum() > 0 else np.full(len(free), rest / len(free))
        low = exact < minimum
        if not low.any():
            break
        floored[free[low]] = True
    floor = np.floor(exact).astype(np.int64)
    left = int(rest - floor.sum())
    order = sorted(range(len(free)), key=lambda i: (-(exact[i] - floor[i]), i))
    for i in order[:left]:
        floor[i] += 1
    out = np.full(n, minimum, dtype=np.int64)
    out[free] = floor
    return [int(x) for x in out]


def draw_schemes(cfg: NationConfig, kinds: dict) -> list:
    """The nation's schemes in id order. ``kinds`` maps each (kind of :data:`KINDS`, operator)
    to its starting values (people, carers, workers, recruitment_officers; from its composed
    config)."""
    root = np.random.SeedSequence(cfg.seed)
    pop_seq, schemes_seq = root.spawn(2)
    rng = np.random.default_rng(pop_seq)
    d = cfg.draws
    children = schemes_seq.spawn(cfg.n_schemes)
    schemes = []
    for region in cfg.regions:
        shares = np.array([region.types[k] for k in KINDS])
        for _ in range(region.schemes):
            i = len(schemes)
            kind = KINDS[int(rng.choice(len(KINDS), p=shares / shares.sum()))]
            voluntary = bool(rng.random() < region.voluntary_share)
            provider = f"provider_{int(rng.integers(d['providers'])) + 1}" if voluntary else f"council_{i:03d}"
            sigma = d["size_sigma"]
            size = float(np.clip(np.exp(rng.normal(-(sigma**2) / 2, sigma)), d["size_min"], d["size_max"]))
            practice = {}
            for key in ("assessment_weeks", "enquiry_to_assessment"):
                spec = d[key]
                practice[key] = float(np.clip(rng.normal(spec["mean"], spec["sd"]), spec["min"], spec["max"]))
            seed, local = _seeds(children[i])
            schemes.append(
                Scheme(
                    id=f"s{i:03d}",  # a string a partition reader keeps as text
                    index=i,
                    region=region.name,
                    kind=kind,
                    operator="voluntary_sector" if voluntary else "council",
                    provider=provider,
                    size=size,
                    seed=seed,
                    local_seed=local,
                    practice=practice,
                )
            )
    _scale_stocks(schemes, cfg.targets, kinds)
    return schemes


def _scale_stocks(schemes: list, targets: dict, kinds: dict) -> None:
    """People, carers and posts scaled so the nation adds up to its targets."""
    people = largest_remainder([kinds[(s.kind, s.operator)]["people"] * s.size for s in schemes], targets["people"])
    carers = largest_remainder([kinds[(s.kind, s.operator)]["carers"] * s.size for s in schemes], targets["carers"])
    for s, p, c in zip(schemes, people, carers):
        s.people, s.carers = p, c
        s.recruitment_officers = kinds[(s.kind, s.operator)]["recruitment_officers"]
    fixed = sum(1 + s.recruitment_officers for s in schemes)  # a manager a scheme, recruitment posts
    workers = targets["posts"] - fixed
    if workers < len(schemes):
        raise ConfigError(
            f"nation.uk.staff: {targets['posts']} modelled posts leave {workers} scheme workers for "
            f"{len(schemes)} schemes; allowed enough staff for one worker a scheme"
        )
    shares = [kinds[(s.kind, s.operator)]["workers"] * s.size for s in schemes]
    for s, w in zip(schemes, largest_remainder(shares, workers, minimum=1)):
        s.workers = w


def totals(schemes: list) -> dict:
    """The nation's starting totals."""
    return {
        "schemes": len(schemes),
        "people": sum(s.people for s in schemes),
        "carers": sum(s.carers for s in schemes),
        "posts": sum(1 + s.recruitment_officers + s.workers for s in schemes),
    }
