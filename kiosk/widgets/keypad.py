"""The large on-screen number keypad: digits, delete, and an OK key (touch targets ≥ 64 px)."""

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.gridlayout import GridLayout

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class Keypad(GridLayout):
    """Edits `value` (digits only, at most `max_length`); fires on_ok when OK is pressed."""

    value = StringProperty("")
    max_length = NumericProperty(16)
    ok_enabled = BooleanProperty(True)

    def __init__(self, **kwargs: object) -> None:
        self.register_event_type("on_ok")
        super().__init__(**kwargs)

    def press(self, key: str) -> None:
        """A key was touched: a digit, "del" or "ok"."""
        if key == "del":
            self.value = self.value[:-1]
        elif key == "ok":
            self.dispatch("on_ok")
        elif key.isdigit() and len(self.value) < self.max_length:
            self.value += key

    def on_ok(self) -> None:
        """Default handler (screens bind their own)."""
