"""The kiosk's buttons ignore the second tap of a double tap: BigButton and QuietButton (kiosk/theme.kv) are
DebouncedButtons, so a tap on the same button within DEBOUNCE_S of the one it accepted is swallowed.

Why here and not in each screen: a double tap on "Rekam" started a capture and stopped it again, a double tap on a
reason chose it twice; every screen would need the same guard. The time is the touch's own (`time_start`, when
the finger came down), so the rule holds however slowly the frames are drawn. The keypad's keys are not debounced:
"11" is two taps of the same key on purpose. A popup's own first touches are guarded by `PopupGuard`.
"""

from kivy.clock import Clock
from kivy.factory import Factory
from kivy.properties import NumericProperty
from kivy.uix.button import Button
from kivy.uix.modalview import ModalView

DEBOUNCE_S = 0.5  # a person's deliberate second tap of one button comes later than this; a double tap sooner
GUARD_FRAMES = 20  # as the screen manager's guard (kiosk/app.py): ~⅓ s after a popup opens


class DebouncedButton(Button):
    """A Button that swallows a touch landing within `debounce_s` of the last touch it accepted."""

    debounce_s = NumericProperty(DEBOUNCE_S)
    _accepted_at = float("-inf")

    def on_touch_down(self, touch: object) -> bool:
        if self.disabled or not self.collide_point(*touch.pos):
            return super().on_touch_down(touch)
        if 0 <= touch.time_start - self._accepted_at < self.debounce_s:
            return True  # the second tap of a double tap: swallowed, so nothing behind the button gets it either
        self._accepted_at = touch.time_start
        return super().on_touch_down(touch)


class PopupGuard(ModalView):
    """A ModalView that ignores touches for its first frames, so the second tap of the double tap that opened it
    cannot press the button that appears under the finger."""

    guard = 0

    closing = False  # dismissed and fading out: touches go through to the screen behind it

    def on_pre_open(self) -> None:
        self.guard, self.closing = GUARD_FRAMES, False
        Clock.schedule_interval(self._tick, 0)

    def on_pre_dismiss(self) -> None:
        self.closing = True

    def _tick(self, _dt: float) -> bool:
        self.guard = max(0, self.guard - 1)
        return self.guard > 0  # unscheduled once the guard is down

    def on_touch_down(self, touch: object) -> bool:
        if self.closing:
            return False  # a popup on its way out does not eat the operator's next tap
        if self.guard:
            return True
        return super().on_touch_down(touch)


Factory.register("DebouncedButton", cls=DebouncedButton)
