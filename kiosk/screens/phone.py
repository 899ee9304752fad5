"""The phone number the SOP records: typed on the keypad, any common Indonesian form, normalised. The same screen
ends a correction request (flow.correction set): the office calls that number about the student's data.

While the station saves, the typed number stays on the keypad: a refusal (a bad number, the database busy
past its timeout) is explained here and the student presses OK again; nothing typed is lost."""

import datetime as dt

from kivy.properties import BooleanProperty, StringProperty

from contract.errors import SinopsisError
from kiosk.screens.base import KioskScreen
from kiosk.screens.flow import message_for
from kiosk.services import check_phone

STAY_HERE = ("phone.", "store.busy", "checkin.no_listed_phone")  # refusals the student fixes on this screen


def typed_birth_date(digits: str) -> dt.date | None:
    """DDMMYYYY as typed on the NIK screen, or None."""
    try:
        return dt.date(int(digits[4:8]), int(digits[2:4]), int(digits[0:2])) if len(digits) == 8 else None
    except ValueError:
        return None


class PhoneScreen(KioskScreen):
    error = StringProperty("")
    busy = BooleanProperty(False)

    def begin(self) -> None:
        self.error, self.busy = "", False
        self.ids.keypad.value = ""

    def use_listed(self) -> None:
        """Check in with the number on the list (shown by its last digits only: the kiosk is public)."""
        if not self.busy:
            self.ok(listed=True)

    def ok(self, listed: bool = False) -> None:
        if self.busy:
            return
        typed = None if listed else self.ids.keypad.value
        if typed is not None:
            try:
                check_phone(typed)
            except SinopsisError as e:
                self.error = message_for(e.code)
                return
        self.busy, self.error = True, ""
        flow, services = self.app.flow, self.app.services
        flow.phone = typed or ""
        birth = typed_birth_date(flow.birth_digits)
        if flow.correction:
            services.request_correction_at_checkin(flow.identity, typed, flow.correction, flow.method,
                                                   self.correction_saved, self.refused)
        elif flow.method == "nik" and birth is not None:
            services.check_in_nik(flow.nik, birth, typed, self.checked_in, self.refused)
        else:
            services.check_in(flow.identity, typed, self.checked_in, self.refused)

    def checked_in(self, ticket: object) -> None:
        self.busy = False
        self.app.flow.ticket = ticket
        self.app.flow_changed()
        self.app.go("ticket")
        self.manager.get_screen("ticket").shown_now()

    def correction_saved(self, request: object) -> None:
        self.busy = False
        self.app.flow.correction_sent = request
        self.app.flow_changed()
        self.app.go("correction_sent")

    def refused(self, error: SinopsisError) -> None:
        self.busy = False
        if error.code.startswith(STAY_HERE):
            self.error = message_for(error.code)
            return
        flow = self.app.flow
        flow.problem, flow.problem_code = "default", error.code
        if error.code == "checkin.in_queue" and flow.identity is not None and flow.identity.queue_number:
            flow.problem = "in_queue"
        self.app.flow_changed()
        self.app.go("problem")


SCREEN = PhoneScreen
