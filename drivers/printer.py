"""The receipt printer: ESC/POS bytes to a serial port (USB-serial / Bluetooth SPP) or a USB printer-class
device file (/dev/usb/lp0). The caller keeps the slip's bytes, so a slip cut short by an unplug is reprinted."""

import errno
import os
import stat
from pathlib import Path

import serial

from drivers.base import DeviceError, DeviceNotFoundError
from drivers.escpos import DLE_EOT, PAPER_END, STATUS_QUERIES, printer_state, status_byte_ok

PAPER_STATUS = DLE_EOT + b"\x04"  # DLE EOT 4: real-time paper roll sensor status


class ReceiptPrinter:
    """Opens the port per slip (printers sleep and reconnect), writes it whole, reports failures clearly.

    A terminal (USB-serial, a pty) is driven through pyserial at `baudrate`; any other character device or file
    (/dev/usb/lp0) gets plain writes. `write_timeout_s` bounds how long a printer that stopped taking data (jam,
    cable pulled, powered off) can hold the caller before it hears so."""

    def __init__(self, path: str, baudrate: int = 19200, write_timeout_s: float = 5.0) -> None:
        if not path:
            raise ValueError("printer path is empty: give a serial port (/dev/ttyUSB0) or /dev/usb/lpN")
        if baudrate not in serial.Serial.BAUDRATES:
            raise ValueError(f"printer baud rate {baudrate} is not a serial rate (9600, 19200, 38400, 115200, ...)")
        if write_timeout_s <= 0:
            raise ValueError("printer write timeout must be positive")
        self.path, self.baudrate, self.write_timeout_s = path, baudrate, write_timeout_s

    def _check_present(self) -> None:
        path = Path(self.path)
        if not path.exists():
            raise DeviceNotFoundError("no receipt printer at this path; check that it is switched on, the USB cable, "
                                      "and the printer path in station.toml", device=self.path)
        if path.is_dir():
            raise DeviceNotFoundError("this path is a folder, not a printer; set the printer path in station.toml "
                                      "to a serial port or /dev/usb/lpN", device=self.path, code="not_a_device")

    def _is_terminal(self) -> bool:
        if not stat.S_ISCHR(Path(self.path).stat().st_mode):
            return False
        fd = os.open(self.path, os.O_WRONLY | os.O_NOCTTY | os.O_NONBLOCK)
        try:
            return os.isatty(fd)
        finally:
            os.close(fd)

    def print_slip(self, data: bytes) -> None:
        """Send one slip (bytes from drivers.receipt). Raises ValueError for an empty slip, DeviceNotFoundError if
        the printer is not there, DeviceError(code="permission") if we may not open it, and
        DeviceError(disconnected=True, code="write_failed") if it stopped while printing: print the same bytes
        again when it is back (they start with ESC @, so the printer resets first)."""
        if not data:
            raise ValueError("nothing to print: the slip is empty")
        self._check_present()
        try:
            terminal = self._is_terminal()
        except PermissionError as exc:
            raise self._permission(exc) from exc
        except FileNotFoundError as exc:
            raise DeviceNotFoundError(f"the printer went away ({exc})", device=self.path) from exc
        except OSError as exc:
            raise DeviceError(f"cannot open the printer ({exc}); check the cable and power", device=self.path,
                              code="open_failed", disconnected=True) from exc
        try:
            if terminal:
                with serial.Serial(self.path, self.baudrate, timeout=2, write_timeout=self.write_timeout_s) as port:
                    port.write(data)
                    port.flush()
            else:
                self._write_file(data)
        except PermissionError as exc:
            raise self._permission(exc) from exc
        except (serial.SerialException, OSError) as exc:
            raise DeviceError(f"the printer stopped while printing ({exc}); print the slip again",
                              device=self.path, code="write_failed", disconnected=True) from exc

    def _write_file(self, data: bytes) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_NOCTTY)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)

    def _permission(self, exc: OSError) -> DeviceError:
        return DeviceError(f"not allowed to open the printer ({exc}); the station user needs the 'lp' (USB printer) "
                           "or 'dialout' (serial) group", device=self.path, code="permission")

    def _ask(self, query: bytes, answers: int, timeout_s: float) -> bytes | None:
        """Send real-time status queries and read their `answers` reply bytes; None when the printer cannot
        answer (a device file). Raises like print_slip."""
        self._check_present()
        try:
            if not self._is_terminal():
                return None
            with serial.Serial(self.path, self.baudrate, timeout=timeout_s, write_timeout=self.write_timeout_s) as port:
                port.reset_input_buffer()
                port.write(query)
                return port.read(answers)
        except (serial.SerialException, OSError) as exc:
            if getattr(exc, "errno", None) == errno.EACCES:
                raise self._permission(exc) from exc
            raise DeviceError(f"no status from the printer ({exc})", device=self.path, code="status_failed",
                              disconnected=True) from exc

    def paper_ok(self, timeout_s: float = 1.0) -> bool | None:
        """Ask a serial printer for its paper sensor (DLE EOT 4): True paper present, False paper out, None when
        the printer cannot answer (a device file, or no reply in `timeout_s`). Raises like print_slip."""
        reply = self._ask(PAPER_STATUS, 1, timeout_s)
        if reply is None or len(reply) != 1 or not status_byte_ok(reply[0]):
            return None
        return not reply[0] & PAPER_END

    def status(self, timeout_s: float = 1.0) -> str:
        """The printer's state, one of drivers.escpos.PRINTER_STATES ("ready", "paper_low", "paper_out",
        "cover_open", "offline", "error"; "unknown" for a device file or a printer that does not answer in
        `timeout_s`), from DLE EOT 1, 2 and 4. Raises like print_slip when it is missing, forbidden or gone."""
        reply = self._ask(STATUS_QUERIES, 3, timeout_s)
        return "unknown" if reply is None else printer_state(reply)
