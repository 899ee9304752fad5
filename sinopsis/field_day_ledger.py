"""What the field day counts, as it happens on the real kiosk: every touch the window receives (attributed to the
side whose screen it landed on, and to the student that side is serving), every screen shown, every capture
with the engine's own attempts, every slip printed. The time model (sinopsis/field_day_model.py) turns these
steps into seconds; nothing here is computed from a script of what should have happened.
"""

import threading
from collections import defaultdict
from typing import Any

from sinopsis.field_day_model import Lanes, Step
from station.capture.events import PositionDone, StateChanged
from station.capture.policy import FINGERS, modality_of

# The operator's screens; every other screen (welcome, NIK, confirm, phone, ticket, problem, help, board…) is
# the student side's.
OPERATOR_SCREENS = frozenset({"operator_login", "operator_queue", "identity", "capture", "review", "day_summary"})
SESSION = -1  # the owner of what happens once a day (the operator's login), not for one student


def lane_of(screen: str) -> str:
    """"operator" or "checkin": which side a screen belongs to."""
    return "operator" if screen in OPERATOR_SCREENS else "checkin"


class Ledger:
    """The day's steps per (lane, student). `owner[lane]` is the student index each side is serving now (set by
    the driver when a student walks up or is called); a screen shown is read by whoever acts on that side next."""

    def __init__(self, app: Any) -> None:
        from kivy.core.window import Window

        self.app = app
        self.owner: dict[str, int] = {"checkin": SESSION, "operator": SESSION}
        self.steps: dict[tuple[str, int], list[Step]] = defaultdict(list)
        self.window_touches = 0  # every touch-down the window received, whatever became of it
        self._pending: dict[str, list[str]] = {"checkin": [], "operator": []}
        self._lock = threading.Lock()
        self._pending[lane_of(app.root.current)].append(app.root.current)
        Window.bind(on_touch_down=self._touch)
        app.root.bind(current=lambda _m, name: self._pending[lane_of(name)].append(name))

    def close(self) -> None:
        from kivy.core.window import Window

        Window.unbind(on_touch_down=self._touch)

    # -- what happens ----------------------------------------------------------------------------------------
    def _touch(self, _window: object, touch: Any) -> None:
        """A touch reached the window (before any widget sees it): a typed character when it lands on a digit
        key of the screen's keypad, else a tap; on the side of the screen shown."""
        self.window_touches += 1
        screen = self.app.root.current_screen
        keypad = screen.ids.get("keypad") if hasattr(screen, "ids") else None
        typed = keypad is not None and any(
            key.text.isdigit() and key.collide_point(*key.to_widget(*touch.pos)) for key in keypad.children)
        # the operator's own button on a student screen (log in from the welcome screen) is the operator's touch
        own = screen.ids.get("operator") if hasattr(screen, "ids") else None
        lane = "operator" if own is not None and own.collide_point(*own.to_widget(*touch.pos)) \
            else lane_of(screen.name)
        self.add(lane, Step("typed" if typed else "tap", screen.name))

    def add(self, lane: str, step: Step, read_first: bool = True) -> None:
        """Record `step` for the student `lane` serves now, after the screens they read first (unless
        `read_first` is False: walking up comes before reading)."""
        with self._lock:
            pending = self._pending[lane] if read_first else []
            if read_first:
                self._pending[lane] = []
            steps = self.steps[(lane, self.owner[lane])]
            steps.extend(Step("screen", name) for name in pending)
            steps.append(step)

    def drop_pending(self, lane: str) -> None:
        """Forget screens shown on `lane` that nobody will read (the run is over)."""
        self._pending[lane] = []

    def watch_capture(self, engine: Any, slap_mode: bool) -> None:
        """Count the captures of `engine` (on its thread): each capture key once, with the engine's attempts,
        when it is accepted or its attempts are used up; the signature when it is taken."""
        def on_event(event: object) -> None:
            if isinstance(event, StateChanged) and event.state in ("accepted", "needs_decision"):
                first = event.position.split("+")[0]
                modality = modality_of(first)
                kind = ("slap" if slap_mode else "finger") if first in FINGERS else modality
                attempts = engine.attempts.get(event.position, 1)
                self.add("operator", Step("capture", event.position.replace("+", " + "), attempts, kind))
            elif isinstance(event, PositionDone) and event.result.position == "signature" \
                    and event.result.outcome == "captured":
                self.add("operator", Step("capture", "signature", 1, "signature"))

        engine.bus.subscribe(on_event)

    # -- what it adds up to ----------------------------------------------------------------------------------
    def lanes(self, student: int) -> Lanes:
        """One student's two lanes (nothing on the serial path: the check-in has its own display)."""
        return Lanes(checkin=list(self.steps.get(("checkin", student), [])),
                     operator=list(self.steps.get(("operator", student), [])))

    def touches(self, lane: str, student: int) -> int:
        """Touches (taps and typed characters) `lane` received for `student` (SESSION: the login)."""
        return sum(1 for s in self.steps.get((lane, student), []) if s.kind in ("tap", "typed"))
