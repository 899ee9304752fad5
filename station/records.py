"""The record lifecycle (DESIGN.md §4): which state may follow which, and audited transitions.

checked_in → capturing → captured (sealed, in outbox) → sent → accepted | duplicate | rejected → purged,
plus withdrawn (coded reason) and correction_requested. Every change writes an audit row in the same
transaction, with time, actor and reason. Withdrawn is final for the lifecycle; the one way back is the operator's
undo before the next student is called (station.identity_check.undo_withdrawal, audited on its own).
"""

import sqlite3

from contract.errors import RecordStateError
from station import audit
from station.clock import now_iso
from station.store import StationStore

TRANSITIONS: dict[str, frozenset[str]] = {
    "checked_in": frozenset({"capturing", "withdrawn", "correction_requested"}),
    "capturing": frozenset({"checked_in", "captured", "withdrawn", "correction_requested"}),
    "correction_requested": frozenset({"checked_in", "withdrawn"}),
    "captured": frozenset({"sent"}),
    "sent": frozenset({"sent", "accepted", "duplicate", "rejected"}),
    "accepted": frozenset({"purged"}),
    "duplicate": frozenset({"purged"}),
    "rejected": frozenset(),
    "withdrawn": frozenset(),
    "purged": frozenset(),
}
STATES = frozenset(TRANSITIONS)

# Why a student leaves without a record (MOSIP-style coded reasons; the kiosk shows them translated).
WITHDRAW_REASONS = frozenset({"refused", "walked_out", "not_present", "unwell", "other"})
# Why a record needs the office: the documents the student brought disagree with the list.
CORRECTION_REASONS = frozenset({"kk_mismatch", "name_mismatch", "birth_date_mismatch", "other"})


def get_record(conn: sqlite3.Connection, record_id: str) -> sqlite3.Row:
    """The record row; raises RecordStateError when there is none."""
    row = conn.execute("SELECT * FROM records WHERE id = ?", (record_id,)).fetchone()
    if row is None:
        raise RecordStateError(f"no record {record_id} on this station", code="record.unknown")
    return row


def apply_transition(
    conn: sqlite3.Connection, record_id: str, to_state: str, *, actor: str,
    reason_code: str | None = None, reason: str | None = None, expect: str | None = None,
) -> str:
    """Move a record to `to_state` inside the caller's write transaction; returns the previous state.

    Raises RecordStateError when the lifecycle does not allow it, or when `expect` is given and the record
    is in another state (someone else moved it first).
    """
    row = get_record(conn, record_id)
    current = row["state"]
    if expect is not None and current != expect:
        raise RecordStateError(f"record {record_id} is {current}, expected {expect}", code="record.moved")
    if to_state not in TRANSITIONS.get(current, ()):
        raise RecordStateError(f"record {record_id} cannot go from {current} to {to_state}",
                               code="record.transition")
    if to_state == "withdrawn" and reason_code not in WITHDRAW_REASONS:
        raise RecordStateError(f"withdrawing needs one of the reason codes {sorted(WITHDRAW_REASONS)}",
                               code="record.reason")
    if to_state == "correction_requested" and reason_code not in CORRECTION_REASONS:
        raise RecordStateError(f"a correction request needs one of {sorted(CORRECTION_REASONS)}",
                               code="record.reason")
    conn.execute(
        "UPDATE records SET state = ?, reason_code = COALESCE(?, reason_code), updated_at = ? WHERE id = ?",
        (to_state, reason_code, now_iso(), record_id),
    )
    said = reason_code if reason is None else f"{reason_code}: {reason}" if reason_code else reason
    audit.append(conn, actor=actor, action="record.transition", record_id=record_id, from_state=current,
                 to_state=to_state, reason=said)
    return current


def transition(
    store: StationStore, record_id: str, to_state: str, *, actor: str,
    reason_code: str | None = None, reason: str | None = None,
) -> str:
    """`apply_transition` in its own write transaction; returns the previous state."""
    with store.write() as conn:
        return apply_transition(conn, record_id, to_state, actor=actor, reason_code=reason_code, reason=reason)


def counts_by_state(conn: sqlite3.Connection) -> dict[str, int]:
    """How many records are in each state (every state listed, zeros included)."""
    counts = dict.fromkeys(sorted(STATES), 0)
    for state, n in conn.execute("SELECT state, COUNT(*) FROM records GROUP BY state"):
        counts[state] = n
    return counts


def student_record(store: StationStore, record_id: str, columns: str) -> sqlite3.Row | None:
    """`columns` of one record with its check-in (c), applicant (a) and assignment (s) — the one join the identity
    check and the slip reprints both read — or None when the station has no such record."""
    return store.conn.execute(
        f"SELECT {columns} FROM records r JOIN checkins c ON c.id = r.checkin_ref "  # noqa: S608 (callers' columns)
        "JOIN applicants a ON a.id = c.applicant_ref JOIN assignments s ON s.id = c.assignment_ref WHERE r.id = ?",
        (record_id,)).fetchone()
