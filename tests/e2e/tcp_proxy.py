"""A small threaded TCP proxy on the loopback for network-fault tests: the agent connects to the proxy, the proxy
to the broker, and a test breaks the link the ways the field does.

- `cut_after(n, way, times=1)`: once `n` more bytes went that way (client → server by default), forward only up to that
  byte and close both sides (a connection cut in the middle of a packet, e.g. mid-batch);
- `delay_s`: latency: every chunk is forwarded this long after it was read, both ways, in order;
  `delay_up_s` / `delay_down_s` set one way only (client → server / server → client);
- `stall_after(n, way)`: once `n` more bytes went that way, stop forwarding on that connection in both
  directions *without closing it* (a black-holed link: no FIN, no RST); the peers must find out by themselves
  (MQTT keepalive). New connections are forwarded normally unless `stall_new` is set.

Only 127.0.0.1 is used. Every loop waits with a short timeout and checks the proxy's stop flag, so `close()`
ends every thread within a bounded time and nothing outlives the test.
"""

import collections
import contextlib
import select
import socket
import threading
import time
from dataclasses import dataclass, field

LOOPBACK = "127.0.0.1"
POLL_S = 0.05
CHUNK = 64 * 1024


@dataclass
class Link:
    """One proxied connection: its two sockets and what happened to it."""

    client: socket.socket
    server: socket.socket
    number: int
    up_bytes: int = 0  # client → server, forwarded
    down_bytes: int = 0  # server → client, forwarded
    stalled: bool = False
    closed: threading.Event = field(default_factory=threading.Event)
    closed_by: str = ""  # "client", "server", "cut" or "proxy"


class TcpProxy:
    """Forward 127.0.0.1:<port> to 127.0.0.1:`upstream_port`, with faults on demand; use as a context manager."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.delay_up_s = self.delay_down_s = 0.0
        self.stall_new = False
        self.links: list[Link] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        # per way ("up": client → server, "down"), bytes forwarded over all links and the byte to cut / stall at
        self._total = {"up": 0, "down": 0}
        self._armed: dict[str, tuple[int, str]] = {}
        self._again: dict[str, tuple[int, int]] = {}  # per way: (bytes, cuts left) to arm after the armed one
        self.cuts = 0
        self.stalls = 0
        self._listener = socket.create_server((LOOPBACK, 0))
        self._listener.settimeout(POLL_S)
        self.port: int = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._spawn(self._accept_loop, "proxy-accept")

    # ---- faults -----------------------------------------------------------------------------------------
    @property
    def delay_s(self) -> float:
        return max(self.delay_up_s, self.delay_down_s)

    @delay_s.setter
    def delay_s(self, seconds: float) -> None:
        self.delay_up_s = self.delay_down_s = seconds

    def cut_after(self, n: int, way: str = "up", times: int = 1) -> None:
        """Cut the connection that carries the n-th next byte going `way` ("up": client → server, or
        "down"), right after that byte; with `times`, again n bytes after each cut (armed at once, so a quick
        resend cannot slip through before a test arms the next cut)."""
        with self._lock:
            self._armed[way] = (self._total[way] + n, "cut")
            self._again[way] = (n, times - 1)

    def stall_after(self, n: int, way: str = "up") -> None:
        """Black-hole the connection that carries the n-th next byte going `way`, right after that byte."""
        with self._lock:
            self._armed[way] = (self._total[way] + n, "stall")
            self._again.pop(way, None)

    def cut_all(self) -> None:
        """Close every open connection now."""
        for link in list(self.links):
            self._close(link, "cut")

    @property
    def connections(self) -> int:
        return len(self.links)

    @property
    def up_total(self) -> int:
        """Bytes forwarded client → server so far, over every connection."""
        with self._lock:
            return self._total["up"]

    # ---- plumbing ---------------------------------------------------------------------------------------
    def _spawn(self, target: object, name: str, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, _addr = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                server = socket.create_connection((LOOPBACK, self.upstream_port), timeout=2)
            except OSError:
                client.close()  # the broker is down: the client sees the connection refused-ish
                continue
            with self._lock:
                link = Link(client, server, len(self.links) + 1, stalled=self.stall_new)
                self.links.append(link)
            self._spawn(self._pump, f"proxy-{link.number}-up", link, "up")
            self._spawn(self._pump, f"proxy-{link.number}-down", link, "down")

    def _close(self, link: Link, why: str) -> None:
        with self._lock:
            if link.closed.is_set():
                return
            link.closed_by = why
            link.closed.set()
        for s in (link.client, link.server):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def _limit(self, way: str, size: int) -> tuple[int, str]:
        """How many of `size` bytes going `way` to forward now, and what to do after ('', 'cut', 'stall')."""
        with self._lock:
            total = self._total[way]
            at, action = self._armed.get(way, (None, ""))
            if at is not None and total + size >= at:
                del self._armed[way]
                take = max(0, at - total)
                self._total[way] += take
                n, left = self._again.pop(way, (0, 0))
                if left > 0:
                    self._armed[way], self._again[way] = (self._total[way] + n, action), (n, left - 1)
                return take, action
            self._total[way] += size
            return size, ""

    def _pump(self, link: Link, way: str) -> None:
        """Forward one way ("up": client → server, "down") until either side closes, the link is cut or stalled
        for good, or the proxy stops. A chunk read at t is sent at t + the way's delay (latency, in order)."""
        source, target = (link.client, link.server) if way == "up" else (link.server, link.client)
        pending: collections.deque[tuple[float, bytes, str]] = collections.deque()
        while not self._stop.is_set() and not link.closed.is_set():
            if link.stalled:  # hold everything, read nothing, close nothing
                time.sleep(POLL_S)
                continue
            now = time.monotonic()
            while pending and pending[0][0] <= now:
                _due, data, after = pending.popleft()
                if not self._send(link, target, way, data, after):
                    return
                if link.stalled:
                    break
            if link.stalled:
                continue
            wait = POLL_S if not pending else max(0.0, min(POLL_S, pending[0][0] - now))
            try:
                readable, _, _ = select.select([source], [], [], wait)
            except (OSError, ValueError):
                break
            if not readable:
                continue
            try:
                data = source.recv(CHUNK)
            except OSError:
                data = b""
            if not data:
                for _due, rest, after in pending:
                    if not self._send(link, target, way, rest, after):
                        return
                self._close(link, "client" if way == "up" else "server")
                return
            take, after = self._limit(way, len(data))
            data = data[:take]
            pending.append((time.monotonic() + (self.delay_up_s if way == "up" else self.delay_down_s), data,
                            after))
        if self._stop.is_set():
            self._close(link, "proxy")

    def _send(self, link: Link, target: socket.socket, way: str, data: bytes, after: str) -> bool:
        """Send one chunk and do what was armed for it; False when the link is finished."""
        try:
            target.sendall(data)
        except OSError:
            self._close(link, "server" if way == "up" else "client")
            return False
        if way == "up":
            link.up_bytes += len(data)
        else:
            link.down_bytes += len(data)
        if after == "cut":
            self.cuts += 1
            self._close(link, "cut")
            return False
        if after == "stall":
            self.stalls += 1
            link.stalled = True
        return True

    def close(self) -> None:
        """Stop accepting, close every connection and wait (bounded) for the threads."""
        self._stop.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        for link in list(self.links):
            self._close(link, "proxy")
        for thread in self._threads:
            thread.join(2)

    def __enter__(self) -> "TcpProxy":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
