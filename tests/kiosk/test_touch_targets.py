"""The checks the screenshot test runs on every screen: small buttons, thick lines the renderer must draw
through the stencil buffer, words wrapped in the middle; each finds what it looks for and only that."""

from kivy.graphics import Color, Line
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.widget import Widget

from kiosk.testing import broken_words, min_target_px, small_targets, stencil_lines


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
    [report] = small_targets(root)
    assert report.startswith("small target 'x': 30x64 (under 9 mm = ")


def test_nine_millimetres_on_each_of_the_kits_panels():
    assert round(min_target_px((1280, 800))) == 53  # 10.1" 1280x800: 5.88 px/mm
    assert round(min_target_px((800, 480))) == 47  # 7" 800x480: 5.25 px/mm


def test_thick_lines_under_a_translucent_colour_are_reported():
    root = Widget()
    thin_hidden, thick_opaque, thick_hidden = Widget(), Widget(), Widget()
    with thin_hidden.canvas:
        Color(0, 0, 0, 0)
        Line(points=[0, 0, 10, 10], width=1)
    with thick_opaque.canvas.after:
        Color(1, 1, 1, 1)
        Line(points=[0, 0, 10, 10], width=2)
    with thick_hidden.canvas.before:
        Color(1, 1, 1, 0.85)
        Line(rectangle=(0, 0, 10, 10), width=1.5)
    for widget in (thin_hidden, thick_opaque, thick_hidden):
        root.add_widget(widget)
    assert stencil_lines(root) == ["stencil line in Widget: width 1.5, alpha 0.85"]


def test_a_word_wider_than_its_wrapping_label_is_reported():
    root = BoxLayout()
    cut = Button(text="Pendaftaran", font_size=18, size_hint=(None, None), size=(60, 64))
    cut.text_size = (cut.width, None)
    fits = Button(text="Kembali ke antrean", font_size=18, size_hint=(None, None), size=(120, 64))
    fits.text_size = (fits.width, None)  # two lines, whole words
    unwrapped = Button(text="Pendaftaran", font_size=18, size_hint=(None, None), size=(60, 64))  # no text_size
    for widget in (cut, fits, unwrapped):
        root.add_widget(widget)
    assert broken_words(root) == ["'Pendaftaran' is cut over two lines in 'Pendaftaran' (60 px wide)"]
