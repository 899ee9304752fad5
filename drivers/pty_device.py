"""The far end of a simulated serial device: a pseudo-terminal the driver opens through a stable name, the way a
kit's driver opens udev's /dev/sinopsis/… link rather than /dev/ttyACM0."""

import contextlib
import os
import tempfile
import tty
import weakref
from pathlib import Path


class PtyDevice:
    """A raw pty; the simulator writes to `master`, the driver opens `path` with pyserial.

    `path` is a symlink to the pty's slave in a directory of its own, removed on unplug like udev removes a device's
    link. Opening /dev/pts/N itself would be wrong after an unplug: the kernel gives a freed pty number to the next
    process that asks, so a driver reopening the old number could reach another simulator (another test process's,
    or the demo's) instead of finding its device gone."""

    def __init__(self, name: str = "tty") -> None:
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.pts = os.ttyname(self._slave)  # the slave stays open so the driver may close and reopen it
        link = Path(tempfile.mkdtemp(prefix="sinopsis-dev-")) / name
        link.symlink_to(self.pts)
        self.path = str(link)
        self.closed = False
        # the name goes on unplug, or when the simulator is dropped or its process exits without one
        self._remove_name = weakref.finalize(self, _remove_name, link)

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
        """The device goes away: its name first (nothing can open it again), then both ends close, so the driver's
        next read fails."""
        if not self.closed:
            self.closed = True
            self._remove_name()
            for fd in (self.master, self._slave):
                with contextlib.suppress(OSError):
                    os.close(fd)


def _remove_name(link: Path) -> None:
    """Remove a device's symlink and the directory made for it."""
    with contextlib.suppress(OSError):
        link.unlink()
        link.parent.rmdir()
