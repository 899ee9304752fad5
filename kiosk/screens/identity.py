"""The operator's identity check before the capture: the roster data in full next to the student's family card
(KK) and school card. Confirm → capture; the data disagrees → a correction request to the office (coded
reason); the student will not or cannot go on → withdrawal (coded reason). Both end this student's turn."""

from kivy.properties import ObjectProperty, StringProperty

from kiosk.screens.base import KioskScreen
from kiosk.widgets.reason_popup import ReasonPopup
from station.records import CORRECTION_REASONS, WITHDRAW_REASONS

CORRECTION_ORDER = ("name_mismatch", "birth_date_mismatch", "kk_mismatch", "other")
WITHDRAW_ORDER = ("refused", "walked_out", "unwell", "not_present", "other")
assert set(CORRECTION_ORDER) == CORRECTION_REASONS and set(WITHDRAW_ORDER) == WITHDRAW_REASONS


class IdentityScreen(KioskScreen):
    details = ObjectProperty(None, allownone=True)  # station.identity_check.StudentDetails
    message = StringProperty("")

    def on_pre_enter(self, *args: object) -> None:
        self.details, self.message = None, ""
        self.app.services.student_details(self.app.recording.record_id, self._got, self._failed)

    def _got(self, details: object) -> None:
        self.details = details

    def _failed(self, error: BaseException) -> None:
        self.message = str(error)

    def confirmed(self) -> None:
        """The documents match: on to the capture."""
        if self.details is not None:
            self.app.go("capture")

    def mismatch(self) -> None:
        ReasonPopup(self.app.t("What does not match the documents?", self.app.lang), CORRECTION_ORDER,
                    lambda code, _photo: self.app.services.request_correction(
                        self.app.recording.record_id, self.app.operator.operator_id, code,
                        lambda _r: self.app.end_recording("Correction request sent to the office."), self._failed),
                    ).open()

    def withdraw(self) -> None:
        withdraw_dialog(self.app, self._failed)

    def not_here(self) -> None:
        """The called student did not come (the identity check opened straight from "Panggil berikutnya"): back to
        the queue, the student passed over until recalled — as the queue screen's "Not here"."""
        if self.app.recording is None:
            return
        record_id = self.app.recording.record_id
        self.app.end_recording("")
        self.app.root.get_screen("operator_queue").not_here(record_id)


def withdraw_dialog(app: object, on_error: object) -> None:
    """Ask why the student leaves; the chosen reason is confirmed with its own button, then the record is
    withdrawn and the recording ended (captures are dropped). The queue screen offers to undo it until the next
    student is called."""
    record_id = app.recording.record_id

    def withdrawn(_result: object) -> None:
        app.root.get_screen("operator_queue").withdrawn = record_id
        app.end_recording("Withdrawn: nothing of this student was kept. Undo is possible until the next call.")

    ReasonPopup(app.t("Why does the student leave without a record?", app.lang), WITHDRAW_ORDER,
                lambda code, _photo: app.services.withdraw(record_id, app.operator.operator_id, code, withdrawn,
                                                           on_error),
                confirm_text=app.t("Withdraw the student", app.lang)).open()


SCREEN = IdentityScreen
