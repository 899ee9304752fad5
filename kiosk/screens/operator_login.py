"""Operator login: tap your name from today's team, then your PIN on the keypad (shown as dots).

In "locked" mode (kiosk/idle.py locked the screen while a recording was open) only the operator who left it
can unlock it, with their PIN: the usual login check, and success returns to the screen that was locked with the
recording as it was.

Wrong PINs typed here lock the operator out only on the operator's own console (kiosk role "operator"); on a
display students use too they only make the next try wait (station.operators, `shared`). Either way the team
leader can end it: "Unlock with the team leader's PIN" turns the keypad over to the leader's PIN for the chosen
operator (station.operators.unlock_operator, audited), who then types their own PIN again.
"""

from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty

from contract.errors import SinopsisError
from kiosk.screens.base import KioskScreen

LOGIN_MESSAGES = {"auth.failed": "Operator or PIN is wrong.",
                  "auth.locked": "Too many wrong PINs. This operator is locked for a while; ask the team leader.",
                  "auth.wait": "Too many wrong PINs on this screen. Wait 30 seconds and try again, or ask the team "
                               "leader to unlock.",
                  "auth.supervisor_failed": "The team leader's PIN is wrong. Type it again.",
                  "auth.supervisor_locked": "Too many wrong team leader PINs. Wait a few minutes, then try again."}
UNLOCKABLE = ("auth.locked", "auth.wait")  # refusals the team leader's PIN can end


class OperatorLoginScreen(KioskScreen):
    team = ListProperty([])
    chosen = StringProperty("")
    error = StringProperty("")
    busy = BooleanProperty(False)
    locked_by = ObjectProperty(None, allownone=True)  # the Operator whose screen is locked
    return_to = StringProperty("")  # the screen to go back to when unlocked
    supervisor = BooleanProperty(False)  # the keypad takes the team leader's PIN, to unlock `chosen`
    can_unlock = BooleanProperty(False)  # `chosen` is locked out (or must wait): the leader may unlock
    info = StringProperty("")  # a msgid shown in green (the leader unlocked)
    info_values = ObjectProperty({})

    def lock(self, operator: object, return_to: str) -> None:
        """Lock mode: only `operator`'s PIN unlocks; then back to `return_to`."""
        self.locked_by, self.return_to = operator, return_to

    def on_pre_enter(self, *args: object) -> None:
        self.chosen, self.error, self.busy = "", "", False
        self.supervisor, self.can_unlock, self.info = False, False, ""
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
        self.chosen, self.error, self.info = operator_id, "", ""
        self.supervisor = self.can_unlock = False
        self.ids.keypad.value = ""

    def chosen_name(self) -> str:
        """The chosen operator's name (their id when the team list does not have it)."""
        return next((name for operator_id, name in self.team if operator_id == self.chosen), self.chosen)

    def ok(self) -> None:
        if self.busy or not self.chosen:
            return
        self.busy = True
        if self.supervisor:
            self.app.services.unlock_operator(self.chosen, self.ids.keypad.value, self._unlocked, self._failed)
            return
        self.app.services.login(self.chosen, self.ids.keypad.value, self._logged_in, self._failed)

    def ask_supervisor(self, on: bool = True) -> None:
        """Hand the keypad to the team leader (on) or back to the operator (off)."""
        if self.busy or not self.chosen:
            return
        self.supervisor, self.error, self.info = on, "", ""
        self.ids.keypad.value = ""

    def _unlocked(self, lead: object) -> None:
        self.busy, self.supervisor, self.can_unlock, self.error = False, False, False, ""
        self.ids.keypad.value = ""
        self.info = "Unlocked by {lead}. {name}: type your own PIN."
        self.info_values = {"lead": lead.name, "name": self.chosen_name()}

    def _logged_in(self, operator: object) -> None:
        self.busy = False
        self.app.operator = operator
        if self.locked_by is not None:
            target, self.locked_by, self.return_to = self.return_to or "operator_queue", None, ""
            self.app.go(target)
            return
        self.app.go("operator_queue")

    def _failed(self, error: SinopsisError) -> None:
        self.busy, self.info = False, ""
        self.ids.keypad.value = ""
        if error.code in UNLOCKABLE:
            self.can_unlock = True
        self.error = LOGIN_MESSAGES.get(error.code, "Something went wrong on this kiosk. Please ask the "
                                                    "recording team.")


SCREEN = OperatorLoginScreen
