"""The review before saving: a thumbnail of every result with its score (or its exception), a touch on one to
see it large (kiosk/widgets/capture_preview.py: discarding it for a recapture is a button there, confirmed), then
Save: "Tersimpan" and the receipt number only after the durable commit (packet on disk,
rows and outbox committed), and the acknowledgement slip printed when the kit has a printer."""

import errno
import sqlite3

from kivy.properties import BooleanProperty, ListProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.screens.base import KioskScreen
from kiosk.screens.identity import withdraw_dialog
from kiosk.widgets.reason_popup import texture_from_rgb
from station.capture.policy import BELOW_THRESHOLD_REASONS, CAPTURE_ORDER, threshold_for


class ReviewTile(ButtonBehavior, BoxLayout):
    """One result: picture, name, score or exception; touching it opens the preview."""

    position = StringProperty("")
    caption = StringProperty("")
    warn = BooleanProperty(False)


class ReviewScreen(KioskScreen):
    saved = StringProperty("")  # receipt number once committed
    busy = BooleanProperty(False)
    message = StringProperty("")
    printed = StringProperty("")  # "", "printing", "printed", "failed"
    tiles = ListProperty([])

    def on_pre_enter(self, *args: object) -> None:
        if getattr(self.app.recording, "sealed", None) is None:  # (a saved one stays saved: no second commit)
            self.saved, self.printed = "", ""
        self.busy, self.message = False, ""
        self.ids.grid.clear_widgets()
        self.app.recording.thumbnails(self._show, self._failed)

    def caption(self, result: object) -> str:
        """"Name · 87", "Name · below 40", or "Name · exception: injured" in the current language."""
        app = self.app
        name = app.t("short." + result.position, app.lang)
        if result.outcome == "exception":
            return f"{name}\n{app.t('reason.' + result.exception_code, app.lang)}"
        if result.score is None:
            return name
        mark = " ↓" if result.below_threshold else ""
        return f"{name}\n{result.score}{mark}"

    def _show(self, pictures: dict) -> None:
        results = self.app.recording.results()
        grid = self.ids.grid
        grid.clear_widgets()
        for position in CAPTURE_ORDER:
            result = results.get(position)
            if result is None:
                continue
            tile = ReviewTile(position=position, caption=self.caption(result),
                              warn=result.outcome == "exception" or result.below_threshold)
            picture = pictures.get(position)
            if picture is not None:
                tile.ids.picture.texture = texture_from_rgb(picture)
            tile.bind(on_release=lambda t: self.preview(t.position))
            grid.add_widget(tile)

    def preview(self, position: str) -> None:
        """The capture large with its score (or exception); discarding it there, confirmed, recaptures it."""
        result = self.app.recording.results().get(position) if self.app.recording is not None else None
        if self.busy or self.saved or result is None:
            return
        from kiosk.widgets.capture_preview import PREVIEW_HEIGHT, CapturePreview

        popup = CapturePreview(self.app.t(position, self.app.lang), self.preview_caption(result),
                               result.outcome == "exception" or result.below_threshold,
                               lambda: self.recapture(position))
        popup.open()
        self.app.recording.picture(position, PREVIEW_HEIGHT, popup.show, self._failed)

    def preview_caption(self, result: object) -> str:
        """"Score 87 (needs 60)", "Score 41 (needs 60), kept below the threshold: <reason>", or the exception."""
        t, lang = self.app.t, self.app.lang
        if result.outcome == "exception":
            return t("Exception: {reason}", lang, reason=t("reason." + result.exception_code, lang))
        threshold = threshold_for(result.position, self.app.recording.engine.policy)
        if result.score is None or threshold is None:
            return ""
        text = t("Score {score} (needs {threshold})", lang, score=result.score, threshold=threshold)
        if result.below_threshold:
            code = result.reason or "other"
            reason = t("reason." + code, lang) if code in BELOW_THRESHOLD_REASONS else code
            text += ", " + t("kept below the threshold: {reason}", lang, reason=reason)
        return text

    def recapture(self, position: str) -> None:
        """Capture this position again (its whole slap in slap mode)."""
        if self.busy or self.saved:
            return
        self.busy = True
        self.app.recording.recapture(position, lambda _r: self._recaptured(), self._failed)

    def _recaptured(self) -> None:
        self.busy = False
        self.app.go("capture")

    def save(self) -> None:
        if self.busy or self.saved:
            return
        self.busy, self.message = True, ""
        self.app.recording.commit(self._saved, self._failed)

    def _saved(self, sealed: object) -> None:
        self.busy = False
        self.saved = sealed.receipt_number
        self.print_acknowledgement(sealed)

    def print_acknowledgement(self, sealed: object) -> None:
        """The acknowledgement slip, when the kit has a printer (never holds up the next student)."""
        printing = getattr(self.app, "printing", None)
        identity = self.app.root.get_screen("identity").details
        if printing is None or identity is None:
            return
        from kiosk.slip import acknowledgement_of, slip_labels

        ack = acknowledgement_of(self.app.recording.results(), sealed, identity.name, identity.nik,
                                 self.app.operator, self.app.services.config)
        self.printed, self._ack = "printing", ack
        printing.print_acknowledgement(ack, lambda _r: setattr(self, "printed", "printed"),
                                       lambda _e: setattr(self, "printed", "failed"), labels=slip_labels(self.app.t))

    _ack = None  # the acknowledgement sent, kept to print it again

    def print_again(self) -> None:
        """"Print again" after a failed acknowledgement: the same slip once more, audited as a reprint."""
        if self.printed != "failed" or self._ack is None:
            return
        from kiosk.reprint import again

        operator = getattr(self.app.operator, "operator_id", "?")
        again(self.app, "acknowledgement", self._ack, self._ack.record_id, operator,
              lambda state: setattr(self, "printed", state))

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self.message = save_failure_text(self.app, error)

    def _withdraw_failed(self, error: BaseException) -> None:
        self.busy = False
        self.message = str(error)

    def withdraw(self) -> None:
        if not self.busy and not self.saved:
            withdraw_dialog(self.app, self._withdraw_failed)

    def done(self) -> None:
        """Back to the queue (the operator calls the next student from there)."""
        if self.saved and self.app.recording is not None:
            self.app.end_recording("")

    def call_next(self) -> None:
        """The one tap after "Tersimpan": this recording ends and the next student is called (a second tap finds
        the recording ended and the queue screen's touch guard up: it calls nobody else)."""
        if self.saved and self.app.recording is not None:
            self.app.end_recording("", call_next=True)


SCREEN = ReviewScreen


def save_failure_text(app: object, error: BaseException) -> str:
    """What the operator reads when the save failed. The commit is one transaction after a
    durable file write, so a failure saved nothing and the captures are still in memory: the text says so, and
    what to do — a full disk needs the technician (docs/operations.md), a busy database only another try."""
    if (isinstance(error, OSError) and error.errno == errno.ENOSPC) or (
            isinstance(error, sqlite3.OperationalError) and "full" in str(error)):
        return app.t("The station's disk is full. Nothing was saved; the pictures are kept. Ask the technician to "
                     "free space, then press Save again.")
    if getattr(error, "code", "") == "store.busy":
        return app.t("The station's database is busy. Nothing was saved; the pictures are kept. Press Save again.")
    return app.t("Not saved ({detail}). The pictures are kept; press Save again.", detail=str(error)[:160])
