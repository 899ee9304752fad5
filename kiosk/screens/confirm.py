"""Is this you? The name (first name and initials) and the school, before anything is recorded."""

from kiosk.screens.base import KioskScreen


class ConfirmScreen(KioskScreen):
    def yes(self) -> None:
        self.manager.get_screen("phone").begin()
        self.app.go("phone")

    def no(self) -> None:
        self.app.flow.problem, self.app.flow.problem_code = "mismatch", ""
        self.app.flow_changed()
        self.app.go("problem")


SCREEN = ConfirmScreen
