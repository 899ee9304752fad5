"""A simulated signature pad on a pseudo-terminal, opened by a stable name like a kit's /dev/sinopsis/signature-pad.

The simulator answers `?` with its identity and plays a script of lines: pen messages, buttons, and faults —
`GARBAGE` (binary noise), `PARTIAL <line>` (a line written in two pieces with a pause between), `LONG` (a line
that never ends), `UNPLUG` (the pad goes away: the pty is closed). Used by the tests and the demo.
"""

import math
import threading
import time
from collections.abc import Sequence

from drivers.pty_device import PtyDevice

IDENTITY = b"I SIMPAD-1 SP0001 640 200 1023\n"


def signature_script(strokes: int = 2, points: int = 30) -> list[str]:
    """A plausible signature: `strokes` pen strokes of `points` points each, then OK."""
    lines = []
    for s in range(strokes):
        for i in range(points):
            x, y = 40 + 15 * i, 100 + round(40 * math.sin(i / 4 + s)) - 30 * s
            lines.append(f"{'D' if i == 0 else 'M'} {min(x, 639)} {max(0, min(y, 199))} {500 + 10 * i}")
        lines.append("U")
    return [*lines, "B OK"]


class SimulatedPad:
    """Runs the pad on a pty in a background thread; `path` is what the driver opens."""

    def __init__(self, script: Sequence[str], delay_s: float = 0.001) -> None:
        self.script, self.delay_s = list(script), delay_s
        self.pty = PtyDevice("signature-pad")
        self.path = self.pty.path
        self._stop = threading.Event()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, name="signature-pad-sim", daemon=True)
        self._thread.start()

    def _write(self, data: bytes) -> None:
        self.pty.write(data)

    def _wait_for(self, command: bytes) -> bool:
        """Read what the driver sends until `command` arrives; False if stopped first."""
        while not self._stop.is_set():
            self._received += self.pty.read_nowait()
            if command in self._received:
                self._received = self._received.split(command, 1)[1]
                return True
            time.sleep(0.005)
        return False

    def _run(self) -> None:
        self._received = b""
        if not self._wait_for(b"?"):  # the driver asks who we are
            return
        self._write(IDENTITY)
        if not self._wait_for(b"C"):  # the driver clears the pad: the student may sign
            return
        for line in self.script:
            if self._stop.is_set():
                return
            if line == "UNPLUG":
                time.sleep(0.3)  # what was sent before the cable came out has reached the station
                self.unplug()
                return
            if line == "GARBAGE":
                self._write(b"\x00\xff\xfe#!@ \x1b[31m\n")
            elif line == "LONG":
                self._write(b"M " + b"9" * 200)
            elif line.startswith("PARTIAL "):
                data = line[len("PARTIAL "):].encode() + b"\n"
                self._write(data[: len(data) // 2])
                time.sleep(0.02)
                self._write(data[len(data) // 2:])
            else:
                self._write(line.encode() + b"\r\n")
            time.sleep(self.delay_s)

    def unplug(self) -> None:
        """The pad goes away: both ends of the pty close, so the driver's next read fails."""
        self._stop.set()
        self.pty.unplug()

    def close(self) -> None:
        self.unplug()
        self._thread.join(timeout=2)
