"""No dead ends, by real touches (issue 20 point 3): a double tap on Capture does not stop the capture; after the
last attempt the team leader's PIN allows more; the best is kept with a coded reason; a review thumbnail opens a
preview whose discard asks first; a withdrawal is confirmed, then undone from the queue."""

import pytest

from kiosk.testing import tap, wait_until
from native import samples
from native.vendor import apply_sim_script
from station.capture.policy import FINGERS, IRISES, face_background_for
from station.checkin import check_in_by_application
from station.config import CaptureSection
from tests.kiosk.capture_kit import choose, log_in_and_call, popup, recording_factory, screen
from tests.kiosk.kiosk_helpers import start_kiosk, stop_kiosk
from tests.station.capture_helpers import FrameFeed, TickClock

ONE_TRY = CaptureSection(timeout_s=1.0, max_attempts=1)


@pytest.fixture
def kiosk(imported, station_config, applicants, sealer):
    """The kiosk at the portrait of a student whose camera shows the wrong backdrop (no frame can pass)."""
    apply_sim_script(None)
    check_in_by_application(imported, applicants[0]["application_id"], applicants[0]["phone"])
    right = face_background_for(int(applicants[0]["birth_date"][:4]))
    feed = FrameFeed([samples.portrait("red" if right == "blue" else "blue")])
    app = start_kiosk(imported, station_config)
    app.make_recording = recording_factory(sealer, camera=feed, policy=ONE_TRY, clock=TickClock(0.05))
    tap(log_in_and_call(app).ids.confirm)
    app.feed, app.right_backdrop = feed, right
    yield app
    if app.recording is not None:
        app.recording.close()
    stop_kiosk(app)


def type_pin(dialog, pin):
    keys = {k.text: k for k in dialog.ids.keypad.children}
    for digit in pin:
        tap(keys[digit])
    tap(keys["OK"])


def test_a_double_tap_captures_and_the_team_leader_allows_more_attempts(kiosk, imported):
    capture = screen(kiosk, "capture")
    tap(capture.ids.start, settle_after=False)
    tap(capture.ids.start)  # the second tap of a double tap: swallowed, the capture goes on
    wait_until(lambda: not capture.busy, timeout_s=30)
    assert capture.state == "below_threshold" and capture.exhausted  # not "cancelled"
    assert capture.ids.more_attempts.opacity == 1
    tap(capture.ids.more_attempts)
    dialog = popup()
    type_pin(dialog, "1357")  # not the team leader's PIN
    wait_until(lambda: dialog.message)
    assert dialog.ids.note.text == "Itu bukan PIN ketua tim. Coba lagi."
    type_pin(dialog, "246810")
    wait_until(lambda: popup() is None)
    assert capture.state == "more_attempts" and not capture.exhausted
    assert capture.ids.state.text.startswith("Percobaan tambahan disetujui")
    kiosk.feed.frames, kiosk.feed.index = [samples.portrait(kiosk.right_backdrop)], 0  # the right cloth now
    tap(capture.ids.start)
    wait_until(lambda: capture.position == "signature", timeout_s=30)
    face = kiosk.recording.results()["face"]
    assert face.attempts == 2 and face.metadata["more_attempts"]["approved_by"] == "OP-01"
    rows = imported.conn.execute("SELECT actor, action FROM audit WHERE action LIKE 'supervisor.%' "
                                 "AND record_id = ? ORDER BY id", (kiosk.recording.record_id,)).fetchall()
    assert [tuple(r) for r in rows] == [("OP-02", "supervisor.pin_failed"), ("OP-01", "supervisor.approved")]


def test_keep_the_best_preview_discard_then_withdraw_and_undo(kiosk, imported):
    capture = screen(kiosk, "capture")
    tap(capture.ids.start)
    wait_until(lambda: not capture.busy, timeout_s=30)
    tap(capture.ids.keep_best)
    choose("site_conditions")
    wait_until(lambda: capture.position == "signature")
    face = kiosk.recording.results()["face"]
    assert face.below_threshold and face.reason == "site_conditions"
    engine, photo = kiosk.recording.engine, samples.FACE.read_bytes()  # the rest straight on the idle engine
    engine.capture_signature(b'{"format": "strokes/1", "strokes": [[[1, 2, 0.5], [30, 40, 0.5]]]}')
    for position in (*FINGERS, *IRISES):
        engine.mark_exception(position, "injured", None, photo)
    capture.advance()
    review = screen(kiosk, "review")
    wait_until(lambda: len(review.ids.grid.children) == 14)
    tap(next(t for t in review.ids.grid.children if t.position == "face"))
    preview = popup()
    wait_until(lambda: preview.texture is not None)
    assert preview.caption.endswith("disimpan di bawah ambang: Kondisi tempat (cahaya, latar)")
    tap(preview.ids.discard)  # asks first
    assert preview.confirming and preview.parent is not None and "face" in kiosk.recording.results()
    tap(preview.ids.close)  # "No, keep it"
    assert not preview.confirming and preview.parent is not None and "face" in kiosk.recording.results()
    tap(preview.ids.discard)
    tap(preview.ids.discard)  # "Yes, discard"
    wait_until(lambda: kiosk.root.current == "capture")
    assert capture.position == "face" and "face" not in kiosk.recording.results()
    record_id = kiosk.recording.record_id
    tap(capture.ids.withdraw)
    dialog = popup()
    tap(next(b for b in dialog.ids.reasons.children if b.code == "walked_out"))
    assert dialog.parent is not None and not dialog.ids.confirm.disabled  # chosen, not yet done
    state = imported.conn.execute("SELECT state FROM records WHERE id = ?", (record_id,)).fetchone()[0]
    assert state == "capturing"
    tap(dialog.ids.confirm)
    queue = screen(kiosk, "operator_queue")
    wait_until(lambda: kiosk.root.current == "operator_queue")
    assert queue.withdrawn == record_id and queue.ids.undo_withdrawal.opacity == 1
    tap(queue.ids.undo_withdrawal)
    wait_until(lambda: queue.current is not None)
    assert queue.current.record_id == record_id and queue.ids.message.text.startswith("Pembatalan diurungkan")
    row = imported.conn.execute("SELECT state, reason_code FROM records WHERE id = ?", (record_id,)).fetchone()
    assert tuple(row) == ("capturing", None)
