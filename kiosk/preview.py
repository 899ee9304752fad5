"""The live preview's textures: two that take turns, uploaded only when the renderer is free to take them.

Writing into a texture while the renderer is still drawing a frame makes the GL driver wait for that frame on
the UI thread (Mesa's software renderer waits for any frame in flight, whichever texture it samples). So the
preview learns how long the renderer needs for a frame (`render_s`, from the uploads that did wait) and uploads
a camera frame only once the last frame handed to the renderer should be done; a frame that comes too early is
skipped — the preview's frame rate drops, the UI thread does not wait: touches, scores and buttons stay live.
`render_s` decays while uploads are quick, so the pace recovers when the renderer does; the waits that probe it
are short by construction (just past the renderer's time). `shown` and `skipped` count both.

`frame_drawn` is bound to the window's `on_flip`: it flushes the frame to the renderer at once (a display's swap
does; an offscreen window's does not) and notes the time.
"""

import time
from collections.abc import Callable

from kivy.graphics.opengl import glFlush
from kivy.graphics.texture import Texture

STALL_S = 0.004  # an upload that took longer than this waited for the renderer
MAX_INTERVAL_S = 0.5  # never fewer than 2 preview frames a second
MARGIN = 1.1  # wait this much longer than the renderer was seen to need
DECAY = 0.97  # per quick upload: try a little sooner next time


class LivePreview:
    """`update(frame)` → the texture to show now, or None when this frame is skipped to keep the UI live."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock
        self.textures: list[Texture] = []
        self.fmt = ""
        self.render_s = 0.0  # how long the renderer takes over a frame handed to it (learned)
        self.drawn = float("-inf")  # when the last frame was handed to the renderer
        self.last = float("-inf")  # when the last camera frame was uploaded
        self.shown = self.skipped = 0

    def frame_drawn(self, *_args: object) -> None:
        """The window has drawn a frame (its `on_flip`): hand it to the renderer now and note when."""
        glFlush()
        self.drawn = self.clock()

    def update(self, frame: object) -> Texture | None:
        now = self.clock()
        if now - self.drawn < self.render_s and now - self.last < MAX_INTERVAL_S:
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
        end = self.clock()
        if end - now > STALL_S:  # the renderer finished the frame handed to it only now
            seen = end - self.drawn if self.drawn > float("-inf") else end - now
            self.render_s = min(MAX_INTERVAL_S, max(self.render_s, seen * MARGIN))
        else:
            self.render_s *= DECAY
        self.last, self.shown = end, self.shown + 1
        return self.textures[0]

    @staticmethod
    def _upload(texture: Texture, frame: object, fmt: str) -> None:
        texture.blit_buffer(frame.tobytes(), colorfmt=fmt, bufferfmt="ubyte")
