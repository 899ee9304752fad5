"""The operator's queue: who is being served, who waits, who was passed over; call next, not here, call back
(recall), end of day, log out. The status bar on top tells the operator about HQ, devices, disk and battery."""

from kivy.factory import Factory
from kivy.properties import ListProperty, ObjectProperty, StringProperty

from contract.errors import SinopsisError
from kiosk.idle import log_out
from kiosk.screens.base import KioskScreen

MAX_RECALL_BUTTONS = 4  # the oldest passed-over numbers; the rest are counted ("+2")


class OperatorQueueScreen(KioskScreen):
    waiting = ListProperty([])
    serving = ListProperty([])
    passed = ListProperty([])  # students called who did not come (station.queue.QueueEntry), in number order
    current = ObjectProperty(None, allownone=True)  # the student this operator called
    message = StringProperty("")
    offline = ObjectProperty(None, allownone=True)  # station.offline_limits.OfflineVerdict (warn / block)
    calling = False  # a call (next or recall) is on its way to the station: a second tap must not call another
    withdrawn = StringProperty("")  # the record just withdrawn: "Undo withdrawal" until the next call or log out

    def on_pre_enter(self, *args: object) -> None:
        self.current = None  # back from a recording (or a new login): that student's turn is over
        self.refresh()

    def refresh(self) -> None:
        self.app.services.queue(self._got_queue, self._failed)
        self.app.services.passed_over(self._got_passed, self._failed)
        self.app.services.offline_verdict(self._got_offline, self._failed)

    def _got_offline(self, verdict: object) -> None:
        self.offline = verdict if verdict.level != "ok" else None

    def offline_text(self, verdict: object, _lang: str) -> str:
        """The offline limit's warning or block, in the operator's language (MOSIP-style limits)."""
        if verdict is None:
            return ""
        return self.app.t(f"{verdict.code}.{verdict.level}", self.app.lang, **(verdict.values or {}))

    def _got_queue(self, lists: tuple) -> None:
        self.waiting, self.serving = lists

    def _got_passed(self, entries: list) -> None:
        self.passed = entries

    def on_passed(self, *_args: object) -> None:
        self._recall_buttons()

    def on_current(self, *_args: object) -> None:
        self._recall_buttons()

    def _recall_buttons(self) -> None:
        """One button per passed-over student (number and masked name): touching it calls them back."""
        box = self.ids.passed_box
        box.clear_widgets()
        for entry in self.passed[:MAX_RECALL_BUTTONS]:
            button = Factory.RecallButton(text=f"{entry.queue_number:03d}  {entry.display_name}")
            button.record_id = entry.record_id
            button.disabled = self.current is not None
            button.bind(on_release=lambda b: self.recall(b.record_id))
            box.add_widget(button)
        extra = len(self.passed) - MAX_RECALL_BUTTONS
        if extra > 0:
            box.add_widget(Factory.Body(text=f"+{extra}", size_hint_x=None, width="48dp"))

    def call_next(self, then_record: bool = False) -> None:
        """Call the next student; with `then_record` (the saved screen's "Panggil berikutnya") the recording of the
        called student opens at once on the identity check, where the operator also finds "Not here"."""
        if self.current is not None or self.calling:
            return  # the called student first: start recording, or "not here"
        self.calling, self._record_after_call = True, then_record
        self.app.services.call_next(self.app.operator.operator_id, set(), self._called, self._call_failed)

    def recall(self, record_id: str) -> None:
        """Call a passed-over student back (they came after all)."""
        if self.current is not None or self.calling:
            return
        self.calling = True
        self.app.services.recall(record_id, self.app.operator.operator_id, self._called, self._recall_failed)

    def _call_failed(self, error: SinopsisError) -> None:
        self.calling = False
        self._failed(error)

    def _called(self, entry: object) -> None:
        self.calling, self.withdrawn = False, ""  # the next student is called: the withdrawal stands
        self.current = entry
        self.message = "" if entry is not None else "Nobody is waiting."
        self.refresh()
        record, self._record_after_call = self._record_after_call, False
        blocked = self.offline is not None and self.offline.blocked
        if record and entry is not None and not blocked and self.manager.current == self.name:
            self.app.start_recording(entry)

    def _recall_failed(self, error: SinopsisError) -> None:
        self.calling = False
        if error.code == "queue.not_passed_over":
            self.message = "Another operator has already called this student back."
            self.refresh()
        else:
            self._failed(error)

    _record_after_call = False

    def not_here(self, record_id: str | None = None) -> None:
        """The called student (or `record_id`'s, from the identity check) did not come: passed over."""
        record_id = record_id or (self.current.record_id if self.current is not None else None)
        if record_id is None:
            return
        self.app.services.not_here(record_id, self.app.operator.operator_id, self._sent_back, self._failed)

    def _sent_back(self, _result: object) -> None:
        self.current, self.message = None, ""
        self.refresh()

    def open_checkin(self) -> None:
        """One-screen kit: lend the display to the students' check-in (app.open_checkin locks this session)."""
        if self.current is None and not self.calling:
            self.app.open_checkin()

    def end_of_day(self) -> None:
        self.app.go("day_summary")

    def log_out(self) -> None:
        self.current, self.withdrawn = None, ""
        log_out(self.app)

    def undo_withdrawal(self) -> None:
        """The student withdrawn a moment ago stays after all: their record is restored (audited) and they are
        the student being served again; the capture starts again from the identity check."""
        if not self.withdrawn or self.current is not None or self.calling:
            return
        self.calling = True
        self.app.services.undo_withdrawal(self.withdrawn, self.app.operator.operator_id, self._undone,
                                          self._undo_failed)

    def _undone(self, entry: object) -> None:
        self.calling, self.withdrawn, self.current = False, "", entry
        self.message = "Withdrawal undone: start the recording again."
        self.refresh()

    def _undo_failed(self, error: SinopsisError) -> None:
        self.calling, self.withdrawn = False, ""
        self.message = ("The withdrawal can no longer be undone: the next student was called or the session ended."
                        if error.code in ("record.undo_closed", "record.not_withdrawn") else
                        "Something went wrong on this kiosk. Please ask the recording team.")

    def _failed(self, error: SinopsisError) -> None:
        self.message = "Something went wrong on this kiosk. Please ask the recording team."


SCREEN = OperatorQueueScreen
