"""A QR code on screen, drawn by OpenCV's own encoder (cv2.QRCodeEncoder, no new dependency) into a Kivy texture.

The code is one texel per module with a 4-module white quiet zone, magnified with nearest-neighbour filtering so
every module keeps sharp edges at any size; the widget draws it as the largest square that fits (a phone camera
reads it from arm's length when it is a few centimetres wide: ≥ 200 px on the 800×480 panel).
"""

import cv2
import numpy as np
from kivy.graphics import Color, Rectangle
from kivy.graphics.texture import Texture
from kivy.properties import NumericProperty, ObjectProperty, StringProperty
from kivy.uix.widget import Widget

from kiosk import palette

QUIET_ZONE = 4  # modules of white around the code (ISO/IEC 18004)


def qr_modules(data: str) -> np.ndarray:
    """The QR of `data` as a uint8 array, one element per module (0 dark, 255 light), quiet zone included.
    Raises ValueError for empty data (there is nothing to point a phone at)."""
    if not data:
        raise ValueError("a QR needs some text to encode")
    code = cv2.QRCodeEncoder.create().encode(data)  # carries a 2-module border of its own
    pad = max(0, QUIET_ZONE - _border(code))
    return cv2.copyMakeBorder(code, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)


def _border(code: np.ndarray) -> int:
    dark_rows = np.flatnonzero((code < 128).any(axis=1))
    return int(dark_rows[0]) if dark_rows.size else 0


def qr_texture(data: str) -> Texture:
    """A Kivy texture of the QR of `data`, magnified without blurring (nearest filter)."""
    modules = qr_modules(data)
    size = modules.shape[0]
    rgba = cv2.cvtColor(np.ascontiguousarray(modules[::-1]), cv2.COLOR_GRAY2RGBA)  # GL's rows go bottom-up
    texture = Texture.create(size=(size, size), colorfmt="rgba")
    texture.blit_buffer(rgba.tobytes(), colorfmt="rgba", bufferfmt="ubyte")
    texture.mag_filter = texture.min_filter = "nearest"
    return texture


class QrImage(Widget):
    """Shows the QR of `data` as the largest square that fits the widget (nothing drawn while `data` is empty)."""

    data = StringProperty("")
    texture = ObjectProperty(None, allownone=True)
    modules = NumericProperty(0)  # modules per side, quiet zone included
    side = NumericProperty(0)  # the drawn square's side in pixels

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        with self.canvas:
            self._colour = Color(*palette.WHITE)
            self._rect = Rectangle()
        self.bind(pos=self._redraw, size=self._redraw, texture=self._redraw)
        self.on_data(self, self.data)

    def on_data(self, _widget: Widget, data: str) -> None:
        self.texture = qr_texture(data) if data else None
        self.modules = self.texture.width if self.texture is not None else 0

    def _redraw(self, *_args: object) -> None:
        side = min(self.width, self.height)
        if self.modules:  # whole pixels per module: every module the same size on screen
            side = self.modules * max(1, int(side // self.modules))
        self.side = side if self.texture is not None else 0
        self._rect.texture = self.texture
        self._rect.size = (self.side, self.side)
        self._rect.pos = (self.center_x - self.side / 2, self.center_y - self.side / 2)
