"""The capture engine against real frames and the simulated vendor SDKs, with the whole capture policy."""

import json

import cv2
import numpy as np
import pytest

from contract.errors import RecordStateError
from native import samples
from native.vendor import apply_sim_script
from station.capture.devices import Devices
from station.capture.engine import CaptureEngine
from station.capture.events import DeviceState, FrameScored, PositionDone, StateChanged
from station.capture.policy import FINGERS
from station.config import CaptureSection
from tests.station.capture_helpers import FrameFeed, TickClock, sim_devices, slap_pgm

POLICY = CaptureSection(timeout_s=2.0)


@pytest.fixture(autouse=True)
def _no_sim_script():
    yield
    apply_sim_script(None)


def engine_with(devices: Devices, policy: CaptureSection = POLICY, **kw) -> tuple[CaptureEngine, list]:
    engine = CaptureEngine(policy, devices, clock=TickClock(), **kw)
    events: list = []
    engine.bus.subscribe(events.append)
    return engine, events


def decode(png: bytes, flags: int = cv2.IMREAD_UNCHANGED) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(png, np.uint8), flags)


def test_face_on_the_birth_year_backdrop_is_captured_as_a_three_by_four_photo():
    engine, events = engine_with(Devices(camera=FrameFeed([samples.portrait("red")])))
    outcome = engine.capture_face(birth_year=2009)
    assert outcome.status == "captured" and outcome.best_score >= 90
    result = engine.results["face"]
    photo = decode(result.image)
    assert abs(photo.shape[1] / photo.shape[0] - 3 / 4) < 0.01
    assert result.metadata["background"] == "red" and result.device_serial == "FEED-1"
    scored = [e for e in events if isinstance(e, FrameScored)]
    assert len(scored) >= 3, "the subject had to be still for several frames first"
    assert not scored[0].still and scored[-1].still
    assert isinstance(events[-1], PositionDone) or any(isinstance(e, PositionDone) for e in events)


def test_wrong_backdrop_is_never_accepted_and_needs_the_operator():
    engine, events = engine_with(Devices(camera=FrameFeed([samples.portrait("red")])))
    outcome = engine.capture_face(birth_year=2010)  # even year: blue required
    assert outcome.status == "below_threshold" and outcome.best_score == 0
    assert engine.attempts["face"] == POLICY.max_attempts
    assert any(isinstance(e, FrameScored) and "BACKGROUND_WRONG_COLOUR" in e.problems for e in events)
    with pytest.raises(RecordStateError, match="reason"):
        engine.accept_below_threshold("face", "  ")
    strict, _ = engine_with(Devices(camera=FrameFeed([samples.portrait("red")])),
                            CaptureSection(timeout_s=1.0, allow_below_threshold=False))
    strict.capture_face(birth_year=2010)
    with pytest.raises(RecordStateError, match="does not allow"):
        strict.accept_below_threshold("face", "no blue backdrop at this school")
    result = engine.accept_below_threshold("face", "no blue backdrop at this school")
    assert result.below_threshold and result.reason == "no blue backdrop at this school"


@pytest.mark.parametrize(("name", "frame", "problem"), [
    ("two faces", np.concatenate([samples.portrait("red", 400, 480, 0.4)] * 2, axis=1), "FACE_MULTIPLE"),
    ("nobody", np.full((480, 640, 3), samples.BACKDROPS_BGR["red"], np.uint8), "FACE_NONE"),
    ("black", np.zeros((480, 640, 3), np.uint8), "FACE_NONE"),
    ("overexposed", np.full((480, 640, 3), 255, np.uint8), "FACE_NONE"),
])
def test_frames_without_one_good_face_are_refused(name, frame, problem):
    engine, events = engine_with(Devices(camera=FrameFeed([frame])))
    assert engine.capture_face(birth_year=2009).status == "below_threshold"
    assert "face" not in engine.results
    assert any(isinstance(e, FrameScored) and problem in e.problems for e in events)


def test_camera_unplugged_mid_capture_pauses_and_resumes_without_losing_captures(tmp_path):
    camera = FrameFeed([samples.portrait("red")], unplug_at=2)
    scanner, _ = sim_devices(tmp_path)
    engine, events = engine_with(Devices(camera=camera, finger_scanner=scanner))
    assert engine.capture_finger("right_thumb").status == "captured"
    paused = engine.capture_face(birth_year=2009)
    assert paused.status == "paused"
    assert DeviceState("camera", False, "") in [DeviceState(e.device, e.present, "") for e in events
                                                 if isinstance(e, DeviceState)]
    assert "right_thumb" in engine.results  # kept while the camera was away
    assert engine.capture_face(birth_year=2009).status == "paused"  # still unplugged: reopen fails, clearly
    camera.replug()
    assert engine.capture_face(birth_year=2009).status == "captured"
    engine.close()


def test_finger_from_the_simulated_scanner_is_confirmed_by_nfiq2(tmp_path):
    pytest.importorskip("nbis")
    from native.confirm import ConfirmWorker

    scanner, _ = sim_devices(tmp_path, "finger absent 3\nfinger present\n")
    with ConfirmWorker() as worker:
        engine, events = engine_with(Devices(finger_scanner=scanner), confirm=worker)
        assert engine.capture_finger("right_index").status == "captured"
    result = engine.results["right_index"]
    assert result.metadata["nfiq2"] == result.score and result.score >= 40
    assert result.metadata["live_score"] >= 40 and result.device_serial.endswith("libScanAPI.so")
    assert decode(result.image, cv2.IMREAD_GRAYSCALE).shape == (480, 320)
    assert any(isinstance(e, StateChanged) and e.state == "confirming" for e in events)
    engine.close()


class UnscoredConfirm:
    """A confirm scorer (the ConfirmScorer surface) that gives no score, as NFIQ 2 does for a frame it cannot
    score; with `fail`, one whose scoring fails (NFIQ 2 broken on this machine)."""

    name = "no-score"

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    def score(self, _frame: np.ndarray) -> int | None:
        if self.fail:
            from native.confirm import ConfirmError

            raise ConfirmError("nbis failed")
        return None


@pytest.mark.parametrize("fail", [False, True], ids=["no score", "scoring failed"])
def test_a_finger_nfiq2_cannot_score_is_not_accepted_and_the_operator_decides(tmp_path, fail):
    from native.confirm import ConfirmWorker

    scanner, _ = sim_devices(tmp_path, "finger absent 3\nfinger present\n")
    with ConfirmWorker(lambda: UnscoredConfirm(fail)) as worker:
        engine, events = engine_with(Devices(finger_scanner=scanner), CaptureSection(timeout_s=2.0, max_attempts=2),
                                     confirm=worker)
        try:
            outcome = engine.capture_finger("right_index")
        finally:
            engine.close()
    assert outcome.status == "below_threshold" and outcome.problems == ("NFIQ2_NO_SCORE",)
    assert "right_index" not in engine.results, "never accepted on the live score alone"
    assert any(isinstance(e, StateChanged) and "NFIQ 2 gave no score" in e.detail for e in events)
    kept = engine.accept_below_threshold("right_index", "NFIQ 2 gave no score; print checked by eye")
    assert kept.below_threshold and kept.metadata["nfiq2"] is None
    assert kept.metadata["problems"] == ["NFIQ2_NO_SCORE"] and kept.metadata["live_score"] >= 40


def test_a_slap_nfiq2_cannot_score_is_not_accepted(tmp_path):
    from native.confirm import ConfirmWorker

    scanner, _ = sim_devices(tmp_path, f"finger slap\nfinger image {slap_pgm(tmp_path, 4)}\nfinger present\n")
    with ConfirmWorker(UnscoredConfirm) as worker:
        engine, _ = engine_with(Devices(finger_scanner=scanner, finger_mode="slap"),
                                CaptureSection(timeout_s=2.0, max_attempts=1), confirm=worker)
        try:
            outcome = engine.capture_slap("left_four")
        finally:
            engine.close()
    assert outcome.status == "below_threshold" and outcome.problems == ("NFIQ2_NO_SCORE",)
    assert not engine.results


def test_quality_ramp_takes_the_frames_it_needs(tmp_path):
    scanner, _ = sim_devices(tmp_path, "finger ramp 12\nfinger present\n")
    engine, events = engine_with(Devices(finger_scanner=scanner))
    assert engine.capture_finger("left_thumb").status == "captured"
    scored = [e for e in events if isinstance(e, FrameScored)]
    assert scored[0].score < 40 <= scored[-1].score
    # what the operator reads: a reason for each frame below the threshold (the ramp starts faint), none above it
    assert all(e.problems for e in scored if e.score < 40), [(e.score, e.problems) for e in scored]
    assert not any(e.problems for e in scored if e.score >= 40)
    assert {code for e in scored for code in e.problems} <= {"FINGER_UNCLEAR", "LOW_CONTRAST"}, scored
    engine.close()


def test_scanner_unplugged_mid_capture_then_replugged(tmp_path):
    scanner, _ = sim_devices(tmp_path, "finger present 2\nfinger unplug\n")
    engine, events = engine_with(Devices(finger_scanner=scanner))
    assert engine.capture_finger("left_index").status == "paused"
    assert any(isinstance(e, DeviceState) and not e.present for e in events)
    sim_devices(tmp_path, "finger present\n")  # the simulator reads its script again when reopened: replugged
    assert engine.capture_finger("left_index").status == "captured"
    engine.close()


def test_scanner_absent_at_start_leaves_a_clear_state(tmp_path):
    scanner, _ = sim_devices(tmp_path, "finger unplug\n")
    engine, _ = engine_with(Devices(finger_scanner=scanner))
    outcome = engine.capture_finger("left_index")
    assert outcome.status == "paused" and outcome.detail
    assert engine.capture_iris("left").status == "no_device"


def test_irises_captured_and_a_timeout_retried(tmp_path):
    _, camera = sim_devices(tmp_path, "iris timeout 1\niris present\n")
    engine, _ = engine_with(Devices(iris_camera=camera), CaptureSection(timeout_s=1.0))
    assert engine.capture_iris("right").status == "captured"
    assert engine.results["right_iris"].attempts == 2  # the SDK's I/O timeout cost one attempt
    assert engine.capture_iris("left").status == "captured"
    assert engine.results["right_iris"].score >= 60
    engine.close()


def test_exceptions_need_a_known_code_and_a_photo():
    engine, _ = engine_with(Devices())
    photo = samples.FACE.read_bytes()
    with pytest.raises(RecordStateError, match="not one of"):
        engine.mark_exception("left_ring", "lost", None, photo)
    with pytest.raises(RecordStateError, match="exception photo"):
        engine.mark_exception("left_ring", "injured", "bandaged", None)
    with pytest.raises(RecordStateError, match="not one of"):
        engine.mark_exception("face", "other", None, photo)
    result = engine.mark_exception("left_ring", "injured", "bandaged", photo)
    assert result.outcome == "exception" and engine.missing()[0] == "face"


def test_a_broken_subscriber_does_not_stop_a_capture():
    engine, _ = engine_with(Devices(camera=FrameFeed([samples.portrait("blue")])))
    engine.bus.subscribe(lambda event: 1 / 0)
    assert engine.capture_face(birth_year=2012).status == "captured"


def test_a_whole_record_is_sealed_and_committed(tmp_path, sealer, capturing, imported):
    scanner, iris = sim_devices(tmp_path)
    engine, events = engine_with(Devices(camera=FrameFeed([samples.portrait("red")]), finger_scanner=scanner,
                                         iris_camera=iris))
    with pytest.raises(RecordStateError, match="missing"):
        engine.commit(sealer, capturing, "OP-02")
    assert engine.capture_face(birth_year=2009).status == "captured"
    engine.capture_signature(json.dumps({"format": "strokes/1", "strokes": [[[1, 2, 0.5], [3, 4, 0.5]]]}).encode())
    for finger in FINGERS:
        if finger == "left_little":
            engine.mark_exception(finger, "amputated", None, samples.FACE.read_bytes())
        else:
            assert engine.capture_finger(finger).status == "captured"
    assert engine.capture_iris("right").status == "captured" and engine.capture_iris("left").status == "captured"
    assert engine.missing() == []
    sealed = engine.commit(sealer, capturing, "OP-02")
    assert sealed.seq == 1
    assert events[-1] == StateChanged("record", "saved", sealed.receipt_number)
    row = imported.conn.execute("SELECT state FROM records WHERE id = ?", (capturing,)).fetchone()
    assert row[0] == "captured"
    engine.close()


def test_a_four_finger_slap_is_segmented_into_its_fingers(tmp_path):
    scanner, _ = sim_devices(tmp_path, f"finger slap\nfinger image {slap_pgm(tmp_path, 4)}\nfinger present\n")
    engine, _ = engine_with(Devices(finger_scanner=scanner, finger_mode="slap"))
    outcome = engine.capture_slap("left_four")
    assert outcome.status == "captured"
    assert set(engine.results) == {"left_index", "left_middle", "left_ring", "left_little"}
    assert all(r.attempts == 1 and r.score >= 40 for r in engine.results.values())
    crops = [decode(engine.results[p].image, cv2.IMREAD_GRAYSCALE) for p in ("left_index", "left_little")]
    assert all(c.shape[1] < 500 for c in crops), "each finger is stored as its own crop"
    engine.close()


def test_a_missing_finger_in_a_slap_is_detected_not_silently_accepted(tmp_path):
    scanner, _ = sim_devices(tmp_path, f"finger slap\nfinger image {slap_pgm(tmp_path, 3)}\nfinger present\n")
    engine, events = engine_with(Devices(finger_scanner=scanner, finger_mode="slap"))
    assert engine.capture_slap("right_four").status == "below_threshold"
    assert not any(p.startswith("right_") for p in engine.results)
    mismatch = [e for e in events if isinstance(e, FrameScored) and "SLAP_COUNT_MISMATCH" in e.problems]
    assert mismatch and mismatch[0].details == {"found": 3, "expected": 4}
    engine.mark_exception("right_little", "amputated", "since birth", samples.FACE.read_bytes())
    assert engine.capture_slap("right_four").status == "captured"
    assert {p for p in engine.results if p.startswith("right_")} == {"right_little", "right_ring", "right_middle",
                                                                      "right_index"}
    engine.close()


def test_the_worker_thread_runs_captures_and_cancel_stops_one(tmp_path):
    import threading

    from station.capture.worker import CaptureWorker

    scanner, _ = sim_devices(tmp_path, "finger absent\n")  # nobody ever puts a finger down
    engine = CaptureEngine(CaptureSection(timeout_s=120.0), Devices(finger_scanner=scanner,
                                                                     camera=FrameFeed([samples.portrait("red")])))
    seen = threading.Event()
    threads = set()

    def on_event(event):
        threads.add(threading.current_thread().name)
        if isinstance(event, StateChanged) and event.state == "preview":
            seen.set()

    engine.bus.subscribe(on_event)
    with CaptureWorker(engine) as worker:
        waiting = worker.submit("capture_finger", "right_thumb")
        assert seen.wait(30)
        worker.cancel()
        assert waiting.result(timeout=30).status == "cancelled"
        assert worker.submit("capture_face", 2009).result(timeout=60).status == "captured"
    assert all(name.startswith("capture") for name in threads)


def test_busy_scanner_is_retried_not_failed(tmp_path):
    scanner, _ = sim_devices(tmp_path, "finger busy 5\nfinger present\n")
    engine, _ = engine_with(Devices(finger_scanner=scanner))
    assert engine.capture_finger("right_middle").status == "captured"
    assert engine.attempts["right_middle"] == 1
    engine.close()


def test_with_the_replay_camera_driver_a_frozen_stream_is_survived_and_an_unplug_pauses():
    from drivers.camera import ReplayCamera

    nobody = np.full((480, 640, 3), samples.BACKDROPS_BGR["blue"], np.uint8)
    frozen = ReplayCamera([nobody], fps=200, noise=1, faults={1: "freeze"})
    engine, _ = engine_with(Devices(camera=frozen), CaptureSection(timeout_s=1.0, max_attempts=1))
    assert engine.capture_face(birth_year=2010).status == "below_threshold"  # frozen frames: retried, no crash
    camera = ReplayCamera([samples.portrait("blue")], fps=200, noise=1, faults={3: "unplug"})
    engine, events = engine_with(Devices(camera=camera), CaptureSection(timeout_s=1.0))
    assert engine.capture_face(birth_year=2010).status == "paused"
    assert any(isinstance(e, DeviceState) and not e.present for e in events)
    camera.replug()
    assert engine.capture_face(birth_year=2010).status == "captured"


def test_the_exception_photo_comes_from_the_camera_and_a_gone_camera_says_so():
    engine, _ = engine_with(Devices(camera=FrameFeed([samples.portrait("red")], unplug_at=1)))
    photo = engine.take_exception_photo()
    assert photo.startswith(b"\x89PNG") and cv2.imdecode(np.frombuffer(photo, np.uint8), cv2.IMREAD_COLOR).shape[
        :2] == samples.portrait("red").shape[:2]
    result = engine.mark_exception("left_ring", "injured", "bandaged", photo)
    assert result.image == photo and result.exception_code == "injured"
    with pytest.raises(RecordStateError) as gone:
        engine.take_exception_photo()  # unplugged from the second read on
    assert gone.value.code == "capture.device_lost"
    with pytest.raises(RecordStateError) as none:
        engine_with(Devices())[0].take_exception_photo()
    assert none.value.code == "capture.no_camera"


def test_a_discarded_position_is_captured_again_from_its_first_attempt():
    engine, _ = engine_with(Devices(camera=FrameFeed([samples.portrait("red")])))
    assert engine.capture_face(birth_year=2009).status == "captured"
    first = engine.results["face"]
    engine.discard("face")
    assert "face" in engine.missing() and not engine.attempts
    assert engine.capture_face(birth_year=2009).status == "captured"
    assert engine.results["face"] is not first and engine.results["face"].attempts == 1


def test_four_fingers_on_the_platen_are_not_taken_for_the_thumbs(tmp_path):
    scanner, _ = sim_devices(tmp_path, f"finger slap\nfinger image {slap_pgm(tmp_path, 4)}\nfinger present\n")
    engine, events = engine_with(Devices(finger_scanner=scanner, finger_mode="slap"),
                                 CaptureSection(timeout_s=1.0, max_attempts=1))
    assert engine.capture_slap("thumbs").status == "below_threshold"
    engine.close()
    assert not engine.results
    assert any(isinstance(e, FrameScored) and "SLAP_COUNT_MISMATCH" in e.problems for e in events)


@pytest.mark.parametrize("ending, status", [("leave", "captured"), ("ok", "captured"), ("stop", "cancelled"),
                                            ("timeout", "cancelled"), ("unplug", "paused")])
def test_the_signature_from_the_serial_pad(ending, status, monkeypatch):
    """capture_from_pad over a Topaz pad simulated on a pty: the pen leaving the pad or the operator's OK ends the
    signature; the operator's Stop or nothing signed in time cancels it; an unplug pauses it."""
    import threading
    import time

    from drivers.signature_pad import TopazPad
    from drivers.signature_pad_sim import SimulatedPad, signature_script
    from station.capture import signature

    signed = signature_script()[:-1]  # two strokes, the pen still hovering
    script = {"leave": [*signed, "leave"], "unplug": [*signed, "unplug"], "timeout": [(900, 1000, False)] * 20}
    sim = SimulatedPad(script.get(ending, [*signed, *[(900, 1000, False)] * 900]))
    monkeypatch.setattr(signature, "SIGNATURE_TIMEOUT_S", 1.0 if ending == "timeout" else 30.0)
    try:
        pad = TopazPad(sim.path, usb_serial=sim.usb_serial, quiet_s=0.3 if ending == "leave" else 30)
        engine, events = engine_with(Devices(signature_pad=pad))

        def operator():  # presses OK (or Stop) once the student has signed
            while sum(len(s) for s in pad.strokes) < 60:
                time.sleep(0.01)
            if ending == "ok":
                pad.finish()
            else:
                engine.cancel()

        if ending in ("ok", "stop"):
            threading.Thread(target=operator, daemon=True).start()
        outcome = engine.capture_signature_from_pad()
        assert outcome.status == status
        if status == "captured":
            result = engine.results["signature"]
            assert len(json.loads(result.image)["strokes"]) == 2
            assert result.device_serial == "Topaz SigLite1X5 SIM00001"
        else:
            assert "signature" not in engine.results
        if status == "paused":
            assert any(isinstance(e, DeviceState) and not e.present for e in events)
    finally:
        sim.close()
    assert engine_with(Devices())[0].capture_signature_from_pad().status == "no_device"
