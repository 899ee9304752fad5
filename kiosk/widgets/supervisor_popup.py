"""The team leader's approval on the operator's console: a popup with the PIN keypad (shown as dots) for a decision
the operator cannot take alone (more capture attempts after the last one).

The popup never touches the station: `on_pin(pin)` hands the typed PIN to the screen, which asks the station
(station.operators.verify_supervisor, audited, locked after too many wrong PINs) and then closes the popup with
`approved()` or shows why not with `refused(msgid)`.
"""

from collections.abc import Callable
from pathlib import Path

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from kiosk.widgets import keypad  # noqa: F401 - registers the Keypad rule
from kiosk.widgets.debounce import PopupGuard

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class SupervisorPopup(PopupGuard):
    """Ask for the team leader's PIN; `title` says what is approved, `note` what happens then."""

    title = StringProperty("")
    note = StringProperty("")
    message = StringProperty("")  # a msgid: why the last PIN was refused
    busy = BooleanProperty(False)

    def __init__(self, title: str, note: str, on_pin: Callable[[str], None], **kwargs: object) -> None:
        super().__init__(size_hint=(0.7, 0.96), auto_dismiss=False, **kwargs)
        self.title, self.note, self.on_pin = title, note, on_pin

    def ok(self) -> None:
        """OK on the keypad: the PIN goes to the screen (once; the keypad waits for the answer)."""
        pin = self.ids.keypad.value
        if self.busy or len(pin) < 4:
            return
        self.busy, self.message = True, ""
        self.on_pin(pin)

    def refused(self, msgid: str) -> None:
        """The station said no: the keypad is cleared for another try, and `msgid` says why."""
        self.busy, self.message = False, msgid
        self.ids.keypad.value = ""

    def approved(self) -> None:
        self.busy = False
        self.dismiss()


Factory.register("SupervisorPopup", cls=SupervisorPopup)
