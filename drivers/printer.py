"""The receipt printer: ESC/POS bytes to a serial port (USB-serial / Bluetooth SPP) or a USB printer-class
device file (/dev/usb/lp0). The caller keeps the slip's bytes, so a slip cut short by an unplug is reprinted."""

import os
import stat
from pathlib import Path

import serial

from drivers.base import DeviceError, DeviceNotFoundError


class ReceiptPrinter:
    """Opens the port per slip (printers sleep and reconnect), writes it whole, reports failures clearly."""

    def __init__(self, path: str, baudrate: int = 19200) -> None:
        self.path, self.baudrate = path, baudrate

    def print_slip(self, data: bytes) -> None:
        """Send one slip; DeviceNotFoundError if the printer is not there, DeviceError(disconnected) if it went
        away while printing (print the same bytes again when it is back)."""
        path = Path(self.path)
        if not path.exists():
            raise DeviceNotFoundError("no receipt printer at this path; check the USB cable and the printer path in "
                                      "station.toml", device=self.path)
        try:
            if stat.S_ISCHR(path.stat().st_mode) and not self.path.startswith("/dev/usb/lp"):
                with serial.Serial(self.path, self.baudrate, timeout=2, write_timeout=5) as port:
                    port.write(data)
                    port.flush()
            else:
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
                try:
                    view = memoryview(data)
                    while view:
                        view = view[os.write(fd, view):]
                finally:
                    os.close(fd)
        except (serial.SerialException, OSError) as exc:
            raise DeviceError(f"the printer stopped while printing ({exc}); print the slip again",
                              device=self.path, code="write_failed", disconnected=True) from exc
