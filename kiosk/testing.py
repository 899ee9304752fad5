"""Driving the kiosk offscreen, for the tests and the screenshot command: real touches, stepped frames."""

import time
from collections.abc import Callable
from pathlib import Path

from kivy.base import EventLoop
from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch
from kivy.uix.widget import Widget

from contract.durable import make_private


class _Drawing:
    """Whether stepped frames are drawn; see `draw_frames`."""

    on, bound = True, False

    @classmethod
    def skip(cls, *_args: object) -> bool:
        return not cls.on


def draw_frames(on: bool) -> bool:
    """Whether the frames stepped from here on are drawn; returns the setting before. Off, a frame still runs
    the clock, the input, the layout and the kv rules — everything the tests check — but the window neither
    draws nor flips: here Mesa's llvmpipe draws in software, about half of a kiosk test's CPU. The kiosk's tests
    turn it off (tests/kiosk/conftest.py); `screenshot` draws its frame whatever the setting, and the screenshot
    flow (sinopsis/screenshots.py) draws every frame, so its pictures keep the frame pace they were made with."""
    if not _Drawing.bound:
        # a bound handler returning True ends the event before the window's own on_draw / on_flip, which Kivy calls
        # after every bound one (handlers bound later, such as the preview's on_flip, still run: they come first)
        Window.bind(on_draw=_Drawing.skip, on_flip=_Drawing.skip)
        _Drawing.bound = True
    before, _Drawing.on = _Drawing.on, on
    return before


def step(frames: int = 3) -> None:
    """Let Kivy run `frames` frames (layout, kv bindings, scheduled callbacks; drawn unless `draw_frames(False)`)."""
    for _ in range(frames):
        EventLoop.idle()


def settle(frames: int = 25) -> None:
    """Step past the kiosk's touch guard after a screen change (a person does not tap within ⅓ s either)."""
    step(frames)


def wait_until(condition: Callable[[], bool], timeout_s: float = 15.0) -> None:
    """Step frames until `condition()` holds (worker-thread results arrive through the Clock), then settle. The
    bound is in seconds, not frames: the tests run Kivy's clock unthrottled (tests/kiosk/conftest.py) while the
    worker threads keep real time. While waiting, frames come at about the kiosk's 60 a second, not as fast as
    they can be drawn (that only took CPU from the workers being waited for)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            settle()
            return
        EventLoop.idle()
        time.sleep(1 / 60)  # the kiosk's own frame pace while waiting: drawing faster burns CPU the workers need
    if condition():
        settle()
        return
    raise AssertionError(f"the kiosk did not reach the expected state within {timeout_s:g} s")


TAP_PACE_S = 1.0  # a person's taps come at least this far apart (kiosk/widgets/debounce.py swallows quicker ones)
DOUBLE_TAP_S = 0.15  # the second tap of a double tap


class _Person:
    """When the touches of the person at the kiosk come down: real time, but never closer than TAP_PACE_S to the
    previous tap unless that one asked for a quick second tap (`tap(..., settle_after=False)`). The tests' frames run
    unthrottled, so without this two deliberate taps could land within the debounce of a double tap."""

    last, quick = float("-inf"), False

    @classmethod
    def touch_time(cls, quick_next: bool) -> float:
        gap = DOUBLE_TAP_S if cls.quick else TAP_PACE_S
        cls.last, cls.quick = max(time.time(), cls.last + gap), quick_next
        return cls.last


def tap(widget: Widget, settle_after: bool = True) -> None:
    """A real touch down/up at the centre of `widget`, in window coordinates, stamped at a person's pace (then
    past the touch guard of a screen change or of a popup that opened, unless `settle_after` is False: the next
    tap is a quick second tap, as a double tap)."""
    from kivy.app import App

    root = App.get_running_app().root
    for _ in range(0 if _Person.quick else 200):  # a person cannot tap a popup in its first moment either (its
        # touch guard, PopupGuard); the quick second tap of a double tap does not wait: it lands in the guard
        if not (Window.children and getattr(Window.children[0], "guard", 0)):
            break
        step(1)
    before, layers = getattr(root, "current", None), len(Window.children)
    x, y = widget.to_window(*widget.center)
    touch = UnitTestTouch(x, y)
    touch.time_start = touch.time_update = _Person.touch_time(quick_next=not settle_after)
    touch.touch_down()
    step(1)
    touch.touch_up()
    step(1)
    if settle_after and (getattr(root, "current", None) != before or len(Window.children) > layers):
        settle()


def popups_opened(timeout_s: float = 2.0) -> bool:
    """Step frames until every open popup has finished fading in (Kivy's ModalView animates the dimmed screen
    behind it over 0.1 s of clock time; a picture taken after a fixed number of frames caught it part way, how far
    depending on how long this machine took to draw each frame); False when one still fades after `timeout_s`
    (bounded in seconds, since frames not drawn take next to no time)."""
    deadline = time.monotonic() + timeout_s
    while not all(getattr(w, "_anim_alpha", 1.0) >= 1.0 for w in Window.children):
        if time.monotonic() > deadline:
            return False
        step(1)
    return True


def screenshot(path: Path) -> Path:
    """Draw the window and save it as PNG (Kivy appends a number; the file is renamed to `path`), owner-only
    (0600): a screenshot of the kiosk can show a student's face, name and NIK. Drawn whatever `draw_frames` says."""
    drawing = draw_frames(True)
    try:
        Window.dispatch("on_draw")
        saved = Window.screenshot(name=str(path.with_suffix("")) + "%(counter)04d.png")
    finally:
        draw_frames(drawing)
    make_private(Path(saved))
    Path(saved).replace(path)
    return path


def overflowing_labels(root: Widget) -> list[str]:
    """Labels whose rendered text is wider or taller than the label itself (text cut off)."""
    from kivy.uix.label import Label

    bad = []
    for widget in root.walk():
        if isinstance(widget, Label) and widget.text.strip() and widget.opacity > 0 and widget.width > 1:
            tw, th = widget.texture_size
            if tw > widget.width + 1 or th > widget.height + 1:
                bad.append(f"{widget.text[:40]!r}: text {tw:.0f}x{th:.0f} in {widget.width:.0f}x{widget.height:.0f}")
    return bad


def broken_words(root: Widget) -> list[str]:
    """Labels that wrap inside a word: a word wider than the label's wrapping width is cut over two lines
    ("Pendaftara/n") although no text overflows the label."""
    import re

    from kivy.uix.label import Label

    bad = []
    for widget in root.walk():
        wrap = widget.text_size[0] if isinstance(widget, Label) else None
        if not wrap or widget.opacity == 0 or widget.width <= 1 or not widget.text.strip():
            continue
        text = re.sub(r"\[/?[a-z]+[^]]*\]", "", widget.text) if widget.markup else widget.text
        widest = max(text.split(), key=lambda word: widget._label.get_extents(word)[0])
        if widget._label.get_extents(widest)[0] > wrap + 1:
            bad.append(f"{widest[:30]!r} is cut over two lines in {widget.text[:40]!r} ({wrap:.0f} px wide)")
    return bad


MIN_TARGET_MM = 9.0  # the smallest touch target side a finger hits reliably (issue 20; ISO 9241-9 ≈ 9.6 mm)
# The kit's panels, by the window size the kiosk runs at: pixels per millimetre (diagonal px / diagonal mm).
PANEL_PX_PER_MM = {(1280, 800): (1280 ** 2 + 800 ** 2) ** 0.5 / (10.1 * 25.4),  # 10.1" 1280x800: 5.88 px/mm
                   (800, 480): (800 ** 2 + 480 ** 2) ** 0.5 / (7.0 * 25.4)}  # 7" 800x480: 5.25 px/mm


def min_target_px(size: tuple[int, int]) -> float:
    """MIN_TARGET_MM in pixels on the panel the window `size` is (the 10.1" panel's density otherwise)."""
    return MIN_TARGET_MM * PANEL_PX_PER_MM.get(tuple(size), PANEL_PX_PER_MM[(1280, 800)])


def small_targets(root: Widget) -> list[str]:
    """Visible, enabled buttons smaller than MIN_TARGET_MM on a side on the kit's panel. A widget may set
    `secondary_target = True` when the same action has a large button elsewhere (the hand diagram's fingers: the
    exception popup asks too)."""
    from kivy.uix.behaviors import ButtonBehavior

    smallest = min_target_px(Window.size)

    def shown(widget: Widget) -> bool:
        while widget is not None and widget is not root.parent:
            if widget.opacity == 0:
                return False
            widget = widget.parent
        return True

    bad = []
    for widget in root.walk():
        if (isinstance(widget, ButtonBehavior) and not widget.disabled and widget.width > 1 and widget.height > 1
                and not getattr(widget, "secondary_target", False) and shown(widget)
                and min(widget.width, widget.height) < smallest - 0.5):
            label = getattr(widget, "text", "") or type(widget).__name__
            bad.append(f"small target {label[:30]!r}: {widget.width:.0f}x{widget.height:.0f} "
                       f"(under {MIN_TARGET_MM:g} mm = {smallest:.0f} px)")
    return bad


def stencil_lines(root: Widget) -> list[str]:
    """Widgets drawing a thick `Line` (width > 1) under a colour that is not opaque. Kivy draws such a line
    through the stencil buffer, which a software renderer clears over the whole window for each line: ten
    invisible outlines (alpha 0) made each frame of the capture screen cost ~60 ms more. Hide a line with
    width 1, or draw it opaque."""
    from kivy.graphics import Color, Line

    bad = []
    for widget in root.walk():
        alpha = 1.0
        for canvas in (widget.canvas.before, widget.canvas, widget.canvas.after):
            for instruction in canvas.children:
                if isinstance(instruction, Color):
                    alpha = instruction.a
                elif isinstance(instruction, Line) and instruction.width > 1 and alpha < 1:
                    bad.append(f"stencil line in {type(widget).__name__}: width {instruction.width:g}, "
                               f"alpha {alpha:g}")
    return bad
