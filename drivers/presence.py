"""Which of a kit's devices are there now, for the operator's status bar: cheap, non-blocking, and never touching a
device another thread is using.

Nothing here opens a device or calls into a vendor SDK (the SDKs are not thread-safe, and the capture thread may
hold the scanner): a camera, signature pad or printer is present when its device node (or simulator pty) exists;
the Futronic scanner and the IriTech camera talk libusb and have no node, so they are present when their USB
vendor:product id shows in sysfs (drivers/discovery.py). The SDK simulators are built into the package and have no
USB id: they count as present (a scripted unplug shows on the capture screen, which hears it from the engine).

Two readers follow the same rules: `kit_presence` for the kiosk, from the kit it built (a vendor device whose
library did not load is missing), and `settings_presence` for the agent, from the kit's settings alone (the kiosk
owns the devices; a vendor scanner counts only when its library is on disk too, since the kiosk cannot use it
otherwise).
"""

from collections.abc import Callable, Mapping
from pathlib import Path

from drivers.discovery import SYSFS_USB, USB_KINDS, scan
from drivers.kit import SIM, Kit
from drivers.qr_scanner import LineScanner
from native.vendor import SIM_DIR

# What each kind is called in logs and the command line's messages (the screens have their own, translated).
DEVICE_NAMES = {"camera": "camera", "fingerprint": "fingerprint scanner", "iris": "iris camera",
                "signature_pad": "signature pad", "qr_scanner": "QR scanner", "printer": "receipt printer"}
NOTHING_TO_PLUG = ("touchscreen", "none", "camera")  # a pad on the screen, no printer, QR codes by the camera


def _plugged_usb(sysfs_usb: Path, usb_kinds: dict[str, str] | None) -> set[str]:
    """The kinds of vendor device on USB now (by vendor:product id in sysfs)."""
    return {d.kind for d in scan(usb_kinds=usb_kinds or USB_KINDS, sysfs_usb=sysfs_usb).values()}


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
            usb = usb if usb is not None else _plugged_usb(sysfs_usb, usb_kinds)
            result[kind] = kind in usb
        if kit.signature_pad is not None:
            result["signature_pad"] = Path(kit.signature_pad.port).exists()
        if isinstance(kit.qr, LineScanner):  # a serial QR scanner (the camera's QR reading has no device of its own)
            result["qr_scanner"] = Path(kit.qr.port).exists()
        if kit.printer is not None:
            result["printer"] = Path(kit.printer.path).exists()
        return result

    return presence


def settings_presence(paths: Mapping[str, str], sdks: Mapping[str, str], sysfs_usb: Path = SYSFS_USB,
                      usb_kinds: dict[str, str] | None = None) -> Callable[[], dict[str, bool]]:
    """A callable giving {device kind: present} from the kit's settings alone, opening nothing: `paths` maps a kind
    (camera, signature_pad, qr_scanner, printer) to its device path, "sim" or a value in NOTHING_TO_PLUG (not
    reported); `sdks` maps fingerprint / iris to the vendor library's path or "sim". A vendor scanner is present
    when it is on USB and its library is a file."""

    def presence() -> dict[str, bool]:
        result = {kind: value == SIM or Path(value).exists() for kind, value in paths.items()
                  if value not in NOTHING_TO_PLUG}
        usb: set[str] | None = None
        for kind, sdk in sdks.items():
            if sdk == SIM:
                result[kind] = True
                continue
            usb = usb if usb is not None else _plugged_usb(sysfs_usb, usb_kinds)
            result[kind] = kind in usb and Path(sdk).is_file()
        return result

    return presence
