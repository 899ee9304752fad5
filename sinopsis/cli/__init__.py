"""The `sinopsis` command: one argparse tree, one module per command group, errors printed for people.

Exit codes: 0 done; 1 a check ran and found a problem (integrity, audit, packet); 2 bad input or usage; 130 stopped
by Ctrl-C, 143 by SIGTERM, 129 by SIGHUP (the same clean stop: sinopsis/signals.py).

Every command runs with umask 0077 (files and folders it makes are its user's only, issue 19 point 7; the files
with personal data are also made 0600 explicitly, contract/durable.py) and stops on SIGTERM and SIGHUP as on
Ctrl-C, children included.
"""

import os

# Kivy parses sys.argv on import unless told not to; set this before anything can import Kivy. Its log records go
# through Python's logging, which the command sets up (below): with Kivy's own console handler as well, every line
# reached the kit's journal twice, the second copy in terminal colours.
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")

import argparse
import importlib
import logging
import signal
import sys

from contract.errors import SinopsisError
from sinopsis.signals import stop_on_signals

PRIVATE_UMASK = 0o077

# Each module exposes register(subparsers); its handlers take the parsed args and return an exit code.
COMMAND_MODULES = (
    "sinopsis.cli.station_cmd",
    "sinopsis.cli.nik_cmd",
    "sinopsis.cli.packet_cmd",
    "sinopsis.cli.demo_cmd",
    "sinopsis.cli.bench_cmd",
    "sinopsis.cli.quality_cmd",
    "sinopsis.cli.kiosk_cmd",
    "sinopsis.cli.agent_cmd",
    "sinopsis.cli.hq_cmd",
    "sinopsis.cli.provision_cmd",
    "sinopsis.cli.image_cmd",
    "sinopsis.cli.ledger_cmd",
    "sinopsis.cli.soak_cmd",
)
# The top-level commands each module's register() adds (tests/sinopsis/test_cli_station.py checks this against the
# modules): a command imports only its own module. Importing all of them cost every `sinopsis …` process ≈ 0.1 s of
# CPU (the station side's models and check-in, for `sinopsis hq ingest` too), and the kit, the demo and the tests
# start such processes by the hundred.
COMMANDS = {
    "station": "sinopsis.cli.station_cmd", "nik": "sinopsis.cli.nik_cmd", "packet": "sinopsis.cli.packet_cmd",
    "demo-data": "sinopsis.cli.demo_cmd", "demo": "sinopsis.cli.demo_cmd", "bench": "sinopsis.cli.bench_cmd",
    "quality": "sinopsis.cli.quality_cmd", "kiosk": "sinopsis.cli.kiosk_cmd", "agent": "sinopsis.cli.agent_cmd",
    "hq": "sinopsis.cli.hq_cmd", "provision": "sinopsis.cli.provision_cmd", "image": "sinopsis.cli.image_cmd",
    "ledger": "sinopsis.cli.ledger_cmd", "soak": "sinopsis.cli.soak_cmd",
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command tree: every command's (for `sinopsis --help`, an unknown command, and the tests that check
    every command has help), or only `command`'s when it names one (a command's own process)."""
    parser = argparse.ArgumentParser(
        prog="sinopsis",
        description="SINOPSIS: e-KTP recording for students (station, agent, HQ).",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail to stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in [COMMANDS[command]] if command in COMMANDS else COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _command(argv: list[str]) -> str | None:
    """The command `argv` names: its first word that is not an option (the only global option takes no value)."""
    return next((word for word in argv if not word.startswith("-")), None)


def main(argv: list[str] | None = None) -> int:
    """Run one `sinopsis` command; returns the process exit code."""
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(_command(argv)).parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    umask_before = os.umask(PRIVATE_UMASK)
    try:
        with stop_on_signals():
            return int(args.handler(args) or 0)
    except SinopsisError as e:
        print(f"sinopsis: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt as e:
        name = e.args[0] if e.args and e.args[0] in ("SIGTERM", "SIGHUP") else "SIGINT"
        return 128 + signal.Signals[name]
    finally:
        os.umask(umask_before)  # main() also runs inside the tests' process


if __name__ == "__main__":
    sys.exit(main())
