"""NIK, then birth date, on the big keypad; checked locally first, then against the list (off the UI thread).

The birth date is inside the NIK (digits 7–12), so the keypad comes up holding it: the student only confirms it
with OK, or clears it and types the date on the family card (KK) when the two differ."""

import datetime as dt

from kivy.properties import BooleanProperty, StringProperty

from contract.errors import SinopsisError
from kiosk.screens.base import KioskScreen
from kiosk.screens.flow import message_for
from kiosk.services import check_nik_format


def group(digits: str, sizes: tuple[int, ...]) -> str:
    """Digits shown in groups (NIK 6-6-4, date 2-2-4) so they are easy to check against the card."""
    out, i = [], 0
    for size in sizes:
        if i >= len(digits):
            break
        out.append(digits[i:i + size])
        i += size
    return " ".join(out)


class NikEntryScreen(KioskScreen):
    step = StringProperty("nik")  # "nik" or "birth"
    error = StringProperty("")  # an English msgid (translated in kv), or ""
    busy = BooleanProperty(False)

    def begin(self) -> None:
        self.step, self.error, self.busy = "nik", "", False
        self.ids.keypad.value = ""

    def shown(self, value: str) -> str:
        return group(value, (6, 6, 4)) if self.step == "nik" else group(value, (2, 2, 4))

    def back(self) -> None:
        if self.step == "birth":
            self.step, self.error = "nik", ""
            self.ids.keypad.value = self.app.flow.nik
        else:
            self.app.restart()

    def ok(self) -> None:
        if self.busy:  # a double tap while the list is being asked
            return
        value = self.ids.keypad.value
        if self.step == "nik":
            try:
                from_nik = check_nik_format(value)
            except SinopsisError as e:
                self.error = message_for(e.code)
                return
            flow = self.app.flow
            kept = flow.birth_digits if flow.nik == value else ""  # back from the date: what was typed there
            flow.nik, self.step, self.error = value, "birth", ""
            self.ids.keypad.value = kept or from_nik.strftime("%d%m%Y")
            return
        try:
            birth = dt.date(int(value[4:8]), int(value[2:4]), int(value[0:2])) if len(value) == 8 else None
        except ValueError:
            birth = None
        if birth is None:
            self.error = message_for("birth.date")
            return
        self.app.flow.birth_digits, self.busy, self.error = value, True, ""
        self.app.services.identify_nik(self.app.flow.nik, birth, self.found, self.refused)

    def found(self, identity: object) -> None:
        """The student is on the list (typed or scanned): confirm, or say they are done or already waiting."""
        flow = self.app.flow
        flow.identity = identity
        self.app.flow_changed()
        if identity.status == "in_queue":  # checked in before: waiting, or waiting for the office's correction
            self.app.services.open_correction(identity.application_id, lambda sent: self._in_queue(identity, sent),
                                              self.refused)
            return
        self.busy = False
        if identity.status in ("recorded", "see_team"):
            flow.problem, flow.problem_code = ("recorded", "") if identity.status == "recorded" else \
                ("default", "checkin.see_team")
            self.app.flow_changed()
            self.app.go("problem")
            return
        self.app.go("confirm")

    def _in_queue(self, identity: object, sent: object) -> None:
        self.busy = False
        flow = self.app.flow
        if flow.identity is not identity:  # a newer scan or check-in started meanwhile
            return
        if sent is not None:
            flow.correction_sent = sent
            self.app.flow_changed()
            self.app.go("correction_sent")
            return
        flow.problem, flow.problem_code = "in_queue", ""
        self.app.flow_changed()
        self.app.go("problem")

    def refused(self, error: SinopsisError) -> None:
        self.busy = False
        if error.code.startswith("nik."):
            self.step = "nik"
            self.ids.keypad.value = self.app.flow.nik
            self.error = message_for(error.code)
            return
        self.app.flow.problem, self.app.flow.problem_code = "default", error.code
        self.app.flow_changed()
        self.app.go("problem")


SCREEN = NikEntryScreen
