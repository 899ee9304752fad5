"""A simulated Topaz serial signature pad on a pseudo-terminal, opened by a stable name like a kit's
/dev/sinopsis/signature-pad.

It speaks the real pad's bytes (drivers/signature_pad.py, docs/devices.md): 5-byte reports — sync bit, proximity
and touch bits, 12-bit raw X and Y — at a steady report rate while the pen is in proximity, nothing otherwise.
Like a real pad it needs no command: it starts once the station has opened the line at the model's speed, 8 data
bits, odd parity (read back from the pty's settings; a pty keeps the speed, the size and PARODD, and drops PARENB),
and then plays its script once. Script steps:

    (x, y, touching)   one report, pen in proximity, at raw digitiser X, Y (touching: the pen is on the surface)
    "leave"            the pen leaves proximity: one report with neither bit, then silence
    "garbage"          stray bytes without the sync bit (line noise)
    "cut"              a report cut off after 3 bytes (the next report's sync byte follows)
    "invalid"          a report with bits 6-5 set in its X high byte
    "pause <s>"        nothing for <s> seconds
    "unplug"           the pad goes away: the pty is closed

Used by the tests, the demo and the simulated kit.
"""

import math
import termios
import threading
import time
from collections.abc import Sequence

from drivers.pty_device import PtyDevice
from drivers.signature_pad import DEFAULT_MODEL, TOPAZ_MODELS

Step = tuple[int, int, bool] | str
REPORT_RATE_HZ = 150.0  # reports per second while the pen is in proximity (a 19200 8O1 line carries at most ~349)
SIM_USB_SERIAL = "SIM00001"  # what the FTDI bridge's USB descriptor would say (a pty has none)
GARBAGE = b"\x13\x37\x00\x7f\x0a\x0d"


def encode_report(x: int, y: int, *, near: bool = True, touching: bool = False, kind: int = 0) -> bytes:
    """One Topaz report: status (sync, proximity, type, touch), then X and Y as 7 low and 5 high bits each."""
    if not (0 <= x < 4096 and 0 <= y < 4096):
        raise ValueError(f"raw coordinates are 12 bits: {x}, {y}")
    status = 0x80 | (0x40 if near else 0) | (kind & 7) << 2 | (0x01 if touching else 0)
    return bytes((status, x & 0x7F, x >> 7, y & 0x7F, y >> 7))


def signature_script(strokes: int = 2, points: int = 30, model: str = DEFAULT_MODEL) -> list[Step]:
    """A plausible signature on `model`: the pen comes near, `strokes` strokes of `points` touching reports
    across the signing area with a hover between them, then the pen leaves proximity."""
    m = TOPAZ_MODELS[model]
    step = max(1, int(m.width * 0.6 / max(1, points)))
    middle = (m.y_start + m.y_stop) // 2
    script: list[Step] = []
    for s in range(strokes):
        x0 = m.x_start + m.width // 10 + s * step // 3
        y0 = middle - s * m.height // 8
        script += [(x0, y0 - 40, False)] * 5  # hovering just above the stroke's start
        for i in range(points):
            script.append((x0 + step * i, y0 + round(m.height / 8 * math.sin(i / 4 + s)), True))
        script += [(x0 + step * points, y0, False)] * 5  # lifted, still in proximity
    return [*script, "leave"]


class SimulatedPad:
    """Runs the pad on a pty in a background thread; `path` is what the driver opens, `usb_serial` what the
    kit passes as the bridge's USB serial number."""

    def __init__(self, script: Sequence[Step], model: str = DEFAULT_MODEL, rate_hz: float = REPORT_RATE_HZ,
                 start_delay_s: float = 0.3) -> None:
        self.script, self.model, self.rate_hz = list(script), TOPAZ_MODELS[model], rate_hz
        self.start_delay_s = start_delay_s  # the student picks up the pen after the station opens the line
        self.usb_serial = SIM_USB_SERIAL
        self.pty = PtyDevice("signature-pad")
        self.path = self.pty.path
        self.opened = threading.Event()  # the station opened the line with the pad's settings
        self._stop = threading.Event()
        self._last = (self.model.x_start, self.model.y_start)
        self._thread = threading.Thread(target=self._run, name="signature-pad-sim", daemon=True)
        self._thread.start()

    def _line_open(self) -> bool:
        """True once the line is set to the model's speed, 8 data bits and odd parity (what the driver sets)."""
        try:
            cflag, ispeed, ospeed = (termios.tcgetattr(self.pty.master)[i] for i in (2, 4, 5))
        except (termios.error, OSError):
            return False
        speed = getattr(termios, f"B{self.model.baudrate}")
        return ispeed == ospeed == speed and cflag & termios.CSIZE == termios.CS8 and bool(cflag & termios.PARODD)

    def _run(self) -> None:
        while not self._line_open():
            if self._stop.wait(0.01):
                return
        self.opened.set()
        if self._stop.wait(self.start_delay_s):
            return
        period, next_at = 1.0 / self.rate_hz, time.monotonic()
        for step in self.script:
            if self._stop.is_set():
                return
            if step == "unplug":
                time.sleep(0.3)  # what was sent before the cable came out has reached the station
                self.unplug()
                return
            if isinstance(step, str) and step.startswith("pause "):
                time.sleep(float(step.split()[1]))
                next_at = time.monotonic()
                continue
            try:
                self.pty.write(self._bytes(step))
            except OSError:
                return
            next_at += period
            time.sleep(max(0.0, next_at - time.monotonic()))

    def _bytes(self, step: Step) -> bytes:
        x, y = self._last
        if step == "leave":
            return encode_report(x, y, near=False)
        if step == "garbage":
            return GARBAGE
        if step == "cut":
            return encode_report(x, y)[:3]
        if step == "invalid":
            report = bytearray(encode_report(x, y))
            report[2] |= 0x60
            return bytes(report)
        if isinstance(step, str):
            raise ValueError(f"unknown script step {step!r}")
        x, y, touching = step
        self._last = (x, y)
        return encode_report(x, y, touching=touching)

    def unplug(self) -> None:
        """The pad goes away: both ends of the pty close, so the driver's next read fails."""
        self._stop.set()
        self.pty.unplug()

    def close(self) -> None:
        self.unplug()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=2)
