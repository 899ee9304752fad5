"""The live preview's textures: two that take turns, and a pace that follows what the GPU can draw.

Writing a frame into the texture the GPU is still drawing makes the driver wait for that frame on the UI thread,
so two textures alternate. When the GPU is slower than the camera (measured by how long an upload blocked), new
frames are shown less often — the preview's frame rate drops, the UI thread does not: touches, scores and
buttons stay live. The pace recovers as soon as uploads are quick again. `shown` and `skipped` count both.
"""

import time
from collections.abc import Callable

from kivy.graphics.texture import Texture

STALL_S = 0.008  # an upload that took longer than this waited for the GPU
MAX_INTERVAL_S = 0.5  # never fewer than 2 preview frames a second


class LivePreview:
    """`update(frame)` → the texture to show now, or None when this frame is skipped to keep the UI live."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock
        self.textures: list[Texture] = []
        self.fmt = ""
        self.interval = 0.0  # least time between two uploads, adapted to the GPU
        self.last = float("-inf")
        self.shown = self.skipped = 0

    def update(self, frame: object) -> Texture | None:
        now = self.clock()
        if now - self.last < self.interval:
            self.skipped += 1
            return None
        height, width = frame.shape[:2]
        fmt = "bgr" if frame.ndim == 3 else "luminance"
        if not self.textures or self.textures[0].size != (width, height) or self.fmt != fmt:
            self.textures, self.fmt = [Texture.create(size=(width, height), colorfmt=fmt) for _ in range(2)], fmt
            for texture in self.textures:
                texture.flip_vertical()
        self.textures.reverse()
        self._upload(self.textures[0], frame, fmt)
        took = self.clock() - now
        self.interval = (min(MAX_INTERVAL_S, max(self.interval * 2, took * 2)) if took > STALL_S
                         else self.interval * 0.8)
        self.last, self.shown = self.clock(), self.shown + 1
        return self.textures[0]

    @staticmethod
    def _upload(texture: Texture, frame: object, fmt: str) -> None:
        texture.blit_buffer(frame.tobytes(), colorfmt=fmt, bufferfmt="ubyte")
