"""Idle logout for the operator's console (config `session.idle_logout_s`), and the student screens' return to
welcome after STUDENT_IDLE_S: any touch resets the timer.

A student screen (check-in, confirm, phone, ticket, a refusal) left untouched for STUDENT_IDLE_S goes back to
the welcome screen with the student's data dropped, so the next student never sees the previous one's.

When the logged-in operator has not touched the screen for that long:
- no recording open (or the open one is already saved): the session ends — audited through the service (the
  students this operator passed over wait again) — and the kiosk goes back to the welcome screen;
- a recording open and not yet saved: its captures (in memory only) must not be lost, so the screen locks
  instead: the operator login screen in "locked" mode, where only the same operator's PIN unlocks (wrong PINs
  count toward the normal lockout) and returns to the screen that was locked.
Work under way (a screen whose `busy` is true: a capture running, a commit) counts as activity. The time source
is injectable (`set_clock`), so tests step frames instead of sleeping.

Which rule applies goes by the screen shown, not by whether an operator is logged in: on a one-screen kit (role
"all") the students check in while the operator's session is locked with a recording open (app.open_checkin), and
their screens still return to welcome after STUDENT_IDLE_S without touching that recording. A login screen left
up there goes back to welcome the same way (a locked session stays locked).
"""

import time
from collections.abc import Callable

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.modalview import ModalView

from kiosk.roles import CHECKIN_SCREENS

DEFAULT_IDLE_S = 300
STUDENT_IDLE_S = 30
# Screens that wait for nobody in particular: they stay up however long nobody touches them.
RESTING_SCREENS = ("welcome", "board")


def _ignore(_result: object) -> None:
    """The audit of a logout or lock runs on the service thread; the screen does not wait for it."""


def close_popups() -> None:
    """Dismiss open dialogs (a reason chooser left open must not sit on top of the welcome or lock screen)."""
    for child in list(Window.children):
        if isinstance(child, ModalView):
            child.dismiss(animation=False)


def log_out(app: object, reason: str = "logged out") -> None:
    """End the operator's session (audited with `reason`) and show the welcome screen."""
    operator = app.operator
    if operator is not None:
        app.services.log_out(operator.operator_id, reason, _ignore, _ignore)
    app.operator = None
    app.restart()


class IdleWatch:
    """Watches touches and, every frame, how long the operator has been idle."""

    def __init__(self, app: object, timeout_s: float, clock: Callable[[], float] = time.monotonic,
                 student_timeout_s: float = STUDENT_IDLE_S) -> None:
        self.app, self.timeout_s, self.clock, self.student_timeout_s = app, timeout_s, clock, student_timeout_s
        self.last_touch = clock()
        self._event = None

    def start(self) -> "IdleWatch":
        Window.bind(on_touch_down=self._touched)
        self._event = Clock.schedule_interval(self._check, 0)
        return self

    def stop(self) -> None:
        Window.unbind(on_touch_down=self._touched)
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def set_clock(self, clock: Callable[[], float]) -> None:
        """Use another time source (tests); the idle time starts again from its `now`."""
        self.clock = clock
        self.touched()

    def touched(self) -> None:
        self.last_touch = self.clock()

    def _touched(self, _window: object, _touch: object) -> bool:
        self.touched()
        return False  # only noticed: the touch goes on to the widgets

    def _check(self, _dt: float) -> None:
        app = self.app
        if app.root is None:
            return
        current = app.root.current
        if current in CHECKIN_SCREENS or (current == "operator_login" and app.role == "all"):
            self._student_check()
            return
        if app.operator is None or current == "operator_login":
            self.touched()  # the lock / login screen is up: nothing to time
            return
        if getattr(app.root.current_screen, "busy", False):
            self.touched()
            return
        if self.clock() - self.last_touch < self.timeout_s:
            return
        self.touched()
        close_popups()
        recording = app.recording
        if recording is not None and getattr(recording, "sealed", None) is None:
            self.lock(recording)
            return
        if recording is not None:
            app.end_recording()  # saved already: nothing to lose
        log_out(app, "idle")

    def _student_check(self) -> None:
        """A student screen left alone goes back to welcome (the flow is dropped; an operator's session is not
        the student's and stays as it is)."""
        app = self.app
        if app.root.current in RESTING_SCREENS or getattr(app.root.current_screen, "busy", False):
            self.touched()
            return
        if self.clock() - self.last_touch < self.student_timeout_s:
            return
        self.touched()
        close_popups()
        app.restart()

    def lock(self, recording: object) -> None:
        """Lock the screen for the operator whose recording is open; audited."""
        app = self.app
        operator = app.operator
        app.services.lock(operator.operator_id, getattr(recording, "record_id", None), _ignore, _ignore)
        app.root.get_screen("operator_login").lock(operator, app.root.current)
        app.go("operator_login")
