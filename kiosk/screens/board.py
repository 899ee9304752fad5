"""The public queue board: the numbers being served and the next ones (masked names only); refreshes itself.

On a kit's check-in display (role "checkin") the board is also where check-in starts: the QR scanner listens
while it shows (app.QR_SCREENS) and its big button opens the NIK keypad, so the next students check in while the
operator captures; every check-in screen comes back here."""

from kivy.clock import Clock
from kivy.properties import ListProperty

from kiosk.screens.base import KioskScreen

REFRESH_S = 2.0


class BoardScreen(KioskScreen):
    waiting = ListProperty([])
    serving = ListProperty([])
    _event = None

    def on_pre_enter(self, *args: object) -> None:
        self.refresh()
        self._event = Clock.schedule_interval(lambda _dt: self.refresh(), REFRESH_S)

    def on_leave(self, *args: object) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def refresh(self) -> None:
        app = self.app
        if app is None or app.root is not self.manager:  # the app stopped (or another one runs): stop refreshing
            self.on_leave()
            return
        app.services.queue(self._got, lambda _e: None)

    def _got(self, lists: tuple) -> None:
        self.waiting, self.serving = lists

    def qr_text(self, _lang: str) -> str:
        from kiosk.screens.welcome import qr_instruction

        return qr_instruction(self.app, self.app.checkin_first)

    def start_nik(self) -> None:
        """The NIK keypad (the welcome screen's own start)."""
        self.manager.get_screen("welcome").start_nik()


SCREEN = BoardScreen
