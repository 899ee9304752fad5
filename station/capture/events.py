"""What the capture engine tells any UI: events, and the bus that delivers them.

The engine runs on worker threads and emits on them; a Kivy screen subscribes and hands each event to its UI
thread with `Clock.schedule_once`, a headless run just logs or counts them. A subscriber that raises is logged
and dropped from nothing: the capture goes on.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from station.capture.policy import CaptureResult

logger = logging.getLogger(__name__)

# Per-position states, in the order a capture usually goes through them.
STATES = ("waiting_device", "preview", "candidate", "confirming", "accepted", "retry", "needs_decision",
          "paused", "exception", "captured")


@dataclass(frozen=True)
class FrameScored:
    """One live frame analysed: what the preview shows (the frame itself is a reused buffer: copy to keep)."""

    position: str
    attempt: int
    index: int
    score: int
    still: bool
    problems: tuple[str, ...] = ()
    frame: Any = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StateChanged:
    """A position moved to another state (see STATES); `detail` says why, for the operator."""

    position: str
    state: str
    detail: str = ""


@dataclass(frozen=True)
class PositionDone:
    """A position has its final result (captured, or an exception with its coded reason)."""

    result: CaptureResult


@dataclass(frozen=True)
class DeviceState:
    """A device went away (`present` False: the capture is paused) or came back."""

    device: str
    present: bool
    detail: str = ""


Event = FrameScored | StateChanged | PositionDone | DeviceState


class EventBus:
    """Thread-safe fan-out of engine events to subscribers, called on the emitting thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[Callable[[Event], None]] = []

    def subscribe(self, callback: Callable[[Event], None]) -> Callable[[], None]:
        """Add a subscriber; returns the function that removes it."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def emit(self, event: Event) -> None:
        """Deliver `event` to every subscriber; one that raises is logged and the others still get it."""
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(event)
            except Exception:
                logger.exception("capture event subscriber %r failed on %r", callback, type(event).__name__)
