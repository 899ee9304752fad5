"""`sinopsis station simulate --students N`: full captures headless against the simulated devices; with `--day`,
a simulated field day on the real kiosk screens (sinopsis/field_day.py), its time from the model in
sinopsis/field_day_model.py.

The application wires drivers/ (camera) and the vendor SDK bindings into the capture engine (sinopsis/kit.py),
which itself only knows the device protocols (station/capture/devices.py).
"""

import argparse
import datetime as dt
import json
import tempfile
from pathlib import Path

from sinopsis.cli.common import number
from station.config import StationConfig


def register(commands: argparse._SubParsersAction) -> None:
    """Add `station simulate`."""
    p = commands.add_parser("simulate", help="run N full e-KTP captures headless against the simulated devices")
    p.add_argument("--students", type=int, default=None, help="how many students (default 6; scenarios cycle: "
                   "good, retry, exception, below_threshold, good, walk_out; with --day 20 simulated people)")
    p.add_argument("--day", action="store_true", help="a simulated field day: people check in and are captured "
                   "through the real kiosk screens offscreen by touches; prints students_per_day, touches per "
                   "student, dead_ends and one student's timeline (docs/operations.md, 'A simulated field day')")
    p.add_argument("--seed", type=number(0, 2**32 - 1, whole=True),
                   default=20, help="--day: the seed of the people and their retries")
    p.add_argument("--json", action="store_true", help="--day: print the figures as JSON")
    p.add_argument("--window", type=_size, default=(1280, 800), metavar="WxH",
                   help="--day: the kiosk's window (default 1280x800, the kit's 10\" panel; 800x480 the small layout)")
    p.add_argument("--dir", type=Path, default=None, help="simulation folder (default: a new temporary folder)")
    p.add_argument("--date", type=dt.date.fromisoformat, default=None, help="recording date (default: today)")
    p.add_argument("--no-confirm", action="store_true", help="skip the NFIQ 2 confirm step (faster; live scores)")
    p.set_defaults(handler=_simulate)


def _simulate(args: argparse.Namespace) -> int:
    from contract.errors import SinopsisError
    from sinopsis.simulate import run_simulation, summary

    if args.day:
        return _day(args)
    if args.json:
        raise SinopsisError("--json goes with --day (the headless simulation prints a table)", "usage")
    args.students = 6 if args.students is None else args.students
    if not 1 <= args.students <= 500:
        raise SinopsisError(f"--students must be 1..500 (got {args.students})", "usage")
    from sinopsis.kit import confirm_worker, simulated_devices  # the kit's drivers (numpy, OpenCV) only when run

    with tempfile.TemporaryDirectory(prefix="sinopsis-simulate-") as tmp, confirm_worker(args.no_confirm) as worker:
        root = args.dir or Path(tmp) / "station"
        print(f"Simulating {args.students} students in {root} (simulated camera, scanner and iris camera; "
              f"{'NFIQ 2 confirms fingers' if worker else 'live finger scores, no NFIQ 2'}):")
        runs = run_simulation(root, args.students, simulated_devices(StationConfig(), Path(tmp)),
                              args.date or dt.date.today(), confirm=worker)
        print()
        print("\n".join(summary(runs)))
    return 0


def _size(text: str) -> tuple[int, int]:
    """"1280x800" → (1280, 800), within what the kiosk lays out (640x400 .. 3840x2160)."""
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give the window as WIDTHxHEIGHT, e.g. 1280x800") from None
    if not (640 <= width <= 3840 and 400 <= height <= 2160):
        raise argparse.ArgumentTypeError(f"{text}: the window must be 640x400 .. 3840x2160")
    return width, height


DAY_MAX_STUDENTS = 200  # a day is ~150–300 students; more only costs time


def _day(args: argparse.Namespace) -> int:
    """The simulated field day: the kiosk offscreen (before Kivy is imported), then the day."""
    from contract.errors import SinopsisError

    students = 20 if args.students is None else args.students
    if not 1 <= students <= DAY_MAX_STUDENTS:
        raise SinopsisError(f"--students must be 1..{DAY_MAX_STUDENTS} with --day (got {students})", "usage")
    from sinopsis.demo_kiosk import TOUR_FPS, offscreen

    offscreen(*args.window, maxfps=TOUR_FPS)
    from sinopsis.field_day import run_day
    from sinopsis.field_day_report import lines

    with tempfile.TemporaryDirectory(prefix="sinopsis-field-day-") as tmp:
        root = args.dir or Path(tmp) / "station"
        say = (lambda _line: None) if args.json else (lambda line: print(line, flush=True))
        say(f"A simulated field day: {students} people (seed {args.seed}) through the kiosk in {root}:")
        summary = run_day(root, students, args.seed, args.date or dt.date.today(), say,
                          confirm=not args.no_confirm, size=args.window).summary()
    if args.json:
        print(json.dumps(summary, indent=1, ensure_ascii=False))
    else:
        print()
        print("\n".join(lines(summary)))
    return 0
