"""Screenshot states of the operator's capture screens (identity check, face, fingers, exception, review, saved).

They need a real Recording: a student is checked in and called on the screenshot station, and the capture engine
runs over the simulated camera, scanner and iris camera — the same parts the kiosk uses — so the pictures show
real previews, scores and thumbnails. Each state's `_prepare(app)` runs before its screen is shown and
`_after(app, screen)` after its attributes are set; `_cleanup(app)` closes what `_after` opened (a popup).
"""

from collections.abc import Iterator
from typing import Any

from kiosk.screens.flow import CheckInFlow


def _engine_and_recording(app: Any) -> Any:
    """Check the first applicant in, call them, and open a Recording over the simulated kit (once per process)."""
    if getattr(app, "_shots_recording", None) is not None:
        return app._shots_recording

    from drivers.camera import ReplayCamera
    from kiosk.recording import Recording
    from native import samples
    from native.vendor import FutronicScanner, IriTechCamera, apply_sim_script
    from station.capture.devices import Devices
    from station.capture.engine import CaptureEngine
    from station.capture.policy import face_background_for
    from station.checkin import check_in_by_application
    from station.operators import Operator
    from station.queue import call_next
    from station.sealing import station_sealer

    store, config = app.services.store, app.services.config
    first = store.conn.execute("SELECT application_id FROM applicants ORDER BY id LIMIT 1").fetchone()[0]
    check_in_by_application(store, first, "081234567890")
    entry = call_next(store, "OP-02")
    apply_sim_script(None)
    camera = ReplayCamera([samples.portrait(face_background_for(entry.birth_year))], fps=30, noise=1)
    devices = Devices(camera=camera, finger_scanner=FutronicScanner("sim"), iris_camera=IriTechCamera("sim"))
    sealer = station_sealer(store, config)
    capture = app.root.get_screen("capture")
    app.operator = Operator("OP-02", "Yuliana Sari", "operator")
    recording = Recording(CaptureEngine(config.capture, devices), sealer, entry.record_id, "OP-02",
                          entry.birth_year, capture.show_frame, capture.on_state_event, capture.on_device)
    app.recording = app._shots_recording = recording
    app._shots_entry = entry
    return recording


def _fresh(app: Any) -> None:
    """The recording with nothing captured yet (each language's pass starts from the face)."""
    recording = _engine_and_recording(app)

    def forget() -> None:
        for position in list(recording.engine.results):
            recording.engine.discard(position)

    recording.worker.submit_call(forget).result()


def _run(recording: Any, *calls: tuple) -> None:
    """Run engine calls on the recording's worker and wait (screenshot set-up only; never on a live kiosk)."""
    for method, *args in calls:
        recording.worker.submit(method, *args).result()


def _fingers_half_done(app: Any) -> None:
    recording = _engine_and_recording(app)
    if "right_middle" in recording.engine.results:
        return
    from sinopsis.demo import signature_strokes

    _run(recording, ("capture_face", recording.birth_year), ("capture_signature", signature_strokes(), "touchscreen"),
         ("capture_finger", "right_thumb"), ("capture_finger", "right_index"))
    photo = recording.engine.results["face"].image
    _run(recording, ("mark_exception", "right_middle", "injured", None, photo))


def _all_done(app: Any) -> None:
    _fingers_half_done(app)
    recording = app.recording
    for position in recording.engine.missing():
        if position.endswith("_iris"):
            _run(recording, ("capture_iris", position.removesuffix("_iris")))
        else:
            _run(recording, ("capture_finger", position))


def _live_face(app: Any, screen: Any) -> None:
    from native import samples
    from station.capture.events import FrameScored
    from station.capture.policy import face_background_for

    backdrop = face_background_for(app.recording.birth_year)
    screen.show_frame(FrameScored("face", 1, 12, 84, True, ("FACE_OFF_CENTRE",), samples.portrait(backdrop),
                                  {"background": backdrop, "required_background": backdrop}))


def _fingers_done(app: Any) -> None:
    """Face, signature and every finger captured: the irises are next."""
    _fingers_half_done(app)
    recording = app.recording
    for position in recording.engine.missing():
        if not position.endswith("_iris"):
            _run(recording, ("capture_finger", position))


def _live_iris(app: Any, screen: Any) -> None:
    """The iris camera's live view with the pupil and limbus circles the quality check found, its score and reason."""
    screen.advance()
    import cv2

    from native import samples
    from native.iris import IrisQuality
    from station.capture.engine import iris_details
    from station.capture.events import FrameScored

    eye = cv2.imread(str(samples.IRIS), cv2.IMREAD_GRAYSCALE)
    report = IrisQuality().measure(eye)
    screen.show_frame(FrameScored(screen.position, 1, 9, report.score, False, report.problems, eye,
                                  iris_details(report)))
    if not (screen.position.endswith("_iris") and len(screen.circles) == 2 and screen.score == report.score):
        raise RuntimeError(f"capture-iris shows {screen.position} with circles {screen.circles}, not a live iris")


def _live_finger(app: Any, screen: Any) -> None:
    screen.advance()  # the screen was already shown: show the position the engine is at now
    import cv2

    from native import samples
    from station.capture.events import FrameScored

    finger = cv2.imread(str(samples.FINGERPRINTS[0]), cv2.IMREAD_GRAYSCALE)
    screen.show_frame(FrameScored(screen.position, 3, 7, 31, True, ("LOW_CONTRAST",), finger))
    screen.state, screen.below = "below_threshold", True  # attempts used up: the operator decides


def _exception_popup(app: Any, screen: Any) -> None:
    screen.advance()
    screen.ids.hands.select("right_ring")
    screen.mark_exception()


def _close_popups(app: Any) -> None:
    from kivy.core.window import Window
    from kivy.uix.modalview import ModalView

    for child in list(Window.children):
        if isinstance(child, ModalView):
            child.dismiss(animation=False)


def _disk_full(app: Any, screen: Any) -> None:
    import errno

    from kiosk.screens.review import save_failure_text

    screen.message = save_failure_text(app, OSError(errno.ENOSPC, "No space left on device"))


def capture_states() -> Iterator[tuple[str, str, CheckInFlow, dict]]:
    """(file stem, screen, flow, attributes) of the operator's capture screens."""
    flow = CheckInFlow()
    yield "identity-check", "identity", flow, {"_prepare": _engine_and_recording}
    yield "capture-face", "capture", flow, {"_prepare": _fresh, "_after": _live_face}
    yield "capture-fingers", "capture", flow, {"_prepare": _fingers_half_done, "_after": _live_finger}
    yield "capture-exception", "capture", flow, {"_prepare": _fingers_half_done, "_after": _exception_popup,
                                                 "_cleanup": _close_popups}
    yield "capture-iris", "capture", flow, {"_prepare": _fingers_done, "_after": _live_iris}
    yield "review", "review", flow, {"_prepare": _all_done}
    yield "saved", "review", flow, {"_prepare": _all_done, "saved": "ST-PKU-01-000001", "printed": "printed"}
    yield "save-disk-full", "review", flow, {"_prepare": _all_done, "saved": "", "printed": "", "_after": _disk_full}
