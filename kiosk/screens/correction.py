"""The student says the data shown is wrong: what is wrong (CORRECTION_CHOICES, the station's correction reason
codes), then the phone number (the phone screen, in correction mode), then the correction_sent screen."""

from kiosk.screens.base import KioskScreen
from kiosk.screens.flow import CORRECTION_CHOICES


class CorrectionScreen(KioskScreen):
    def choose(self, code: str) -> None:
        """A reason was touched: ask for the phone number the office will call."""
        if code not in CORRECTION_CHOICES:
            return
        self.app.flow.correction = code
        self.app.flow_changed()
        self.manager.get_screen("phone").begin()
        self.app.go("phone")


SCREEN = CorrectionScreen
