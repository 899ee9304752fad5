"""`sinopsis station run`: the kiosk on the station's store with the kit built from station.toml
(sinopsis/kiosk_wiring.py), and the process starts and quits cleanly (here after a second)."""

import os
import subprocess
import sys
import tempfile

import pytest
from kivy.core.window import Window

from drivers.signature_pad_sim import SimulatedPad
from kiosk.testing import settle, tap, wait_until
from sinopsis.kiosk_wiring import capture_devices, kiosk_app, prepare_kit_for, wire_kiosk
from station.capture.engine import CaptureEngine
from station.capture.policy import face_background_for
from station.checkin import check_in_by_application
from tests.kiosk.capture_kit import log_in_and_call, screen
from tests.kiosk.kiosk_helpers import stop_kiosk


@pytest.fixture
def wired(imported, station_config, tmp_path):
    wiring = wire_kiosk(imported, station_config, tmp_path / "slips")
    yield wiring
    wiring.close()


def test_the_wired_kiosk_captures_a_called_student_from_the_simulated_kit(wired, imported, station_config,
                                                                          applicants):
    student = next(a for a in applicants if int(a["birth_date"][:4]) % 2 == 0)  # blue: not the kit's default red
    check_in_by_application(imported, student["application_id"], student["phone"])
    Window.size = (800, 480)
    app = kiosk_app(imported, station_config, wired)
    app._run_prepare()
    settle()
    try:
        identity = log_in_and_call(app)
        tap(identity.ids.confirm)
        capture = screen(app, "capture")
        assert capture.position == "face"
        previews = []
        capture.ids.preview.bind(texture=lambda _w, texture: previews.append(texture))
        tap(capture.ids.start)
        wait_until(lambda: capture.position == "signature", timeout_s=50)
        face = app.recording.results()["face"]
        birth_year = int(student["birth_date"][:4])
        assert face.outcome == "captured" and face.score >= station_config.capture.thresholds.face
        assert face.metadata["background"] == face_background_for(birth_year)  # the replay camera's backdrop
        assert face.device_serial == "camera (simulated)"
        assert any(p is not None for p in previews)  # the camera's live view was shown
        assert app.recording.engine.confirm is wired.confirm  # NFIQ 2 confirms fingers in the default wiring
        assert capture.pad  # the kit's (simulated) serial pad takes the signature
        tap(capture.ids.start)  # the simulated pad signs, then the pen leaves the pad
        wait_until(lambda: capture.position != "signature", timeout_s=50)
        assert app.recording.results()["signature"].device_serial == "Topaz SigLite1X5 SIM00001"
        assert wired.device_presence()["signature_pad"] and wired.device_presence()["printer"]
    finally:
        if app.recording is not None:
            app.recording.cancel()
            app.recording.close()
        stop_kiosk(app)


def test_nfiq2_confirms_fingers_in_the_default_wiring_and_can_be_turned_off(wired, imported, tmp_path):
    pytest.importorskip("nbis")
    from native.confirm import ConfirmWorker
    from sinopsis.kiosk_wiring import confirm_worker_for
    from station.config import load_config

    assert isinstance(wired.confirm, ConfirmWorker)
    off = tmp_path / "off.toml"
    off.write_text("[capture]\nconfirm_fingers = false\n")
    assert confirm_worker_for(load_config(off)) is None


def test_every_student_gets_a_fresh_simulated_pad_and_their_backdrop(wired):
    first_pad = wired.kit.signature_pad
    prepare_kit_for(wired.kit, wired.settings, 2008)
    assert wired.kit.signature_pad is not first_pad
    assert sum(isinstance(s, SimulatedPad) for s in wired.kit.simulators) == 1  # the used one was closed
    frame = wired.kit.camera.frames[0]
    assert frame[5, 5].tolist() == [190, 110, 20]  # blue backdrop (BGR) for an even birth year
    prepare_kit_for(wired.kit, wired.settings, 2009)
    assert wired.kit.camera.frames[0][5, 5].tolist() == [36, 28, 200]  # red for an odd one


def test_station_run_windowed_for_a_second_even_when_its_vendor_sdks_do_not_load(imported, station_config, tmp_path):
    """The kit's fingerprint SDK not installed and its IriTech SDK of a major version the binding refuses: the kiosk
    starts all the same (one that stopped would be restarted by systemd again and again, a black screen in the
    hall), logs why each device is out, and quits cleanly. The normal start: `sinopsis demo --kiosk`'s test."""
    config = tmp_path / "station.toml"
    config.write_text(f'[station]\ndata_dir = "{station_config.station.data_dir}"\n'
                      '[devices]\nqr_scanner = "sim"\n'  # the kit's QR line scanner is listened to
                      f'fingerprint_sdk = "{tmp_path / "futronic" / "libScanAPI.so"}"\n')
    env = {**os.environ, "SDL_VIDEODRIVER": "offscreen", "KIVY_HOME": tempfile.mkdtemp(), "KIVY_NO_ARGS": "1",
           "SINOPSIS_SIM_IDDK_VERSION": "3.6.9"}
    done = subprocess.run([sys.executable, "-m", "sinopsis", "station", "run", "--config", str(config),
                           "--windowed", "--seconds", "1"], capture_output=True, text=True, timeout=120, env=env)
    output = done.stderr + done.stdout
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Start application main loop" in output
    assert "fingerprint scanner is unavailable" in output and "futronic/libScanAPI.so" in output
    assert "iris camera is unavailable" in output and "3.6.9" in output


def test_a_device_whose_sdk_does_not_load_is_reported_missing_and_its_capture_offers_the_exception(
        imported, station_config, tmp_path, monkeypatch):
    """drivers/kit.py leaves such a device out: the status bar's presence says it is missing (even with the
    scanner itself plugged in), and its capture ends at once as `no_device` (the screen's text: not available on
    this kit, call the technical team or record an exception) while the other devices work."""
    monkeypatch.setenv("SINOPSIS_SIM_IDDK_VERSION", "3.6.9")
    devices = station_config.devices.model_copy(update={"fingerprint_sdk": str(tmp_path / "libScanAPI.so")})
    config = station_config.model_copy(update={"devices": devices})
    wiring = wire_kiosk(imported, config, tmp_path / "slips")
    try:
        assert wiring.kit.finger_scanner is None and wiring.kit.iris_camera is None
        assert "libScanAPI.so" in wiring.kit.unavailable["fingerprint"]
        assert "3.6.9" in wiring.kit.unavailable["iris"]
        presence = wiring.device_presence()
        assert (presence["fingerprint"], presence["iris"], presence["camera"]) == (False, False, True)
        engine = CaptureEngine(config.capture, capture_devices(config, wiring.kit))
        assert engine.capture_finger("right_thumb").status == "no_device"
        assert engine.capture_iris("right").status == "no_device"
    finally:
        wiring.close()


def test_station_run_without_the_station_keys_says_which_file(tmp_path):
    config = tmp_path / "station.toml"
    config.write_text(f'[station]\ndata_dir = "{tmp_path / "empty"}"\n')
    env = {**os.environ, "SDL_VIDEODRIVER": "offscreen", "KIVY_HOME": tempfile.mkdtemp(), "KIVY_NO_ARGS": "1"}
    done = subprocess.run([sys.executable, "-m", "sinopsis", "station", "run", "--config", str(config),
                           "--windowed", "--seconds", "1"], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 2 and "station_signing.pem" in done.stderr, done.stderr[-2000:]
