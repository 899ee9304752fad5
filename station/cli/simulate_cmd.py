"""`sinopsis station simulate --students N`: full captures headless against the simulated devices.

The CLI is the composition root: it is the one place in station/ that wires drivers/ (camera) and the vendor
SDK bindings into the capture engine, which itself only knows the device protocols (station/capture_devices.py).
"""

import argparse
import contextlib
import datetime as dt
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from station.capture_devices import Devices
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


def kit_settings(config: StationConfig, slips_dir: Path | None = None) -> object:
    """drivers.kit.KitSettings from the [devices] section (the kiosk builds its kit this way)."""
    from drivers.kit import KitSettings

    d = config.devices
    return KitSettings(d.fingerprint_sdk, d.iris_sdk, d.camera, d.camera_width, d.camera_height, d.camera_fps,
                       d.camera_format, d.signature_pad, d.qr_scanner, d.printer, slips_dir)


def simulated_devices(config: StationConfig, workdir: Path) -> Callable[[str, str], Devices]:
    """make_devices(scenario, backdrop) for the simulation: the replay camera showing a student on `backdrop`,
    and the [devices] SDK libraries (the simulators by default) with the scenario's script."""
    from drivers.camera import ReplayCamera
    from drivers.fingerprint import open_scanner
    from drivers.iris import open_iris_camera
    from native import samples
    from native.vendor import apply_sim_script
    from station.simulate import SIM_SCRIPTS

    def make_devices(scenario: str, backdrop: str) -> Devices:
        script = SIM_SCRIPTS.get(scenario)
        path = workdir / f"sim-{scenario}.txt"
        if script:
            path.write_text(script)
        apply_sim_script(path if script else config.devices.sim_script)
        camera = ReplayCamera([samples.portrait(backdrop)], fps=30, noise=1, device_id="camera (simulated)")
        return Devices(camera=camera, finger_scanner=open_scanner(config.devices.fingerprint_sdk),
                       iris_camera=open_iris_camera(config.devices.iris_sdk))

    return make_devices


def _simulate(args: argparse.Namespace) -> int:
    from station.errors import SinopsisError
    from station.simulate import run_simulation, summary

    if not 1 <= args.students <= 500:
        raise SinopsisError(f"--students must be 1..500 (got {args.students})", "usage")
    with tempfile.TemporaryDirectory(prefix="sinopsis-simulate-") as tmp, _confirm_worker(args.no_confirm) as worker:
        root = args.dir or Path(tmp) / "station"
        print(f"Simulating {args.students} students in {root} (simulated camera, scanner and iris camera; "
              f"{'NFIQ 2 confirms fingers' if worker else 'live finger scores, no NFIQ 2'}):")
        runs = run_simulation(root, args.students, simulated_devices(StationConfig(), Path(tmp)),
                              args.date or dt.date.today(), confirm=worker)
        print()
        print("\n".join(summary(runs)))
    return 0


@contextlib.contextmanager
def _confirm_worker(skip: bool) -> Iterator[object | None]:
    """NFIQ 2 on its own thread when asked for and installed (nbis-py is x86_64 only), else None."""
    if skip:
        yield None
        return
    from native.confirm import ConfirmError, ConfirmWorker, Nfiq2Scorer

    try:
        Nfiq2Scorer()
    except ConfirmError as exc:
        print(f"(NFIQ 2 unavailable: {exc}; live finger scores only)")
        yield None
        return
    with ConfirmWorker() as worker:
        yield worker


@contextlib.contextmanager
def receipt_printer(slips_dir: Path) -> Iterator[Callable[[dict], None]]:
    """print_receipt(fields) on the simulated ESC/POS printer, rendering each slip to PNG in `slips_dir`."""
    from drivers.printer import ReceiptPrinter
    from drivers.printer_sim import SimulatedPrinter
    from drivers.receipt import Acknowledgement, acknowledgement

    slips_dir.mkdir(parents=True, exist_ok=True)
    printer_sim = SimulatedPrinter(slips_dir)
    printer, printed = ReceiptPrinter(printer_sim.path), 0

    def print_receipt(fields: dict) -> None:
        nonlocal printed
        printer.print_slip(acknowledgement(Acknowledgement(**fields)))
        printed += 1

    try:
        yield print_receipt
        printer_sim.wait_for_slips(printed)
    finally:
        printer_sim.unplug()
