"""Both hands as the operator sees them from above (palms down on the scanner): each finger a touch target
coloured by its state, with its score; the fingers of the current capture (one finger, or a 4-4-2 slap) are
outlined. Touching a finger selects it (for an exception or a recapture).

Left hand on the left: little, ring, middle, index, thumb; right hand mirrored.
"""

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, DictProperty, ListProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from kiosk import palette

LEFT = ("left_little", "left_ring", "left_middle", "left_index", "left_thumb")
RIGHT = ("right_thumb", "right_index", "right_middle", "right_ring", "right_little")
HEIGHTS = {"little": 0.6, "ring": 0.82, "middle": 0.95, "index": 0.85, "thumb": 0.5}
COLOURS = palette.FINGER_FILLS  # state → fill colour (the label's colour: palette.text_on(fill))


class FingerKey(ButtonBehavior, Label):
    """One finger of the diagram (its look is in hand_diagram.kv). Narrow at 800x480, so a secondary target:
    the exception popup offers the same choice with large buttons."""

    secondary_target = True

    position = StringProperty("")
    diagram = ObjectProperty(None, allownone=True)
    fill = ObjectProperty(COLOURS["pending"])
    outlined = BooleanProperty(False)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class HandDiagram(BoxLayout):
    """`states` maps finger → (state, score or None); `current` lists the fingers being captured now."""

    states = DictProperty({})
    current = ListProperty([])
    selected = StringProperty("")

    def __init__(self, **kwargs: object) -> None:
        self.register_event_type("on_select")
        super().__init__(**kwargs)

    def on_kv_post(self, base_widget: object) -> None:
        """The fingers, once the kv rule made the two hands."""
        for hand, fingers in (("left", LEFT), ("right", RIGHT)):
            keys = self.ids[hand]
            for position in fingers:
                key = FingerKey(position=position, diagram=self)
                self.ids[position] = key
                keys.add_widget(key)

    def fill(self, position: str, states: dict, current: list) -> tuple:
        """The fill colour of a finger."""
        if position in current:
            return COLOURS["current"]
        return COLOURS[states.get(position, ("pending", None))[0]]

    def caption(self, position: str, states: dict) -> str:
        """What a finger shows: its score, "X" for an exception, nothing while pending."""
        state, score = states.get(position, ("pending", None))
        if state == "exception":
            return "X"
        return "" if score is None else str(score)

    def height_of(self, position: str) -> float:
        return HEIGHTS[position.partition("_")[2]]

    def select(self, position: str) -> None:
        self.selected = position
        self.dispatch("on_select", position)

    def on_select(self, position: str) -> None:
        """Event: a finger was touched."""
