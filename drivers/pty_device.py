"""The far end of a simulated serial device: a pseudo-terminal whose slave path a driver opens like /dev/ttyACM0."""

import contextlib
import os
import tty


class PtyDevice:
    """A raw pty; the simulator writes to `master`, the driver opens `path` with pyserial."""

    def __init__(self) -> None:
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.path = os.ttyname(self._slave)  # the slave stays open so the driver may close and reopen it
        self.closed = False

    def write(self, data: bytes) -> None:
        """Send bytes to the driver."""
        os.write(self.master, data)

    def read_nowait(self) -> bytes:
        """What the driver sent since the last call (b"" if nothing)."""
        os.set_blocking(self.master, False)
        try:
            return os.read(self.master, 256)
        except (BlockingIOError, OSError):
            return b""

    def unplug(self) -> None:
        """The device goes away: both ends close, so the driver's next read fails."""
        if not self.closed:
            self.closed = True
            for fd in (self.master, self._slave):
                with contextlib.suppress(OSError):
                    os.close(fd)
