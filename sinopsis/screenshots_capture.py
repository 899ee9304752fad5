"""Screenshot states of the operator's capture screens (identity check, face, fingers, iris, the decisions' popups,
review, saved).

They record the student being served on the screenshot station (sinopsis/screenshots_station.py): the capture
engine runs over the simulated camera, scanner and iris camera, so the review shows real thumbnails and scores.
A live view is one frame scored by the kit's own quality code, shown through the screen's `show_frame` as the
engine's event would; the popups are opened by the screen's own buttons' methods. What each state must show is
checked by sinopsis/screenshot_claims.py before its picture is saved.
"""

from collections.abc import Iterator
from typing import Any

from kiosk.screens.flow import CheckInFlow
from sinopsis.screenshots_station import recording


def _fresh(app: Any) -> None:
    """The recording with nothing captured yet (each language's pass starts from the face)."""
    made = recording(app)

    def forget() -> None:
        for position in list(made.engine.results):
            made.engine.discard(position)

    made.worker.submit_call(forget).result()


def _run(made: Any, *calls: tuple) -> None:
    """Run engine calls on the recording's worker and wait (screenshot set-up only; never on a live kiosk)."""
    for method, *args in calls:
        made.worker.submit(method, *args).result()


def _fingers_half_done(app: Any) -> None:
    made = recording(app)
    if "right_middle" in made.engine.results:
        return
    from sinopsis.demo import signature_strokes

    _run(made, ("capture_face", made.birth_year), ("capture_signature", signature_strokes(), "touchscreen"),
         ("capture_finger", "right_thumb"), ("capture_finger", "right_index"))
    photo = made.engine.results["face"].image
    _run(made, ("mark_exception", "right_middle", "injured", None, photo))


def _fingers_done(app: Any) -> None:
    """Face, signature and every finger captured: the irises are next."""
    _fingers_half_done(app)
    made = app.recording
    for position in made.engine.missing():
        if not position.endswith("_iris"):
            _run(made, ("capture_finger", position))


def _next_is_a_finger(app: Any) -> None:
    """Face, signature and the right hand's first three fingers done, the rest not: a finger is next (after the
    iris states, whose fingers are discarded again)."""
    _fingers_half_done(app)
    made = app.recording
    kept = {"face", "signature", "right_thumb", "right_index", "right_middle"}

    def forget_later() -> None:
        for position in set(made.engine.results) - kept:
            made.engine.discard(position)

    made.worker.submit_call(forget_later).result()


def _all_done(app: Any) -> None:
    _fingers_done(app)
    made = app.recording
    for position in made.engine.missing():
        _run(made, ("capture_iris", position.removesuffix("_iris")))


def _show(screen: Any, event: Any) -> None:
    """Hand `event` to the screen as the engine's frames come, again until the live preview took it: the preview
    skips a frame that comes while the renderer is busy (kiosk/preview.py), the engine then sends the next one."""
    import time

    from kiosk.testing import step

    shown, deadline = screen._preview.shown, time.monotonic() + 2.0
    screen.show_frame(event)
    while screen._preview.shown == shown and time.monotonic() < deadline:
        step(1)
        time.sleep(0.05)
        screen.show_frame(event)


def _capturing(screen: Any) -> None:
    """The screen as Capture leaves it while the engine runs (start(): busy, "preview"), at the position next."""
    screen.advance()  # the screen may be showing already: the position the engine is at now
    screen.busy, screen.state = True, "preview"


FAINT_CONTRAST = 0.16  # the finger's last attempt: the print's ridge contrast at this share (a dry, light touch)
OFF_CENTRE = 0.19  # the face's live view: the student this share of the frame's width to the side


def _live_face(app: Any, screen: Any) -> None:
    """The face's live view: the student a little off centre, the backdrop the birth year requires; the score and
    the problem are what the kit's face check says about that very frame."""
    from native import samples
    from native.face import FaceQuality
    from native.face_eval import shifted
    from station.capture.events import FrameScored
    from station.capture.policy import face_background_for

    _capturing(screen)
    backdrop = face_background_for(app.recording.birth_year)
    portrait = samples.portrait(backdrop)
    frame = shifted(portrait, -OFF_CENTRE * portrait.shape[1], 0)
    report = FaceQuality().measure(frame, required_background=backdrop)
    _show(screen, FrameScored("face", 1, 12, report.score, False, report.problems, frame,
                              {"background": report.background, "required_background": backdrop}))


def _live_iris(app: Any, screen: Any) -> None:
    """The iris camera's live view, the eye slightly out of focus: the pupil and limbus circles the quality check
    found, its score below the threshold and why (IRIS_BLURRED), as the engine reports a frame."""
    import cv2

    from native import samples
    from native.iris import IrisQuality
    from station.capture.engine import iris_details
    from station.capture.events import FrameScored
    from station.config import Thresholds

    _capturing(screen)
    eye = cv2.GaussianBlur(cv2.imread(str(samples.IRIS), cv2.IMREAD_GRAYSCALE), (3, 3), 1.4)
    report = IrisQuality().measure(eye)
    if report.score >= Thresholds().iris or "IRIS_BLURRED" not in report.problems:  # the state the name claims
        raise AssertionError(f"the blurred eye scores {report.score} {report.problems}: not refused as blurred")
    _show(screen, FrameScored(screen.position, 1, 9, report.score, False, report.problems, eye,
                              iris_details(report)))


def _glare_iris(app: Any, screen: Any) -> None:
    """The iris camera's live view through a student's glasses: saturated reflections over most of the iris. The
    eye is refused, and what the operator reads names the reflection and asks for the glasses off."""
    import cv2
    import numpy as np

    from native import samples
    from native.iris import IrisQuality
    from station.capture.engine import iris_details
    from station.capture.events import FrameScored
    from station.config import Thresholds

    _capturing(screen)
    eye = cv2.imread(str(samples.IRIS), cv2.IMREAD_GRAYSCALE)
    quality = IrisQuality()
    m = quality.metrics(eye)
    yy, xx = np.mgrid[: eye.shape[0], : eye.shape[1]]
    ring = (np.hypot(xx - m.iris_x, yy - m.iris_y) <= m.iris_radius) & \
        (np.hypot(xx - m.pupil_x, yy - m.pupil_y) > m.pupil_radius)
    eye, _ = samples.with_reflections(eye, ring, 0.6, seed=2, radii=(8, 20))  # spots of 8-19 px, 60 % of the iris
    report = quality.measure(eye)
    if report.score >= Thresholds().iris or "IRIS_REFLECTION" not in report.problems[:2]:  # the state claimed
        raise AssertionError(f"the eye behind glare scores {report.score} {report.problems}: not refused for it")
    _show(screen, FrameScored(screen.position, 1, 9, report.score, False, report.problems, eye,
                              iris_details(report)))


def _attempts_used_up(app: Any, screen: Any) -> None:
    """A finger's three attempts ended below the threshold (worn, dry print): the operator decides — keep the best
    with a reason, more attempts with the team leader's PIN, or an exception (what _finished leaves)."""
    import cv2

    from native import samples
    from native.finger_eval import MOSIP_FINGER_THRESHOLD, reduced_contrast
    from native.fingerprint import FingerQuality
    from station.capture.events import FrameScored

    screen.advance()
    screen.busy = False
    faint = reduced_contrast(cv2.imread(str(samples.FINGERPRINTS[0]), cv2.IMREAD_GRAYSCALE), FAINT_CONTRAST)
    report = FingerQuality().measure(faint)
    if report.score >= MOSIP_FINGER_THRESHOLD or not report.problems:  # the state this screenshot's name claims
        raise AssertionError(f"the faint print scores {report.score} {report.problems}: not below the threshold")
    _show(screen, FrameScored(screen.position, 3, 7, report.score, False, report.problems, faint))
    screen.state, screen.below, screen.exhausted = "below_threshold", True, True


def _no_device(app: Any, screen: Any) -> None:
    """The kit has no usable fingerprint scanner (its vendor library did not load, drivers/kit.py): the finger's
    capture ends at once as `no_device` (what _finished leaves), and the operator may record an exception."""
    app._shots_presence, app.services.device_presence = app.services.device_presence, lambda: {
        "camera": True, "fingerprint": False, "iris": True}
    screen.ids.status.refresh()  # the bar names the missing scanner, as the state's text says
    screen.advance()
    screen.ids.preview.texture = None  # a kit without a scanner has no finger picture to show
    screen.busy, screen.state = False, "no_device"


def _devices_back(app: Any) -> None:
    """After the picture: the kit's own presence again (the next screen's bar reads it when it is shown)."""
    app.services.device_presence = app._shots_presence


def _then(*steps: Any) -> Any:
    def after(app: Any, screen: Any) -> None:
        for step in steps:
            step(app, screen)
    return after


def _exception_popup(app: Any, screen: Any) -> None:
    screen.advance()
    screen.busy = False
    screen.ids.hands.select("right_ring")
    screen.mark_exception()


def _withdraw_chosen(app: Any, screen: Any) -> None:
    """Withdraw touched and a reason chosen: the popup waits for its confirmation."""
    from kivy.core.window import Window

    screen.withdraw()
    Window.children[0].pick("refused")


def _close_popups(app: Any) -> None:
    from kiosk.idle import close_popups

    close_popups()


def _preview(app: Any, screen: Any) -> None:
    """A thumbnail touched: the capture large with its score."""
    screen.preview("right_index")


def _saved(app: Any, screen: Any) -> None:
    """What _saved leaves after the durable commit (the receipt number), the slip printed."""
    screen.saved, screen.printed, screen.message = "ST-PKU-01-000001", "printed", ""


def _print_failed(app: Any, screen: Any) -> None:
    """Saved, but the roll ran out: the acknowledgement in red with Print again (what the printing thread's
    failure leaves), the printer's own state on the status bar."""
    app._shots_printer.paper_out = True
    screen.saved, screen.printed, screen.message = "ST-PKU-01-000001", "failed", ""
    screen.ids.status.refresh()


def _printer_back(app: Any) -> None:
    app._shots_printer.paper_out = False  # the next screen's status bar reads it again as it is shown


def _disk_full(app: Any, screen: Any) -> None:
    import errno

    from kiosk.screens.review import save_failure_text

    screen.saved, screen.printed = "", ""
    screen.message = save_failure_text(app, OSError(errno.ENOSPC, "No space left on device"))


def capture_states() -> Iterator[tuple[str, str, CheckInFlow, dict]]:
    """(file stem, screen, flow, attributes) of the operator's capture screens."""
    flow = CheckInFlow()
    close = {"_cleanup": _close_popups}
    yield "identity-check", "identity", flow, {"_prepare": recording}
    yield "capture-face", "capture", flow, {"_prepare": _fresh, "_after": _live_face}
    yield "capture-fingers", "capture", flow, {"_prepare": _fingers_half_done, "_after": _attempts_used_up}
    yield "capture-keep-best", "capture", flow, {"_prepare": _fingers_half_done, **close,
                                                 "_after": _then(_attempts_used_up, lambda a, s: s.keep_best())}
    yield "capture-more-attempts", "capture", flow, {"_prepare": _fingers_half_done, **close,
                                                     "_after": _then(_attempts_used_up, lambda a, s: s.more_attempts())}
    yield "capture-exception", "capture", flow, {"_prepare": _fingers_half_done, "_after": _exception_popup, **close}
    yield "capture-withdraw", "capture", flow, {"_prepare": _fingers_half_done, **close,
                                                "_after": _then(_attempts_used_up, _withdraw_chosen)}
    yield "capture-iris", "capture", flow, {"_prepare": _fingers_done, "_after": _live_iris}
    yield "capture-iris-glare", "capture", flow, {"_prepare": _fingers_done, "_after": _glare_iris}
    # last of the capture screen's states: its bar keeps a reading while it stays shown
    yield "capture-no-device", "capture", flow, {"_prepare": _next_is_a_finger, "_after": _no_device,
                                               "_cleanup": _devices_back}
    yield "review", "review", flow, {"_prepare": _all_done}
    yield "review-preview", "review", flow, {"_prepare": _all_done, "_after": _preview, **close}
    yield "save-disk-full", "review", flow, {"_prepare": _all_done, "_after": _disk_full}
    yield "saved", "review", flow, {"_prepare": _all_done, "_after": _saved}
    yield "saved-print-failed", "review", flow, {"_prepare": _all_done, "_after": _print_failed,
                                                 "_cleanup": _printer_back}
