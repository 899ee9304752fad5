"""Operator login with the PINs of the assignment's team, and the lockout after too many wrong PINs.

The attempts are rows of the tamper-evident audit log (operator.login / operator.login_failed), so the lockout
survives a restart of the kiosk and every attempt is on record. A wrong operator id and a wrong PIN get the
same answer, so the screen does not tell a passer-by which team ids exist.
"""

import datetime as dt
from dataclasses import dataclass

from contract.errors import AuthError
from contract.pins import verify_pin
from station import audit
from station.config import SessionSection
from station.roster import current_assignment
from station.store import StationStore


@dataclass(frozen=True)
class Operator:
    operator_id: str
    name: str
    role: str


def _failures_since_success(store: StationStore, operator_id: str, window_s: int,
                            now: dt.datetime) -> tuple[int, dt.datetime | None]:
    """Wrong PINs for `operator_id` since its last successful login and within the lockout window, and the
    time of the latest one."""
    since = (now - dt.timedelta(seconds=window_s)).isoformat(timespec="milliseconds")
    last_ok = store.conn.execute("SELECT max(ts) FROM audit WHERE action = 'operator.login' AND actor = ?",
                                 (operator_id,)).fetchone()[0]
    rows = store.conn.execute(
        "SELECT ts FROM audit WHERE action = 'operator.login_failed' AND actor = ? AND ts > ? AND ts > ? "
        "ORDER BY ts", (operator_id, since, last_ok or "")).fetchall()
    return len(rows), dt.datetime.fromisoformat(rows[-1][0]) if rows else None


def login(store: StationStore, operator_id: str, pin: str, session: SessionSection,
          now: dt.datetime | None = None) -> Operator:
    """The operator, if the id and PIN match today's team and the id is not locked out; AuthError otherwise."""
    now = now or dt.datetime.now(dt.UTC)
    operator_id = operator_id.strip()
    failures, latest = _failures_since_success(store, operator_id, session.pin_lockout_s, now)
    if failures >= session.pin_max_attempts and latest is not None:
        wait = session.pin_lockout_s - int((now - latest).total_seconds())
        raise AuthError(f"too many wrong PINs: locked for {max(wait, 1) // 60 + 1} more minutes; ask the team "
                        "leader", "auth.locked")
    assignment = current_assignment(store.conn)
    row = None if assignment is None else store.conn.execute(
        "SELECT operator_id, name, role, pin_hash FROM operators WHERE assignment_ref = ? AND operator_id = ?",
        (assignment["id"], operator_id)).fetchone()
    if row is None or not verify_pin(pin, row["pin_hash"]):
        with store.write() as conn:
            audit.append(conn, actor=operator_id or "?", action="operator.login_failed")
        left = session.pin_max_attempts - failures - 1
        if left <= 0:
            raise AuthError("too many wrong PINs: this operator id is locked for a while; ask the team leader",
                            "auth.locked")
        raise AuthError(f"operator id or PIN is wrong ({left} tries left)", "auth.failed")
    with store.write() as conn:
        audit.append(conn, actor=operator_id, action="operator.login")
    return Operator(row["operator_id"], row["name"], row["role"])
