"""The touchscreen signature surface (the fallback when there is no pad): strokes as the pad would send them."""

from kivy.graphics import Color, Line
from kivy.uix.widget import Widget

from drivers.signature_pad import points_to_strokes, strokes_json
from kiosk import palette


class SignatureArea(Widget):
    """Collects (x, y, touching) samples from touches inside it and draws them."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.points: list[tuple[float, float, bool]] = []

    def clear(self) -> None:
        self.points.clear()
        self.canvas.after.clear()

    def on_touch_down(self, touch: object) -> bool:
        if not self.collide_point(*touch.pos):
            return False
        touch.grab(self)
        with self.canvas.after:
            Color(*palette.INK)
            touch.ud["line"] = Line(points=list(touch.pos), width=2)
        self.points.append((touch.x - self.x, self.top - touch.y, True))
        return True

    def on_touch_move(self, touch: object) -> bool:
        if touch.grab_current is not self:
            return False
        touch.ud["line"].points += list(touch.pos)
        self.points.append((touch.x - self.x, self.top - touch.y, True))
        return True

    def on_touch_up(self, touch: object) -> bool:
        if touch.grab_current is not self:
            return False
        touch.ungrab(self)
        self.points.append((touch.x - self.x, self.top - touch.y, False))
        return True

    def strokes(self) -> bytes | None:
        """The strokes JSON, or None if nothing was drawn."""
        strokes = points_to_strokes(self.points)
        return strokes_json(strokes) if strokes else None
