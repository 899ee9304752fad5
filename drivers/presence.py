"""Which of a kit's devices are there now, for the operator's status bar: cheap, non-blocking, and never touching a
device another thread is using.

Nothing here opens a device or calls into a vendor SDK (the SDKs are not thread-safe, and the capture thread may
hold the scanner): a camera, signature pad or printer is present when its device node (or simulator pty) exists;
the Futronic scanner and the IriTech camera talk libusb and have no node, so they are present when their USB
vendor:product id shows in sysfs (drivers/discovery.py). The SDK simulators are built into the package and have no
USB id: they count as present (a scripted unplug shows on the capture screen, which hears it from the engine).
"""

from collections.abc import Callable
from pathlib import Path

from drivers.discovery import SYSFS_USB, USB_KINDS, scan
from drivers.kit import Kit
from drivers.qr_scanner import LineScanner
from native.vendor import SIM_DIR


def _is_simulator(device: object) -> bool:
    """True when `device` is a vendor-SDK object that loaded our simulator library (native/sim/)."""
    path = getattr(device, "lib_path", None)
    return path is not None and Path(path).resolve().parent == SIM_DIR.resolve()


def _camera_present(camera: object) -> bool:
    device = getattr(camera, "device", None)  # V4L2Camera: its /dev/videoN
    if isinstance(device, str):
        return Path(device).exists()
    return not getattr(camera, "_unplugged", False)  # ReplayCamera: the simulator's own plug state


def kit_presence(kit: Kit, sysfs_usb: Path = SYSFS_USB,
                 usb_kinds: dict[str, str] | None = None) -> Callable[[], dict[str, bool]]:
    """A callable giving {device kind: present} for `kit` (kinds: camera, fingerprint, iris, signature_pad,
    qr_scanner, printer). A signature pad set to "touchscreen", a printer set to "none" or QR codes read by the
    camera are not reported: nothing to plug.
    `sysfs_usb` is a parameter so tests can lay out a fake sysfs with real files."""

    def presence() -> dict[str, bool]:
        result = {"camera": _camera_present(kit.camera)}
        usb: set[str] | None = None
        for kind, device in (("fingerprint", kit.finger_scanner), ("iris", kit.iris_camera)):
            if device is None:  # its vendor library did not load (Kit.unavailable): plugged in or not, unusable
                result[kind] = False
                continue
            if _is_simulator(device):
                result[kind] = True
                continue
            if usb is None:
                usb = {d.kind for d in scan(usb_kinds=usb_kinds or USB_KINDS, sysfs_usb=sysfs_usb).values()}
            result[kind] = kind in usb
        if kit.signature_pad is not None:
            result["signature_pad"] = Path(kit.signature_pad.port).exists()
        if isinstance(kit.qr, LineScanner):  # a serial QR scanner (the camera's QR reading has no device of its own)
            result["qr_scanner"] = Path(kit.qr.port).exists()
        if kit.printer is not None:
            result["printer"] = Path(kit.printer.path).exists()
        return result

    return presence
