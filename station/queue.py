"""Today's queue at the station: who waits, who is being served, who was passed over; the operator's call next,
not here, recall, and the end of an operator's session.

"Being served" is the record state `capturing` (the operator called the student and is capturing). The check-in's
`queue_state` says where the student stands in the queue: `waiting`, `called`, or `skipped` — called but not
there. A skipped student keeps their number and goes back to `checked_in`, but "call next" passes them over
until the operator recalls them or the session of the operator who skipped them ends (then they wait again in
number order). Every change — the record's and the queue's — is audited in the same transaction.
"""

import sqlite3
from dataclasses import dataclass

from contract.errors import RecordStateError
from station import audit
from station.checkin import display_name
from station.records import apply_transition
from station.roster import current_assignment
from station.store import StationStore

NOT_PRESENT = "not present when called"


@dataclass(frozen=True)
class QueueEntry:
    queue_number: int
    display_name: str  # first name and initials, as the public board may show it
    record_id: str
    state: str  # checked_in (waiting or passed over) or capturing (being served)
    birth_year: int = 0  # decides the portrait backdrop (red odd, blue even)


def _entries(conn: sqlite3.Connection, states: tuple[str, ...], order: str,
             queue_states: tuple[str, ...] = ("waiting", "called", "skipped", "done")) -> list[QueueEntry]:
    assignment = current_assignment(conn)
    if assignment is None:
        return []
    marks, qmarks = ",".join("?" * len(states)), ",".join("?" * len(queue_states))
    rows = conn.execute(
        f"SELECT c.queue_number, a.name, r.id, r.state, a.birth_date FROM records r "  # noqa: S608 - placeholders only
        f"JOIN checkins c ON c.id = r.checkin_ref "
        f"JOIN applicants a ON a.id = r.applicant_ref WHERE c.assignment_ref = ? AND r.state IN ({marks}) "
        f"AND c.queue_state IN ({qmarks}) ORDER BY {order}", (assignment["id"], *states, *queue_states)).fetchall()
    return [QueueEntry(n, display_name(name), rid, state, int(born[:4])) for n, name, rid, state, born in rows]


def waiting(store: StationStore) -> list[QueueEntry]:
    """Students checked in and not yet called (passed-over ones not included), in queue order."""
    return _entries(store.conn, ("checked_in",), "c.queue_number", ("waiting", "called", "done"))


def passed_over(store: StationStore) -> list[QueueEntry]:
    """Students who were called and did not come, in queue order: only a recall calls them again."""
    return _entries(store.conn, ("checked_in",), "c.queue_number", ("skipped",))


def now_serving(store: StationStore) -> list[QueueEntry]:
    """Students being served (called, capture under way), most recently called first."""
    return _entries(store.conn, ("capturing",), "r.updated_at DESC, c.queue_number")


CALLED_NOT_RECORDED = "called, but the operator logged out before recording"


def _set_queue_state(conn: sqlite3.Connection, record_id: str, to_state: str, *, actor: str, action: str,
                     reason: str | None = None) -> None:
    """Move the record's check-in to `to_state` and audit it (inside the caller's write transaction)."""
    row = conn.execute("SELECT c.id, c.queue_state, c.queue_number FROM checkins c JOIN records r "
                       "ON r.checkin_ref = c.id WHERE r.id = ?", (record_id,)).fetchone()
    conn.execute("UPDATE checkins SET queue_state = ? WHERE id = ?", (to_state, row[0]))
    audit.append(conn, actor=actor, action=action, record_id=record_id, reason=reason,
                 details={"queue_number": row[2], "queue_from": row[1], "queue_to": to_state})


def _call(conn: sqlite3.Connection, entry: QueueEntry, operator_id: str, action: str) -> QueueEntry:
    apply_transition(conn, entry.record_id, "capturing", actor=operator_id, expect="checked_in")
    _set_queue_state(conn, entry.record_id, "called", actor=operator_id, action=action)
    return QueueEntry(entry.queue_number, entry.display_name, entry.record_id, "capturing", entry.birth_year)


def call_next(store: StationStore, operator_id: str, passed_over: set[str] | None = None) -> QueueEntry | None:
    """Call the first waiting student (passed-over ones, and any record id in `passed_over`, are left out):
    their record moves to `capturing`. None when nobody waits."""
    with store.write() as conn:
        for entry in _entries(conn, ("checked_in",), "c.queue_number", ("waiting", "called", "done")):
            if entry.record_id not in (passed_over or set()):
                return _call(conn, entry, operator_id, "queue.called")
    return None


def recall(store: StationStore, record_id: str, operator_id: str) -> QueueEntry:
    """Call a passed-over student back (they came after all). RecordStateError (code queue.not_passed_over) when
    the student is no longer passed over (another operator recalled them, or their record moved on)."""
    with store.write() as conn:
        entry = next((e for e in _entries(conn, ("checked_in",), "c.queue_number", ("skipped",))
                      if e.record_id == record_id), None)
        if entry is None:
            raise RecordStateError(f"record {record_id} is not among the students passed over",
                                   code="queue.not_passed_over")
        return _call(conn, entry, operator_id, "queue.recalled")


def not_here(store: StationStore, record_id: str, operator_id: str) -> None:
    """The called student did not come: back to `checked_in` with the same number, passed over by "call next"
    until recalled or until this operator's session ends."""
    with store.write() as conn:
        apply_transition(conn, record_id, "checked_in", actor=operator_id, reason=NOT_PRESENT)
        _set_queue_state(conn, record_id, "skipped", actor=operator_id, action="queue.skipped", reason=NOT_PRESENT)


def end_session(store: StationStore, operator_id: str, reason: str = "logged out") -> int:
    """The operator's session ends (log out, or idle logout with `reason` "idle"): audited as operator.logout; the
    students this operator passed over, and one they called without starting the recording, wait again in number
    order. Returns how many were released."""
    with store.write() as conn:
        skipped_by = {}
        for record_id, actor in conn.execute(
                "SELECT record_id, actor FROM audit WHERE action = 'queue.skipped' ORDER BY id"):
            skipped_by[record_id] = actor  # the latest skip of each record wins
        mine = [e for e in _entries(conn, ("checked_in",), "c.queue_number", ("skipped",))
                if skipped_by.get(e.record_id) == operator_id]
        for entry in mine:
            _set_queue_state(conn, entry.record_id, "waiting", actor=operator_id, action="queue.released",
                             reason="the operator who passed them over ended the session")
        # A student this operator called but did not start recording waits again, with the same number
        # (a session only ends from the queue screen or by idle logout, never with a recording open).
        called = [rid for (rid,) in conn.execute(
            "SELECT r.id FROM records r WHERE r.state = 'capturing' AND (SELECT a.actor FROM audit a WHERE "
            "a.record_id = r.id AND a.to_state = 'capturing' ORDER BY a.id DESC LIMIT 1) = ?", (operator_id,))]
        for record_id in called:
            apply_transition(conn, record_id, "checked_in", actor=operator_id, reason=CALLED_NOT_RECORDED)
            _set_queue_state(conn, record_id, "waiting", actor=operator_id, action="queue.released",
                             reason=CALLED_NOT_RECORDED)
        audit.append(conn, actor=operator_id, action="operator.logout", reason=reason,
                     details={"released": len(mine) + len(called)})
    return len(mine) + len(called)


def lock_session(store: StationStore, operator_id: str, record_id: str | None = None, reason: str = "idle") -> None:
    """The kiosk locked the operator's screen — idle with a recording open (`reason` "idle"), or lent to the
    students' check-in on a one-screen kit ("check-in"): audited, so the time the recording stood unattended is on
    record. Only this operator's PIN unlocks it (operators.login)."""
    with store.write() as conn:
        audit.append(conn, actor=operator_id, action="operator.locked", record_id=record_id, reason=reason)
