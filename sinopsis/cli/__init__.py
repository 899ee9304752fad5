"""The `sinopsis` command: one argparse tree, one module per command group, errors printed for people.

Exit codes: 0 done; 1 a check ran and found a problem (integrity, audit, packet); 2 bad input or usage.
"""

import os

# Kivy parses sys.argv on import unless told not to; set this before anything can import Kivy.
os.environ.setdefault("KIVY_NO_ARGS", "1")

import argparse
import importlib
import logging
import sys

from contract.errors import SinopsisError

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


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree (used by main and by the tests that check every command has help)."""
    parser = argparse.ArgumentParser(
        prog="sinopsis",
        description="SINOPSIS: e-KTP recording for students (station, agent, HQ).",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail to stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one `sinopsis` command; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.handler(args) or 0)
    except SinopsisError as e:
        print(f"sinopsis: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
