"""systemd's notify protocol for the agent: READY=1, STATUS=…, STOPPING=1, and WATCHDOG=1 pings that are sent
ONLY while the agent's loop is really healthy, so systemd restarts an agent that hangs instead of keeping a
zombie that looks alive.

The protocol is one AF_UNIX datagram per message to $NOTIFY_SOCKET (a path, or "@name" for Linux's abstract
namespace); no libsystemd, no new dependency. Without $NOTIFY_SOCKET (a terminal, the tests that do not set it)
every call does nothing.

Healthy means, at the moment a ping is due (every half of $WATCHDOG_USEC, as sd_watchdog_enabled(3) advises):
- the loop went round recently: `tick()` is called from the loop itself, once per pass, and records the time;
  a hung step (a blocking call that never returns) therefore stops the pings by itself;
- the station database answered recently: every half ping interval the watchdog takes and releases the write
  lock on its own connection (BEGIN IMMEDIATE; SELECT; ROLLBACK, with a short busy timeout). A database held
  locked by another process (a stuck transaction) makes that fail; one failure is tolerated, a database silent
  for a whole ping interval is not. Nothing is written;
- when connected to the broker, the MQTT client's loop ran without error recently (`mqtt_ran()`).
A broker that cannot be reached is NOT unhealthy: the agent is doing its job (backing off); restarting it would
not help.
"""

import logging
import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path

from station.sd_notify import Notifier, notify_address, watchdog_interval

__all__ = ["Notifier", "Watchdog", "notify_address", "watchdog_interval"]
logger = logging.getLogger(__name__)
PROBE_TIMEOUT_MAX_S = 1.0  # longest the loop may wait on a locked database for one probe
PING_RETRY_S = 1.0  # a ping the notify socket refused is sent again this soon


class Watchdog:
    """The agent's side of Type=notify + WatchdogSec=: call `ready()` once up, `mqtt_ran(now)` after each good
    MQTT loop call, `tick(now, connected, status)` once per loop pass, `stopping()` on a clean stop."""

    def __init__(self, notifier: Notifier, db_path: Path, interval_s: float | None) -> None:
        self.notifier, self.db_path, self.interval_s = notifier, Path(db_path), interval_s
        self.probe_every_s = (interval_s or 30.0) / 2
        self.probe_timeout_s = min(PROBE_TIMEOUT_MAX_S, self.probe_every_s / 2)
        self.last_tick = self.last_db_ok = self.last_mqtt = self.last_ping = None
        self._next_probe = self._next_ping = 0.0
        self._status: str | None = None
        self.healthy_now = True
        self.pings = self.probes_failed = 0
        self.problem = ""
        self._db: sqlite3.Connection | None = None

    @classmethod
    def from_environ(cls, db_path: Path, environ: Mapping[str, str] | None = None) -> "Watchdog":
        """The watchdog systemd asked for through the environment (a no-op one outside systemd)."""
        env = os.environ if environ is None else environ
        return cls(Notifier(notify_address(env.get("NOTIFY_SOCKET", ""))), db_path, watchdog_interval(env))

    def ready(self, status: str = "starting") -> None:
        """READY=1: the agent is up (store open, log attached); systemd's start job completes here."""
        self._status = status
        self.notifier.send("READY=1", f"STATUS={status}")

    def mqtt_ran(self, now: float) -> None:
        """The MQTT client's loop() just returned success."""
        self.last_mqtt = now

    def tick(self, now: float, connected: bool, status: str) -> None:
        """One pass of the agent's loop: probe the database when due, ping when due and healthy, and send the
        STATUS line when it changed."""
        if not self.notifier.enabled:
            return
        self.last_tick = now
        if now >= self._next_probe:
            self._probe(now)
            self._next_probe = now + self.probe_every_s
        healthy, problem = self.health(now, connected)
        if healthy != self.healthy_now:
            (logger.info if healthy else logger.warning)("watchdog: %s", "healthy again" if healthy else problem)
        self.healthy_now, self.problem = healthy, problem
        shown = status if healthy else f"unhealthy: {problem}"
        if shown != self._status:
            self._status = shown
            self.notifier.send(f"STATUS={shown}")
        if healthy and self.interval_s is not None and now >= self._next_ping:
            sent = self.notifier.send("WATCHDOG=1")
            self.pings += sent
            # A ping that did not go out is tried again within a second, not half an interval later: that would be
            # exactly when systemd's timer runs out (found by booting the kit under systemd, `sinopsis image
            # boot-check`), so one bad moment of the notify socket would cost a restart.
            self.last_ping = now
            self._next_ping = now + (self.interval_s if sent else min(PING_RETRY_S, self.interval_s))

    def health(self, now: float, connected: bool) -> tuple[bool, str]:
        """(healthy, what is wrong) as of `now`; "recently" is one ping interval (or 30 s without a watchdog)."""
        recent = self.interval_s or 30.0
        if self.last_tick is None or now - self.last_tick > recent:
            return False, "the agent loop has not run"
        if self.last_db_ok is None or now - self.last_db_ok > recent:
            return False, f"the station database did not answer ({self.db_path})"
        if connected and (self.last_mqtt is None or now - self.last_mqtt > recent):
            return False, "the MQTT client loop is not running"
        return True, ""

    def _probe(self, now: float) -> None:
        try:
            if self._db is None:
                self._db = sqlite3.connect(self.db_path, timeout=self.probe_timeout_s, isolation_level=None,
                                           check_same_thread=False)
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
            finally:
                self._db.execute("ROLLBACK")
            self.last_db_ok = now
        except sqlite3.Error as e:
            self.probes_failed += 1
            logger.debug("watchdog: database probe failed: %s", e)

    def stopping(self) -> None:
        """STOPPING=1: a clean stop has begun (systemd will not count what follows as a failure)."""
        self.notifier.send("STOPPING=1", "STATUS=stopping")

    def close(self) -> None:
        self.notifier.close()
        if self._db is not None:
            self._db.close()
            self._db = None
