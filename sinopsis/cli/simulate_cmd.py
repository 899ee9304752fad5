"""`sinopsis station simulate --students N`: full captures headless against the simulated devices.

The application wires drivers/ (camera) and the vendor SDK bindings into the capture engine (sinopsis/kit.py),
which itself only knows the device protocols (station/capture/devices.py).
"""

import argparse
import datetime as dt
import tempfile
from pathlib import Path

from sinopsis.kit import confirm_worker, simulated_devices
from station.config import StationConfig


def register(commands: argparse._SubParsersAction) -> None:
    """Add `station simulate`."""
    p = commands.add_parser("simulate", help="run N full e-KTP captures headless against the simulated devices")
    p.add_argument("--students", type=int, default=6, help="how many students (scenarios cycle: good, retry, "
                   "exception, below_threshold, good, walk_out)")
    p.add_argument("--dir", type=Path, default=None, help="simulation folder (default: a new temporary folder)")
    p.add_argument("--date", type=dt.date.fromisoformat, default=None, help="recording date (default: today)")
    p.add_argument("--no-confirm", action="store_true", help="skip the NFIQ 2 confirm step (faster; live scores)")
    p.set_defaults(handler=_simulate)


def _simulate(args: argparse.Namespace) -> int:
    from contract.errors import SinopsisError
    from sinopsis.simulate import run_simulation, summary

    if not 1 <= args.students <= 500:
        raise SinopsisError(f"--students must be 1..500 (got {args.students})", "usage")
    with tempfile.TemporaryDirectory(prefix="sinopsis-simulate-") as tmp, confirm_worker(args.no_confirm) as worker:
        root = args.dir or Path(tmp) / "station"
        print(f"Simulating {args.students} students in {root} (simulated camera, scanner and iris camera; "
              f"{'NFIQ 2 confirms fingers' if worker else 'live finger scores, no NFIQ 2'}):")
        runs = run_simulation(root, args.students, simulated_devices(StationConfig(), Path(tmp)),
                              args.date or dt.date.today(), confirm=worker)
        print()
        print("\n".join(summary(runs)))
    return 0
