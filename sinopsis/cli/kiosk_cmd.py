"""`sinopsis kiosk screenshots`: every kiosk screen, both languages, both sizes, as PNG (docs/screenshots/)."""

import argparse
from pathlib import Path

from sinopsis.cli.common import SECONDS, add_config_argument


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `kiosk` command group."""
    kiosk = sub.add_parser("kiosk", help="the touchscreen app")
    commands = kiosk.add_subparsers(dest="kiosk_command", required=True, metavar="COMMAND")
    p = commands.add_parser("screenshots", help="render every screen (id/en, 800x480 and 1280x800) to PNG")
    p.add_argument("--out", type=Path, default=Path("docs/screenshots"), help="folder (default: docs/screenshots)")
    p.set_defaults(handler=_screenshots)


def register_run(commands: argparse._SubParsersAction) -> None:
    """Add `station run` (called by station_cmd): the kiosk on this station's store."""
    p = commands.add_parser("run", help="start the kiosk full-screen on this station (--windowed for a window)")
    add_config_argument(p)
    p.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    p.add_argument("--seconds", type=SECONDS, default=None, help="quit after N seconds (demos, smoke tests)")
    p.add_argument("--role", choices=("all", "checkin", "operator"), default=None,
                   help="which display this is (default: [kiosk] role of station.toml): checkin = the students' "
                        "queue board and check-in, operator = the operator console, all = one display for both")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    run_kiosk(args.config, windowed=args.windowed, seconds=args.seconds, role=args.role)
    return 0


def run_kiosk(config_path: Path | None, windowed: bool = False, seconds: float | None = None,
              slips_dir: Path | None = None, role: str | None = None) -> None:
    """The kiosk of `role` (default [kiosk] role) on the station's store with its kit (sinopsis/kiosk_wiring.py),
    until it is closed or after `seconds`; the recording in progress, the kit's simulators and the worker threads
    are closed after. Two kiosks (check-in and operator) may run on one store at once."""
    import os

    from sinopsis.kiosk_wiring import kiosk_app, release_kiosk, wire_kiosk
    from station.config import load_config
    from station.store import StationStore

    config = load_config(config_path)
    if not windowed:
        os.environ.setdefault("KIVY_WINDOW_FULLSCREEN", "auto")
    from kivy.config import Config

    Config.set("graphics", "fullscreen", "0" if windowed else "auto")
    Config.set("graphics", "width", "1280")
    Config.set("graphics", "height", "800")
    from kivy.clock import Clock

    with StationStore(config.station.data_dir) as store:
        wiring = wire_kiosk(store, config, slips_dir or config.station.data_dir / "slips", role)
        try:
            app = kiosk_app(store, config, wiring)
            if seconds is not None:
                Clock.schedule_once(lambda _dt: app.stop(), seconds)
            try:
                app.run()
            finally:
                release_kiosk(app)
        finally:
            wiring.close()


def _screenshots(args: argparse.Namespace) -> int:
    from sinopsis.screenshots import render_everything

    results = render_everything(args.out)
    wrong = {png: problems for png, problems in results.items() if problems}
    print(f"{len(results) - len(wrong)} of {len(results)} screenshots in {args.out} as claimed, nothing cut off")
    for png, problems in wrong.items():  # a state not shown as its name claims was not saved
        print(f"  {png}: {'; '.join(problems)}")
    return 1 if wrong else 0
