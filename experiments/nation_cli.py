"""``slsim-nation``: run the national model (simulation/nation/) and write its folder.

    slsim-nation --out outputs/nation --workers 2 nation.seed=1 run.years=10

Each scheme's parameters start from its kind's composed config (``scheme_type=KIND``, the
``voluntary_sector`` kind's values on top for a scheme a voluntary-sector provider runs, as
:func:`voluntary_overrides` carries them over), composed once per kind and operator. Bad input
(an unknown key or region, a value out of range, shares that do not sum to 1, a scheme the model
refuses, a bad --out or flag) prints one line naming the field and what is allowed, exits with
code 2 and writes nothing.
"""

import argparse
import sys
import time

import yaml

from slsim.experiments.interrupts import OneLineParser, plain_command
from slsim.simulation.nation import config as nation_config
from slsim.simulation.nation.runner import run_nation, stderr_progress
from slsim.simulation.nation.worker import WorkerError
from slsim.simulation.validation import ConfigError

PROG = "slsim-nation"


def parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog=PROG, description="Run the national model: every English Shared Lives scheme side by side.")
    p.add_argument("--out", default="outputs/nation", help="output folder (new, empty, or a previous national output)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (results do not depend on it)")
    p.add_argument("--config", default=None, help="a national config YAML over configs/nation/default.yaml")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.add_argument("overrides", nargs="*", help="key=value overrides of the national config")
    return p


def _flatten(node, prefix=""):
    for key, value in node.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


STOCKS = (  # a scheme's starting stocks: a voluntary-sector scheme's are its kind's times the ratio below
    "initial_people_supported",
    "initial_carers_approved",
    "initial_carers_in_assessment",
    "initial_enquiries",
    "initial_referrals",
)


def voluntary_overrides(kind: str, council, typical) -> list:
    """The voluntary_sector kind's values (configs/scheme_type/voluntary_sector.yaml) as overrides
    on the kind ``kind`` (``council``: its composed params; ``typical``: the typical kind's). That
    file describes a voluntary-sector scheme of the typical kind, so on another kind its starting
    stocks are the kind's times their ratio to the typical scheme's, its recruitment posts the
    kind's plus the difference, and its social workers' start values apply where the kind sets
    none of its own (a new scheme stays little known)."""
    data = yaml.safe_load((nation_config.CONFIG_DIR / "scheme_type" / "voluntary_sector.yaml").read_text())
    path = nation_config.CONFIG_DIR / "scheme_type" / f"{kind}.yaml"
    own = {k for k, _ in _flatten(yaml.safe_load(path.read_text()) or {})}
    out = []
    for key, value in _flatten(data):
        group, _, field = key.partition(".")
        if key == "scheme.name" or (group == "social_work" and key in own):
            continue
        if group == "scheme" and field in STOCKS:
            ratio = value / getattr(typical.scheme, field)
            value = int(round(getattr(council.scheme, field) * ratio))
        elif key == "scheme.recruitment_officers":
            value = council.scheme.recruitment_officers + value - typical.scheme.recruitment_officers
        out.append(f"{key}={value}")
    return out


def compose_bases(cfg, extra=()) -> dict:
    """{(kind, operator): params} of the kinds and operators the nation has; ``extra``: config
    overrides applied last to every one (a posterior draw's values, slsim-nation-study)."""
    from slsim.experiments.config import load_params

    run = [f"run.years={cfg.years}", f"run.warmup_weeks={cfg.warmup_weeks}"]
    out = {kind: load_params([f"scheme_type={kind}", *run, *extra]) for kind in nation_config.KINDS}
    bases = {}
    for kind in nation_config.KINDS:
        bases[(kind, "council")] = out[kind]
        vol = voluntary_overrides(kind, out[kind], out["typical"])
        bases[(kind, "voluntary_sector")] = load_params([f"scheme_type={kind}", *run, *vol, *extra])
    return bases


def check_workers(workers: int) -> None:
    """--workers: worker processes of a national run, 1 to 256."""
    if not 1 <= workers <= 256:
        raise ConfigError(f"--workers={workers}: allowed integer 1 <= x <= 256")


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    return plain_command(PROG, lambda: _main(argv), failures=(WorkerError,))  # a stopped run writes nothing


def _main(argv) -> int:
    args = parser().parse_args(argv)
    check_workers(args.workers)
    cfg = nation_config.load(args.overrides, args.config)
    started = time.monotonic()
    summary = run_nation(
        cfg, compose_bases(cfg), args.out, args.workers, progress=None if args.quiet else stderr_progress
    )
    s, e = summary["start"], summary["end"]
    print(
        f"{PROG}: {summary['schemes']} schemes, {summary['weeks']} weeks in {time.monotonic() - started:.1f} s; "
        f"people supported {s['people_week0']} -> {e['people_supported']}; "
        f"grow/stall/shrink {summary['growth_classes']['grow']}/{summary['growth_classes']['stall']}/"
        f"{summary['growth_classes']['shrink']}; wrote {args.out}"
    )
    return 0


def cli() -> None:
    sys.exit(main())


if __name__ == "__main__":
    cli()
