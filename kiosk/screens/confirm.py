"""Is this you? The name (first name and initials) and the school, before anything is recorded. "No, something
is wrong" leads to the correction request (kiosk/screens/correction.py)."""

from kiosk.screens.base import KioskScreen


class ConfirmScreen(KioskScreen):
    def yes(self) -> None:
        self.app.flow.correction = ""
        self.app.flow_changed()
        self.manager.get_screen("phone").begin()
        self.app.go("phone")

    def no(self) -> None:
        self.app.go("correction")


SCREEN = ConfirmScreen
