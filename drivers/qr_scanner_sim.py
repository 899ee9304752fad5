"""A simulated USB-CDC barcode/QR line scanner on a pseudo-terminal: the test or demo "scans" by calling it."""

import time

from drivers.pty_device import PtyDevice


class SimulatedScanner:
    """Writes scans the way a line scanner types them (CR-terminated by default)."""

    def __init__(self, terminator: bytes = b"\r") -> None:
        self.pty, self.terminator = PtyDevice("qr-scanner"), terminator
        self.path = self.pty.path

    def scan(self, text: str) -> None:
        self.pty.write(text.encode() + self.terminator)

    def partial(self, text: str, pause_s: float = 0.05) -> None:
        """A scan that arrives in two pieces."""
        data = text.encode() + self.terminator
        self.pty.write(data[: len(data) // 2])
        time.sleep(pause_s)
        self.pty.write(data[len(data) // 2:])

    def garbage(self) -> None:
        self.pty.write(b"\x00\x07\xff\xfe\x1b[2J" + self.terminator)

    def unplug(self) -> None:
        self.pty.unplug()
