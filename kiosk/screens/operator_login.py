"""Operator login: tap your name from today's team, then your PIN on the keypad (shown as dots)."""

from kivy.properties import BooleanProperty, ListProperty, StringProperty

from kiosk.screens.base import KioskScreen
from station.errors import SinopsisError

LOGIN_MESSAGES = {"auth.failed": "Operator or PIN is wrong.",
                  "auth.locked": "Too many wrong PINs. This operator is locked for a while; ask the team leader."}


class OperatorLoginScreen(KioskScreen):
    team = ListProperty([])
    chosen = StringProperty("")
    error = StringProperty("")
    busy = BooleanProperty(False)

    def on_pre_enter(self, *args: object) -> None:
        self.chosen, self.error, self.busy = "", "", False
        self.ids.keypad.value = ""
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
        self.app.go("operator_queue")

    def _failed(self, error: SinopsisError) -> None:
        self.busy = False
        self.ids.keypad.value = ""
        self.error = LOGIN_MESSAGES.get(error.code, "Something went wrong on this kiosk. Please ask the "
                                                    "recording team.")


SCREEN = OperatorLoginScreen
