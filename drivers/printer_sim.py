"""A simulated receipt printer: interprets the ESC/POS our slips use and renders each slip to a PNG.

It reads bytes from a pty (`SimulatedPrinter().path` is what ReceiptPrinter opens) or takes them directly
(`feed`). Each cut ends a slip: its text lines (with size and alignment), its QR payloads, and a PNG rendered
with OpenCV (the QR drawn by cv2.QRCodeEncoder from the stored data, so decoding the PNG proves the bytes were
right). Unknown commands are recorded in `unknown`, never fatal.
"""

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from drivers.pty_device import PtyDevice

DOTS = 384  # 58 mm paper at 203 dpi


@dataclass
class Slip:
    lines: list[tuple[str, int, str, bool]] = field(default_factory=list)  # text, height multiplier, align, bold
    qrs: list[str] = field(default_factory=list)
    items: list[tuple[str, object]] = field(default_factory=list)  # ("text", line) / ("qr", payload), in order

    def text(self) -> str:
        return "\n".join(line[0] for line in self.lines)


class EscPosInterpreter:
    """Turns a byte stream into slips."""

    def __init__(self) -> None:
        self.slips: list[Slip] = []
        self.unknown: list[str] = []
        self._buf, self._slip, self._line = b"", Slip(), b""
        self._align, self._bold, self._height, self._module, self._qr = "left", False, 1, 6, b""

    def feed(self, data: bytes) -> None:
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
        if b == 0x1B:
            head = self._need(2)
            if head is None:
                return False
            if head[1:2] == b"@":
                self._buf = self._buf[2:]
                self._align, self._bold, self._height = "left", False, 1
                return True
            cmd = self._need(3)
            if cmd is None:
                return False
            if cmd[1:2] == b"a":
                self._align = {0: "left", 1: "centre", 2: "right"}.get(cmd[2], "left")
            elif cmd[1:2] == b"E":
                self._bold = bool(cmd[2])
            else:
                self.unknown.append(cmd.hex())
            self._buf = self._buf[3:]
            return True
        if b == 0x1D:
            return self._gs()
        self._line += bytes([b])
        self._buf = self._buf[1:]
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
            body = self._need(5 + length)
            if body is None:
                return False
            fn, data = body[6] if length >= 2 else 0, body[8:] if length > 3 else b""
            if fn == 67:
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

    def _emit_line(self, only_if_text: bool = False) -> None:
        if only_if_text and not self._line:
            return
        line = (self._line.decode("ascii", "replace"), self._height, self._align, self._bold)
        self._slip.lines.append(line)
        self._slip.items.append(("text", line))
        self._line = b""


def render(slip: Slip) -> np.ndarray:
    """The slip as a grey image, 384 dots wide: text lines and QR codes in order."""
    parts = []
    for kind, item in slip.items:
        if kind == "qr":
            code = cv2.QRCodeEncoder.create().encode(item)
            code = cv2.resize(code, None, fx=5, fy=5, interpolation=cv2.INTER_NEAREST)
            code = cv2.copyMakeBorder(code, 10, 10, 0, 0, cv2.BORDER_CONSTANT, value=255)
            pad = max(0, DOTS - code.shape[1])
            parts.append(cv2.copyMakeBorder(code[:, :DOTS], 0, 0, pad // 2, pad - pad // 2, cv2.BORDER_CONSTANT,
                                            value=255))
            continue
        text, height, align, bold = item
        scale = 0.5 * height
        row = np.full((int(24 * height) + 6, DOTS), 255, np.uint8)
        (width, _), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 2 if bold else 1)
        x = {"left": 4, "centre": (DOTS - width) // 2, "right": DOTS - width - 4}[align]
        cv2.putText(row, text, (max(0, x), int(20 * height)), cv2.FONT_HERSHEY_SIMPLEX, scale, 0, 2 if bold else 1)
        parts.append(row)
    return np.vstack(parts) if parts else np.full((10, DOTS), 255, np.uint8)


class SimulatedPrinter:
    """An ESC/POS printer on a pty; each finished slip is rendered to PNG in `out_dir` (if given)."""

    def __init__(self, out_dir: Path | None = None) -> None:
        self.pty, self.out_dir, self.interpreter = PtyDevice(), out_dir, EscPosInterpreter()
        self.path = self.pty.path
        self._stop = threading.Event()
        self.rendered = 0
        self._thread = threading.Thread(target=self._run, name="printer-sim", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        done = self.rendered = 0
        while not self._stop.is_set():
            data = self.pty.read_nowait()
            if data:
                self.interpreter.feed(data)
            while done < len(self.interpreter.slips):
                if self.out_dir is not None:
                    cv2.imwrite(str(self.out_dir / f"slip-{done + 1:03d}.png"), render(self.interpreter.slips[done]))
                done += 1
                self.rendered = done
            if not data:
                time.sleep(0.01)

    def wait_for_slips(self, count: int, timeout_s: float = 10.0) -> list[Slip]:
        deadline = time.monotonic() + timeout_s
        while self.rendered < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return list(self.interpreter.slips)

    def unplug(self) -> None:
        self._stop.set()
        self.pty.unplug()
