"""The kiosk's idle face: welcome, start a check-in, help, language."""

from kiosk.screens.base import KioskScreen


class WelcomeScreen(KioskScreen):
    def start_nik(self) -> None:
        self.app.flow.nik = self.app.flow.birth_digits = ""
        self.app.go("nik_entry")
        self.manager.get_screen("nik_entry").begin()


SCREEN = WelcomeScreen
