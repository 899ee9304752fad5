"""`sinopsis demo-data` and `sinopsis demo`: generate the demo school, and run the whole demo."""

import argparse
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from sinopsis.cli.common import SECONDS
from sinopsis.demo import prepare, run_demo
from sinopsis.signals import run_child

DEFAULT_DIR = Path("sinopsis-demo")


def register(sub: argparse._SubParsersAction) -> None:
    """Add `demo-data` and `demo`."""
    p = sub.add_parser("demo-data", help="make dev HQ/station keys and a signed assignment for a demo school")
    _common(p)
    p.set_defaults(handler=_demo_data)

    p = sub.add_parser("demo", help="run the demo: import the assignment, check students in, seal records")
    _common(p)
    p.add_argument("--seconds", type=SECONDS, default=None,
                   help="stop the servers (step 8) N seconds after the records reached HQ, or the --kiosk window "
                        "after N seconds (without it, they run until Ctrl-C / the window is closed)")
    p.add_argument("--kiosk", action="store_true",
                   help="after the station steps, open the kiosk in a window on the demo station for you to try "
                        "(needs a display) instead of the offscreen kiosk tour")
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
    # Steps 1-7 end on their own; step 8's servers run until Ctrl-C, or --seconds after the records reached HQ.
    date = args.date or dt.date.today()
    if args.kiosk and not has_display():
        print("sinopsis demo --kiosk opens a window and needs a display, but there is none here (neither DISPLAY "
              "nor WAYLAND_DISPLAY is set). Run it on the kiosk's screen or a desktop, or run `sinopsis demo` "
              "without --kiosk: it drives the kiosk offscreen and saves a screenshot of every step.",
              file=sys.stderr)
        return 2
    status = run_demo(args.dir, date)
    if status != 0:
        return status
    if args.kiosk:
        return _try_the_kiosk(Path(args.dir), args.seconds)
    from sinopsis.kit import receipt_printer, simulated_devices
    from sinopsis.simulate import run_simulation, summary
    from station.config import StationConfig

    root = Path(args.dir) / "simulation"
    print(f"\n6. The capture engine, headless, against the simulated camera, scanner and iris camera ({root}):")
    slips = Path(args.dir) / "slips"
    with receipt_printer(slips) as print_receipt:
        runs = run_simulation(root, 6, simulated_devices(StationConfig(), Path(args.dir)), date,
                              print_receipt=print_receipt)
    print("\n".join(summary(runs)))
    print(f"   acknowledgement slips printed on the simulated receipt printer: {slips}/slip-*.png")
    print("   (with NFIQ 2 confirming each finger: sinopsis station simulate --students 12)")
    status = _kiosk_tour(Path(args.dir))
    if status != 0:
        return status
    from sinopsis.demo_hq import run_servers  # step 8: broker, HQ ingest, dashboard and agent as processes

    return run_servers(Path(args.dir), args.seconds)


def has_display() -> bool:
    """True when a window can be opened: an X or Wayland display, or SDL told to draw offscreen (tests)."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                or os.environ.get("SDL_VIDEODRIVER") == "offscreen")


def _kiosk_tour(root: Path) -> int:
    """Step 7: the kiosk, offscreen, driven by touches (sinopsis/demo_kiosk.py, in its own process: one Kivy window
    per process)."""
    print(f"\n7. The kiosk, offscreen over the demo station with the simulated kit, driven by touches "
          f"(screenshots in {root / 'kiosk'}):", flush=True)
    done = run_child([sys.executable, "-m", "sinopsis.demo_kiosk", str(root)], stderr=subprocess.PIPE,
                     text=True)  # its lines appear as they come; Kivy's log is kept for a failure
    if done.returncode != 0:
        print(f"   the kiosk tour failed:\n{done.stderr[-3000:]}", file=sys.stderr)
        return 1
    print(f"   try it yourself in a window: sinopsis station run --windowed --config "
          f"{root / 'station' / 'station.toml'}   (or: sinopsis demo --kiosk)")
    return 0


def _try_the_kiosk(root: Path, seconds: float | None) -> int:
    """The kiosk in a window on the demo station (operators OP-01 PIN 246810, OP-02 PIN 135790) until it is
    closed, or for `seconds`."""
    from sinopsis.demo_data import TEAM, DemoPaths

    team = ", ".join(f"{o} PIN {pin}" for o, _name, _role, pin in TEAM)
    print(f"\nThe kiosk opens in a window on the demo station ({team}); close the window to end.", flush=True)
    command = [sys.executable, "-m", "sinopsis", "station", "run", "--windowed", "--config",
               str(DemoPaths(root).station_config)]
    if seconds is not None:
        command += ["--seconds", str(seconds)]
    return run_child(command).returncode  # a stop (Ctrl-C, SIGTERM, SIGHUP) closes the kiosk cleanly too
