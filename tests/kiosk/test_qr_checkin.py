"""Check-in by showing the application QR to the serial scanner (a simulated scanner on a real pty) or to the kiosk's
camera (the replay camera showing a QR held up)."""

import cv2
import numpy as np
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contract.application_qr import make_application_qr
from drivers.camera import ReplayCamera
from drivers.qr_scanner import LineScanner
from drivers.qr_scanner_sim import SimulatedScanner
from kiosk.testing import step, tap, wait_until
from tests.kiosk.kiosk_helpers import start_kiosk, stop_kiosk


@pytest.fixture
def qr_kiosk(imported, station_config, keys):
    sim = SimulatedScanner()
    app = start_kiosk(imported, station_config, hq_key=keys.hq_sign.public_key(), qr_scanner=LineScanner(sim.path))
    yield app, sim
    stop_kiosk(app)
    sim.unplug()


def test_a_genuine_qr_goes_to_the_identity_check(qr_kiosk, keys, applicants):
    app, sim = qr_kiosk
    sim.scan(make_application_qr(applicants[2]["application_id"], keys.hq_sign))
    wait_until(lambda: app.root.current == "confirm")
    assert app.flow.identity.application_id == applicants[2]["application_id"]
    tap(app.root.get_screen("confirm").ids.yes)
    assert app.root.current == "phone"


OTHER_KEY = Ed25519PrivateKey.generate()  # not the HQ this station pinned


@pytest.mark.parametrize(("make", "says"), [
    (lambda a: "https://example.org/promo", "bukan QR pendaftaran SINOPSIS"),
    (lambda a: make_application_qr(a["application_id"], OTHER_KEY), "tidak sah"),
])
def test_a_foreign_or_forged_qr_is_refused_kindly(qr_kiosk, keys, applicants, make, says):
    app, sim = qr_kiosk
    sim.scan(make(applicants[0]))
    wait_until(lambda: app.root.current == "problem")
    assert says in app.root.get_screen("problem").ids.message.text


def test_a_qr_shown_mid_check_in_is_ignored(qr_kiosk, keys, applicants):
    app, sim = qr_kiosk
    tap(app.root.get_screen("welcome").ids.start)
    sim.scan(make_application_qr(applicants[2]["application_id"], keys.hq_sign))
    step(60)  # the scan arrives during these frames and is ignored
    assert app.root.current == "nik_entry" and app.flow.identity is None


# -- the QR shown to the kiosk's camera (kiosk/camera_qr.py) ------------------------------------------------------

# a bound only (≈ 30 s of frames, for a loaded machine); the camera thread reads 5 frames a second and retries an
# unplugged camera every second
CAMERA_FRAMES = 6000

class WatchedCamera(ReplayCamera):
    """The replay camera, saying whether it is open (the operator's capture needs it released)."""

    is_open = False

    def open(self) -> None:
        super().open()
        self.is_open = True

    def close(self) -> None:
        super().close()
        self.is_open = False


def holding_up(text: str | None) -> np.ndarray:
    """A camera frame: a grey room, and (if `text`) a phone screen with the QR held up in the middle."""
    frame = np.full((480, 640, 3), 150, np.uint8)
    if text:
        code = cv2.resize(cv2.QRCodeEncoder.create().encode(text), None, fx=5, fy=5, interpolation=cv2.INTER_NEAREST)
        code = cv2.copyMakeBorder(code, 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=255)
        code = np.clip(code, 20, 240)  # a screen's black and white as a camera sees them (and room for noise)
        h, w = code.shape
        frame[(480 - h) // 2:(480 + h) // 2, (640 - w) // 2:(640 + w) // 2] = code[..., None]
    return frame


@pytest.fixture
def camera_kiosk(imported, station_config, keys):
    camera = WatchedCamera([holding_up(None)], noise=2)  # noise: a live sensor, never a frozen stream
    app = start_kiosk(imported, station_config, hq_key=keys.hq_sign.public_key(), camera=camera)
    yield app, camera
    stop_kiosk(app)
    assert not camera.is_open  # released when the kiosk stops


def test_a_genuine_qr_shown_to_the_camera_goes_to_the_identity_check(camera_kiosk, keys, applicants):
    app, camera = camera_kiosk
    welcome = app.root.get_screen("welcome")
    assert welcome.ids.qr_first.text == "Arahkan QR pendaftaran Anda ke kamera."  # QR first, the NIK as fallback
    assert welcome.ids.qr_hint.text == ""
    wait_until(lambda: camera.is_open, CAMERA_FRAMES)  # read while the welcome screen shows
    camera.set_frames([holding_up(make_application_qr(applicants[3]["application_id"], keys.hq_sign))])
    wait_until(lambda: app.root.current == "confirm", CAMERA_FRAMES)
    assert app.flow.identity.application_id == applicants[3]["application_id"]
    wait_until(lambda: not camera.is_open, CAMERA_FRAMES)  # welcome left: the camera is free for the operator's capture
    step(30)
    assert app.root.current == "confirm"  # the QR still held up changes nothing
    tap(app.root.get_screen("confirm").ids.yes)
    assert app.root.current == "phone"


def test_a_forged_qr_shown_to_the_camera_is_refused_kindly(camera_kiosk, applicants):
    app, camera = camera_kiosk
    camera.set_frames([holding_up(make_application_qr(applicants[3]["application_id"], OTHER_KEY))])
    wait_until(lambda: app.root.current == "problem", CAMERA_FRAMES)
    assert "tidak sah" in app.root.get_screen("problem").ids.message.text
    assert app.flow.identity is None


def test_the_camera_unplugged_and_plugged_back_still_reads_qr_codes(imported, station_config, keys, applicants):
    camera = WatchedCamera([holding_up(None)], noise=2, faults={4: "unplug"})  # gone after a few frames
    app = start_kiosk(imported, station_config, hq_key=keys.hq_sign.public_key(), camera=camera)
    try:
        wait_until(lambda: app.camera_qr.failures >= 2, CAMERA_FRAMES)  # unplugged: tried again, quietly
        assert app.root.current == "welcome"
        camera.set_frames([holding_up(make_application_qr(applicants[5]["application_id"], keys.hq_sign))])
        camera.replug()
        wait_until(lambda: app.root.current == "confirm", CAMERA_FRAMES)
        assert app.flow.identity.application_id == applicants[5]["application_id"]
    finally:
        stop_kiosk(app)


def test_leaving_the_welcome_screen_releases_the_camera(camera_kiosk):
    app, camera = camera_kiosk
    wait_until(lambda: camera.is_open, CAMERA_FRAMES)
    tap(app.root.get_screen("welcome").ids.operator)
    wait_until(lambda: not camera.is_open, CAMERA_FRAMES)
    step(30)
    assert not camera.is_open
    app.go("welcome")
    wait_until(lambda: camera.is_open, CAMERA_FRAMES)
