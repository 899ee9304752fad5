"""The phone number the SOP records: typed on the keypad, any common Indonesian form, normalised."""

from kivy.properties import BooleanProperty, StringProperty

from kiosk.screens.base import KioskScreen
from kiosk.screens.flow import message_for
from kiosk.services import check_phone
from station.errors import SinopsisError


class PhoneScreen(KioskScreen):
    error = StringProperty("")
    busy = BooleanProperty(False)

    def begin(self) -> None:
        self.error, self.busy = "", False
        self.ids.keypad.value = ""

    def ok(self) -> None:
        if self.busy:
            return
        typed = self.ids.keypad.value
        try:
            check_phone(typed)
        except SinopsisError as e:
            self.error = message_for(e.code)
            return
        self.busy, self.error = True, ""
        self.app.flow.phone = typed
        self.app.services.check_in(self.app.flow.identity, typed, self.checked_in, self.refused)

    def checked_in(self, ticket: object) -> None:
        self.busy = False
        self.app.flow.ticket = ticket
        self.app.flow_changed()
        self.app.go("ticket")
        self.manager.get_screen("ticket").shown_now()

    def refused(self, error: SinopsisError) -> None:
        self.busy = False
        if error.code.startswith("phone."):
            self.error = message_for(error.code)
            return
        self.app.flow.problem, self.app.flow.problem_code = "default", error.code
        self.app.flow_changed()
        self.app.go("problem")


SCREEN = PhoneScreen
