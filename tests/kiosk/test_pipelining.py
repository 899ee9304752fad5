"""Check-in never waits for capture (issue 20 point 1): on a one-screen kit (role "all") a student checks in while
the operator's recording is open and the recording is kept; "Panggil berikutnya" on the saved screen calls them
with one tap; a check-in display (role "checkin") has only the students' screens, an operator console
("operator") only the operator's, and each gets only its own devices from the wiring."""

import pytest

from contract.application_qr import make_application_qr
from drivers.qr_scanner import LineScanner
from drivers.qr_scanner_sim import SimulatedScanner
from kiosk.app import KioskApp
from kiosk.roles import CHECKIN_SCREENS, OPERATOR_SCREENS
from kiosk.services import CheckInService
from kiosk.testing import overflowing_labels, settle, tap, wait_until
from native.vendor import apply_sim_script
from station.checkin import check_in_by_application
from tests.kiosk.capture_kit import log_in_and_call, recording_factory, screen
from tests.kiosk.kiosk_helpers import start_kiosk, stop_kiosk
from tests.kiosk.test_capture_screen import sign
from tests.kiosk.test_operator_screens import type_pin


@pytest.fixture
def one_screen(imported, station_config, applicants, sealer, keys):
    apply_sim_script(None)
    check_in_by_application(imported, applicants[0]["application_id"], applicants[0]["phone"])
    sim = SimulatedScanner()
    app = start_kiosk(imported, station_config, hq_key=keys.hq_sign.public_key(), qr_scanner=LineScanner(sim.path))
    app.make_recording = recording_factory(sealer, finger_mode="single")  # the simulator serves single prints
    yield app, sim
    if app.recording is not None:
        app.recording.close()
    stop_kiosk(app)
    sim.unplug()


def capture_all(kiosk):
    """From the identity check to the review: every position captured (signed on the touchscreen)."""
    tap(screen(kiosk, "identity").ids.confirm)
    capture = screen(kiosk, "capture")
    while kiosk.root.current == "capture" and capture.position:
        position = capture.position
        if position == "signature":
            tap(capture.ids.start)
            sign(capture.ids.signature)
        tap(capture.ids.start)
        wait_until(lambda p=position: capture.position != p or capture.below or kiosk.root.current != "capture",
                   timeout_s=50)
        assert not capture.below, capture.state
    assert kiosk.root.current == "review"


def test_a_student_checks_in_while_a_recording_is_open_and_one_tap_calls_them(one_screen, imported, keys,
                                                                              applicants):
    kiosk, scanner = one_screen
    log_in_and_call(kiosk)
    capture_all(kiosk)
    review = screen(kiosk, "review")
    wait_until(lambda: len(review.ids.grid.children) > 0)
    recording, results = kiosk.recording, kiosk.recording.results()

    tap(review.ids.checkin)  # the operator lends the one screen to the queue
    assert kiosk.root.current == "welcome" and kiosk.recording is recording
    login = screen(kiosk, "operator_login")
    assert login.locked_by.operator_id == "OP-02"
    wait_until(lambda: imported.conn.execute("SELECT count(*) FROM audit WHERE action = 'operator.locked' AND "
                                             "reason = 'check-in'").fetchone()[0] == 1)

    scanner.scan(make_application_qr(applicants[5]["application_id"], keys.hq_sign))  # the next student's QR
    wait_until(lambda: kiosk.root.current == "confirm")
    tap(screen(kiosk, "confirm").ids.yes)
    tap(screen(kiosk, "phone").ids.use_listed)  # the list's phone, by its last digits
    wait_until(lambda: kiosk.root.current == "ticket")
    assert screen(kiosk, "ticket").ids.number.text == "002"
    tap(screen(kiosk, "ticket").ids.done)
    assert kiosk.root.current == "welcome"

    tap(screen(kiosk, "welcome").ids.operator)  # back to the console: the same operator's PIN only
    assert kiosk.root.current == "operator_login" and login.locked_by is not None
    type_pin(kiosk, "135790")
    wait_until(lambda: kiosk.root.current == "review")
    assert kiosk.recording is recording and kiosk.recording.results() == results  # nothing captured was lost
    tap(review.ids.save)
    wait_until(lambda: review.saved or review.message, timeout_s=50)
    assert review.ids.title.text == "Tersimpan" and review.ids.save.text == "Panggil berikutnya"

    tap(review.ids.save, settle_after=False)  # a double tap on "Panggil berikutnya"
    tap(review.ids.save)
    queue = screen(kiosk, "operator_queue")
    wait_until(lambda: queue.current is not None)
    settle(30)
    assert queue.current.queue_number == 2  # the student who checked in meanwhile
    wait_until(lambda: kiosk.root.current == "identity")  # one tap: called, and their identity check is up
    assert kiosk.recording is not None and kiosk.recording.record_id == queue.current.record_id
    called = imported.conn.execute("SELECT r.id FROM records r WHERE r.state = 'capturing'").fetchall()
    assert [r[0] for r in called] == [queue.current.record_id]  # one call, not two
    states = dict(imported.conn.execute("SELECT c.queue_number, r.state FROM records r JOIN checkins c "
                                        "ON c.id = r.checkin_ref"))
    assert states == {1: "captured", 2: "capturing"}
    from kivy.core.window import Window

    assert len(Window.children) == 1  # the double tap's second touch opened nothing on the identity check
    tap(screen(kiosk, "identity").ids.not_here)  # they do not come: passed over, as from the queue screen
    wait_until(lambda: kiosk.root.current == "operator_queue" and kiosk.recording is None)
    wait_until(lambda: imported.conn.execute("SELECT r.state FROM records r JOIN checkins c ON c.id = r.checkin_ref"
                                             " WHERE c.queue_number = 2").fetchone()[0] == "checked_in")


@pytest.mark.parametrize("role", ["checkin", "operator"])
def test_each_display_has_only_its_own_screens(imported, station_config, role):
    app = KioskApp(CheckInService(imported, station_config), helpdesk=station_config.helpdesk, role=role)
    app._run_prepare()
    settle()
    try:
        names = set(app.root.screen_names)
        if role == "checkin":
            assert names == set(CHECKIN_SCREENS) and not names & set(OPERATOR_SCREENS)
            board = screen(app, "board")
            assert app.root.current == "board" and board.ids.start.opacity == 1 and board.ids.back.disabled
            assert screen(app, "welcome").ids.operator.disabled  # no way to an operator screen
            assert "board" in app.QR_SCREENS  # the scanner is listened to while the board shows
            assert not overflowing_labels(app.root)
            tap(board.ids.start)
            assert app.root.current == "nik_entry"
            app.restart()
            assert app.root.current == "board"  # every check-in ends on the board
        else:
            assert names == set(OPERATOR_SCREENS) and not names & set(CHECKIN_SCREENS)
            assert app.root.current == "operator_login"
            assert screen(app, "operator_login").ids.back.disabled
    finally:
        stop_kiosk(app)


def test_each_screen_is_made_when_first_asked_for_and_only_once(imported, station_config):
    from kivy.uix.screenmanager import ScreenManagerException

    app = start_kiosk(imported, station_config)
    try:
        manager = app.root
        assert [s.name for s in manager.screens] == ["welcome"]  # the home screen only, at start
        assert set(manager.screen_names) == set(CHECKIN_SCREENS) | set(OPERATOR_SCREENS)
        assert manager.has_screen("identity") and not manager.has_screen("nowhere")
        identity = manager.get_screen("identity")
        assert manager.get_screen("identity") is identity and [s.name for s in manager.screens] == ["welcome",
                                                                                                   "identity"]
        tap(screen(app, "welcome").ids.start)  # a touch that opens a screen not made yet
        assert manager.current == "nik_entry" and manager.current_screen.name == "nik_entry"
        with pytest.raises(ScreenManagerException):
            manager.get_screen("nowhere")
    finally:
        stop_kiosk(app)


def test_the_wiring_gives_each_role_its_own_devices(imported, station_config, tmp_path):
    from sinopsis.kiosk_wiring import kiosk_app, wire_kiosk
    from station.config import load_config

    path = tmp_path / "station.toml"
    path.write_text(f'[station]\ndata_dir = "{station_config.station.data_dir}"\n[devices]\nqr_scanner = "sim"\n'
                    '[kiosk]\nrole = "operator"\ncheckin_printer = "sim"\n')
    config = load_config(path)
    checkin = wire_kiosk(imported, config, tmp_path / "slips", role="checkin")  # --role overrides the file
    try:
        kit = checkin.kit
        assert (kit.camera, kit.finger_scanner, kit.iris_camera, kit.signature_pad) == (None, None, None, None)
        assert checkin.make_recording is None and checkin.sealer is None
        assert isinstance(checkin.qr_scanner, LineScanner) and kit.printer is not None  # QR and queue slips
    finally:
        checkin.close()
    console = wire_kiosk(imported, config, tmp_path / "slips")  # the file's role
    try:
        assert console.role == "operator" and console.make_recording is not None and console.qr_scanner is None
        app = kiosk_app(imported, config, console)
        assert app.role == "operator" and app.camera is None and app.qr_scanner is None  # no QR on the console
        app.services.close()
    finally:
        console.close()
