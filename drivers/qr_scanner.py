"""QR/barcode input: a USB-CDC serial line scanner through pyserial, and QR decoding from camera frames.

A line scanner types each scan as one line ending in CR and/or LF (its factory setting; some add a prefix or
suffix, which `prefix`/`suffix` strip). Partial lines wait for their end; garbage (control bytes, non-text,
over-long lines) is skipped and counted in `rejected`; a read error is DeviceError(disconnected=True).
What the text means (a signed application QR, or not) is for contract/application_qr.py to decide.
"""

import time

import cv2
import numpy as np
import serial

from drivers.base import DeviceError, DeviceNotFoundError

MAX_SCAN = 512


class LineScanner:
    """One serial barcode/QR scanner (e.g. /dev/ttyACM1)."""

    def __init__(self, port: str, baudrate: int = 9600, prefix: str = "", suffix: str = "") -> None:
        self.port, self.baudrate, self.prefix, self.suffix = port, baudrate, prefix, suffix
        self.rejected, self._serial, self._buffer, self._resync = 0, None, b"", False

    def open(self) -> None:
        """Open the port; DeviceNotFoundError saying what to check if it is not there."""
        try:
            self._serial = serial.Serial(self.port, self.baudrate, timeout=0.05)
        except (serial.SerialException, OSError) as exc:
            raise DeviceNotFoundError(f"cannot open the QR scanner ({exc}); check the USB cable and the port in "
                                      "station.toml", device=self.port) from exc

    @property
    def is_open(self) -> bool:
        """Open and reading. A scan that arrives before is lost (opening the port discards what was waiting,
        as pyserial does): the student shows the QR again."""
        return self._serial is not None

    def close(self) -> None:
        if self._serial is not None:
            self._serial.close()
            self._serial = None

    def __enter__(self) -> "LineScanner":
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def read_scan(self, timeout_s: float = 0.5) -> str | None:
        """The next complete scan, or None if none arrived within `timeout_s`."""
        if self._serial is None:
            raise DeviceError("QR scanner is not open", device=self.port, code="not_open")
        deadline = time.monotonic() + timeout_s
        while True:
            scan = self._next_line()
            if scan is not None:
                return scan
            if time.monotonic() >= deadline:
                return None
            try:
                self._buffer += self._serial.read(256)
            except (serial.SerialException, OSError) as exc:
                raise DeviceError(f"QR scanner unplugged ({exc})", device=self.port, code="read_failed",
                                  disconnected=True) from exc
            if len(self._buffer) > MAX_SCAN and not any(c in self._buffer for c in b"\r\n"):
                # a runaway line: drop it, and what follows up to its end, then resynchronise
                self._buffer, self.rejected, self._resync = b"", self.rejected + 1, True

    def _next_line(self) -> str | None:
        while True:
            cut = [i for i in (self._buffer.find(b"\r"), self._buffer.find(b"\n")) if i >= 0]
            if not cut:
                return None
            line, self._buffer = self._buffer[: min(cut)], self._buffer[min(cut) + 1:]
            if self._resync:  # the tail of a runaway line
                self._resync = False
                continue
            if not line:
                continue  # the LF of a CRLF, or an empty scan
            text = _clean(line)
            if text is None:
                self.rejected += 1
                continue
            if self.prefix and text.startswith(self.prefix):
                text = text[len(self.prefix):]
            if self.suffix and text.endswith(self.suffix):
                text = text[: -len(self.suffix)]
            return text


def _clean(line: bytes) -> str | None:
    """Printable UTF-8 text of a scan, or None for garbage."""
    if len(line) > MAX_SCAN:
        return None
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if text.isprintable() else None


class QrReader:
    """QR codes in camera frames (students hold their application QR up to the kiosk camera)."""

    def __init__(self) -> None:
        # OpenCV's ArUco-based detector first: the classic QRCodeDetector misses about one genuine application QR
        # in fifteen (their content is a signature, so the pattern differs per student), which would leave those
        # students unable to check in by camera; the classic one stays as a second opinion for what it misses.
        self._detectors = (cv2.QRCodeDetectorAruco(), cv2.QRCodeDetector())
        self._grey: np.ndarray | None = None

    def decode(self, frame: np.ndarray) -> str | None:
        """The text of a QR code in a BGR or grey uint8 frame, or None if there is none (or it is unreadable)."""
        if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8 or frame.ndim not in (2, 3):
            raise ValueError("expected a uint8 grey or BGR frame")
        grey = frame
        if frame.ndim == 3:
            if self._grey is None or self._grey.shape != frame.shape[:2]:
                self._grey = np.empty(frame.shape[:2], np.uint8)
            grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY, dst=self._grey)
        for detector in self._detectors:
            text, _points, _ = detector.detectAndDecode(grey)
            if text:
                return text
        return None
