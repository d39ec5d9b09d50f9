"""One Hydra job: its seeds (and sample rows), each run in its own folder, none lost or repeated.

A job runs ``experiment.replicates`` seeds (``run.seed``, ``run.seed + 1``, ...)
and, in a sensitivity sweep, ``experiment.sample.rows_per_job`` sample rows,
in one process (Hydra costs ~150 ms a job and the imports ~1 s a process, so
batching is what makes thousands of runs quick). In a sweep each run has its
own folder in the job's folder, ``seed-<s>`` or ``row-<i>-seed-<s>``; a single
run with one seed writes straight into Hydra's run folder, as before.

Never lost, never repeated (folder format and claims: :mod:`slsim.simulation.runfolder`):

* a run is written only under its folder's claim. A run another process is
  writing (two copies of one sweep, or a sweep started twice) is left to it
  and waited for at the end of the job; if that process died, this one
  writes the run;
* a whole run folder is complete. Re-running the same command skips it when
  its ``config.yaml`` is the one this job would write, and reads its outcomes
  for the objective; a folder made by a different configuration is left
  alone and reported (use another ``hydra.sweep.dir`` for a changed sweep);
* a damaged run folder (a file missing, truncated or of the wrong shape) has
  its files moved aside into a hidden ``.damaged-*`` folder inside it (kept,
  never deleted), is said in one line, and is run again;
* a run that raises is recorded (``failed.json``: the error and traceback)
  and the job goes on with its other runs; a re-run retries it.

The job gives the mean of ``experiment.objective`` over its completed runs
(NaN if none completed), which is what Hydra's Optuna sweeper optimises, and
how many runs failed (outside a sweep, ``slsim`` then exits with code 1).
"""

import dataclasses
import math
import re
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from slsim.experiments.config import one_line, params_from_cfg, resolved_yaml
from slsim.experiments.posterior import draw_of, run_draw
from slsim.simulation.params import ConfigError
from slsim.simulation.run import run_simulation, write_failure, write_run_folder
from slsim.simulation.runfolder import SUMMARY_FILE, DamagedRun, claim, move_aside, read_run


@dataclass
class JobInfo:
    """Where and how Hydra started this job."""

    output_dir: Path
    multirun: bool
    overrides: tuple = ()  # the job's task overrides (command line + sweep choice)
    num: int | None = None  # Hydra's job number in a sweep


@dataclass
class RunOutcome:
    run_dir: Path
    status: str  # "ran", "done before", "failed", "foreign" (a different config's folder)
    outcomes: dict | None = None
    error: str | None = None


def run_name(seed: int, row: int | None, draw: int | None = None) -> str:
    if draw is not None:
        return f"draw-{draw}-seed-{seed}"
    return f"seed-{seed}" if row is None else f"row-{row}-seed-{seed}"


def plan(params) -> list:
    """[(row or None, seed)] the job with these parameters runs, in order (with
    ``calibration=posterior``: draws x seeds_per_draw seeds, :mod:`slsim.experiments.posterior`)."""
    exp = params.experiment
    count = params.calibration.runs() if params.calibration.on else exp.replicates
    seeds = [params.run.seed + i for i in range(count)]
    if exp.sample.method == "none":
        rows = [None]
    else:
        from slsim.experiments.sampling import rows_of

        total = rows_of(exp.sample)
        first = exp.sample.index
        if first >= total:
            raise ConfigError(f"experiment.sample.index={first}: allowed 0 <= x < {total} (rows of the sample)")
        rows = list(range(first, min(first + exp.sample.rows_per_job, total)))
    return [(row, seed) for row in rows for seed in seeds]


def run_config(cfg: DictConfig, row: int | None, seed: int, values: dict | None = None) -> DictConfig:
    """The job's config for one run: its seed, and its sample row's parameter ``values``."""
    variant = cfg.copy()
    OmegaConf.update(variant, "run.seed", seed, merge=True)
    if row is not None:
        OmegaConf.update(variant, "experiment.sample.index", row, merge=True)
    for key, value in (values or {}).items():  # a sample row's, or a posterior draw's
        OmegaConf.update(variant, key, value, merge=True)
    return variant


class RunConfigs:
    """Each run's resolved config (the YAML written to its folder) and parameters, cheaply.

    Runs of one job that differ only in their seed share everything else, so
    their parameters are the job's with ``run.seed`` replaced (the root
    re-validates), and their YAML is the first seed's with the seed's line
    replaced, once a second seed has shown, by composing it in full, that
    the replacement gives the same text. Sample rows are composed in full."""

    _SEED_LINE = re.compile(r"^run:\n(?:  .*\n)*?(  seed: )(-?\d+)\n", re.MULTILINE)

    def __init__(self, cfg: DictConfig, params):
        self.cfg, self.params = cfg, params
        self._template = None  # (text before the seed's digits, text after) once proven
        self._first = None  # (seed, YAML) of the first seed composed

    def get(self, row, seed: int, values: dict | None):
        """(YAML text, parameters or None to build from the YAML's config) of one run."""
        if row is not None or values:
            variant = run_config(self.cfg, row, seed, values)
            return resolved_yaml(variant), lambda: params_from_cfg(variant)
        params = self.params  # a run done before needs only its YAML: the seed's parameters when it runs
        return self._yaml(seed), lambda: dataclasses.replace(params, run=dataclasses.replace(params.run, seed=seed))

    def _yaml(self, seed: int) -> str:
        if self._template is not None:
            head, tail = self._template
            return f"{head}{seed}{tail}"
        text = resolved_yaml(run_config(self.cfg, None, seed))
        if self._first is None:
            self._first = (seed, text)
        elif self._first[0] != seed:
            template = self._split(self._first[1])
            if template is not None and f"{template[0]}{seed}{template[1]}" == text:
                self._template = template
        return text

    @classmethod
    def _split(cls, text: str):
        m = cls._SEED_LINE.search(text)
        return None if m is None else (text[: m.start(2)], text[m.end(2) :])


@dataclass
class JobResult:
    objective: float  # mean of experiment.objective over the completed runs (NaN if none)
    failed: int  # runs that raised (recorded in their folders)


def run_job(cfg: DictConfig, job: JobInfo) -> JobResult:
    """Run the job's runs (see module doc)."""
    params = params_from_cfg(cfg)
    exp = params.experiment
    todo = plan(params)
    single = not job.multirun and len(todo) == 1
    configs = RunConfigs(cfg, params)
    values, failed, busy = [], 0, []

    def one(row, seed, run_dir, held) -> None:
        nonlocal failed
        with held:
            outcome = run_one(configs, row, seed, run_dir, job, exp, params if params.calibration.on else None)
        if outcome.status == "failed":
            failed += 1
            print(f"slsim: run {run_dir} failed: {outcome.error}", file=sys.stderr)
        elif outcome.status == "foreign":
            print(f"slsim: {outcome.error}", file=sys.stderr)
        if outcome.outcomes is not None:
            values.append(float(outcome.outcomes[exp.objective]))
        if single and outcome.outcomes is not None:
            o = outcome.outcomes
            print(
                f"slsim: {params.run.years} years, seed {seed}: people supported "
                f"{o['people_supported_start']} -> {o['people_supported_end']}; run folder {run_dir}"
            )

    for row, seed in todo:
        draw = draw_of(params, seed) if params.calibration.on else None
        run_dir = job.output_dir if single else job.output_dir / run_name(seed, row, draw)
        held = claim(run_dir)
        if held is None:  # another process is writing it: its turn first, ours at the end
            busy.append((row, seed, run_dir))
            continue
        one(row, seed, run_dir, held)
    for row, seed, run_dir in busy:
        print(f"slsim: {run_dir} is being written by another process; waiting for it", file=sys.stderr)
        one(row, seed, run_dir, claim(run_dir, wait=True))  # done before, unless that process died
    return JobResult(sum(values) / len(values) if values else math.nan, failed)


def run_one(configs: RunConfigs, row, seed: int, run_dir: Path, job: JobInfo, exp, posterior=None) -> RunOutcome:
    """One run into ``run_dir``, unless it is there already (see module doc); ``exp``: experiment params;
    ``posterior``: the job's parameters with ``calibration=posterior`` (the run's draw is applied).

    The caller holds ``run_dir``'s claim."""
    meta = {"seed": seed, "experiment": exp.name, "job": job.num, "row": row, "overrides": list(job.overrides)}
    try:
        values = None
        if row is not None:
            from slsim.experiments.sampling import row_values

            meta["sample"] = values = row_values(exp.sample, row)
        if posterior is not None:
            drawn = run_draw(posterior, seed)
            values = drawn["values"]
            meta.update(draw=drawn["draw"], particle=drawn["particle"], posterior=values, calibration=drawn["source"])
        config_yaml, run_params = configs.get(row, seed, values)
    except Exception as exc:  # a row outside what the model allows: recorded, the others go on
        error = one_line(exc)
        write_failure(run_dir, "", meta, error, traceback.format_exc())
        return RunOutcome(run_dir, "failed", error=error)
    done = stored_run(run_dir, config_yaml)
    if done is not None:
        return done
    try:
        result = run_simulation(run_params())
        write_run_folder(result, run_dir, config_yaml, meta)
    except Exception as exc:  # recorded with its error; the job's other runs go on
        error = one_line(exc)
        write_failure(run_dir, config_yaml, meta, error, traceback.format_exc())
        return RunOutcome(run_dir, "failed", error=error)
    return RunOutcome(run_dir, "ran", outcomes=result.summary)


def stored_run(run_dir: Path, config_yaml: str) -> RunOutcome | None:
    """The run already in ``run_dir`` (done before, or another configuration's), or None if it is to be
    run: no run there, a failed one, or a damaged one (moved aside first, and said)."""
    if not (run_dir / SUMMARY_FILE).exists():
        return None
    try:
        stored = read_run(run_dir, expected_config=config_yaml)
    except DamagedRun as exc:
        kept = move_aside(run_dir)
        print(
            f"slsim: {run_dir}: damaged run ({exc}); its files kept in {kept.name}/, running it again", file=sys.stderr
        )
        return None
    if stored.config_text == config_yaml:
        return RunOutcome(run_dir, "done before", outcomes=stored.summary["outcomes"])
    return RunOutcome(
        run_dir,
        "foreign",
        error=f"{run_dir} holds a run of a different configuration; left as it is "
        "(a changed sweep needs its own hydra.sweep.dir)",
    )
