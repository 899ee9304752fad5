"""The queue number, big; the kiosk goes back to welcome by itself after a while."""

from kivy.clock import Clock

from kiosk.screens.base import KioskScreen

BACK_TO_WELCOME_S = 20


class TicketScreen(KioskScreen):
    _event = None

    def shown_now(self) -> None:
        if self._event is not None:
            self._event.cancel()
        self._event = Clock.schedule_once(lambda _dt: self.done(), BACK_TO_WELCOME_S)

    def done(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
        if self.manager.current == self.name:
            self.app.restart()


SCREEN = TicketScreen
