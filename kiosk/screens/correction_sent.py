"""The end of a correction request at the kiosk: no queue number; what happens next (the office checks the family
card and contacts the student at the phone they gave, shown by its last digits only)."""

from kivy.clock import Clock

from kiosk.screens.base import KioskScreen
from kiosk.screens.flow import CORRECTION_CHOICES

BACK_TO_WELCOME_S = 30


class CorrectionSentScreen(KioskScreen):
    _event = None

    def on_enter(self, *_args: object) -> None:
        if self._event is not None:
            self._event.cancel()
        self._event = Clock.schedule_once(lambda _dt: self.done(), BACK_TO_WELCOME_S)

    def on_leave(self, *_args: object) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def digits(self, _flow: object = None) -> str:
        """The last digits of the phone the office will call ("7890")."""
        sent = self.app.flow.correction_sent if self.app.flow else None
        return sent.phone_hint.lstrip("…") if sent else ""

    def reason(self, _flow: object = None, _lang: str = "") -> str:
        """What the student said is wrong, in their words and language."""
        sent = self.app.flow.correction_sent if self.app.flow else None
        msgid = CORRECTION_CHOICES.get(sent.reason_code if sent else "", "")
        return self.app.t(msgid) if msgid else ""

    def done(self) -> None:
        if self.manager is not None and self.manager.current == self.name:
            self.app.restart()


SCREEN = CorrectionSentScreen
