"""The operator's decisions during a capture, by touches against the simulated kit: a correction request and a
withdrawal (coded, audited, nothing kept), a finger exception with its reason and photo, a recapture from the
review, a camera unplugged mid-capture (paused, resumed, nothing lost) and 4-4-2 slaps."""

import pytest

from kiosk.testing import settle, tap, wait_until
from native import samples
from native.vendor import apply_sim_script
from station.capture.policy import face_background_for
from station.checkin import check_in_by_application
from station.config import CaptureSection
from tests.kiosk.capture_kit import choose, log_in, log_in_and_call, popup, recording_factory, screen
from tests.kiosk.kiosk_helpers import start_kiosk, stop_kiosk
from tests.station.capture_helpers import FrameFeed, slap_pgm


@pytest.fixture
def started(imported, station_config, applicants, sealer):
    apply_sim_script(None)
    check_in_by_application(imported, applicants[0]["application_id"], applicants[0]["phone"])
    apps = []

    def start(**factory):
        app = start_kiosk(imported, station_config)
        app.make_recording = recording_factory(sealer, **factory)
        apps.append(app)
        return app

    yield start
    for app in apps:
        if app.recording is not None:
            app.recording.close()
        stop_kiosk(app)
    apply_sim_script(None)


def record_row(store):
    return store.conn.execute("SELECT state, reason_code, id FROM records").fetchone()


def capture_face(capture):
    tap(capture.ids.start)
    wait_until(lambda: capture.position != "face" or capture.state in ("paused", "below_threshold"),
               timeout_s=50)


def to_the_fingers(kiosk):
    """Identity confirmed, portrait taken, signed on the screen: the capture screen at the right thumb."""
    tap(log_in_and_call(kiosk).ids.confirm)
    capture = screen(kiosk, "capture")
    capture_face(capture)
    capture.ids.signature.points.extend([(10, 10, True), (60, 40, True), (90, 20, False)])
    tap(capture.ids.start)
    wait_until(lambda: capture.position == "right_thumb")
    return capture


def capture_the_rest(capture):
    """Capture every remaining position (the review follows)."""
    while capture.position:
        position = capture.position
        tap(capture.ids.start)
        wait_until(lambda p=position: capture.position != p, timeout_s=50)


def test_data_that_does_not_match_becomes_a_correction_request(started, imported):
    kiosk = started()
    identity = log_in_and_call(kiosk)
    tap(identity.ids.mismatch)
    choose("kk_mismatch")
    wait_until(lambda: kiosk.root.current == "operator_queue")
    assert tuple(record_row(imported))[:2] == ("correction_requested", "kk_mismatch")
    assert kiosk.recording is None
    assert screen(kiosk, "operator_queue").ids.message.text == "Permintaan perbaikan data dikirim ke kantor."


def test_a_withdrawal_mid_capture_keeps_nothing(started, imported, station_config):
    kiosk = started()
    tap(log_in_and_call(kiosk).ids.confirm)
    capture = screen(kiosk, "capture")
    capture_face(capture)
    assert capture.position == "signature"
    tap(capture.ids.withdraw)
    assert popup() is not None
    tap(popup().ids.cancel)  # changed their mind: nothing happens
    wait_until(lambda: popup() is None)
    assert kiosk.root.current == "capture" and record_row(imported)[0] == "capturing"
    tap(capture.ids.withdraw)
    choose("walked_out")
    wait_until(lambda: kiosk.root.current == "operator_queue")
    assert tuple(record_row(imported))[:2] == ("withdrawn", "walked_out")
    assert not list((station_config.station.data_dir / "packets").glob("*"))
    actor = imported.conn.execute("SELECT actor FROM audit WHERE to_state = 'withdrawn'").fetchone()[0]
    assert actor == "OP-02"


def test_a_finger_exception_with_its_reason_and_photo_then_recapture_from_the_review(started, imported, tmp_path):
    kiosk = started()
    capture = to_the_fingers(kiosk)
    assert capture.ids.exception.disabled is False
    tap(capture.ids.hands.ids.left_ring)  # the injured finger, touched on the diagram
    tap(capture.ids.exception)
    assert popup().ids.confirm.disabled  # no reason and no photo yet
    choose("injured", photo=True)
    assert capture.fingers["left_ring"][0] == "exception" and capture.position == "right_thumb"
    capture_the_rest(capture)
    review = screen(kiosk, "review")
    wait_until(lambda: len(review.ids.grid.children) == 14)
    tiles = {t.position: t for t in review.ids.grid.children}
    assert tiles["left_ring"].warn and "Cedera" in tiles["left_ring"].caption
    tap(tiles["face"])  # capture the portrait again: its preview, Discard, and confirm
    tap(popup().ids.discard)
    tap(popup().ids.discard)
    wait_until(lambda: kiosk.root.current == "capture")
    assert capture.position == "face"
    capture_face(capture)
    wait_until(lambda: kiosk.root.current == "review" and len(review.ids.grid.children) == 14)
    tap(review.ids.save)
    wait_until(lambda: review.saved, timeout_s=50)
    exception = imported.conn.execute(
        "SELECT outcome, exception_code FROM captures WHERE position = 'left_ring'").fetchone()
    assert tuple(exception) == ("exception", "injured")
    face_attempts = imported.conn.execute("SELECT attempts FROM captures WHERE position = 'face'").fetchone()[0]
    assert face_attempts == 1  # the recapture started again from its first attempt


def test_a_camera_unplugged_mid_capture_pauses_and_resumes(started, imported, applicants):
    backdrop = face_background_for(int(applicants[0]["birth_date"][:4]))
    camera = FrameFeed([samples.portrait(backdrop)], unplug_at=0)  # gone from the first frame
    kiosk = started(camera=camera)
    tap(log_in_and_call(kiosk).ids.confirm)
    capture = screen(kiosk, "capture")
    capture_face(capture)
    assert capture.state == "paused" and capture.position == "face"
    assert "kamera" in capture.ids.state.text  # "Perangkat terlepas: kamera. Pasang kembali…"
    camera.replug()
    capture_face(capture)
    assert capture.position == "signature" and not capture.device_message
    assert record_row(imported)[0] == "capturing"


def test_four_four_two_slaps_on_a_slap_scanner(started, imported, tmp_path):
    script = tmp_path / "slap-script.txt"
    script.write_text(f"finger slap\nfinger image {slap_pgm(tmp_path, 4)}\nfinger present\n")
    apply_sim_script(script)
    kiosk = started(finger_mode="slap", policy=CaptureSection(timeout_s=1.0, max_attempts=1))
    capture = to_the_fingers(kiosk)
    # The e-KTP order starts with the right thumb; on a slap scanner that is the thumbs slap (2 fingers).
    assert capture.positions == ["right_thumb", "left_thumb"]
    assert capture.ids.position.text == "Kedua ibu jari"
    assert capture.ids.hands.current == ["right_thumb", "left_thumb"]
    problems = []
    capture.bind(problems=lambda _s, p: problems.extend(p))
    tap(capture.ids.start)  # the platen shows four fingers: a count mismatch, never accepted
    wait_until(lambda: not capture.busy, timeout_s=100)
    assert capture.position == "right_thumb" and capture.state == "below_threshold"
    assert "SLAP_COUNT_MISMATCH" in problems and not capture.below  # nothing to keep: retry or exception
    # Right four: the four fingers of the platen are taken in one go.
    tap(capture.ids.hands.ids["left_thumb"])  # touched on the diagram: the popup starts with it
    tap(capture.ids.exception)
    assert [b.code for b in reversed(popup().ids.targets.children)] == ["left_thumb", "right_thumb"]
    choose("unable_to_print", photo=True)
    assert capture.fingers["left_thumb"][0] == "exception" and capture.positions == ["right_thumb"]
    tap(capture.ids.exception)
    choose("amputated", photo=True)
    assert capture.positions == ["right_little", "right_ring", "right_middle", "right_index"]  # as on the platen
    assert capture.ids.position.text == "Empat jari tangan kanan"
    tap(capture.ids.start)
    wait_until(lambda: capture.position not in ("right_index",), timeout_s=100)
    results = kiosk.recording.results()
    assert all(results[p].outcome == "captured" for p in ("right_index", "right_middle", "right_ring",
                                                            "right_little"))
    assert capture.fingers["right_ring"][0] == "captured" and capture.fingers["right_thumb"][0] == "exception"


@pytest.mark.parametrize("script", ["signs", "unplugged"])
def test_the_signature_on_the_serial_pad_or_on_the_screen_when_the_pad_goes(started, imported, script):
    from drivers.signature_pad import TopazPad
    from drivers.signature_pad_sim import SimulatedPad, signature_script

    signed = signature_script()[:-1]  # two strokes; the pen then hovers until the operator presses OK
    sim = SimulatedPad([*signed, *[(900, 1000, False)] * 900] if script == "signs"
                       else [(600, 900, True), (610, 905, True), "unplug"])
    try:
        pad = TopazPad(sim.path, usb_serial=sim.usb_serial, quiet_s=60)
        kiosk = started(pad=pad)
        tap(log_in_and_call(kiosk).ids.confirm)
        capture = screen(kiosk, "capture")
        capture_face(capture)
        assert capture.position == "signature" and capture.pad
        assert capture.ids.pad_hint.text.startswith("Siswa menandatangani pad")
        assert capture.ids.pad_done.disabled  # OK only while the pad is listening
        tap(capture.ids.start)
        if script == "signs":
            wait_until(lambda: sum(len(s) for s in pad.strokes) == 60, timeout_s=50)
            assert not capture.ids.pad_done.disabled
            tap(capture.ids.pad_done)  # the student has signed: the operator presses OK on the screen
        wait_until(lambda: not capture.busy, timeout_s=50)
        if script == "signs":
            assert capture.position == "right_thumb"
            assert kiosk.recording.results()["signature"].device_serial == "Topaz SigLite1X5 SIM00001"
            return
        # Unplugged while the student signs: paused, said so; the student signs on the screen instead.
        assert capture.state == "paused" and capture.device_message == "signature_pad"
        assert "pad tanda tangan" in capture.ids.state.text
        tap(capture.ids.sign_on_screen)
        assert not capture.pad and capture.ids.signature.opacity == 1
        capture.ids.signature.points.extend([(10, 10, True), (60, 40, True), (90, 20, False)])
        tap(capture.ids.start)
        wait_until(lambda: capture.position == "right_thumb")
        assert kiosk.recording.results()["signature"].device_serial == "touchscreen"
    finally:
        sim.close()


def test_saving_while_the_database_is_busy_waits_without_freezing_the_screen(started, imported, station_config):
    import sqlite3

    from kivy.clock import Clock

    from kiosk.testing import step

    kiosk = started()
    capture_the_rest(to_the_fingers(kiosk))
    review = screen(kiosk, "review")
    wait_until(lambda: len(review.ids.grid.children) == 14)
    other = sqlite3.connect(imported.db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process (the agent) holds the write lock
    try:
        tap(review.ids.save)
        ticks = []
        ticker = Clock.schedule_interval(lambda dt: ticks.append(dt), 0)
        step(60)  # the UI thread keeps running its frames while the commit waits on its worker
        ticker.cancel()
        assert len(ticks) >= 59
        assert review.busy and not review.saved and review.ids.title.text == "Periksa hasil rekaman"
    finally:
        other.execute("ROLLBACK")
        other.close()
    wait_until(lambda: review.saved, timeout_s=50)
    assert imported.conn.execute("SELECT state FROM records").fetchone()[0] == "captured"


def test_the_operator_switches_the_language_and_the_capture_follows(started, imported):
    kiosk = started()
    identity = log_in_and_call(kiosk)
    assert identity.ids.confirm.text == "Sesuai: mulai"
    kiosk.go("operator_queue")
    settle()  # past the touch guard of a screen change
    queue = screen(kiosk, "operator_queue")
    tap(queue.ids.language)
    assert queue.ids.language.text == "ID" and queue.ids.logout.text == "Log out"
    kiosk.go("identity")
    wait_until(lambda: identity.details is not None)
    assert identity.ids.confirm.text == "Matches: start"
    tap(identity.ids.confirm)
    capture = screen(kiosk, "capture")
    assert capture.ids.position.text == "Face photo" and capture.ids.start.text == "Capture"


def test_captures_stop_when_the_station_has_been_offline_too_long(imported, station_config, applicants, sealer):
    import datetime as dt

    from station.config import OfflineSection
    from station.offline_limits import record_hq_contact

    check_in_by_application(imported, applicants[0]["application_id"], applicants[0]["phone"])
    with imported.write() as conn:
        record_hq_contact(conn, dt.datetime.now(dt.UTC) - dt.timedelta(days=6))
    config = station_config.model_copy(update={"offline": OfflineSection()})  # defaults: block after 5 days
    kiosk = start_kiosk(imported, config)
    kiosk.make_recording = recording_factory(sealer)
    try:
        queue = log_in(kiosk)
        wait_until(lambda: queue.offline is not None)
        assert queue.offline.blocked and "dihentikan" in queue.ids.offline.text
        tap(queue.ids.call_next)
        wait_until(lambda: queue.current is not None)
        assert queue.ids.record.disabled  # the student was called, but no capture starts
    finally:
        stop_kiosk(kiosk)


@pytest.fixture
def small_disk(imported):
    """The station's packet folder on a real 4 MiB file system (tmpfs), nearly filled by another file: the next
    sealed record does not fit. Skipped where this user may not mount."""
    import subprocess

    folder = imported.packets_dir
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0750", "tmpfs", str(folder)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    filler = folder / "filler.bin"
    try:
        with filler.open("wb") as f:
            f.write(b"\0" * (4 * 1024 * 1024 - 64 * 1024))
        yield filler
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_at_save_keeps_the_captures_and_saving_again_works(started, imported, small_disk):
    kiosk = started()
    capture_the_rest(to_the_fingers(kiosk))
    review = screen(kiosk, "review")
    wait_until(lambda: len(review.ids.grid.children) == 14)
    tap(review.ids.save)
    wait_until(lambda: not review.busy, timeout_s=50)
    assert not review.saved and review.message.startswith("Disk stasiun penuh. Tidak ada yang tersimpan")
    assert review.ids.title.text == "Periksa hasil rekaman"
    assert record_row(imported)[0] == "capturing"  # nothing committed: no packet row, no outbox row
    assert imported.conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0
    assert [p.name for p in imported.packets_dir.iterdir()] == ["filler.bin"]  # no half-written packet left
    small_disk.unlink()  # the technician frees space
    tap(review.ids.save)
    wait_until(lambda: review.saved, timeout_s=50)
    assert record_row(imported)[0] == "captured"
    assert imported.conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 1
