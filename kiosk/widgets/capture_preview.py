"""A review thumbnail opened large: the capture with its score against the threshold (or its exception), closed
again without changing anything; discarding it for a recapture is its own button, confirmed on a second step.

Before, touching a thumbnail discarded it at once: one stray touch lost a capture. The popup never touches the
station: the picture arrives through `show(rgb)` (decoded on the capture worker) and a confirmed discard calls
`on_discard()`.
"""

from collections.abc import Callable
from pathlib import Path

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty

from kiosk.widgets.debounce import PopupGuard
from kiosk.widgets.reason_popup import texture_from_rgb

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

PREVIEW_HEIGHT = 480  # pixels of the large picture (the thumbnails are 160)


class CapturePreview(PopupGuard):
    """One result large: `title` the position, `caption` its score or exception; Close, or Discard → confirm."""

    title = StringProperty("")
    caption = StringProperty("")
    warn = BooleanProperty(False)
    texture = ObjectProperty(None, allownone=True)
    confirming = BooleanProperty(False)  # Discard was pressed: "Yes, discard" / "No, keep it"

    def __init__(self, title: str, caption: str, warn: bool, on_discard: Callable[[], None],
                 **kwargs: object) -> None:
        super().__init__(size_hint=(0.92, 0.96), auto_dismiss=False, **kwargs)
        self.title, self.caption, self.warn, self.on_discard = title, caption, warn, on_discard

    def show(self, rgb: object) -> None:
        """The large picture (an RGB array), once the worker has decoded it."""
        if rgb is not None:
            self.texture = texture_from_rgb(rgb)

    def ask_discard(self, on: bool = True) -> None:
        self.confirming = on

    def discard(self) -> None:
        """Confirmed: close and let the review discard the capture for a recapture."""
        if self.confirming:
            self.dismiss()
            self.on_discard()


Factory.register("CapturePreview", cls=CapturePreview)
