"""`sinopsis demo-data` and `sinopsis demo`: generate the demo school, and run the whole demo."""

import argparse
import datetime as dt
from pathlib import Path

from station.demo import prepare, run_demo

DEFAULT_DIR = Path("sinopsis-demo")


def register(sub: argparse._SubParsersAction) -> None:
    """Add `demo-data` and `demo`."""
    p = sub.add_parser("demo-data", help="make dev HQ/station keys and a signed assignment for a demo school")
    _common(p)
    p.set_defaults(handler=_demo_data)

    p = sub.add_parser("demo", help="run the demo: import the assignment, check students in, seal records")
    _common(p)
    p.add_argument("--seconds", type=float, default=None,
                   help="stop after N seconds at the latest (without it, a demo with servers runs until Ctrl-C)")
    p.set_defaults(handler=_demo)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dir", type=Path, default=DEFAULT_DIR,
                   help=f"demo folder, deleted and remade on every run (default: ./{DEFAULT_DIR})")
    p.add_argument("--date", type=dt.date.fromisoformat, default=None,
                   help="recording date YYYY-MM-DD (default: today)")


def _demo_data(args: argparse.Namespace) -> int:
    paths = prepare(args.dir, args.date or dt.date.today())
    print(f"demo data written to {paths.root}:")
    print(f"  signed assignment  {paths.assignment}")
    print(f"  walk-in script     {paths.walk_ins}")
    print(f"  station config     {paths.station_config}")
    print(f"  HQ keys (dev only) {paths.hq_keys}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    # The station-only demo has no servers to keep running, so it ends when its steps are done, which is
    # always within --seconds; the agent, broker and HQ (later issues) make it run until Ctrl-C or --seconds.
    date = args.date or dt.date.today()
    status = run_demo(args.dir, date)
    if status != 0:
        return status
    from station.cli.simulate_cmd import receipt_printer, simulated_devices
    from station.config import StationConfig
    from station.simulate import run_simulation, summary

    root = Path(args.dir) / "simulation"
    print(f"\n6. The capture engine, headless, against the simulated camera, scanner and iris camera ({root}):")
    slips = Path(args.dir) / "slips"
    with receipt_printer(slips) as print_receipt:
        runs = run_simulation(root, 6, simulated_devices(StationConfig(), Path(args.dir)), date,
                              print_receipt=print_receipt)
    print("\n".join(summary(runs)))
    print(f"   acknowledgement slips printed on the simulated receipt printer: {slips}/slip-*.png")
    print("   (with NFIQ 2 confirming each finger: sinopsis station simulate --students 12)")
    return 0
