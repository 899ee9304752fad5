"""The kiosk's systemd watchdog: WATCHDOG=1 goes out from the UI thread's Clock, so only while frames turn; a
UI thread that stops turning (a hang) stops the pings and systemd would restart the kiosk. The kiosk runs as
cage's child: $WATCHDOG_PID names cage, and it pings all the same (the unit has NotifyAccess=all)."""

import time
import uuid

import pytest

from kiosk.testing import step
from tests.edge_agent.test_watchdog import PING_USEC, NotifySocket
from tests.kiosk.kiosk_helpers import start_kiosk, stop_kiosk


@pytest.fixture
def notify(monkeypatch):
    name = f"sinopsis-kiosk-test-{uuid.uuid4().hex}"
    listener = NotifySocket(b"\0" + name.encode())
    monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
    monkeypatch.setenv("WATCHDOG_USEC", str(PING_USEC))  # a ping every 0.1 s
    monkeypatch.setenv("WATCHDOG_PID", "1")  # cage's, not ours
    yield listener
    listener.close()


def turn_frames_until(condition, timeout_s: float = 10.0) -> None:
    """Turn the UI thread's frames until `condition()` holds (bounded in seconds; pings follow the Clock)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "no ping came while the frames turned"
        step(1)
        time.sleep(0.005)


def received(notify: NotifySocket) -> int:
    """The WATCHDOG=1 count once everything already sent has arrived: a mark is sent and waited for (datagrams on
    one socket arrive in order), so nothing is left in flight — no settling sleep."""
    marks = notify.count("MARK")
    notify.mark()
    deadline = time.monotonic() + 5.0
    while notify.count("MARK") == marks:
        assert time.monotonic() < deadline, "the notify socket did not receive its own mark"
        time.sleep(0.005)
    return notify.count("WATCHDOG=1")


def test_pings_only_while_the_ui_thread_turns_frames(notify, imported, station_config):
    app = start_kiosk(imported, station_config)
    try:
        turn_frames_until(lambda: notify.count("WATCHDOG=1") >= 3)
        assert notify.snapshot()[:2] == ["READY=1", "WATCHDOG=1"]
        before = received(notify)
        time.sleep(6 * PING_USEC / 2e6)  # the UI thread is "stuck": no frame turns for six ping intervals
        assert received(notify) == before, "pinged while the UI thread was not running"
        turn_frames_until(lambda: notify.count("WATCHDOG=1") > before)  # running again: pinging again
    finally:
        stop_kiosk(app)
    received(notify)
    assert [m for m in notify.snapshot() if m != "MARK"][-1] == "STOPPING=1"


def test_a_ping_the_socket_refused_goes_again_within_a_second(monkeypatch, imported):
    """The notify socket gone for a moment: the lost ping is sent again within a second, not half of WatchdogSec
    later, when systemd's timer would already have run out (found by booting the kit, `image boot-check`)."""
    from kiosk.ui_watchdog import UiWatchdog

    name = f"sinopsis-kiosk-retry-{uuid.uuid4().hex}"
    dog = UiWatchdog({"NOTIFY_SOCKET": "@" + name, "WATCHDOG_USEC": "60000000"})  # a ping every 30 s
    dog.start()
    step(1)  # the first ping: nobody listens yet, it is lost
    assert dog.pings == 0 and dog.notifier.failures >= 1
    systemd = NotifySocket(b"\0" + name.encode())
    try:
        turn_frames_until(lambda: dog.pings >= 1, timeout_s=10.0)  # well before the next 30 s ping
        assert received(systemd) == 1
    finally:
        dog.stop()
        systemd.close()
