"""Guided capture in the e-KTP order: face, signature, ten fingers (one by one, or 4-4-2 slaps), both irises.

The screen only talks to the Recording (kiosk/recording.py): the engine runs on its own thread and its events
come back through the Clock. Per position: live preview and score against the threshold, attempts, what is
wrong (translated problem codes), and the operator's decisions — capture / stop, keep the best below the
threshold with a coded reason (when the policy allows it), mark an exception (coded reason + exception photo),
more attempts with the team leader's PIN, withdraw (confirmed; undone from the queue). So the attempts running out
is never a dead end. When every position has a result, the review screen follows; "Tersimpan" is said only there,
after the durable commit.
"""

from kivy.core.window import Window
from kivy.properties import BooleanProperty, DictProperty, ListProperty, NumericProperty, StringProperty

from kiosk.preview import LivePreview
from kiosk.recording import slap_of
from kiosk.screens.base import KioskScreen
from kiosk.screens.identity import withdraw_dialog
from kiosk.widgets.reason_popup import ReasonPopup
from kiosk.widgets.supervisor_popup import SupervisorPopup
from station.capture.policy import (
    BELOW_THRESHOLD_REASONS,
    BIOMETRIC_EXCEPTIONS,
    FINGERS,
    SIGNATURE_EXCEPTIONS,
    modality_of,
    threshold_for,
)

BIOMETRIC_ORDER = ("injured", "amputated", "unable_to_print", "other")
SIGNATURE_ORDER = ("unable_to_sign", "other")
BELOW_ORDER = ("worn_prints", "medical_condition", "cannot_keep_still", "site_conditions", "other")
assert set(BIOMETRIC_ORDER) == BIOMETRIC_EXCEPTIONS and set(SIGNATURE_ORDER) == SIGNATURE_EXCEPTIONS
assert set(BELOW_ORDER) == BELOW_THRESHOLD_REASONS
SUPERVISOR_REFUSALS = {"auth.supervisor_failed": "That is not the team leader's PIN. Try again.",
                       "auth.supervisor_locked": "Too many wrong PINs: wait a few minutes. Meanwhile keep the best "
                                                 "or mark an exception."}


class CaptureScreen(KioskScreen):
    position = StringProperty("")
    positions = ListProperty([])  # what one capture takes: the position, or its slap's fingers
    state = StringProperty("")
    score = NumericProperty(-1)
    attempt = NumericProperty(0)
    problems = ListProperty([])
    circles = ListProperty([])  # an iris frame: [[x, y, r] pupil, [x, y, r] limbus] in frame pixels, as found
    frame_size = ListProperty([0, 0])  # the shown frame's width and height, to place the circles on it
    background = StringProperty("")  # the face backdrop seen, and the one the birth year requires
    required_background = StringProperty("")
    busy = BooleanProperty(False)
    below = BooleanProperty(False)  # attempts used up below the threshold, a best frame kept: it may be kept
    exhausted = BooleanProperty(False)  # attempts used up: the team leader may allow more
    device_message = StringProperty("")
    error = StringProperty("")
    fingers = DictProperty({})  # finger → (state, score) for the hand diagram
    pad = BooleanProperty(False)  # the signature is taken on the serial pad (else on this screen)

    def on_pre_enter(self, *args: object) -> None:
        self.busy, self.device_message = False, ""
        self._preview = LivePreview()
        Window.bind(on_flip=self._preview.frame_drawn)
        self.advance()

    def on_leave(self, *args: object) -> None:
        Window.unbind(on_flip=self._preview.frame_drawn)

    # -- where we are --------------------------------------------------------------------------------------
    def advance(self) -> None:
        """Show the first position without a result; the review when there is none left."""
        recording = self.app.recording
        self._refresh_fingers()
        position = recording.next_position()
        if position is None:
            self.position, self.positions = "", []
            self.app.go("review")
            return
        if not self.position or modality_of(position) != modality_of(self.position):
            self.ids.preview.texture = None  # a new modality: never the last one's picture (the irises after a finger)
        self.circles = []
        self.position, self.positions = position, list(recording.step_positions(position))
        self.score, self.attempt, self.problems, self.state, self.below, self.error = -1, 0, [], "", False, ""
        self.exhausted = False
        self.background = self.required_background = ""
        self.ids.hands.selected = ""
        if position == "signature":
            self.pad = recording.has_pad
            self.ids.signature.clear()

    def ellipse_for(self, which: int, centre: tuple, shown: tuple, circles: list, frame_size: list) -> tuple:
        """The window rectangle (x, y, w, h) of circle `which` (0 pupil, 1 limbus) over the preview image shown at
        `centre` with size `shown` (Image.norm_image_size); an empty one when there is no such circle."""
        if len(circles) <= which or not frame_size[0] or not shown[0]:
            return (0, 0, 0, 0)
        x, y, r = circles[which]
        scale = shown[0] / frame_size[0]
        left, bottom = centre[0] - shown[0] / 2, centre[1] - shown[1] / 2
        cx, cy = left + x * scale, bottom + (frame_size[1] - y) * scale  # frame rows grow down, the window's up
        return (cx - r * scale, cy - r * scale, 2 * r * scale, 2 * r * scale)

    def _refresh_fingers(self) -> None:
        results = self.app.recording.results()
        self.fingers = {p: ("exception" if r.outcome == "exception" else "below" if r.below_threshold else
                            "captured", r.score) for p, r in results.items() if p in FINGERS}

    def threshold(self, position: str) -> int | None:
        return threshold_for(position, self.app.recording.engine.policy) if position else None

    def is_finger(self, position: str) -> bool:
        return position in FINGERS

    def title(self, position: str, positions: list, _lang: str) -> str:
        """The position's name; a slap is named by its hands ("Four fingers of the right hand")."""
        if not position:
            return ""
        # `positions` may still be the last step's for a moment (advance() sets position first): a slap's title
        # only for a finger
        if position in FINGERS and (len(positions) > 1 or self.app.recording.slap_mode):
            return self.app.t("slap." + slap_of(position), self.app.lang)
        return self.app.t(position, self.app.lang)

    # -- the operator's actions ----------------------------------------------------------------------------
    def start(self) -> None:
        """Capture the current position (or stop the capture under way)."""
        if self.busy:
            self.app.recording.cancel()
            return
        if not self.position:
            return
        self.error = ""
        if self.position == "signature" and not self.pad:
            strokes = self.ids.signature.strokes()
            if strokes is None:
                self.state = "empty_signature"
                return
            self.busy = True
            self.app.recording.sign(strokes, "touchscreen", self._done, self._failed)
            return
        self.busy, self.below, self.exhausted, self.state = True, False, False, "preview"
        self.app.recording.capture(self.position, self._finished, self._failed)

    def _finished(self, outcome: object) -> None:
        self.busy = False
        if outcome.status == "captured":
            self.advance()
            return
        self.state = outcome.status
        self.exhausted = outcome.status == "below_threshold"
        self.below = outcome.status == "below_threshold" and self.app.recording.engine.policy.allow_below_threshold \
            and outcome.best_score is not None
        if outcome.problems:  # why the best frame was not accepted (e.g. NFIQ 2 gave it no score): the operator decides
            self.problems = list(outcome.problems)

    def _done(self, _result: object = None) -> None:
        self.busy = False
        self.advance()

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self.state = "error"
        self.error = str(error)

    def pad_done(self) -> None:
        """The student has signed on the serial pad (which has no OK button): its capture ends with the strokes."""
        finish = getattr(self.app.recording.engine.devices.signature_pad, "finish", None)
        if self.busy and self.position == "signature" and self.pad and finish is not None:
            finish()  # thread-safe: the capture thread returns the strokes at its next read

    def sign_on_screen(self) -> None:
        """The pad is missing or broken: the student signs on the touchscreen instead."""
        if not self.busy:
            self.pad, self.state, self.device_message = False, "", ""

    def keep_best(self) -> None:
        """Keep the best of the attempts below the threshold, with the operator's coded reason (sealed, audited)."""
        if self.busy or not self.below:
            return

        def keep(code: str, _photo: object) -> None:
            self.busy = True
            self.app.recording.keep_best(tuple(self.positions), code, self._done, self._failed)

        ReasonPopup(self.app.t("Why keep a capture below the threshold?", self.app.lang), BELOW_ORDER, keep).open()

    def more_attempts(self) -> None:
        """The attempts are used up: the team leader approves another round with their PIN (audited)."""
        if self.busy or not self.exhausted:
            return
        app, positions = self.app, tuple(self.positions)
        popup = SupervisorPopup(
            app.t("More attempts: {position}", app.lang, position=self.title(self.position, self.positions, app.lang)),
            app.t("The team leader types their PIN to allow {n} more attempts. The approval is recorded.", app.lang,
                  n=app.recording.engine.policy.max_attempts), lambda pin: check(pin))

        def check(pin: str) -> None:
            app.services.verify_supervisor(pin, "capture.more_attempts", app.operator.operator_id,
                                           app.recording.record_id, approved, refused)

        def approved(lead: object) -> None:
            app.recording.allow_more_attempts(positions, lead.operator_id, lambda _limit: allowed(popup),
                                              lambda e: refused(e))

        def allowed(popup: SupervisorPopup) -> None:
            popup.approved()
            self.exhausted = self.below = False
            self.state, self.attempt, self.problems = "more_attempts", 0, []

        def refused(error: BaseException) -> None:
            popup.refused(SUPERVISOR_REFUSALS.get(getattr(error, "code", ""), str(error)))

        popup.open()

    def exception_target(self) -> str:
        """The finger touched on the diagram (if it still needs a result), else the current position."""
        chosen = self.ids.hands.selected
        if chosen and chosen not in self.app.recording.results():
            return chosen
        return self.position

    def mark_exception(self) -> None:
        """Ask for the coded reason (and, for a finger or eye, the exception photo), then keep the exception."""
        if self.busy or not self.position or self.position == "face":
            return
        target = self.exception_target()
        signature = target == "signature"
        recording = self.app.recording
        # On a slap, the popup asks which finger (the touched one first): the diagram's keys are narrow.
        results = recording.results()
        targets = [target, *(p for p in self.positions if p != target and p not in results)] \
            if target in self.positions and len(self.positions) > 1 else []
        title = (self.app.t("Why can this finger not be captured?", self.app.lang) if targets else
                 self.app.t("Why can {position} not be captured?", self.app.lang,
                            position=self.app.t(target, self.app.lang).lower()))
        ReasonPopup(title, SIGNATURE_ORDER if signature else BIOMETRIC_ORDER,
                    lambda code, photo, aimed=target: recording.mark_exception(aimed, code, photo, self._done,
                                                                               self._failed),
                    take_photo=None if signature else recording.exception_photo, targets=targets).open()

    def withdraw(self) -> None:
        if self.busy:
            return
        withdraw_dialog(self.app, self._failed)

    # -- what the engine says ------------------------------------------------------------------------------
    def _mine(self, position: str) -> bool:
        keys = position.split("+")
        return any(p in self.positions for p in keys) or (bool(self.position) and position == slap_of(self.position))

    def show_frame(self, event: object) -> None:
        """A live frame from the engine (UI thread): preview texture, score, problems, backdrop, finger scores."""
        if not self._mine(event.position):
            return
        frame = event.frame
        if frame is not None and getattr(frame, "ndim", 0) in (2, 3):
            texture = self._preview.update(frame)
            if texture is not None:
                self.ids.preview.texture = texture
                self.ids.preview.canvas.ask_update()
        self.score, self.attempt, self.problems = event.score, event.attempt, list(event.problems)
        details = event.details or {}
        if frame is not None and getattr(frame, "ndim", 0) in (2, 3):
            self.frame_size = [frame.shape[1], frame.shape[0]]
        self.circles = details.get("circles") or []
        self.background = details.get("background") or ""
        self.required_background = details.get("required_background") or ""
        if "fingers" in details:  # a slap: each finger's live score on the diagram
            live = dict(self.fingers)
            live.update({p: ("pending", s) for p, s in details["fingers"].items()})
            self.fingers = live

    def on_state_event(self, position: str, state: str) -> None:
        if self._mine(position) and state in ("preview", "confirming", "retry", "paused"):
            self.state = state

    def on_device(self, device: str, present: bool, detail: str) -> None:
        """A device went away (the capture pauses: plug it back in, then Capture again) or came back."""
        self.device_message = "" if present else device


SCREEN = CaptureScreen
