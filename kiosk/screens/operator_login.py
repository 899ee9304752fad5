"""Operator login: tap your name from today's team, then your PIN on the keypad (shown as dots).

In "locked" mode (kiosk/idle.py locked the screen while a recording was open) only the operator who left it
can unlock it, with their PIN: the usual login check, so wrong PINs count toward the usual lockout, and success
returns to the screen that was locked with the recording as it was.
"""

from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty

from contract.errors import SinopsisError
from kiosk.screens.base import KioskScreen

LOGIN_MESSAGES = {"auth.failed": "Operator or PIN is wrong.",
                  "auth.locked": "Too many wrong PINs. This operator is locked for a while; ask the team leader."}


class OperatorLoginScreen(KioskScreen):
    team = ListProperty([])
    chosen = StringProperty("")
    error = StringProperty("")
    busy = BooleanProperty(False)
    locked_by = ObjectProperty(None, allownone=True)  # the Operator whose screen is locked
    return_to = StringProperty("")  # the screen to go back to when unlocked

    def lock(self, operator: object, return_to: str) -> None:
        """Lock mode: only `operator`'s PIN unlocks; then back to `return_to`."""
        self.locked_by, self.return_to = operator, return_to

    def on_pre_enter(self, *args: object) -> None:
        self.chosen, self.error, self.busy = "", "", False
        self.ids.keypad.value = ""
        if self.locked_by is not None:
            self.chosen = self.locked_by.operator_id
            self._got_team([(self.locked_by.operator_id, self.locked_by.name)])
            return
        self.app.services.team(self._got_team, self._failed)

    def _got_team(self, team: list) -> None:
        self.team = team
        box = self.ids.team
        box.clear_widgets()
        from kivy.factory import Factory

        for operator_id, name in team:
            button = Factory.QuietButton(text=f"{name} ({operator_id})")
            button.bind(on_release=lambda _b, o=operator_id: self.choose(o))
            box.add_widget(button)

    def choose(self, operator_id: str) -> None:
        if self.locked_by is not None and operator_id != self.locked_by.operator_id:
            return  # locked: nobody else
        self.chosen, self.error = operator_id, ""
        self.ids.keypad.value = ""

    def ok(self) -> None:
        if self.busy or not self.chosen:
            return
        self.busy = True
        self.app.services.login(self.chosen, self.ids.keypad.value, self._logged_in, self._failed)

    def _logged_in(self, operator: object) -> None:
        self.busy = False
        self.app.operator = operator
        if self.locked_by is not None:
            target, self.locked_by, self.return_to = self.return_to or "operator_queue", None, ""
            self.app.go(target)
            return
        self.app.go("operator_queue")

    def _failed(self, error: SinopsisError) -> None:
        self.busy = False
        self.ids.keypad.value = ""
        self.error = LOGIN_MESSAGES.get(error.code, "Something went wrong on this kiosk. Please ask the "
                                                    "recording team.")


SCREEN = OperatorLoginScreen
