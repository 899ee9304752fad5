"""Operator login with the PINs of the assignment's team, and the lockout after too many wrong PINs.

The attempts are rows of the tamper-evident audit log (operator.login / operator.login_failed), so the lockout
survives a restart of the kiosk and every attempt is on record. A wrong operator id and a wrong PIN get the
same answer, so the screen does not tell a passer-by which team ids exist.

Where the PIN was typed matters. On the operator's own console (kiosk role "operator", which students never
touch) `session.pin_max_attempts` wrong PINs lock the operator out for `session.pin_lockout_s`. On a display
students use too (role "all": the welcome screen's Operator button, the screen lock) a student could lock the
operator out on purpose, so wrong PINs there never lock anybody: after `pin_max_attempts` of them that display
only makes the next try wait SHARED_WAIT_S (enough against guessing a PIN, never more than a short pause for the
operator). The team leader ends either early with their PIN (`unlock_operator`, audited).
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


SHARED_WAIT_S = 30  # the pause between tries on a shared display once pin_max_attempts wrong PINs were typed there
UNLOCKED = "operator.unlocked"  # the team leader ended an operator's lockout (actor the leader)
_FAILURES = ("SELECT ts FROM audit WHERE action = 'operator.login_failed' AND actor = ? AND ts > ? AND ts > ? "
             "AND json_extract(details, '$.screen') ")
_SHARED_FAILURES = _FAILURES + "= 'shared' ORDER BY ts"
_CONSOLE_FAILURES = _FAILURES + "IS NOT 'shared' ORDER BY ts"


def _failures_since_success(store: StationStore, operator_id: str, window_s: int, now: dt.datetime,
                            shared: bool = False) -> tuple[int, dt.datetime | None]:
    """Wrong PINs for `operator_id` typed on a shared display (`shared`) or on the console, since its last
    successful login or the team leader's unlock and within the window, and the time of the latest one. Rows
    from before displays were told apart (no "screen" in the details) count as the console's."""
    since = (now - dt.timedelta(seconds=window_s)).isoformat(timespec="milliseconds")
    last_ok = store.conn.execute(
        "SELECT max(ts) FROM audit WHERE (action = 'operator.login' AND actor = ?) OR (action = ? AND "
        "json_extract(details, '$.operator') = ?)", (operator_id, UNLOCKED, operator_id)).fetchone()[0]
    rows = store.conn.execute(_SHARED_FAILURES if shared else _CONSOLE_FAILURES,
                              (operator_id, since, last_ok or "")).fetchall()
    return len(rows), dt.datetime.fromisoformat(rows[-1][0]) if rows else None


def _refuse_while_locked(store: StationStore, operator_id: str, session: SessionSection, now: dt.datetime,
                         shared: bool) -> int:
    """AuthError while `operator_id` is locked out (console) or must wait (shared display); else the wrong PINs
    counted so far on this kind of display."""
    window = SHARED_WAIT_S if shared else session.pin_lockout_s
    failures, latest = _failures_since_success(store, operator_id, max(window, session.pin_lockout_s), now, shared)
    if failures < session.pin_max_attempts or latest is None:
        return failures
    wait = window - int((now - latest).total_seconds())
    if shared and wait > 0:
        raise AuthError(f"too many wrong PINs on this display: wait {wait} s before the next try, or ask the team "
                        "leader to unlock", "auth.wait")
    if not shared:
        raise AuthError(f"too many wrong PINs: locked for {max(wait, 1) // 60 + 1} more minutes; ask the team "
                        "leader", "auth.locked")
    return failures


def login(store: StationStore, operator_id: str, pin: str, session: SessionSection,
          now: dt.datetime | None = None, *, shared: bool = False) -> Operator:
    """The operator, if the id and PIN match today's team and the id is not locked out; AuthError otherwise.

    `shared`: the PIN was typed on a display students use too (kiosk role "all"); its wrong PINs never lock the
    operator out, they only make that display wait SHARED_WAIT_S between tries (code auth.wait)."""
    now = now or dt.datetime.now(dt.UTC)
    operator_id = operator_id.strip()
    failures = _refuse_while_locked(store, operator_id, session, now, shared)
    assignment = current_assignment(store.conn)
    row = None if assignment is None else store.conn.execute(
        "SELECT operator_id, name, role, pin_hash FROM operators WHERE assignment_ref = ? AND operator_id = ?",
        (assignment["id"], operator_id)).fetchone()
    if row is None or not verify_pin(pin, row["pin_hash"]):
        with store.write() as conn:
            audit.append(conn, actor=operator_id or "?", action="operator.login_failed",
                         details={"screen": "shared" if shared else "console"})
        left = session.pin_max_attempts - failures - 1
        if left <= 0 and shared:
            raise AuthError(f"operator id or PIN is wrong; wait {SHARED_WAIT_S} s before the next try",
                            "auth.wait")
        if left <= 0:
            raise AuthError("too many wrong PINs: this operator id is locked for a while; ask the team leader",
                            "auth.locked")
        raise AuthError(f"operator id or PIN is wrong ({left} tries left)", "auth.failed")
    with store.write() as conn:
        audit.append(conn, actor=operator_id, action="operator.login")
    return Operator(row["operator_id"], row["name"], row["role"])


def unlock_operator(store: StationStore, operator_id: str, supervisor_pin: str, session: SessionSection,
                    now: dt.datetime | None = None) -> Operator:
    """The team leader ends `operator_id`'s lockout (or a shared display's wait) with their own PIN: checked by
    verify_supervisor (its wrong tries audited and limited), then `operator.unlocked` audited with the leader as
    actor. The operator still logs in with their own PIN. Returns the leader; AuthError as verify_supervisor, or
    auth.unknown_operator when `operator_id` is not on today's team."""
    operator_id = operator_id.strip()
    assignment = current_assignment(store.conn)
    known = assignment is not None and store.conn.execute(
        "SELECT 1 FROM operators WHERE assignment_ref = ? AND operator_id = ?", (assignment["id"], operator_id),
    ).fetchone() is not None
    if not known:
        raise AuthError(f"operator {operator_id!r} is not on today's team; choose a name from the list",
                        "auth.unknown_operator")
    lead = verify_supervisor(store, supervisor_pin, session, purpose="operator.unlock", asked_by=operator_id,
                             now=now)
    with store.write() as conn:
        audit.append(conn, actor=lead.operator_id, action=UNLOCKED, details={"operator": operator_id})
    return lead


SUPERVISOR_FAILED = "supervisor.pin_failed"
SUPERVISOR_OK = "supervisor.approved"


def _supervisor_failures(store: StationStore, window_s: int, now: dt.datetime) -> tuple[int, dt.datetime | None]:
    """Wrong supervisor PINs since the last approval and within the lockout window, and the latest one's time.
    Counted for the station as a whole: the supervisor types only a PIN, so there is no id to count by."""
    since = (now - dt.timedelta(seconds=window_s)).isoformat(timespec="milliseconds")
    last_ok = store.conn.execute("SELECT max(ts) FROM audit WHERE action = ?", (SUPERVISOR_OK,)).fetchone()[0]
    rows = store.conn.execute("SELECT ts FROM audit WHERE action = ? AND ts > ? AND ts > ? ORDER BY ts",
                              (SUPERVISOR_FAILED, since, last_ok or "")).fetchall()
    return len(rows), dt.datetime.fromisoformat(rows[-1][0]) if rows else None


def verify_supervisor(store: StationStore, pin: str, session: SessionSection, *, purpose: str,
                      asked_by: str = "?", record_id: str | None = None,
                      now: dt.datetime | None = None) -> Operator:
    """The team leader ("lead" in today's assignment) whose PIN this is, for an approval the operator cannot give
    alone (more capture attempts, unlocking an operator); AuthError otherwise.

    Every try is audited: `supervisor.approved` (actor the leader, `purpose` and `asked_by` in the details) or
    `supervisor.pin_failed` (actor `asked_by`). After `session.pin_max_attempts` wrong PINs within
    `session.pin_lockout_s` no PIN is checked until the window has passed, as for operator logins, so the console
    cannot be used to guess the leader's PIN. The caller does the approved action itself (and audits it).
    """
    now = now or dt.datetime.now(dt.UTC)
    failures, latest = _supervisor_failures(store, session.pin_lockout_s, now)
    if failures >= session.pin_max_attempts and latest is not None:
        wait = session.pin_lockout_s - int((now - latest).total_seconds())
        raise AuthError(f"too many wrong supervisor PINs: locked for {max(wait, 1) // 60 + 1} more minutes",
                        "auth.supervisor_locked")
    assignment = current_assignment(store.conn)
    leads = [] if assignment is None else store.conn.execute(
        "SELECT operator_id, name, role, pin_hash FROM operators WHERE assignment_ref = ? AND role = 'lead'",
        (assignment["id"],)).fetchall()
    lead = next((r for r in leads if verify_pin(pin, r["pin_hash"])), None)
    details = {"purpose": purpose, "asked_by": asked_by}
    if lead is None:
        with store.write() as conn:
            audit.append(conn, actor=asked_by, action=SUPERVISOR_FAILED, record_id=record_id, details=details)
        left = session.pin_max_attempts - failures - 1
        if left <= 0:
            raise AuthError("too many wrong supervisor PINs: locked for a while", "auth.supervisor_locked")
        raise AuthError(f"the supervisor PIN is wrong ({left} tries left)", "auth.supervisor_failed")
    with store.write() as conn:
        audit.append(conn, actor=lead["operator_id"], action=SUPERVISOR_OK, record_id=record_id, details=details)
    return Operator(lead["operator_id"], lead["name"], lead["role"])
