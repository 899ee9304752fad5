"""Which devices are plugged in, and hotplug events when that changes.

`scan()` lists present devices with stable ids: USB devices by vendor:product and serial number from sysfs (the
Futronic scanner and IriTech camera talk libusb and have no /dev node), serial ports through pyserial's
`list_ports`, cameras (/dev/video*), USB printers (/dev/usb/lp*) and paths named in config (a pty symlink for
a simulator, a by-id path). `HotplugMonitor` turns changes into `DeviceEvent`s: from udev through pyudev where
udev runs, otherwise by polling `scan()` (containers, minimal images, this CI) — the same events either way.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from serial.tools import list_ports

from drivers.base import DeviceEvent

logger = logging.getLogger(__name__)

# USB vendor:product → device kind; pass your own table (scan/HotplugMonitor `usb_kinds`) for other units.
# Futronic's vendor id is 0x1491 (FS80/FS88 report 0x0020; 0x0025 is a guess). IriTech: GUESSES to confirm with
# lsusb on the kit — vendor 0x2808 is unconfirmed; product 0xf001 is what one third-party Android integration
# matches for an attached IriShield, 0x0001 a placeholder.
USB_KINDS = {"1491:0020": "fingerprint", "1491:0025": "fingerprint", "2808:0001": "iris", "2808:f001": "iris"}
SYSFS_USB = Path("/sys/bus/usb/devices")


@dataclass(frozen=True)
class PresentDevice:
    """A device seen by scan(): its stable id, its kind, and its /dev node when it has one."""

    device_id: str
    kind: str
    path: str | None = None


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def _usb_devices(kinds: dict[str, str], root: Path) -> list[PresentDevice]:
    found = []
    for dev in sorted(root.glob("*")):
        vid, pid = _read(dev / "idVendor"), _read(dev / "idProduct")
        kind = kinds.get(f"{vid}:{pid}")
        if kind:
            serial = _read(dev / "serial")
            found.append(PresentDevice(f"usb:{vid}:{pid}:{serial or dev.name}", kind))
    return found


def scan(watch_paths: dict[str, str] | None = None, usb_kinds: dict[str, str] | None = None,
         sysfs_usb: Path = SYSFS_USB, dev: Path = Path("/dev")) -> dict[str, PresentDevice]:
    """Every device present now, by stable id: USB devices in `usb_kinds` (default USB_KINDS) from `sysfs_usb`,
    USB serial ports, `dev`/video* cameras, `dev`/usb/lp* printers, and the `watch_paths` (path → kind) that
    exist. The folders are parameters so tests can lay out a fake /dev and sysfs with real files."""
    kinds = usb_kinds or USB_KINDS
    devices = {d.device_id: d for d in _usb_devices(kinds, sysfs_usb)}
    for port in list_ports.comports():
        if port.vid is not None:
            key = f"{port.vid:04x}:{port.pid:04x}"
            device_id = f"serial:{key}:{port.serial_number or port.location or port.device}"
            devices[device_id] = PresentDevice(device_id, kinds.get(key, "serial"), port.device)
    for folder, pattern, kind in ((dev, "video*", "camera"), (dev / "usb", "lp*", "printer")):
        for node in sorted(folder.glob(pattern)):
            devices[str(node)] = PresentDevice(str(node), kind, str(node))
    for path, kind in (watch_paths or {}).items():
        if Path(path).exists():
            devices[path] = PresentDevice(path, kind, path)
    return devices


def diff(before: dict[str, PresentDevice], after: dict[str, PresentDevice]) -> list[DeviceEvent]:
    """The events that turn `before` into `after` (removals first)."""
    removed = [DeviceEvent("removed", k, before[k].kind, before[k].path) for k in sorted(before.keys() - after)]
    added = [DeviceEvent("added", k, after[k].kind, after[k].path) for k in sorted(after.keys() - before)]
    return removed + added


def udev_running() -> bool:
    """True where a udev daemon answers (pyudev's monitor would get events)."""
    return Path("/run/udev/control").exists()


class HotplugMonitor:
    """Calls `on_event(DeviceEvent)` for every device added or removed, from a background thread."""

    def __init__(self, on_event: Callable[[DeviceEvent], None], watch_paths: dict[str, str] | None = None,
                 interval_s: float = 1.0, use_udev: bool | None = None, **scan_args: object) -> None:
        if interval_s <= 0:
            raise ValueError("hotplug polling interval must be positive")
        self.on_event, self.watch_paths, self.interval_s = on_event, watch_paths or {}, interval_s
        self.use_udev = udev_running() if use_udev is None else use_udev
        self._scan_args = scan_args
        self._stop, self._wake = threading.Event(), threading.Event()
        self.present = scan(self.watch_paths, **scan_args)
        self._thread = threading.Thread(target=self._run, name="hotplug", daemon=True)
        self._observer = None

    def start(self) -> "HotplugMonitor":
        """Start watching (udev monitor thread where udev runs, and our scan thread); returns self."""
        if self.use_udev:
            try:
                self._observer = self._udev_observer()
                self._observer.start()
            except Exception:  # no netlink socket (sandbox, seccomp): polling still sees every change
                logger.warning("udev monitor unavailable; polling every %ss instead", self.interval_s, exc_info=True)
                self.use_udev, self._observer = False, None
        self._thread.start()
        return self

    def _udev_observer(self) -> object:
        import pyudev

        monitor = pyudev.Monitor.from_netlink(pyudev.Context())
        for subsystem in ("tty", "video4linux", "usb", "usbmisc"):
            monitor.filter_by(subsystem)
        return pyudev.MonitorObserver(monitor, callback=lambda _device: self._wake.set(), name="hotplug-udev")

    def _run(self) -> None:
        while not self._stop.is_set():
            # with udev an event wakes us at once; without it (or as a safety net) we poll
            self._wake.wait(self.interval_s)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                now = scan(self.watch_paths, **self._scan_args)
            except Exception:  # e.g. a sysfs entry vanishing mid-read: keep the last picture, try next round
                logger.exception("hotplug scan failed")
                continue
            for event in diff(self.present, now):
                try:
                    self.on_event(event)
                except Exception:  # a broken listener must not stop hotplug
                    logger.exception("hotplug listener failed on %s", event)
            self.present = now

    def stop(self) -> None:
        """Stop watching and join the threads (a listener still running gets up to 5 s to return)."""
        self._stop.set()
        self._wake.set()
        if self._observer is not None:
            self._observer.stop()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
