"""A whole record captured from the operator console: real touches, the capture engine on its thread, the
simulated camera, scanner and iris camera, and "Tersimpan" only after the durable commit."""

import pytest
from kivy.tests.common import UnitTestTouch

from kiosk.recording import Recording
from kiosk.testing import step, tap, wait_until
from native import samples
from native.vendor import FutronicScanner, IriTechCamera, apply_sim_script
from station.capture_devices import Devices
from station.capture_engine import CaptureEngine
from station.capture_policy import face_background_for
from station.checkin import check_in_by_application
from station.config import CaptureSection
from tests.kiosk.kiosk_helpers import start_kiosk, stop_kiosk
from tests.station.capture_helpers import FrameFeed


@pytest.fixture
def kiosk(imported, station_config, applicants, sealer):
    apply_sim_script(None)
    check_in_by_application(imported, applicants[0]["application_id"], applicants[0]["phone"])

    def make_recording(entry, operator, on_frame, on_state):
        devices = Devices(camera=FrameFeed([samples.portrait(face_background_for(entry.birth_year))]),
                          finger_scanner=FutronicScanner("sim"), iris_camera=IriTechCamera("sim"))
        engine = CaptureEngine(CaptureSection(timeout_s=5.0), devices)
        return Recording(engine, sealer, entry.record_id, operator.operator_id, entry.birth_year, on_frame, on_state)

    app = start_kiosk(imported, station_config)
    app.make_recording = make_recording
    yield app
    if app.recording is not None:
        app.recording.close()
    stop_kiosk(app)


def screen(app, name):
    return app.root.get_screen(name)


def sign(area):
    x0, y0 = area.to_window(area.x + 20, area.center_y)
    touch = UnitTestTouch(x0, y0)
    touch.touch_down()
    for i in range(1, 15):
        touch.touch_move(x0 + 10 * i, y0 + (i % 3) * 6)
        step(1)
    touch.touch_up()
    step(2)


def log_in_and_call(kiosk):
    tap(screen(kiosk, "welcome").ids.operator)
    login = screen(kiosk, "operator_login")
    wait_until(lambda: len(login.ids.team.children) == 2)
    tap(next(b for b in login.ids.team.children if "OP-02" in b.text))
    buttons = {c.text: c for c in login.ids.keypad.children}
    for d in "135790":
        tap(buttons[d])
    tap(buttons["OK"])
    wait_until(lambda: kiosk.root.current == "operator_queue")
    queue = screen(kiosk, "operator_queue")
    tap(queue.ids.call_next)
    wait_until(lambda: queue.current is not None)
    tap(queue.ids.record)
    identity = screen(kiosk, "identity")
    assert kiosk.root.current == "identity"
    wait_until(lambda: identity.details is not None)
    return identity


def test_a_whole_record_from_the_operator_console(kiosk, imported, applicants):
    identity = log_in_and_call(kiosk)
    assert identity.ids.nik.value == applicants[0]["nik"]  # the operator sees the NIK in full to compare
    tap(identity.ids.confirm)
    assert kiosk.root.current == "capture"
    capture = screen(kiosk, "capture")
    assert capture.position == "face" and capture.ids.position.text == "Foto wajah"
    shown = []
    capture.ids.backdrop.bind(text=lambda _w, text: shown.append(text))
    tap(capture.ids.start)
    wait_until(lambda: capture.position == "signature", max_frames=3000)
    assert any(t.startswith("Latar: ") for t in shown)  # the backdrop seen and the one the birth year needs, live
    assert capture.ids.preview.texture is not None  # the live preview showed the camera
    tap(capture.ids.start)
    assert capture.state == "empty_signature"  # nothing drawn yet
    sign(capture.ids.signature)
    tap(capture.ids.start)
    wait_until(lambda: capture.position == "right_thumb")
    assert capture.ids.hands.opacity == 1 and capture.ids.hands.current == ["right_thumb"]
    while capture.position:
        position = capture.position
        tap(capture.ids.start)
        wait_until(lambda p=position: capture.position != p or capture.below, max_frames=3000)
        assert not capture.below, capture.state
        if position == "right_index":
            assert capture.fingers["right_index"][0] == "captured"  # the hand diagram shows the done finger
    review = screen(kiosk, "review")
    assert kiosk.root.current == "review"
    wait_until(lambda: len(review.ids.grid.children) == 14 or review.message)
    assert not review.message, review.message
    assert all(tile.ids.picture.texture is not None for tile in review.ids.grid.children)
    assert imported.conn.execute("SELECT count(*) FROM records WHERE state = 'captured'").fetchone()[0] == 0
    tap(review.ids.save)
    wait_until(lambda: review.saved, max_frames=3000)
    assert review.ids.title.text == "Tersimpan" and review.saved in review.ids.hint.text
    assert imported.conn.execute("SELECT count(*) FROM records WHERE state = 'captured'").fetchone()[0] == 1
    tap(review.ids.save)  # back to the queue
    assert kiosk.root.current == "operator_queue" and kiosk.recording is None
