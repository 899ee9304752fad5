"""A recording kit's devices, built from plain settings: the real backend or its simulator, per device.

The station's `[devices]` config section maps onto `KitSettings` (the composition root does that: drivers/ never
imports station/). "sim" picks the simulator with exactly the real driver's surface — a replay camera showing a
synthetic student, the vendor SDK simulators, a Topaz signature pad, QR scanner and printer on pseudo-terminals — so
the demo and the tests run the same driver code a kit does. Objects are built, not opened.

A vendor SDK that cannot be loaded (not installed, a wrong file, a major version the binding does not support) makes
its device unavailable instead of stopping the kit: the kiosk must still start in the school hall, where students
check in and the other captures go on, and the operator is told (status bar; the capture says the device is not
available and offers the exception). `Kit.unavailable` keeps each such device's reason for the log. A kiosk that
stopped at start would be restarted by systemd over and over, a black screen for the team.
"""

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from drivers.camera import ReplayCamera, V4L2Camera
from drivers.fingerprint import open_scanner
from drivers.iris import open_iris_camera
from drivers.printer import ReceiptPrinter
from drivers.qr_scanner import LineScanner, QrReader
from native.vendor import VendorLibraryError

SIM = "sim"


@dataclass(frozen=True)
class KitSettings:
    fingerprint_sdk: str = SIM
    iris_sdk: str = SIM
    camera: str = SIM
    camera_width: int = 1280
    camera_height: int = 720
    camera_fps: int = 30
    camera_format: str = "MJPG"
    signature_pad: str = SIM  # or "touchscreen", or the serial port of a Topaz pad
    qr_scanner: str = "camera"  # or "sim", or a serial port
    printer: str = SIM  # or "none", or a port / device file
    slips_dir: Path | None = None  # where the simulated printer renders slips
    signature_pad_model: str = "SigLite1X5"  # drivers.signature_pad.TOPAZ_MODELS
    signature_pad_quiet_s: float = 2.0


@dataclass
class Kit:
    camera: object
    finger_scanner: object
    iris_camera: object
    signature_pad: object | None
    qr: object  # QrReader (camera) or LineScanner
    printer: ReceiptPrinter | None
    simulators: list = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)  # "fingerprint" / "iris" → why its SDK did not load

    def close(self) -> None:
        """Stop the simulators (the devices themselves are closed by whoever opened them)."""
        for sim in self.simulators:
            with contextlib.suppress(Exception):
                (getattr(sim, "close", None) or sim.unplug)()


def _vendor_device(kind: str, make: Callable[[], object], unavailable: dict[str, str]) -> object | None:
    """`make()`, or None with the reason in `unavailable[kind]` when its vendor library cannot be loaded."""
    try:
        return make()
    except VendorLibraryError as e:
        unavailable[kind] = str(e)
        return None


def build_kit(settings: KitSettings) -> Kit:
    """The kit's device objects (the scanner and iris camera None, with the reason in `unavailable`, when their
    vendor library cannot be loaded); ValueError names a wrong setting."""
    from drivers.printer_sim import SimulatedPrinter
    from drivers.qr_scanner_sim import SimulatedScanner
    from drivers.signature_pad import TopazPad
    from drivers.signature_pad_sim import SimulatedPad, signature_script
    from native import samples

    sims: list = []
    if settings.camera == SIM:
        # The synthetic portrait at its own 640x480: scaled up to the configured mode the face is too soft to pass.
        camera = ReplayCamera([samples.portrait("red")],
                              fps=settings.camera_fps, noise=1, device_id="camera (simulated)")
    else:
        camera = V4L2Camera(settings.camera, settings.camera_width, settings.camera_height, settings.camera_fps,
                            settings.camera_format)
    pad = None
    if settings.signature_pad == SIM:
        model = settings.signature_pad_model
        sims.append(SimulatedPad(signature_script(model=model), model=model))
        pad = TopazPad(sims[-1].path, model=model, quiet_s=settings.signature_pad_quiet_s,
                       usb_serial=sims[-1].usb_serial)
    elif settings.signature_pad != "touchscreen":  # a Topaz serial pad at its model's speed, 8O1
        pad = TopazPad(settings.signature_pad, model=settings.signature_pad_model,
                       quiet_s=settings.signature_pad_quiet_s)
    if settings.qr_scanner == "camera":
        qr: object = QrReader()
    else:
        if settings.qr_scanner == SIM:
            sims.append(SimulatedScanner())
        qr = LineScanner(sims[-1].path if settings.qr_scanner == SIM else settings.qr_scanner)
    printer = None
    if settings.printer == SIM:
        sims.append(SimulatedPrinter(settings.slips_dir))
        printer = ReceiptPrinter(sims[-1].path)
    elif settings.printer != "none":
        printer = ReceiptPrinter(settings.printer)
    unavailable: dict[str, str] = {}
    scanner = _vendor_device("fingerprint", lambda: open_scanner(settings.fingerprint_sdk), unavailable)
    iris = _vendor_device("iris", lambda: open_iris_camera(settings.iris_sdk), unavailable)
    return Kit(camera, scanner, iris, pad, qr, printer, sims, unavailable)
