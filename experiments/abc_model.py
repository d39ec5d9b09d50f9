"""What pyabc samples and simulates: the prior, a particle's model runs, and the distance.

**The model a particle runs.** The configuration is composed once per set of
overrides (the spec's, plus each fitted target's own, e.g. ``shocks=pandemic``):
:func:`base_params`. A particle's values are applied to it with
:func:`slsim.experiments.overrides.apply_values` (integers rounded; the root
validates), and it runs ``seeds_per_particle`` seeds, drawn from numpy's global
generator, which the sampler seeds for each particle
(:mod:`slsim.experiments.abc_sampler`). Its summary is each fitted target's
measure (:mod:`slsim.simulation.measures`) averaged over the seeds that give it,
as the targets' intervals bound a mean over seeds (``slsim-validate`` takes the
same mean). A combination of values the model refuses (each prior's bounds
are checked alone, not together) gives NaN for its targets.

**The distance.** Each fitted target contributes a term: the model's value's
distance from the published value in units of the interval on that side,
``(x - value) / (hi - value)`` above it and ``(value - x) / (value - lo)`` below
(if the value sits on the interval's edge, a value beyond it scores
``1 + |x - value| / (hi - lo)``). So a term is 0 at the published value, at most
1 inside the interval and above 1 outside it. A target the runs cannot measure
(NaN) scores :data:`MISSING_TERM`. The distance aggregates the terms:
``rms`` (root mean square, the default) or ``max``. Either way a particle inside
every band has distance at most 1; with ``max``, exactly those do.
"""

import math

import numpy as np
import pyabc
from scipy import stats

from slsim.experiments.config import load_params
from slsim.experiments.overrides import apply_values
from slsim.simulation.params import ConfigError

MISSING_TERM = 10.0  # distance term of a target a particle's runs cannot measure (ten interval widths away)
SEED_HIGH = 2**31 - 1  # model seeds are drawn from [0, SEED_HIGH)


def target_term(value: float, lo: float, hi: float, x: float) -> float:
    """One target's distance term (see module doc)."""
    if x is None or not math.isfinite(x):
        return MISSING_TERM
    side = hi - value if x > value else value - lo
    if x == value:
        return 0.0
    if side > 0:
        return abs(x - value) / side
    return 1.0 + abs(x - value) / max(hi - lo, 1e-12)


class BandDistance:
    """pyabc distance ``(x, x0) -> float`` between a particle's summary and the targets."""

    def __init__(self, fit, aggregate: str):
        self.bands = {t.name: (t.value, t.lo, t.hi) for t in fit}
        self.aggregate = aggregate

    def terms(self, x: dict) -> dict:
        return {name: target_term(*band, _float(x.get(name))) for name, band in self.bands.items()}

    def __call__(self, x: dict, x0: dict | None = None) -> float:
        terms = np.fromiter(self.terms(x).values(), dtype=float)
        if self.aggregate == "max":
            return float(terms.max())
        return float(np.sqrt(np.mean(terms**2)))


def _float(x) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan


def observed(spec) -> dict:
    """The published values of the fitted targets (pyabc's observed summary)."""
    return {t.name: t.value for t in spec.fit}


def base_params(spec) -> dict:
    """{target overrides: composed parameters} for each set of overrides the fitted targets need."""
    groups = dict.fromkeys(t.overrides for t in spec.fit)
    return {extra: load_params([*spec.overrides, *extra]) for extra in groups}


def _with_seed(params, seed: int):
    import dataclasses

    return dataclasses.replace(params, run=dataclasses.replace(params.run, seed=int(seed)))


class ParticleModel:
    """pyabc model: a particle's parameters -> {fitted target: its measure, mean over seeds}."""

    def __init__(self, spec, bases: dict):
        self.keys = spec.names
        self.seeds = spec.abc.seeds_per_particle
        self.groups = [
            (bases[extra], [(t.name, t.measure) for t in spec.fit if t.overrides == extra]) for extra in bases
        ]

    def __call__(self, pars) -> dict:
        seeds = np.random.randint(0, SEED_HIGH, size=self.seeds)  # the sampler seeded this particle
        return self.simulate({k: float(pars[k]) for k in self.keys}, seeds)

    def simulate(self, values: dict, seeds) -> dict:
        from slsim.simulation.measures import measure
        from slsim.simulation.run import run_simulation

        out = {}
        for base, targets in self.groups:
            try:
                params = apply_values(base, values)
            except ConfigError:  # a combination the model refuses: not measured
                out.update({name: math.nan for name, _ in targets})
                continue
            runs = [measure(run_simulation(_with_seed(params, s))) for s in seeds]
            for name, m in targets:
                got = [r[m] for r in runs if math.isfinite(r[m])]
                out[name] = float(np.mean(got)) if got else math.nan
        return out


STRUCTURAL = ("not modelled yet", "the run is shorter than", "no pandemic in the run")


def check_measurable(spec, bases: dict) -> None:
    """One run of each configuration (the spec's seed): a fitted target whose measure this
    configuration can never give (not modelled, too short a run, no pandemic) is refused."""
    from slsim.simulation.measures import explain
    from slsim.simulation.run import run_simulation

    for extra, params in bases.items():
        why = explain(run_simulation(_with_seed(params, spec.abc.seed)))
        for t in spec.fit:
            reason = why.get(t.measure, "")
            if t.overrides == extra and reason.startswith(STRUCTURAL):
                raise ConfigError(f"{spec.path}: fit: {t.name}: {reason}; put it in left_out or change the overrides")


class LogTruncNormal(pyabc.RVBase):
    """A lognormal prior truncated to [lo, hi]: log(x) ~ normal(log median, sigma) truncated."""

    def __init__(self, median: float, sigma: float, lo: float, hi: float):
        self.args = (median, sigma, lo, hi)
        mu = math.log(median)
        a, b = (math.log(lo) - mu) / sigma, (math.log(hi) - mu) / sigma
        self.log = stats.truncnorm(a, b, loc=mu, scale=sigma)

    def copy(self):
        return LogTruncNormal(*self.args)

    def rvs(self, *args, **kwargs):
        return float(np.exp(self.log.rvs()))

    def pdf(self, x, *args, **kwargs):
        return float(self.log.pdf(math.log(x)) / x) if x > 0 else 0.0

    pmf = pdf

    def cdf(self, x, *args, **kwargs):
        return float(self.log.cdf(math.log(x))) if x > 0 else 0.0


def transition(spec):
    """pyabc's proposal kernel. ``per_parameter``: an independent one-dimensional Gaussian
    kernel density per parameter (pyabc's AggregatedTransition), so a proposal's density is
    a product of marginals; ``joint``: pyabc's default multivariate Gaussian kernel over all
    parameters. In a dozen dimensions the joint kernel sends most proposals outside the
    priors' bounds and its importance weights collapse onto a few particles (measured on the
    default spec: an effective sample size of 2 of 200 by generation 7); the product kernel
    keeps them spread (docs/ODD.md 5.2)."""
    if spec.abc.transition == "joint":
        return pyabc.MultivariateNormalTransition()
    return pyabc.AggregatedTransition({key: pyabc.MultivariateNormalTransition() for key in spec.names})


def prior_distribution(spec) -> pyabc.Distribution:
    """pyabc's prior: one random variable per parameter. An integer parameter's is uniform on
    [lo - 0.5, hi + 0.5), so each whole number of [lo, hi] is equally likely once rounded."""
    rvs = {}
    for p in spec.priors:
        if p.integer:
            rvs[p.key] = pyabc.RV("uniform", p.lo - 0.5, p.hi - p.lo + 1.0 - 1e-9)
        elif p.distribution == "uniform":
            rvs[p.key] = pyabc.RV("uniform", p.lo, p.hi - p.lo)
        elif p.distribution == "loguniform":
            rvs[p.key] = pyabc.RV("loguniform", p.lo, p.hi)
        elif p.distribution == "normal":
            a, b = (p.lo - p.loc) / p.scale, (p.hi - p.loc) / p.scale
            rvs[p.key] = pyabc.RV("truncnorm", a, b, loc=p.loc, scale=p.scale)
        else:
            rvs[p.key] = LogTruncNormal(p.loc, p.scale, p.lo, p.hi)
    return pyabc.Distribution(**rvs)
