"""Signature pad: a serial (USB-CDC) pen pad read through pyserial, and the strokes format the station stores.

Line protocol (ASCII, one message per line, LF or CRLF, at most 64 bytes; documented in docs/devices.md):

    pad → station   I <model> <serial> <width> <height> <max_pressure>   identity (on connect and on `?`)
                    D <x> <y> <p>    pen down       M <x> <y> <p>    pen moved       U    pen up
                    B OK | B CLEAR | B CANCEL    a button on the pad        H    heartbeat (ignored)
    station → pad   ?    identity please          C    clear the pad's screen

x, y are 0..width-1 / 0..height-1 and p is 0..max_pressure. Anything else (garbage, a partial line, values
out of range, bytes that are not ASCII, an over-long line) is skipped and counted in `rejected`: the good
strokes are never lost. A pad that disappears (read error) raises DeviceError(disconnected=True); the strokes
so far stay in `strokes`. The kiosk's touchscreen is the fallback surface: `strokes_json` turns its touch points
into the same format.
"""

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import serial

from drivers.base import DeviceError, DeviceNotFoundError

MAX_LINE = 64
FORMAT = "strokes/1"


@dataclass(frozen=True)
class PadIdentity:
    model: str
    serial: str
    width: int
    height: int
    max_pressure: int


@dataclass(frozen=True)
class PenEvent:
    kind: str  # "down", "move" or "up"
    x: int = 0
    y: int = 0
    pressure: float = 0.0  # 0..1


@dataclass(frozen=True)
class ButtonEvent:
    button: str  # "OK", "CLEAR" or "CANCEL"


def strokes_json(strokes: Sequence[Sequence[tuple[float, float, float]]]) -> bytes:
    """The stored signature: {"format": "strokes/1", "strokes": [[[x, y, pressure], ...], ...]} as UTF-8 JSON.
    Empty strokes are dropped; pressure is clamped to 0..1. Used for the pad and for the touchscreen."""
    clean = [[[round(float(x), 1), round(float(y), 1), round(min(1.0, max(0.0, float(p))), 3)] for x, y, p in s]
             for s in strokes if len(s)]
    return json.dumps({"format": FORMAT, "strokes": clean}, separators=(",", ":")).encode()


@dataclass
class SignaturePad:
    """One pad on a serial port (e.g. /dev/ttyACM0)."""

    port: str
    baudrate: int = 115200
    identity: PadIdentity | None = None
    rejected: int = 0
    strokes: list[list[tuple[int, int, float]]] = field(default_factory=list)
    _serial: serial.Serial | None = None
    _buffer: bytes = b""

    @property
    def device_id(self) -> str:
        """Model and serial number once the pad has said who it is (what the record stores as its device)."""
        return f"{self.identity.model} {self.identity.serial}" if self.identity else ""

    def open(self, identify_timeout_s: float = 2.0) -> None:
        """Open the port and ask the pad who it is; DeviceNotFoundError / DeviceError if it is not a pad."""
        try:
            self._serial = serial.Serial(self.port, self.baudrate, timeout=0.05)
        except (serial.SerialException, OSError) as exc:
            raise DeviceNotFoundError(f"cannot open the signature pad ({exc}); check the USB cable and the port "
                                      "in station.toml", device=self.port) from exc
        self._write(b"?\n")
        deadline = time.monotonic() + identify_timeout_s
        while self.identity is None and time.monotonic() < deadline:
            self.poll()
        if self.identity is None:
            self.close()
            raise DeviceError("no identity reply: this port is not a signature pad (or it is not answering)",
                              device=self.port, code="no_identity")

    def close(self) -> None:
        if self._serial is not None:
            self._serial.close()
            self._serial = None

    def __enter__(self) -> "SignaturePad":
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self, data: bytes) -> None:
        try:
            self._serial.write(data)
        except (serial.SerialException, OSError) as exc:
            raise DeviceError(f"pad unplugged ({exc})", device=self.port, code="write_failed",
                              disconnected=True) from exc

    def poll(self) -> list[PenEvent | ButtonEvent]:
        """Read what arrived (waits at most the port timeout) and return the parsed events, in order."""
        if self._serial is None:
            raise DeviceError("signature pad is not open", device=self.port, code="not_open")
        try:
            chunk = self._serial.read(256)
        except (serial.SerialException, OSError) as exc:
            raise DeviceError(f"pad unplugged ({exc}); the strokes so far are kept", device=self.port,
                              code="read_failed", disconnected=True) from exc
        self._buffer += chunk
        events = []
        while b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            event = self._parse(line.rstrip(b"\r"))
            if event is not None:
                events.append(event)
        if len(self._buffer) > MAX_LINE:  # a line that never ends: drop it
            self._buffer, self.rejected = b"", self.rejected + 1
        return events

    def _parse(self, line: bytes) -> PenEvent | ButtonEvent | None:
        try:
            if len(line) > MAX_LINE:
                raise ValueError("too long")
            words = line.decode("ascii").split()
            event = self._event(words)
        except (UnicodeDecodeError, ValueError):
            self.rejected += 1
            return None
        return event

    def _event(self, words: list[str]) -> PenEvent | ButtonEvent | None:
        if not words or words == ["H"]:
            return None
        kind = words[0]
        if kind == "I" and len(words) == 6:
            w, h, p = (int(v) for v in words[3:])
            if min(w, h, p) < 1:
                raise ValueError("bad identity")
            self.identity = PadIdentity(words[1], words[2], w, h, p)
            return None
        if kind == "U" and len(words) == 1:
            return PenEvent("up")
        if kind == "B" and len(words) == 2 and words[1] in ("OK", "CLEAR", "CANCEL"):
            return ButtonEvent(words[1])
        if kind in ("D", "M") and len(words) == 4 and self.identity is not None:
            x, y, p = (int(v) for v in words[1:])
            ident = self.identity
            if not (0 <= x < ident.width and 0 <= y < ident.height and 0 <= p <= ident.max_pressure):
                raise ValueError("out of range")
            return PenEvent("down" if kind == "D" else "move", x, y, p / ident.max_pressure)
        raise ValueError(f"unknown message {words[:1]}")

    def _apply(self, event: PenEvent) -> None:
        if event.kind == "down":
            self.strokes.append([(event.x, event.y, event.pressure)])
        elif event.kind == "move" and self.strokes:
            self.strokes[-1].append((event.x, event.y, event.pressure))

    def capture(self, timeout_s: float = 60.0, should_stop: Callable[[], bool] | None = None) -> bytes | None:
        """Collect strokes until OK (returns the strokes JSON), CANCEL (None); CLEAR starts over. Raises
        DeviceError(code="timeout", retryable=True) if the student does not finish in time. `should_stop` is
        checked between reads (the operator's Stop): it returns None like CANCEL."""
        self.strokes.clear()
        self._write(b"C\n")
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if should_stop is not None and should_stop():
                return None
            for event in self.poll():  # in order: a CLEAR wipes only the strokes before it
                if isinstance(event, PenEvent):
                    self._apply(event)
                elif isinstance(event, ButtonEvent):
                    if event.button == "CLEAR":
                        self.strokes.clear()
                    elif event.button == "CANCEL":
                        return None
                    elif self.strokes:
                        return strokes_json(self.strokes)
        raise DeviceError("no signature confirmed in time", device=self.port, code="timeout", retryable=True)


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
