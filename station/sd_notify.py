"""systemd's notify protocol (sd_notify(3)) without libsystemd: one AF_UNIX datagram per message to
$NOTIFY_SOCKET (a path, or "@name" for Linux's abstract namespace). Used by the agent's watchdog
(edge_agent/watchdog.py) and the kiosk's UI watchdog (kiosk/ui_watchdog.py). Without $NOTIFY_SOCKET every send
does nothing."""

import logging
import os
import socket
from collections.abc import Mapping

logger = logging.getLogger(__name__)


def notify_address(value: str) -> str | bytes | None:
    """The socket address of $NOTIFY_SOCKET: a filesystem path, or b"\\0name" for "@name" (abstract)."""
    if not value:
        return None
    if value.startswith("@"):
        return b"\0" + value[1:].encode()
    if value.startswith("/"):
        return value
    return None  # systemd only hands out absolute paths or abstract names; anything else is not for us


class Notifier:
    """Sends sd_notify messages; never raises. A send that fails (the socket closed, systemd's end gone for a
    moment, a full buffer) is retried once on a fresh socket, and every later message tries again: one bad
    moment must not stop the WATCHDOG=1 pings for ever, or systemd kills a healthy process. A failure streak is
    logged once when it starts and once when it ends (`failures` counts the messages lost)."""

    def __init__(self, address: str | bytes | None) -> None:
        self.address = address
        self._sock: socket.socket | None = None
        self.failures = 0
        self._streak = 0

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def send(self, *fields: str) -> bool:
        """Send one datagram with the `fields` ("READY=1", "STATUS=…"), newline-separated; True when sent."""
        if self.address is None:
            return False
        data = "\n".join(fields).encode()
        error: OSError | None = None
        for _attempt in range(2):  # the second on a fresh socket: the old one may be what broke
            try:
                if self._sock is None:
                    self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
                self._sock.sendto(data, self.address)
            except OSError as e:
                error = e
                self.close()
                continue
            if self._streak:
                logger.info("systemd notify socket %r works again (%d message(s) lost)", self.address,
                               self._streak)
                self._streak = 0
            return True
        self.failures += 1
        self._streak += 1
        if self._streak == 1:
            logger.warning("systemd notify socket %r unusable (%s): retrying with every message", self.address,
                           error)
        return False

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def watchdog_interval(environ: Mapping[str, str], pid: int | None = None, any_pid: bool = False) -> float | None:
    """Seconds between pings: half of $WATCHDOG_USEC, or None when systemd asks for none (unset, zero, not a
    number, or $WATCHDOG_PID names another process — the variables were inherited, not meant for us). `any_pid`:
    a child of the service's main process that pings for it (the kiosk under cage, with NotifyAccess=all)."""
    usec = environ.get("WATCHDOG_USEC", "")
    owner = environ.get("WATCHDOG_PID", "")
    if owner and not any_pid and owner != str(os.getpid() if pid is None else pid):
        return None
    try:
        value = int(usec)
    except ValueError:
        return None
    return value / 2e6 if value > 0 else None
