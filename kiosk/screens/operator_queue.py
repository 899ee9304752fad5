"""The operator's queue: who is being served, who waits; call next, not here, log out."""

from kivy.properties import ListProperty, ObjectProperty, StringProperty

from kiosk.screens.base import KioskScreen
from station.errors import SinopsisError


class OperatorQueueScreen(KioskScreen):
    waiting = ListProperty([])
    serving = ListProperty([])
    current = ObjectProperty(None, allownone=True)  # the student this operator called
    message = StringProperty("")

    def on_pre_enter(self, *args: object) -> None:
        self.passed_over: set[str] = set()
        self.refresh()

    def refresh(self) -> None:
        self.app.services.queue(self._got_queue, self._failed)

    def _got_queue(self, lists: tuple) -> None:
        self.waiting, self.serving = lists

    def call_next(self) -> None:
        self.app.services.call_next(self.app.operator.operator_id, self.passed_over, self._called, self._failed)

    def _called(self, entry: object) -> None:
        self.current = entry
        self.message = "" if entry is not None else "Nobody is waiting."
        self.refresh()

    def not_here(self) -> None:
        if self.current is None:
            return
        self.passed_over.add(self.current.record_id)
        self.app.services.not_here(self.current.record_id, self.app.operator.operator_id,
                                   lambda _r: self._called(None) or setattr(self, "message", ""), self._failed)

    def log_out(self) -> None:
        self.app.operator = None
        self.current = None
        self.app.restart()

    def _failed(self, error: SinopsisError) -> None:
        self.message = "Something went wrong on this kiosk. Please ask the recording team."


SCREEN = OperatorQueueScreen
