"""Offline limits (MOSIP-style): a station that has not reached HQ for too long, or holds too many records HQ has
not confirmed, first warns the operator and then stops new captures, so a lost or forgotten kit never piles up
biometrics that nobody at HQ knows about.

`evaluate` is a pure function of the last HQ contact, the unsent count, now and the [offline] limits; the
kiosk (before a capture) and the agent (Health.capture_blocked) call it with what they read from the store.
The agent records each HQ contact (`record_hq_contact`) in the counters table as Unix seconds, only ever moving
forward, so a clock stepped back cannot make the station look more recently connected than it was. Before the
first contact the import of the current assignment counts: that is when HQ's data last reached the station.
"""

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Literal

from station.config import OfflineSection

HQ_CONTACT_COUNTER = "hq_contact_unix"
DAY_S = 86400.0

Level = Literal["ok", "warn", "block"]


@dataclass(frozen=True)
class OfflineVerdict:
    """What the limits say now. `code` ("offline.days" or "offline.unsent") and `values` let a screen show a
    translated sentence; `reason` is the English one for logs and HQ's dashboard."""

    level: Level
    code: str | None = None
    reason: str | None = None
    values: dict[str, float | int] | None = None

    @property
    def blocked(self) -> bool:
        return self.level == "block"


def evaluate(last_contact: dt.datetime | None, unsent: int, now: dt.datetime,
             limits: OfflineSection) -> OfflineVerdict:
    """ok, warn(reason) or block(reason). A block beats a warning; between two of the same level the days
    without contact are named first (the usual cause of a growing backlog). `last_contact` None means HQ was
    never reached and no assignment is imported: there is nothing to record, so only the count applies."""
    days = None if last_contact is None else max(0.0, (now - last_contact).total_seconds() / DAY_S)
    checks: list[tuple[Level, str, str, dict[str, float | int]]] = []
    if days is not None:
        shown = {"days": round(days, 1), "limit": limits.block_after_days}
        if days >= limits.block_after_days:
            checks.append(("block", "offline.days", f"no contact with HQ for {days:.1f} days (limit "
                           f"{limits.block_after_days:g}): new captures are stopped until the station syncs", shown))
        elif days >= limits.warn_after_days:
            checks.append(("warn", "offline.days", f"no contact with HQ for {days:.1f} days; captures stop after "
                           f"{limits.block_after_days:g} days", shown))
    counted = {"unsent": unsent, "limit": limits.block_unsent}
    if unsent >= limits.block_unsent:
        checks.append(("block", "offline.unsent", f"{unsent} records are waiting for HQ (limit "
                       f"{limits.block_unsent}): new captures are stopped until they are sent", counted))
    elif unsent >= limits.warn_unsent:
        checks.append(("warn", "offline.unsent", f"{unsent} records are waiting for HQ; captures stop at "
                       f"{limits.block_unsent}", counted))
    for level in ("block", "warn"):
        for found, code, reason, values in checks:
            if found == level:
                return OfflineVerdict(level, code, reason, values)
    return OfflineVerdict("ok")


def record_hq_contact(conn: sqlite3.Connection, when: dt.datetime) -> None:
    """Remember that HQ answered at `when` (never moves back); call inside a write transaction."""
    conn.execute(
        "INSERT INTO counters (name, value) VALUES (?, ?) "
        "ON CONFLICT (name) DO UPDATE SET value = MAX(value, excluded.value)",
        (HQ_CONTACT_COUNTER, int(when.timestamp())),
    )


def last_hq_contact(conn: sqlite3.Connection) -> dt.datetime | None:
    """The last recorded HQ contact, else the current assignment's import time, else None (UTC)."""
    row = conn.execute("SELECT value FROM counters WHERE name = ?", (HQ_CONTACT_COUNTER,)).fetchone()
    if row is not None:
        return dt.datetime.fromtimestamp(row[0], dt.UTC)
    row = conn.execute("SELECT imported_at FROM assignments ORDER BY version DESC LIMIT 1").fetchone()
    if row is None:
        return None
    imported = dt.datetime.fromisoformat(row[0])
    return imported if imported.tzinfo else imported.replace(tzinfo=dt.UTC)


def unsent_count(conn: sqlite3.Connection) -> int:
    """Sealed records HQ has not acknowledged yet (the outbox rows without an ack)."""
    return int(conn.execute("SELECT COUNT(*) FROM outbox WHERE acked_at IS NULL").fetchone()[0])


def check_station(conn: sqlite3.Connection, limits: OfflineSection, now: dt.datetime | None = None) -> OfflineVerdict:
    """The verdict for this station's store now (what the kiosk asks before starting a capture)."""
    return evaluate(last_hq_contact(conn), unsent_count(conn), now or dt.datetime.now(dt.UTC), limits)
