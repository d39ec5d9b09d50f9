"""Where a command would write, checked before Hydra writes anything.

* A single run never writes into a sweep folder (one holding Hydra's
  ``multirun.yaml`` or a ``sweep.parquet``, or inside one): its runs would be
  hidden from the sweep's table and re-runs.
* A sweep never writes into (or inside) a single run's folder, nor inside
  another sweep's folder.
* A single run whose folder already holds a complete run of a different
  configuration is refused, leaving that folder as it is (Hydra would
  otherwise rewrite its ``.hydra/`` to describe a run it does not hold).
* A sweep into a folder whose runs its own overrides no longer reproduce (the
  defaults or the model's parameters changed since) is refused, leaving it as
  it is: its runs would be skipped as another configuration's, and the sweep's
  table and report would show the old results as this sweep's. One run a job
  folder is checked (the first complete one, without a sample row).

Each refusal is a :class:`ConfigError` (one line, exit 2, nothing written).
"""

from pathlib import Path

from omegaconf import OmegaConf

from slsim.simulation.params import ConfigError
from slsim.simulation.runfolder import FAILED_FILE, SUMMARY_FILE, DamagedRun, read_complete

SWEEP_MARKS = ("multirun.yaml", "sweep.parquet")  # Hydra's record of a sweep; our table of it
RUN_MARKS = (SUMMARY_FILE, FAILED_FILE)


def _holding(folder: Path, marks) -> Path | None:
    """``folder`` or its nearest parent holding one of ``marks``, if any."""
    for here in [folder, *folder.parents]:
        if any((here / m).is_file() for m in marks):
            return here
    return None


def check_run_folder(cfg, run_dir: Path, planned: list) -> None:
    """Refuse a single run (``planned`` = [(row, seed)]) into ``run_dir`` (see module doc)."""
    sweep = _holding(run_dir.resolve(), SWEEP_MARKS)
    if sweep is not None:
        raise ConfigError(
            f"hydra.run.dir={run_dir}: inside the sweep folder {sweep}; a single run never "
            "writes into a sweep (choose another hydra.run.dir)"
        )
    from slsim.experiments.jobs import run_config, run_name

    from slsim.experiments.config import params_from_cfg, resolved_yaml
    from slsim.experiments.posterior import run_draw

    params = params_from_cfg(cfg)
    for row, seed in planned:
        drawn = run_draw(params, seed) if params.calibration.on else {}
        folder = run_dir if len(planned) == 1 else run_dir / run_name(seed, row, drawn.get("draw"))
        if not (folder / SUMMARY_FILE).is_file():
            continue
        try:
            read_complete(folder)
        except DamagedRun:
            continue  # moved aside and run again by the job
        if (folder / "config.yaml").read_text() != resolved_yaml(run_config(cfg, row, seed, drawn.get("values"))):
            raise ConfigError(
                f"hydra.run.dir={run_dir}: {folder} holds a run of a different configuration; "
                "left as it is (choose another hydra.run.dir)"
            )


def check_sweep_folder(sweep_dir: Path) -> None:
    """Refuse a sweep into or inside a single run's folder, or inside another sweep's folder."""
    target = sweep_dir.resolve()
    run = _holding(target, RUN_MARKS)
    if run is not None:
        raise ConfigError(
            f"hydra.sweep.dir={sweep_dir}: {'inside ' if run != target else ''}the folder of a "
            f"single run ({run}); a sweep never writes into a run (choose another hydra.sweep.dir)"
        )
    outer = _holding(target.parent, SWEEP_MARKS)
    if outer is not None:
        raise ConfigError(f"hydra.sweep.dir={sweep_dir}: inside the sweep folder {outer}; choose a folder of its own")


def check_sweep_runs(sweep_dir: Path) -> None:
    """Refuse a sweep folder holding a run its own overrides no longer reproduce (see module doc)."""
    import json

    from slsim.experiments.config import compose_cfg, params_from_cfg, resolved_yaml
    from slsim.experiments.jobs import run_config
    from slsim.experiments.posterior import run_draw

    if not sweep_dir.is_dir():
        return
    composed = {}
    for job in sorted((d for d in sweep_dir.iterdir() if d.name.isdigit() and d.is_dir()), key=lambda d: int(d.name)):
        for folder in sorted(job.iterdir()):
            try:
                meta = json.loads((folder / "metadata.json").read_text())
                stored = (folder / "config.yaml").read_text()
                read_complete(folder)
                overrides, seed, row = tuple(meta["overrides"]), int(meta["seed"]), meta.get("row")
            except (OSError, ValueError, KeyError, TypeError, DamagedRun):
                continue  # not a complete run: the job runs it (again)
            if row is not None:
                continue
            try:
                if overrides not in composed:
                    composed[overrides] = compose_cfg(list(overrides))
                cfg = composed[overrides]
                params = params_from_cfg(cfg)
                values = run_draw(params, seed)["values"] if params.calibration.on else None
                expected = resolved_yaml(run_config(cfg, None, seed, values))
            except (ConfigError, Exception):  # noqa: BLE001 - overrides that no longer compose: changed
                expected = None
            if stored != expected:
                raise ConfigError(
                    f"hydra.sweep.dir={sweep_dir}: {folder.relative_to(sweep_dir)} holds a run its overrides no "
                    "longer reproduce (the configs or the model changed since); left as it is: choose another "
                    "hydra.sweep.dir, or move the old sweep away"
                )
            break


def check_output_folders(cfg, multirun: bool) -> None:
    """Check where the composed ``cfg`` (with its ``hydra`` node) would write."""
    if multirun:
        sweep_dir = Path(OmegaConf.select(cfg, "hydra.sweep.dir"))
        check_sweep_folder(sweep_dir)
        check_sweep_runs(sweep_dir)
        return
    from slsim.experiments.jobs import plan

    from slsim.experiments.config import params_from_cfg

    check_run_folder(cfg, Path(OmegaConf.select(cfg, "hydra.run.dir")), plan(params_from_cfg(cfg)))


def check_output_dir(cfg, *, multirun: bool) -> None:
    """The folder Hydra will create (``hydra.run.dir``, or ``hydra.sweep.dir`` for ``-m``) must be a
    folder it can create, where the command says: checked before anything is written."""
    import os
    import tempfile

    from omegaconf import OmegaConf

    from slsim.experiments.config import one_line

    setting = "hydra.sweep.dir" if multirun else "hydra.run.dir"
    try:
        text = OmegaConf.select(cfg, setting, throw_on_missing=True)
    except Exception as exc:
        raise ConfigError(f"{setting}: {one_line(exc)}") from exc
    text = "" if text is None else str(text)
    shown = repr(text) if not text.isprintable() else text

    def refuse(why: str):
        raise ConfigError(f"{setting}={shown}: allowed a folder path that can be created ({why})")

    if not text.strip():
        refuse("it is empty")
    if not text.isprintable():
        refuse("it holds control characters")
    parts = Path(text).parts
    if ".." in parts:
        refuse("no '..' components: the folder is where the setting says")
    if any(len(part.encode()) > 255 for part in parts) or len(text.encode()) > 4000:
        refuse("a name longer than 255 bytes, or a path longer than 4000")
    path = Path(os.path.abspath(text))
    here = path
    while not os.path.lexists(here):
        here = here.parent
    if not os.path.isdir(here):
        refuse(f"{here} is a file" if here == path else f"it is under {here}, which is a file")
    try:  # os.access says yes to root, even on read-only file systems: try it (and leave nothing)
        os.rmdir(tempfile.mkdtemp(prefix=".slsim-check-", dir=here))
    except OSError as exc:
        refuse(f"{here} is not writable: {exc.strerror}")
    if multirun:
        subdir = OmegaConf.to_container(cfg.hydra.sweep, resolve=False).get("subdir")
        sub = Path(str(subdir))
        if sub.is_absolute() or ".." in sub.parts:
            raise ConfigError(
                f"hydra.sweep.subdir={subdir}: allowed a relative folder name inside hydra.sweep.dir (no '..')"
            )
