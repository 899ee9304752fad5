"""A whole record captured from the operator console: real touches, the capture engine on its thread, the
simulated camera, scanner and iris camera, and "Tersimpan" only after the durable commit."""

import pytest
from kivy.tests.common import UnitTestTouch

from kiosk.testing import step, tap, wait_until
from native.vendor import apply_sim_script
from station.checkin import check_in_by_application
from tests.kiosk.capture_kit import log_in_and_call, recording_factory, screen
from tests.kiosk.kiosk_helpers import start_kiosk, stop_kiosk


@pytest.fixture
def kiosk(imported, station_config, applicants, sealer):
    apply_sim_script(None)
    check_in_by_application(imported, applicants[0]["application_id"], applicants[0]["phone"])
    app = start_kiosk(imported, station_config)
    app.make_recording = recording_factory(sealer)
    yield app
    if app.recording is not None:
        app.recording.close()
    stop_kiosk(app)


def sign(area):
    x0, y0 = area.to_window(area.x + 20, area.center_y)
    touch = UnitTestTouch(x0, y0)
    touch.touch_down()
    for i in range(1, 15):
        touch.touch_move(x0 + 10 * i, y0 + (i % 3) * 6)
        step(1)
    touch.touch_up()
    step(2)


def test_a_whole_record_from_the_operator_console(kiosk, imported, applicants):
    identity = log_in_and_call(kiosk)
    assert identity.ids.nik.value == applicants[0]["nik"]  # the operator sees the NIK in full to compare
    tap(identity.ids.confirm)
    assert kiosk.root.current == "capture"
    capture = screen(kiosk, "capture")
    assert capture.position == "face" and capture.ids.position.text == "Foto wajah"
    shown = []
    capture.ids.backdrop.bind(text=lambda _w, text: shown.append(text))
    previews = []
    capture.ids.preview.bind(texture=lambda _w, texture: previews.append(texture))
    tap(capture.ids.start)
    wait_until(lambda: capture.position == "signature", timeout_s=50)
    assert any(t.startswith("Latar: ") for t in shown)  # the backdrop seen and the one the birth year needs, live
    assert any(p is not None for p in previews)  # the live preview showed the camera
    assert capture.ids.preview.texture is None  # and the signature does not show the face
    tap(capture.ids.start)
    assert capture.state == "empty_signature"  # nothing drawn yet
    sign(capture.ids.signature)
    tap(capture.ids.start)
    wait_until(lambda: capture.position == "right_thumb")
    assert capture.ids.hands.opacity == 1 and capture.ids.hands.current == ["right_thumb"]
    circles = []
    capture.bind(circles=lambda _w, found: circles.append(list(found)))
    while capture.position:
        position = capture.position
        if position == "right_iris":  # a new modality: the preview no longer shows the last fingerprint
            assert capture.ids.preview.texture is None and capture.score == -1
        tap(capture.ids.start)
        wait_until(lambda p=position: capture.position != p or capture.below, timeout_s=50)
        assert not capture.below, capture.state
        if position == "right_index":
            assert capture.fingers["right_index"][0] == "captured"  # the hand diagram shows the done finger
    # the irises were shown live with the pupil and limbus circles the quality check found
    assert any(len(c) == 2 and all(r > 0 for _x, _y, r in c) for c in circles)
    review = screen(kiosk, "review")
    assert kiosk.root.current == "review"
    wait_until(lambda: len(review.ids.grid.children) == 14 or review.message)
    assert not review.message, review.message
    assert all(tile.ids.picture.texture is not None for tile in review.ids.grid.children)
    assert imported.conn.execute("SELECT count(*) FROM records WHERE state = 'captured'").fetchone()[0] == 0
    tap(review.ids.save)
    wait_until(lambda: review.saved, timeout_s=50)
    assert review.ids.title.text == "Tersimpan" and review.saved in review.ids.hint.text
    assert imported.conn.execute("SELECT count(*) FROM records WHERE state = 'captured'").fetchone()[0] == 1
    tap(review.ids.save)  # back to the queue
    assert kiosk.root.current == "operator_queue" and kiosk.recording is None
