"""Idle logout with real touches and a stepped clock: the session ends (audited) when nobody touches the screen;
with a recording open the screen locks instead, and only the same operator's PIN unlocks it."""

import pytest

from kiosk.testing import step, tap, wait_until
from native.vendor import apply_sim_script
from station.checkin import check_in_by_application
from tests.kiosk.capture_kit import log_in_and_call, recording_factory, screen
from tests.kiosk.kiosk_helpers import start_kiosk, stop_kiosk
from tests.kiosk.test_operator_screens import log_in, type_pin


class SteppedClock:
    """The idle watch's time source: moves only when the test says."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def kiosk(imported, station_config, applicants, sealer):
    apply_sim_script(None)
    for a in applicants[:3]:
        check_in_by_application(imported, a["application_id"], a["phone"])
    app = start_kiosk(imported, station_config)
    app.make_recording = recording_factory(sealer)
    app.clock = SteppedClock()
    app.idle.set_clock(app.clock)
    yield app
    if app.recording is not None:
        app.recording.close()
    stop_kiosk(app)


def audit_rows(store, action):
    return [tuple(r) for r in store.conn.execute("SELECT actor, reason FROM audit WHERE action = ?", (action,))]


def test_idle_logout_is_audited_and_a_touch_resets_the_timer(kiosk, imported, station_config):
    idle_s = station_config.session.idle_logout_s
    log_in(kiosk, "OP-02", "")
    type_pin(kiosk, "135790")
    wait_until(lambda: kiosk.root.current == "operator_queue")
    queue = screen(kiosk, "operator_queue")
    tap(queue.ids.call_next)
    wait_until(lambda: queue.current is not None)
    tap(queue.ids.not_here)  # number 1 is passed over by this operator
    wait_until(lambda: len(queue.passed) == 1)

    kiosk.clock.now += idle_s - 5
    step(5)
    tap(queue.ids.waiting)  # any touch counts
    kiosk.clock.now += idle_s - 5
    step(5)
    assert kiosk.root.current == "operator_queue" and kiosk.operator is not None
    kiosk.clock.now += 10
    wait_until(lambda: kiosk.root.current == "welcome")
    assert kiosk.operator is None
    wait_until(lambda: audit_rows(imported, "operator.logout") == [("OP-02", "idle")])
    passed = imported.conn.execute("SELECT COUNT(*) FROM checkins WHERE queue_state = 'skipped'").fetchone()[0]
    assert passed == 0  # the session ended: the passed-over student waits again


def test_an_open_recording_locks_the_screen_and_only_its_operator_unlocks_it(kiosk, imported, station_config):
    identity = log_in_and_call(kiosk)
    tap(identity.ids.confirm)
    assert kiosk.root.current == "capture"
    recording = kiosk.recording
    kiosk.clock.now += station_config.session.idle_logout_s + 1
    wait_until(lambda: kiosk.root.current == "operator_login")
    login = screen(kiosk, "operator_login")
    assert login.ids.title.text == "Layar terkunci" and "Yuliana Sari" in login.ids.hint.text
    assert [b.text for b in login.ids.team.children] == ["Yuliana Sari (OP-02)"]  # nobody else to choose
    assert not login.ids.back.disabled  # one screen (role "all"): students may check in meanwhile, still locked
    assert kiosk.recording is recording  # nothing captured is dropped
    wait_until(lambda: audit_rows(imported, "operator.locked") == [("OP-02", "idle")])

    type_pin(kiosk, "246810")  # OP-01's PIN does not unlock OP-02's screen
    wait_until(lambda: login.ids.error.text != "")
    assert "PIN salah" in login.ids.error.text and kiosk.root.current == "operator_login"
    assert audit_rows(imported, "operator.login_failed") == [("OP-02", None)]  # counts toward the lockout
    kiosk.clock.now += 10 * station_config.session.idle_logout_s
    wait_until(lambda: kiosk.root.current == "welcome")  # left alone: back to check-in, never logged out
    assert kiosk.operator.operator_id == "OP-02" and kiosk.recording is recording
    tap(screen(kiosk, "welcome").ids.operator)
    assert kiosk.root.current == "operator_login" and login.locked_by is not None  # still locked

    type_pin(kiosk, "135790")
    wait_until(lambda: kiosk.root.current == "capture")
    assert kiosk.recording is recording and kiosk.operator.operator_id == "OP-02"
    assert screen(kiosk, "capture").position == "face" and login.locked_by is None
