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


def turn_frames_for(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        step(1)
        time.sleep(0.01)


def test_pings_only_while_the_ui_thread_turns_frames(notify, imported, station_config):
    app = start_kiosk(imported, station_config)
    try:
        turn_frames_for(0.6)
        assert notify.snapshot()[:2] == ["READY=1", "WATCHDOG=1"]
        assert notify.count("WATCHDOG=1") >= 3
        time.sleep(0.3)  # settle what was in flight
        before = notify.count("WATCHDOG=1")
        time.sleep(0.6)  # the UI thread is "stuck": no frame turns for six ping intervals
        notify.mark()
        time.sleep(0.1)
        assert notify.count("WATCHDOG=1") == before, "pinged while the UI thread was not running"
        turn_frames_for(0.4)
        assert notify.count("WATCHDOG=1") > before  # running again: pinging again
    finally:
        stop_kiosk(app)
    time.sleep(0.1)
    assert notify.snapshot()[-1] == "STOPPING=1"
