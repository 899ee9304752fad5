"""Helpers shared by the CLI modules: printing JSON, the --config option, and numbers checked at the command line."""

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from contract.numbers import read_number, wanted


def print_json(data: Any) -> None:
    """Print machine-readable output (one JSON document, UTF-8, stable key order)."""
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, sort_keys=True, default=str)
    sys.stdout.write("\n")


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    """The --config option every station command takes."""
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="station.toml (default: $SINOPSIS_STATION_CONFIG, then /etc/sinopsis/station.toml, "
        "else the embedded defaults)",
    )


def number(low: float, high: float, whole: bool = False) -> Callable[[str], float]:
    """An argparse `type` for a number from `low` to `high` (a whole one when `whole`): text, nan, infinities, other
    scripts' digits and values out of range are refused with the range ("argument --live-seconds: 'inf': give a
    number from 0 to 3600"), never clamped or run with."""

    def parse(text: str) -> float:
        value = read_number(text, low, high, whole)
        if value is None:
            raise argparse.ArgumentTypeError(f"{text!r}: give {wanted(low, high, whole)}")
        return int(value) if whole else value

    return parse


SECONDS = number(0, 7 * 86_400)  # a command's --seconds: up to a week
PORT = number(1, 65_535, whole=True)
DAYS = number(1, 36_500, whole=True)  # a certificate's validity: up to a century
