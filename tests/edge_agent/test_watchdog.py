"""sd_notify for the agent, against a real AF_UNIX datagram socket as $NOTIFY_SOCKET and the real agent on a real
mosquitto: READY first, WATCHDOG=1 pings only while the loop, the database and the MQTT loop are healthy (they
stop while another connection holds the database locked, or while a step hangs), STOPPING=1 on a clean stop,
and the ping interval is half of $WATCHDOG_USEC."""

import os
import socket
import sqlite3
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest

from edge_agent.agent import Agent
from edge_agent.watchdog import Notifier, Watchdog, notify_address, watchdog_interval
from tests.edge_agent.conftest import RunningAgent, wait_until

PING_USEC = 200_000  # pings every 0.1 s in these tests


class NotifySocket:
    """systemd's end of the protocol: a bound datagram socket that collects every message it is sent."""

    def __init__(self, address: str | bytes) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.sock.settimeout(0.05)
        self.messages: list[str] = []
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            with self.lock:
                self.messages.extend(data.decode().split("\n"))

    def mark(self) -> None:
        """Send "MARK" to this socket: it lands after every datagram already sent to it."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.sendto(b"MARK", self.sock.getsockname())

    def snapshot(self) -> list[str]:
        with self.lock:
            return list(self.messages)

    def count(self, message: str) -> int:
        return self.snapshot().count(message)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def notify(monkeypatch):
    """An abstract-namespace notify socket, announced to the agent the way systemd does."""
    name = f"sinopsis-test-{uuid.uuid4().hex}"
    listener = NotifySocket(b"\0" + name.encode())
    monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
    monkeypatch.setenv("WATCHDOG_USEC", str(PING_USEC))
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    yield listener
    listener.close()


def test_notify_socket_addresses_and_watchdog_interval():
    assert notify_address("/run/systemd/notify") == "/run/systemd/notify"
    assert notify_address("@abstract/name") == b"\0abstract/name"
    assert notify_address("") is None and notify_address("relative/path") is None
    assert watchdog_interval({"WATCHDOG_USEC": "60000000"}) == 30.0  # WatchdogSec=60s → ping every 30 s
    assert watchdog_interval({"WATCHDOG_USEC": "60000000", "WATCHDOG_PID": str(os.getpid())}) == 30.0
    assert watchdog_interval({"WATCHDOG_USEC": "60000000", "WATCHDOG_PID": "1"}) is None  # meant for another pid
    assert watchdog_interval({}) is None and watchdog_interval({"WATCHDOG_USEC": "0"}) is None
    assert watchdog_interval({"WATCHDOG_USEC": "soon"}) is None


def test_pings_at_half_watchdog_usec_on_a_filesystem_socket(tmp_path):
    """The interval comes from WATCHDOG_USEC; the clock is the `now` the loop passes in."""
    folder = Path(tempfile.mkdtemp(prefix="sd-", dir="/tmp"))  # AF_UNIX paths must stay short
    listener = NotifySocket(str(folder / "notify"))
    db = tmp_path / "station.db"
    sqlite3.connect(db).close()
    try:
        dog = Watchdog.from_environ(db, {"NOTIFY_SOCKET": str(folder / "notify"), "WATCHDOG_USEC": "500000"})
        assert dog.interval_s == 0.25
        dog.ready("up")
        for now in (100.0, 100.1, 100.2, 100.25, 100.3, 100.49, 100.5):
            dog.tick(now, connected=False, status="up")
        assert dog.pings == 3  # at 100.0, 100.25 and 100.5
        wait_until(lambda: listener.count("WATCHDOG=1") == 3, what="three pings received")
        assert listener.snapshot()[:2] == ["READY=1", "STATUS=up"]
        dog.stopping()
        wait_until(lambda: "STOPPING=1" in listener.snapshot(), what="STOPPING=1")
        dog.close()
    finally:
        listener.close()
        (folder / "notify").unlink()
        folder.rmdir()


def test_without_notify_socket_nothing_is_sent(tmp_path):
    dog = Watchdog.from_environ(tmp_path / "station.db", {})
    assert not dog.notifier.enabled and Notifier(None).send("READY=1") is False
    dog.ready()
    dog.tick(1.0, connected=False, status="x")
    assert dog.pings == 0


def test_ready_pings_while_healthy_then_stopping(notify, start_agent):
    running = start_agent()
    assert running.agent.watchdog.interval_s == PING_USEC / 2e6, "half of WATCHDOG_USEC"
    wait_until(lambda: running.agent.connected, what="the agent connected")
    wait_until(lambda: notify.count("WATCHDOG=1") >= 3, what="watchdog pings")
    messages = notify.snapshot()
    assert messages[0] == "READY=1", "READY comes before any ping"
    assert any(m.startswith("STATUS=connected to 127.0.0.1:") for m in messages), messages
    running.stop()
    wait_until(lambda: "STOPPING=1" in notify.snapshot(), what="STOPPING=1")


def test_pings_stop_while_the_database_is_locked_and_resume_after(notify, start_agent, agent_config):
    running = start_agent()
    wait_until(lambda: running.agent.connected and notify.count("WATCHDOG=1") >= 2, what="healthy pings")
    locker = sqlite3.connect(agent_config.station.data_dir / "station.db", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # another process stuck inside a write transaction
    try:
        wait_until(lambda: any(m.startswith("STATUS=unhealthy: the station database")
                               for m in notify.snapshot()), what="the unhealthy status")
        failed = running.agent.watchdog.probes_failed
        wait_until(lambda: running.agent.watchdog.probes_failed >= failed + 4, what="more failed probes")
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    wait_until(lambda: "WATCHDOG=1" in _after_unhealthy(notify.snapshot()), what="pings again")
    after = _after_unhealthy(notify.snapshot())
    silent = after[:after.index("WATCHDOG=1")]  # from the unhealthy status to the first ping after it
    assert any(m.startswith("STATUS=connected") for m in silent), "healthy again before the next ping"
    assert running.agent.watchdog.healthy_now


def _after_unhealthy(messages: list[str]) -> list[str]:
    first = next(i for i, m in enumerate(messages) if m.startswith("STATUS=unhealthy"))
    return messages[first:]


def _after(messages: list[str], marker: str) -> list[str]:
    return messages[messages.index(marker) + 1:]


def test_pings_stop_while_a_step_hangs(notify, agent_config, tmp_path):
    """A health report whose device check never returns (a hung sysfs read): the loop is stuck, so no pings."""
    armed, entered, release = threading.Event(), threading.Event(), threading.Event()

    def presence() -> dict[str, bool]:
        if armed.is_set():
            entered.set()
            release.wait(30)
        return {"camera": True}

    running = RunningAgent(Agent(agent_config, device_presence=presence, power_supply_dir=tmp_path / "no-power"))
    try:
        wait_until(lambda: running.agent.connected and notify.count("WATCHDOG=1") >= 2, what="healthy pings")
        armed.set()
        wait_until(entered.is_set, what="the hung step")
        notify.mark()  # datagrams are in order: whatever came before the mark was sent before the hang
        hung_at = time.monotonic()
        while time.monotonic() < hung_at + 6 * PING_USEC / 2e6:  # six ping intervals with the loop stuck
            release.wait(0.05)
        wait_until(lambda: "MARK" in notify.snapshot(), what="the mark")
        assert "WATCHDOG=1" not in _after(notify.snapshot(), "MARK"), "a hung loop must not ping"
        armed.clear()
        release.set()
        wait_until(lambda: "WATCHDOG=1" in _after(notify.snapshot(), "MARK"), what="pings after the step returned")
    finally:
        release.set()
        running.stop()


def test_a_ping_the_socket_refused_goes_again_within_a_second_not_half_an_interval_later(tmp_path):
    """With pings every half of WatchdogSec, a lost ping retried only at the next half would reach systemd exactly
    when its timer runs out: a notify socket gone for a moment must not cost a restart (`image boot-check`)."""
    address = str(tmp_path / "notify")
    db = tmp_path / "station.db"
    sqlite3.connect(db).close()
    dog = Watchdog(Notifier(address), db, 30.0)  # WatchdogSec=60s: a ping every 30 s
    dog.tick(0.0, connected=False, status="ok")  # no socket yet: the ping is lost
    assert dog.pings == 0 and dog.notifier.failures >= 1
    dog.tick(0.5, connected=False, status="ok")
    assert dog.pings == 0  # not before a second has passed
    systemd = NotifySocket(address)
    try:
        dog.tick(1.0, connected=False, status="ok")  # the socket is back: the ping goes at once
        assert dog.pings == 1
        systemd.mark()
        wait_until(lambda: "MARK" in systemd.snapshot(), what="the mark")
        assert systemd.count("WATCHDOG=1") == 1
        dog.tick(2.0, connected=False, status="ok")
        assert dog.pings == 1  # and then every 30 s again
    finally:
        systemd.close()
        dog.close()
