"""Signature pad: a Topaz serial pad (SigLite / SignatureGem, "BSB" models) read through pyserial, and the strokes
format the station stores.

Topaz's binary serial protocol (docs/devices.md gives the sources of each fact): the pad sits behind an FTDI FT232R
USB-serial bridge (VID 0x0403, PID 0x6001, /dev/ttyUSB0 or udev's /dev/sinopsis/signature-pad) and, once the line
is opened at the model's speed with 8 data bits, odd parity and 1 stop bit (19200 8O1 for the SigLite 1x5), it
streams 5-byte reports while the pen is in proximity. Nothing has to be sent to it first.

    byte 0   1 p 0 t t t 0 d   bit 7 set: the start of a report (sync); p pen in proximity; ttt report type
                               (0, 1, 4 a pen report; 2 device info, 3 command reply, 7 pressure: not pen reports);
                               d pen touching
    byte 1   0 x6 … x0         X, low 7 bits        byte 2   0 0 0 x11 … x7   X, high 5 bits
    byte 3   0 y6 … y0         Y, low 7 bits        byte 4   0 0 0 y11 … y7   Y, high 5 bits

X and Y are 12-bit raw digitiser coordinates (about 410 per inch, Y growing downwards); only part of 0..4095 is
the signing area, per model (`TopazModel`), and the stored points are in that area's coordinates (0..width,
0..height). Only bytes 0 have bit 7 set, so `TopazDecoder` resynchronises on it: stray bytes, a report cut short
by the next sync byte, a report with bits 6-5 set in byte 2 or 4, and the all-ones X = Y = 4095 noise report are
skipped and counted in `rejected`, never costing a good report. A stroke is a run of reports with the touch bit
set; these pads have no pressure levels (touching is pressure 1). A pad without buttons cannot say "done", so
`TopazPad.capture` ends when the operator presses OK on the kiosk (`finish()`), or once the pen has been out of
proximity (no report with the proximity or touch bit) for `quiet_s` after at least one stroke; it ends empty
(None) on the operator's Stop or the timeout. A pad that disappears (read error) raises
DeviceError(disconnected=True); the strokes so far stay in `strokes`. The kiosk's touchscreen is the fallback
surface: `strokes_json(points_to_strokes(points))` turns its touch points into the same format.
"""

import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import serial
from serial.tools import list_ports

from drivers.base import DeviceError, DeviceNotFoundError

FORMAT = "strokes/1"
REPORT_SIZE = 5
SYNC = 0x80  # byte 0 of a report, and no other byte, has bit 7 set
NEAR = 0x40  # byte 0: the pen is in proximity
TOUCH = 0x01  # byte 0: the pen touches the surface
PEN_REPORT_TYPES = (0, 1, 4)  # (byte 0 >> 2) & 7 of a pen report
NOISE = 0x0FFF  # X = Y = 4095: not a pen position
FTDI_FT232R = (0x0403, 0x6001)  # the USB-serial bridge inside Topaz serial ("BSB") pads


def strokes_json(strokes: Sequence[Sequence[tuple[float, float, float]]]) -> bytes:
    """The stored signature: {"format": "strokes/1", "strokes": [[[x, y, pressure], ...], ...]} as UTF-8 JSON.
    Empty strokes are dropped; pressure is clamped to 0..1. Used for the pad and for the touchscreen."""
    clean = [[[round(float(x), 1), round(float(y), 1), round(min(1.0, max(0.0, float(p))), 3)] for x, y, p in s]
             for s in strokes if len(s)]
    return json.dumps({"format": FORMAT, "strokes": clean}, separators=(",", ":")).encode()


def points_to_strokes(points: Iterable[tuple[float, float, bool]]) -> list[list[tuple[float, float, float]]]:
    """Touchscreen fallback: (x, y, touching) samples → strokes (pressure 0.5: a screen has none)."""
    strokes: list[list[tuple[float, float, float]]] = []
    pen_was_down = False
    for x, y, touching in points:
        if touching and not pen_was_down:
            strokes.append([])
        if touching:
            strokes[-1].append((x, y, 0.5))
        pen_was_down = touching
    return strokes


# -- Topaz --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TopazModel:
    """A Topaz serial pad model: the line speed and the raw coordinates of its signing area (x_start..x_stop,
    y_start..y_stop), which the stored points are relative to."""

    name: str
    baudrate: int
    x_start: int
    x_stop: int
    y_start: int
    y_stop: int
    dpi: int = 410

    @property
    def width(self) -> int:
        return self.x_stop - self.x_start

    @property
    def height(self) -> int:
        return self.y_stop - self.y_start

    def area_point(self, raw_x: int, raw_y: int) -> tuple[int, int]:
        """A raw digitiser point in signing-area coordinates (origin top left), clamped to the area as Topaz's
        own software does: the pen can be sensed a little past the printed box."""
        return (min(self.width, max(0, raw_x - self.x_start)), min(self.height, max(0, raw_y - self.y_start)))


# The 8O1 ("format 0") models; the SignatureGem LCD 1x5 frames its reports in 7 data bits and is not supported.
TOPAZ_MODELS = {m.name: m for m in (
    TopazModel("SigLite1X5", 19200, 500, 2650, 700, 2100),  # T-LBK462-BSB-R
    TopazModel("SignatureGem1X5", 19200, 400, 2400, 350, 950),
    TopazModel("SignatureGem4X5", 19200, 500, 2650, 700, 2100),
    TopazModel("SigLiteLCD1X5", 19200, 400, 2400, 350, 1050),
    TopazModel("SigLiteLCD4X5", 38400, 500, 2600, 500, 2100),
    TopazModel("ClipGem", 9600, 485, 2800, 170, 3200, dpi=275),
    TopazModel("SigGemColor57", 115200, 300, 2370, 350, 1950),
)}
DEFAULT_MODEL = "SigLite1X5"


@dataclass(frozen=True)
class TopazReport:
    """One decoded pen report: raw 12-bit X and Y, and the status bits."""

    x: int
    y: int
    near: bool  # the pen is in proximity (hovering or touching)
    touching: bool


class TopazDecoder:
    """Topaz's 5-byte reports out of a byte stream split anywhere, resynchronising on the sync bit.

    `rejected` counts what was skipped: each run of stray bytes outside a report, each report cut short by the
    next sync byte, each report with bits 6-5 set in byte 2 or 4 (coordinates are 12 bits), and each all-ones
    noise report. Valid reports that are not pen reports (device info, command replies, pressure) are ignored
    without being counted. A good report is never lost to the damage before it: its sync byte starts afresh."""

    def __init__(self) -> None:
        self.rejected = 0
        self._packet = bytearray()
        self._stray = False  # inside a run of stray bytes (counted once)

    def reset(self) -> None:
        """Forget a report in progress (what was read before a capture started)."""
        self._packet.clear()
        self._stray = False

    def feed(self, data: bytes) -> list[TopazReport]:
        """The pen reports completed by `data`, in order."""
        reports = []
        for byte in data:
            if byte & SYNC:
                if self._packet:  # the previous report was cut short
                    self.rejected += 1
                self._packet[:] = bytes((byte,))
                self._stray = False
            elif not self._packet:
                if not self._stray:
                    self.rejected += 1
                    self._stray = True
            else:
                self._packet.append(byte)
                if len(self._packet) == REPORT_SIZE:
                    report = self._decode(bytes(self._packet))
                    self._packet.clear()
                    if report is not None:
                        reports.append(report)
        return reports

    def _decode(self, packet: bytes) -> TopazReport | None:
        status, x_low, x_high, y_low, y_high = packet
        if (x_high | y_high) & 0x60:  # bits 7-5 of the high bytes must be clear (bit 7 is, or it was a sync)
            self.rejected += 1
            return None
        x, y = (x_high << 7) | x_low, (y_high << 7) | y_low
        if x == NOISE and y == NOISE:
            self.rejected += 1
            return None
        if (status >> 2) & 7 not in PEN_REPORT_TYPES:
            return None
        return TopazReport(x, y, bool(status & NEAR), bool(status & TOUCH))


def usb_serial_number(port: str) -> str:
    """The USB serial number of the bridge behind `port` (a udev link is followed), "" if it has none (a pty)."""
    real = os.path.realpath(port)
    for info in list_ports.comports():
        if os.path.realpath(info.device) == real:
            return info.serial_number or ""
    return ""


@dataclass
class TopazPad:
    """A Topaz serial pad on `port` (e.g. /dev/sinopsis/signature-pad → /dev/ttyUSB0).

    `model` names its line speed and signing area (TOPAZ_MODELS); `baudrate` overrides the model's speed (the line
    is always 8 data bits, odd parity, 1 stop bit). `quiet_s` is how long the pen must stay out of proximity
    after a stroke for the signature to count as finished. `usb_serial` is the bridge's USB serial number, looked
    up when the port opens if not given; it names the device in the record."""

    port: str
    model: str = DEFAULT_MODEL
    baudrate: int | None = None
    quiet_s: float = 2.0
    usb_serial: str = ""
    strokes: list[list[tuple[int, int, float]]] = field(default_factory=list)
    _decoder: TopazDecoder = field(default_factory=TopazDecoder, repr=False)
    _finish: threading.Event = field(default_factory=threading.Event, repr=False)
    _serial: serial.Serial | None = field(default=None, repr=False)
    _pen_down: bool = False

    def __post_init__(self) -> None:
        if self.model not in TOPAZ_MODELS:
            raise ValueError(f"unknown Topaz pad model {self.model!r}: one of {', '.join(TOPAZ_MODELS)}")
        if self.baudrate is None:
            self.baudrate = TOPAZ_MODELS[self.model].baudrate
        elif self.baudrate not in serial.Serial.BAUDRATES:
            raise ValueError(f"signature pad baud rate {self.baudrate} is not a serial line speed")
        if not self.quiet_s > 0:
            raise ValueError("the signature pad's quiet time must be positive")

    @property
    def rejected(self) -> int:
        """Damaged or stray bytes skipped so far (see TopazDecoder)."""
        return self._decoder.rejected

    @property
    def device_id(self) -> str:
        """What the record stores as the device: "Topaz <model> <USB serial number>"."""
        return f"Topaz {self.model} {self.usb_serial}".strip()

    def open(self) -> None:
        """Open the line at the model's speed, 8O1; DeviceNotFoundError if the port cannot be opened."""
        try:
            self._serial = serial.Serial(self.port, self.baudrate, bytesize=serial.EIGHTBITS,
                                         parity=serial.PARITY_ODD, stopbits=serial.STOPBITS_ONE, timeout=0.05)
        except (serial.SerialException, OSError) as exc:
            raise DeviceNotFoundError(f"cannot open the signature pad ({exc}); check the USB cable and the port "
                                      "in station.toml", device=self.port) from exc
        if not self.usb_serial:
            self.usb_serial = usb_serial_number(self.port)

    def close(self) -> None:
        if self._serial is not None:
            self._serial.close()
            self._serial = None

    def __enter__(self) -> "TopazPad":
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def finish(self) -> None:
        """The operator's OK: the capture under way returns the strokes so far (thread-safe: called from the UI
        while `capture` runs on the capture thread)."""
        self._finish.set()

    def poll(self) -> list[TopazReport]:
        """Read what arrived (waits at most the port timeout) and return the pen reports, in order."""
        if self._serial is None:
            raise DeviceError("signature pad is not open", device=self.port, code="not_open")
        try:
            chunk = self._serial.read(256)
        except (serial.SerialException, OSError) as exc:
            raise DeviceError(f"pad unplugged ({exc}); the strokes so far are kept", device=self.port,
                              code="read_failed", disconnected=True) from exc
        return self._decoder.feed(chunk)

    def _apply(self, report: TopazReport) -> None:
        if not report.touching:
            self._pen_down = False
            return
        if not self._pen_down:
            self.strokes.append([])
            self._pen_down = True
        x, y = TOPAZ_MODELS[self.model].area_point(report.x, report.y)
        self.strokes[-1].append((x, y, 1.0))

    def capture(self, timeout_s: float = 60.0, should_stop: Callable[[], bool] | None = None) -> bytes | None:
        """Collect strokes until the operator's OK (`finish()`) or until the pen has been out of proximity for
        `quiet_s` after at least one stroke: the strokes JSON (None if nothing was signed). None when
        `should_stop()` turns true (the operator's Stop, checked between reads) or after `timeout_s`. What the pad
        sent before the capture started is discarded: it is not this signature."""
        if self._serial is None:
            raise DeviceError("signature pad is not open", device=self.port, code="not_open")
        self.strokes.clear()
        self._pen_down = False
        self._finish.clear()
        try:
            self._serial.reset_input_buffer()
        except (serial.SerialException, OSError) as exc:
            raise DeviceError(f"pad unplugged ({exc})", device=self.port, code="read_failed",
                              disconnected=True) from exc
        self._decoder.reset()
        deadline = time.monotonic() + timeout_s
        last_near = time.monotonic()
        while True:
            if should_stop is not None and should_stop():
                return None
            if self._finish.is_set():
                return strokes_json(self.strokes) if self.strokes else None
            if time.monotonic() >= deadline:
                return None
            for report in self.poll():
                if report.near or report.touching:
                    last_near = time.monotonic()
                self._apply(report)
            if self.strokes and not self._pen_down and time.monotonic() - last_near >= self.quiet_s:
                return strokes_json(self.strokes)

