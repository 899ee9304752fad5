"""The kiosk's watchdog (systemd WatchdogSec= on sinopsis-kiosk.service): WATCHDOG=1 is sent from a Kivy Clock
callback, so it goes out only while the UI thread turns its frames. A UI thread stuck on anything (a device, a
lock, a bug in a screen) stops the pings and systemd restarts the kiosk; the station's data is unharmed, since
every record is committed before the screen says so.

The kiosk runs as cage's child, so $WATCHDOG_PID names cage, not us: the unit has NotifyAccess=all, and the
interval is taken from $WATCHDOG_USEC whatever the PID (station/sd_notify.py). READY=1 is sent with the first
ping, once the first frame has been drawn. Outside systemd (no $NOTIFY_SOCKET) this does nothing.
"""

import os
from collections.abc import Mapping

from kivy.clock import Clock

from station.sd_notify import Notifier, notify_address, watchdog_interval

RETRY_S = 1.0  # a ping the notify socket refused is sent again this soon (edge_agent/watchdog.py does the same)


class UiWatchdog:
    """`start()` when the app starts, `stop()` when it stops; `pings` counts what was sent."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self.notifier = Notifier(notify_address(env.get("NOTIFY_SOCKET", "")))
        self.interval_s = watchdog_interval(env, any_pid=True)
        self.pings = 0
        self._event = None

    def start(self) -> "UiWatchdog":
        if self.notifier.enabled and self.interval_s is not None:
            self._event = Clock.schedule_interval(self._ping, self.interval_s)
            Clock.schedule_once(self._ping, 0)
        return self

    def _ping(self, _dt: float) -> None:
        fields = ("WATCHDOG=1",) if self.pings else ("READY=1", "WATCHDOG=1", "STATUS=kiosk running")
        if self.notifier.send(*fields):
            self.pings += 1
        elif self._event is not None:  # lost: again within a second, not at the next half interval, which would
            Clock.schedule_once(self._ping, min(RETRY_S, self.interval_s or RETRY_S))  # reach systemd too late

    def stop(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
        self.notifier.send("STOPPING=1")
        self.notifier.close()
