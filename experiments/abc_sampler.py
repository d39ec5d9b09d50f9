"""pyabc's multicore sampler, with every particle seeded from (seed, generation, particle number).

:class:`SeededEvalParallelSampler` is pyabc's
``pyabc.sampler.MulticoreEvalParallelSampler`` (processes forked on one machine
share a counter of particle numbers; each takes the next number, proposes,
simulates and checks; the first ``n`` accepted particles *by number* form the
generation) with one change: before particle ``i`` of generation ``t`` the worker
seeds numpy's and Python's global generators from ``(seed, t + 1, i)``
(``numpy.random.SeedSequence``); pyabc's own workers reseed from the operating
system. What a particle proposes and simulates then depends on its number only,
not on which process ran it or when, and since every number below the last one
taken is evaluated, the accepted set is the same in every run. So a calibration
is reproducible from its seed with any number of processes, and a run stopped
between generations and resumed gives the same posterior as one that was not.

What still varies between runs: how many particles were evaluated past the
``n``-th acceptance (processes finish the particle they hold), so the
evaluation counts, the acceptance rates shown and stored, and timings. The
stored rejected particles (pyabc records those sent along with accepted ones)
vary too; nothing here uses them.

On a cluster, pyabc's ``DaskDistributedSampler`` (a ``dask.distributed``
client) or ``RedisEvalParallelSampler`` (``abc-redis-worker`` processes
on the nodes) run the same model and distance unchanged; they reseed as
pyabc's workers do, so their runs are not reproducible particle by particle
(see README, "Calibration").
"""

import random
import signal
from ctypes import c_longlong

import numpy as np
from pyabc.sampler import MulticoreEvalParallelSampler
from pyabc.sampler.multicorebase import get_if_worker_healthy
from pyabc.sampler.util import get_mp_context

DONE = "done"


def particle_seed(seed: int, t: int, particle: int) -> int:
    """The 32-bit seed of particle ``particle`` of generation ``t`` (t = -1: pyabc's prior sample)."""
    return int(np.random.SeedSequence([seed, t + 1, particle]).generate_state(1)[0])


def work(simulate_one, queue, n_eval, n_acc, n: int, all_accepted: bool, seed: int, t: int, new_sample) -> None:
    """A worker process: take particle numbers until ``n`` are accepted (pyabc's loop, seeded)."""
    from slsim.experiments.interrupts import stop_with_parent

    stop_with_parent()  # die with the main process; Ctrl-C is the main process's
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # ended with SIGTERM when stopped early: no handler of ours
    sample = new_sample()
    while n_acc.value < n and (not all_accepted or n_eval.value < n):
        with n_eval.get_lock():
            particle = n_eval.value
            n_eval.value += 1
        s = particle_seed(seed, t, particle)
        np.random.seed(s)
        random.seed(s)
        result = simulate_one()
        sample.append(result)
        if result.accepted:
            with n_acc.get_lock():
                n_acc.value += 1
            queue.put((particle, sample))
            sample = new_sample()
    queue.put(DONE)


class SeededEvalParallelSampler(MulticoreEvalParallelSampler):
    """``MulticoreEvalParallelSampler(n_procs=...)`` seeding each particle (see module doc)."""

    def __init__(self, seed: int, n_procs: int, on_particle=None):
        super().__init__(n_procs=n_procs, daemon=True)
        self.seed = int(seed)
        self.on_particle = on_particle  # called with (accepted so far, n) as particles come in

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):
        ctx = get_mp_context()
        n_eval, n_acc = ctx.Value(c_longlong), ctx.Value(c_longlong)
        n_eval.value = n_acc.value = 0
        queue = ctx.Queue()
        args = (simulate_one, queue, n_eval, n_acc, n, all_accepted, self.seed, t, self._create_empty_sample)
        procs = [ctx.Process(target=work, args=args, daemon=True) for _ in range(self.n_procs)]
        for proc in procs:
            proc.start()
        results, done = [], 0
        try:
            while done < len(procs):
                item = get_if_worker_healthy(procs, queue)
                if item == DONE:
                    done += 1
                else:
                    results.append(item)
                    if self.on_particle is not None:
                        self.on_particle(len(results), n)
            for proc in procs:
                proc.join()
        finally:
            for proc in procs:  # stopped early (Ctrl-C, a dead worker): none left behind
                if proc.is_alive():
                    proc.terminate()
                    proc.join()
        results.sort(key=lambda item: item[0])  # by particle number: the first n accepted
        self.nr_evaluations_ = n_eval.value
        sample = self._create_empty_sample()
        for _, part in results[:n]:
            sample += part
        if sample.n_accepted < n:
            sample.ok = False
        return sample
