"""The live preview's pacing: uploads that wait for the GPU make it show fewer frames (the UI stays live); quick
uploads bring the frame rate back. Real textures in the offscreen window; the clock is a counter we step."""

import numpy as np
from kivy.core.window import Window  # noqa: F401 - makes the GL context the textures need

from kiosk.preview import MAX_INTERVAL_S, STALL_S, LivePreview


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


class SlowGpuPreview(LivePreview):
    """The real preview whose uploads take `upload_s` more on the clock (a GPU that is behind makes them wait)."""

    upload_s = 0.0

    def _upload(self, texture, frame, fmt):
        super()._upload(texture, frame, fmt)
        self.clock.now += self.upload_s


def feed(preview, clock, frames, fps=30):
    shown = []
    for _ in range(frames):
        shown.append(preview.update(np.zeros((48, 64, 3), np.uint8)) is not None)
        clock.now += 1 / fps
    return shown


def test_a_slow_gpu_slows_the_preview_not_the_screen_and_a_quick_one_brings_it_back():
    clock = Clock()
    preview = SlowGpuPreview(clock)
    assert all(feed(preview, clock, 30))  # quick uploads: every camera frame is shown
    two = {preview.textures[0], preview.textures[1]}
    preview.upload_s = 0.1  # the GPU is behind: each upload waits 100 ms
    slow = feed(preview, clock, 60)
    assert sum(slow) < 20 and preview.interval > STALL_S and preview.interval <= MAX_INTERVAL_S
    assert {preview.textures[0], preview.textures[1]} == two  # still the same two textures, taking turns
    preview.upload_s = 0.0
    feed(preview, clock, 150)  # quick again: within 5 s the pace recovers
    assert all(feed(preview, clock, 30)) and preview.skipped > 0
