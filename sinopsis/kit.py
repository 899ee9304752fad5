"""The kit as the application builds it from a StationConfig: drivers.kit's settings, the simulated devices of the
headless simulation and demo (the replay camera and the [devices] SDK libraries with a scenario's script), the
NFIQ 2 confirm worker and the simulated receipt printer. Shared by the CLI, the demo and the kiosk's wiring.
"""

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from contract.durable import private_dir
from station.capture.devices import Devices
from station.config import StationConfig


def kit_settings(config: StationConfig, slips_dir: Path | None = None) -> object:
    """drivers.kit.KitSettings from the [devices] section (the kiosk builds its kit this way)."""
    from drivers.kit import KitSettings

    d = config.devices
    return KitSettings(d.fingerprint_sdk, d.iris_sdk, d.camera, d.camera_width, d.camera_height, d.camera_fps,
                       d.camera_format, d.signature_pad, d.qr_scanner, d.printer, slips_dir,
                       signature_pad_model=d.signature_pad_model, signature_pad_quiet_s=d.signature_pad_quiet_s)


def simulated_devices(config: StationConfig, workdir: Path) -> Callable[[str, str], Devices]:
    """make_devices(scenario, backdrop) for the simulation: the replay camera showing a student on `backdrop`,
    and the [devices] SDK libraries (the simulators by default) with the scenario's script."""
    from drivers.camera import ReplayCamera
    from drivers.fingerprint import open_scanner
    from drivers.iris import open_iris_camera
    from native import samples
    from native.vendor import apply_sim_script
    from sinopsis.simulate import SIM_SCRIPTS

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


@contextlib.contextmanager
def confirm_worker(skip: bool) -> Iterator[object | None]:
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

    private_dir(slips_dir)  # the slips name students: owner only
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
