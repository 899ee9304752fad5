"""Today's queue at the station: who waits, who is being served, and the operator's call next / skip.

"Being served" is the record state `capturing` (the operator called the student and is capturing); a student
who does not come when called is sent back to `checked_in` and keeps their number. Every call is a state
transition, so it is audited like any other.
"""

import sqlite3
from dataclasses import dataclass

from station.checkin import display_name
from station.records import transition
from station.roster import current_assignment
from station.store import StationStore


@dataclass(frozen=True)
class QueueEntry:
    queue_number: int
    display_name: str  # first name and initials, as the public board may show it
    record_id: str
    state: str  # checked_in (waiting) or capturing (being served)
    birth_year: int = 0  # decides the portrait backdrop (red odd, blue even)


def _entries(conn: sqlite3.Connection, states: tuple[str, ...], order: str) -> list[QueueEntry]:
    assignment = current_assignment(conn)
    if assignment is None:
        return []
    marks = ",".join("?" * len(states))
    rows = conn.execute(
        f"SELECT c.queue_number, a.name, r.id, r.state, a.birth_date FROM records r "  # noqa: S608 - placeholders only
        f"JOIN checkins c ON c.id = r.checkin_ref "
        f"JOIN applicants a ON a.id = r.applicant_ref WHERE c.assignment_ref = ? AND r.state IN ({marks}) "
        f"ORDER BY {order}", (assignment["id"], *states)).fetchall()
    return [QueueEntry(n, display_name(name), rid, state, int(born[:4])) for n, name, rid, state, born in rows]


def waiting(store: StationStore) -> list[QueueEntry]:
    """Students checked in and not yet called, in queue order."""
    return _entries(store.conn, ("checked_in",), "c.queue_number")


def now_serving(store: StationStore) -> list[QueueEntry]:
    """Students being served (called, capture under way), most recently called first."""
    return _entries(store.conn, ("capturing",), "r.updated_at DESC, c.queue_number")


def call_next(store: StationStore, operator_id: str, passed_over: set[str] | None = None) -> QueueEntry | None:
    """Call the first waiting student (not among `passed_over`, the ones who did not come): their record moves
    to `capturing`. None when nobody waits."""
    for entry in waiting(store):
        if entry.record_id not in (passed_over or set()):
            transition(store, entry.record_id, "capturing", actor=operator_id)
            return QueueEntry(entry.queue_number, entry.display_name, entry.record_id, "capturing", entry.birth_year)
    return None


def not_here(store: StationStore, record_id: str, operator_id: str) -> None:
    """The called student did not come: back to waiting, same number (the operator calls the next one)."""
    transition(store, record_id, "checked_in", actor=operator_id, reason="not present when called")
