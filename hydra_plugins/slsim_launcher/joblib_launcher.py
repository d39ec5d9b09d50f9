"""hydra-joblib-launcher, with one line instead of a traceback when a worker dies.

``configs/hydra/launcher/joblib.yaml`` targets :class:`SlsimJoblibLauncher`; its
fields are the plugin's (``JobLibLauncherConf``). When a worker process dies (killed,
out of memory), loky stops the others and raises ``TerminatedWorkerError``; Hydra
would print it with a long traceback. Here it becomes
:class:`slsim.experiments.interrupts.WorkerDied`, which ``slsim`` reports in one line.
An error of joblib's own clean-up after Ctrl-C (loky's shutdown can fail while it
is still starting workers) is reported as the stop it is (see :mod:`slsim.experiments.interrupts`).
"""

from concurrent.futures.process import BrokenProcessPool
from typing import Sequence

from hydra.core.utils import JobReturn
from hydra_plugins.hydra_joblib_launcher.joblib_launcher import JoblibLauncher


class SlsimJoblibLauncher(JoblibLauncher):
    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
        from slsim.experiments import interrupts

        try:
            return super().launch(job_overrides, initial_job_idx)
        except BrokenProcessPool as exc:  # loky's TerminatedWorkerError is one
            raise interrupts.worker_died(exc) from None  # slsim reports a stop instead if a signal came first
        except Exception:
            stop = interrupts.stop_received()
            if stop is not None:  # joblib's clean-up after Ctrl-C failed (loky can, while it starts workers)
                raise stop from None
            raise
