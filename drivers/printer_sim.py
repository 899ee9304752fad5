"""A simulated receipt printer: interprets the ESC/POS our slips use and renders each slip to a PNG.

It reads bytes from a pty (`SimulatedPrinter().path` is what ReceiptPrinter opens) or takes them directly
(`feed`). Each cut ends a slip: its text lines (with size and alignment), its QR payloads, and a PNG rendered
with OpenCV (the QR drawn by cv2.QRCodeEncoder from the stored data, so decoding the PNG proves the bytes were
right). Unknown or garbled commands are recorded in `unknown` and skipped, never fatal; bytes that stop short of
a cut (the printer unplugged mid-slip) become a slip with `cut=False` when the next ESC @ starts the reprint.
Like a real printer it answers DLE EOT 1-4 (status, offline cause, errors, paper sensor) on the pty; set
`paper_out`, `paper_low` or `cover_open` to simulate an empty roll, a roll near its end or an open cover.
`interpret_file(path)` reads a captured byte stream (e.g. what was written to a device file).
"""

import logging
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from contract.durable import write_private
from drivers.escpos import COVER_OPEN, PAPER_END, PAPER_NEAR_END, PRINTER_OFFLINE, STOPPED_PAPER_END
from drivers.pty_device import PtyDevice

logger = logging.getLogger(__name__)

DOTS = 384  # 58 mm paper at 203 dpi
WIDE_DOTS = 576  # 80 mm paper
_TEXT_RUN = re.compile(rb"[^\x00-\x1f]+")
MAX_QR_BLOCK = 7092 + 3  # the largest GS ( k store a model 2 QR can take; anything longer is garbage


@dataclass
class Slip:
    lines: list[tuple[str, int, str, bool]] = field(default_factory=list)  # text, height multiplier, align, bold
    qrs: list[str] = field(default_factory=list)
    items: list[tuple[str, object]] = field(default_factory=list)  # ("text", line) / ("qr", payload), in order
    cut: bool = True  # False: the stream broke off before the cut (printer unplugged mid-slip)

    def text(self) -> str:
        """The slip's text lines, one per line, as printed."""
        return "\n".join(line[0] for line in self.lines)


class EscPosInterpreter:
    """Turns a byte stream into slips; `replies` collects what a real printer would send back (status bytes)."""

    def __init__(self) -> None:
        self.slips: list[Slip] = []
        self.unknown: list[str] = []
        self.replies = bytearray()
        self.code_page = 0
        self.paper_out = self.paper_low = self.cover_open = False  # what the status replies report
        self._buf, self._slip, self._line = b"", Slip(), b""
        self._align, self._bold, self._height, self._module, self._qr = "left", False, 1, 6, b""

    def feed(self, data: bytes) -> None:
        """Interpret `data`; a command split across calls is completed by the next call."""
        self._buf += data
        while self._step():
            pass

    def _need(self, n: int) -> bytes | None:
        return self._buf[:n] if len(self._buf) >= n else None

    def _step(self) -> bool:
        if not self._buf:
            return False
        b = self._buf[0]
        if b == 0x0A:
            self._emit_line()
            self._buf = self._buf[1:]
            return True
        if b == 0x10:
            return self._dle()
        if b < 0x20 and b not in (0x1B, 0x1D):
            if b != 0x0D:  # CR is harmless; other control bytes are noise on the line
                self.unknown.append(f"{b:02x}")
            self._buf = self._buf[1:]
            return True
        if b == 0x1B:
            head = self._need(2)
            if head is None:
                return False
            if head[1:2] == b"@":
                self._buf = self._buf[2:]
                self._align, self._bold, self._height = "left", False, 1
                if self._line or self._slip.items:  # a slip that never got its cut
                    self._emit_line(only_if_text=True)
                    self._slip.cut = False
                    self.slips.append(self._slip)
                    self._slip = Slip()
                return True
            cmd = self._need(3)
            if cmd is None:
                return False
            if cmd[1:2] == b"a":
                self._align = {0: "left", 1: "centre", 2: "right"}.get(cmd[2], "left")
            elif cmd[1:2] == b"E":
                self._bold = bool(cmd[2])
            elif cmd[1:2] == b"t":
                self.code_page = cmd[2]
            else:
                self.unknown.append(cmd.hex())
            self._buf = self._buf[3:]
            return True
        if b == 0x1D:
            return self._gs()
        run = _TEXT_RUN.match(self._buf)  # a whole run of text at once: slips are mostly text
        self._line += run.group()
        self._buf = self._buf[run.end():]
        return True

    def _gs(self) -> bool:
        head = self._need(3)
        if head is None:
            return False
        if head[1:2] == b"!":
            self._height = (head[2] & 0x0F) + 1
            self._buf = self._buf[3:]
            return True
        if head[1:2] == b"V":
            cmd = self._need(4)
            if cmd is None:
                return False
            self._buf = self._buf[4:]
            self._emit_line(only_if_text=True)
            self.slips.append(self._slip)
            self._slip = Slip()
            return True
        if head[1:3] == b"(k":
            cmd = self._need(5)
            if cmd is None:
                return False
            length = cmd[3] | cmd[4] << 8
            if not 2 <= length <= MAX_QR_BLOCK:
                self.unknown.append(cmd.hex())  # garbled length: skip the header and resynchronise
                self._buf = self._buf[5:]
                return True
            body = self._need(5 + length)
            if body is None:
                return False
            fn, data = body[6] if length >= 2 else 0, body[8:] if length > 3 else b""
            if fn == 67 and length >= 3:  # a block of two bytes (cn, fn) holds no size: skipped
                self._module = body[7]
            elif fn == 80:
                self._qr = data
            elif fn == 81:
                payload = self._qr.decode("ascii", "replace")
                self._slip.qrs.append(payload)
                self._slip.items.append(("qr", payload))
            self._buf = self._buf[5 + length:]
            return True
        self.unknown.append(head.hex())
        self._buf = self._buf[3:]
        return True

    def _dle(self) -> bool:
        cmd = self._need(3)
        if cmd is None:
            return False
        if cmd[1] == 0x04 and cmd[2] in (1, 2, 3, 4):
            self.replies.append(self.status_byte(cmd[2]))
        else:
            self.unknown.append(cmd.hex())
        self._buf = self._buf[3:]
        return True

    def status_byte(self, n: int) -> int:
        """What a real printer answers to DLE EOT n (drivers/escpos.py): fixed bits 1 and 4, then for n=1 offline
        (cover open or paper out stop it), n=2 the cause (cover open, stopped at paper end), n=4 the roll (near
        end, end)."""
        offline = self.cover_open or self.paper_out
        bits = {1: PRINTER_OFFLINE if offline else 0,
                2: (COVER_OPEN if self.cover_open else 0) | (STOPPED_PAPER_END if self.paper_out else 0),
                4: (PAPER_NEAR_END if self.paper_low or self.paper_out else 0) | (PAPER_END if self.paper_out else 0)}
        return 0x12 | bits.get(n, 0)

    def _emit_line(self, only_if_text: bool = False) -> None:
        if only_if_text and not self._line:
            return
        line = (self._line.decode("ascii", "replace"), self._height, self._align, self._bold)
        self._slip.lines.append(line)
        self._slip.items.append(("text", line))
        self._line = b""


def interpret_file(path: Path) -> EscPosInterpreter:
    """Interpret a captured ESC/POS byte stream (a file a printer driver wrote to)."""
    interpreter = EscPosInterpreter()
    interpreter.feed(Path(path).read_bytes())
    return interpreter


def render(slip: Slip, dots: int | None = None) -> np.ndarray:
    """The slip as a grey image, `dots` wide (default 384 for 58 mm, 576 when a line needs 80 mm paper): text
    lines and QR codes in order."""
    if dots is None:  # font A is 12 dots a column: 32 columns fill 58 mm paper, 48 fill 80 mm
        dots = DOTS if max((len(t) * h for t, h, *_ in slip.lines), default=0) <= 32 else WIDE_DOTS
    parts = []
    for kind, item in slip.items:
        if kind == "qr":
            code = cv2.QRCodeEncoder.create().encode(item)
            code = cv2.resize(code, None, fx=5, fy=5, interpolation=cv2.INTER_NEAREST)
            code = cv2.copyMakeBorder(code, 10, 10, 0, 0, cv2.BORDER_CONSTANT, value=255)
            pad = max(0, dots - code.shape[1])
            parts.append(cv2.copyMakeBorder(code[:, :dots], 0, 0, pad // 2, pad - pad // 2, cv2.BORDER_CONSTANT,
                                            value=255))
            continue
        text, height, align, bold = item
        scale, thickness = 0.5 * height, 2 if bold else 1
        (width, _), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
        if width > dots - 8:  # Hershey letters are wider than font A's 12 dots: condense the line to fit
            scale, width = scale * (dots - 8) / width, dots - 8
        row = np.full((int(24 * height) + 6, dots), 255, np.uint8)
        x = {"left": 4, "centre": (dots - width) // 2, "right": dots - width - 4}[align]
        cv2.putText(row, text, (max(0, x), int(20 * height)), cv2.FONT_HERSHEY_SIMPLEX, scale, 0, thickness)
        parts.append(row)
    return np.vstack(parts) if parts else np.full((10, dots), 255, np.uint8)


class SimulatedPrinter:
    """An ESC/POS printer on a pty; each finished slip is rendered to PNG in `out_dir` (if given)."""

    def __init__(self, out_dir: Path | None = None) -> None:
        self.pty, self.out_dir, self.interpreter = PtyDevice("printer"), out_dir, EscPosInterpreter()
        self.path = self.pty.path
        self._stop = threading.Event()
        self.rendered = 0
        self._taking = threading.Event()  # cleared by hold(): the printer stops reading, like a jammed one
        self._taking.set()
        self._thread = threading.Thread(target=self._run, name="printer-sim", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self._taking.is_set():
                self._taking.wait(0.05)
                continue
            try:
                data = self._pump()
            except Exception:  # a slip that fails to render must not stop the printer
                logger.exception("simulated printer: could not handle the byte stream")
                data = b""
            if not data:
                time.sleep(0.01)

    def _pump(self) -> bytes:
        data = self.pty.read_nowait()
        if data:
            self.interpreter.feed(data)
        if self.interpreter.replies:
            replies, self.interpreter.replies[:] = bytes(self.interpreter.replies), b""
            self.pty.write(replies)
        while self.rendered < len(self.interpreter.slips):
            done = self.rendered
            try:
                if self.out_dir is not None:
                    png = cv2.imencode(".png", render(self.interpreter.slips[done]))[1].tobytes()
                    write_private(self.out_dir / f"slip-{done + 1:03d}.png", png)  # a student's slip: 0600
            finally:  # counted even if it failed, so one bad slip is not retried for ever
                self.rendered = done + 1
        return data

    @property
    def paper_out(self) -> bool:
        """True simulates an empty roll (reported on DLE EOT 4; slips still print, as the tests want the bytes)."""
        return self.interpreter.paper_out

    @paper_out.setter
    def paper_out(self, value: bool) -> None:
        self.interpreter.paper_out = value

    @property
    def cover_open(self) -> bool:
        """True simulates an open cover (offline, reported on DLE EOT 1 and 2)."""
        return self.interpreter.cover_open

    @cover_open.setter
    def cover_open(self, value: bool) -> None:
        self.interpreter.cover_open = value

    @property
    def paper_low(self) -> bool:
        """True simulates a roll near its end (DLE EOT 4 bits 2-3; the printer still prints)."""
        return self.interpreter.paper_low

    @paper_low.setter
    def paper_low(self, value: bool) -> None:
        self.interpreter.paper_low = value

    def hold(self) -> None:
        """Stop taking data (paper jam, cable half out): the driver's writes block and time out."""
        self._taking.clear()

    def release(self) -> None:
        """Take data again, starting with whatever the driver managed to send while held."""
        self._taking.set()

    def wait_for_slips(self, count: int, timeout_s: float = 10.0) -> list[Slip]:
        """Every slip so far, once `count` are rendered (or after `timeout_s`)."""
        deadline = time.monotonic() + timeout_s
        while self.rendered < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return list(self.interpreter.slips)

    def unplug(self) -> None:
        """The printer goes away: its port disappears and the reader thread ends."""
        self._stop.set()
        self._taking.set()
        self._thread.join(timeout=5)
        self.pty.unplug()
