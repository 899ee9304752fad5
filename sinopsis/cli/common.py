"""Helpers shared by the CLI modules: printing JSON and loading the station configuration once."""

import argparse
import json
import sys
from pathlib import Path
from typing import Any


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
