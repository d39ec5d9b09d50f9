"""The ``slsim-dashboard`` command: serve the dashboard (:mod:`slsim.experiments.dashboard`).

    slsim-dashboard                       # http://localhost:8765/
    slsim-dashboard --host 0.0.0.0 --port 9000

It prints the address, then becomes ``solara run`` on the dashboard's module
(production mode: no reloader; no version check; Solara's usage telemetry off unless
set in the environment). Ctrl-C stops it. A bad option prints one line and exits with code 2.
"""

import argparse
import os
import sys

DASHBOARD_MODULE = "slsim.experiments.dashboard"
EXIT_BAD_INPUT = 2


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="slsim-dashboard",
        description="Serve a dashboard to explore one Shared Lives scheme week by week (Mesa's SolaraViz): "
        "parameters, levers and a shock as inputs (checked as for slsim), live plots of people supported, "
        "the carer pipeline and staff hours. Open the printed address in a browser; Ctrl-C stops.",
    )
    p.add_argument("--host", default="localhost", help="address to listen on (default: localhost)")
    p.add_argument("--port", default=8765, type=port_number, help="port to listen on, 1-65535 (default: 8765)")

    def error(message):
        print(f"slsim-dashboard: error: {message} (slsim-dashboard --help)", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)

    p.error = error  # argparse would print its usage (several lines)
    return p


def port_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r}: allowed an integer 1 <= x <= 65535")
    return value


def solara_command(host: str, port: int) -> list:
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        DASHBOARD_MODULE,
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",  # (it asks a package index, and waits for the answer, before serving)
        "--log-level",
        "warning",
    ]


def url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def main(argv=None) -> None:
    args = parser().parse_args(sys.argv[1:] if argv is None else argv)
    if not args.host or any(c.isspace() for c in args.host):
        parser().error(f"--host {args.host!r}: allowed a host name or address")
    print(f"slsim-dashboard: serving {url(args.host, args.port)} (Ctrl-C stops)", flush=True)
    env = dict(os.environ)
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")  # no usage reports leave the machine
    command = solara_command(args.host, args.port)
    os.execve(command[0], command, env)  # the server is this process: Ctrl-C and signals reach it


if __name__ == "__main__":
    main()
