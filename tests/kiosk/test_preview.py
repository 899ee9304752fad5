"""The live preview's pacing: when the renderer is slow, camera frames that would make the upload wait for it are
skipped (the UI thread stays live) and the waits that remain are short; when it is quick again, every frame is
shown. Real textures in the offscreen window; the clock is a counter we step, the renderer's time a number."""

import numpy as np
from kivy.core.window import Window  # noqa: F401 - makes the GL context the textures need

from kiosk.preview import MAX_INTERVAL_S, LivePreview


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


class SlowRendererPreview(LivePreview):
    """The real preview over a renderer that needs `render_time` per frame: an upload started before the last
    frame handed to it is done waits (on the clock) until it is, as Mesa's software renderer makes it wait."""

    render_time = 0.0
    waited = 0.0

    def _upload(self, texture, frame, fmt):
        super()._upload(texture, frame, fmt)
        wait = max(0.0, self.drawn + self.render_time - self.clock.now)
        self.clock.now += wait
        self.waited += wait


def feed(preview, clock, frames, fps=30):
    """Camera frames at `fps`; the window draws (and hands to the renderer) a frame each time one is shown."""
    shown = []
    for _ in range(frames):
        texture = preview.update(np.zeros((48, 64, 3), np.uint8))
        shown.append(texture is not None)
        if texture is not None:
            preview.frame_drawn()
        clock.now += 1 / fps
    return shown


def test_a_slow_renderer_slows_the_preview_not_the_screen_and_a_quick_one_brings_it_back():
    clock = Clock()
    preview = SlowRendererPreview(clock)
    assert all(feed(preview, clock, 30))  # a quick renderer: every camera frame is shown
    two = {preview.textures[0], preview.textures[1]}

    preview.render_time = 0.1  # the renderer needs 100 ms a frame: 3 camera frames
    slow = feed(preview, clock, 90)
    assert 15 <= sum(slow) < 45  # about one frame in three or four is shown, never less than 2 a second
    assert preview.render_s <= MAX_INTERVAL_S
    assert preview.waited >= 0.1  # it learned by waiting once for a whole frame
    preview.waited = 0.0
    feed(preview, clock, 90)  # 3 s: uploading every frame would wait about 2 s of them
    assert preview.waited < 0.15  # once learned, the UI thread hardly waits: the probes are short
    assert {preview.textures[0], preview.textures[1]} == two  # still the same two textures, taking turns

    preview.render_time = 0.0
    feed(preview, clock, 150)  # quick again: within 5 s the pace recovers
    assert all(feed(preview, clock, 30)) and preview.skipped > 0
