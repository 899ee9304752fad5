"""The touch-target check the screenshot test runs on every screen finds small buttons and only those."""

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button

from kiosk.testing import small_targets


def test_small_visible_enabled_buttons_are_reported():
    root = BoxLayout()
    big = Button(text="OK", size_hint=(None, None), size=(120, 64))
    small = Button(text="x", size_hint=(None, None), size=(30, 64))
    hidden = Button(text="h", size_hint=(None, None), size=(30, 30), opacity=0)
    disabled = Button(text="d", size_hint=(None, None), size=(30, 30), disabled=True)
    secondary = Button(text="s", size_hint=(None, None), size=(30, 30))
    secondary.secondary_target = True
    for widget in (big, small, hidden, disabled, secondary):
        root.add_widget(widget)
    assert small_targets(root) == ["small target 'x': 30x64"]
