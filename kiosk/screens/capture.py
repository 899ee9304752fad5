"""Guided capture in the e-KTP order: live preview and score, the operator's decisions, then the durable commit.

The screen only talks to the Recording (kiosk/recording.py): the engine runs on its own thread. "Tersimpan"
is shown only after the commit has returned (packet on disk, rows and outbox committed).
"""

from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.screens.base import KioskScreen
from station.capture_policy import threshold_for

BELOW_REASON = "best of the attempts kept: quality limited despite retries"


class CaptureScreen(KioskScreen):
    position = StringProperty("")
    state = StringProperty("")
    score = NumericProperty(-1)
    problems = StringProperty("")
    busy = BooleanProperty(False)
    saved = StringProperty("")  # receipt number once committed
    below = BooleanProperty(False)  # attempts used up below the threshold: the operator decides

    def on_pre_enter(self, *args: object) -> None:
        self.saved, self.below, self.busy = "", False, False
        self._texture = None
        self.advance()

    def advance(self) -> None:
        recording = self.app.recording
        self.position = recording.next_position() or ""
        self.score, self.problems, self.state, self.below = -1, "", "", False
        if self.position == "signature":
            self.ids.signature.clear()

    def threshold(self) -> int | None:
        return threshold_for(self.position, self.app.recording.engine.policy) if self.position else None

    def start(self) -> None:
        if self.busy or not self.position:
            return
        if self.position == "signature":
            strokes = self.ids.signature.strokes()
            if strokes is None:
                self.state = "empty_signature"
                return
            self.app.recording.engine.capture_signature(strokes, device="touchscreen")
            self.advance()
            return
        self.busy = True
        self.app.recording.capture(self.position, self._finished, self._failed)

    def _finished(self, outcome: object) -> None:
        self.busy = False
        if outcome.status == "captured":
            self.advance()
        else:
            self.state = outcome.status
            self.below = outcome.status == "below_threshold" and self.app.recording.engine.policy.allow_below_threshold

    def keep_best(self) -> None:
        self.app.recording.engine.accept_below_threshold(self.position, BELOW_REASON)
        self.advance()

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self.state = "error"
        self.problems = str(error)

    def show_frame(self, event: object) -> None:
        """A live frame from the engine (UI thread): preview texture, score, problems."""
        if event.position != self.position:
            return
        frame = event.frame
        if frame is not None and getattr(frame, "ndim", 0) in (2, 3):
            height, width = frame.shape[:2]
            fmt = "bgr" if frame.ndim == 3 else "luminance"
            if self._texture is None or self._texture.size != (width, height) or self._fmt != fmt:
                self._texture, self._fmt = Texture.create(size=(width, height), colorfmt=fmt), fmt
                self._texture.flip_vertical()
            self._texture.blit_buffer(frame.tobytes(), colorfmt=fmt, bufferfmt="ubyte")
            self.ids.preview.texture = self._texture
            self.ids.preview.canvas.ask_update()
        self.score = event.score
        self.problems = ", ".join(event.problems)

    def on_state_event(self, position: str, state: str) -> None:
        if position == self.position and state in ("preview", "confirming", "retry", "paused"):
            self.state = state

    def save(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.app.recording.commit(self._saved, self._failed)

    def _saved(self, sealed: object) -> None:
        self.busy = False
        self.saved = sealed.receipt_number


SCREEN = CaptureScreen
