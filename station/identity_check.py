"""The operator's identity check before capturing: the student's roster data next to their documents, and the
two ways out when something is wrong — a correction request to the office, or a withdrawal with a coded reason.

Both are record transitions (station/records.py): audited with the operator as actor, in one write transaction
each. A correction request leaves the record in `correction_requested` for the office (the edge agent reports
it); a withdrawal ends the record with nothing captured kept (the captures lived only in memory). A withdrawal
can be undone until the next student is called or the operator's session ends (`undo_withdrawal`).
"""

from dataclasses import dataclass

from contract.errors import RecordStateError
from station import audit
from station.clock import now_iso
from station.records import CORRECTION_REASONS, WITHDRAW_REASONS, get_record, student_record, transition
from station.store import StationStore

# What closes the window in which a withdrawal can be undone: the next student called, or the session ended.
UNDO_CLOSERS = ("queue.called", "queue.recalled", "operator.logout")


@dataclass(frozen=True)
class StudentDetails:
    """What the operator compares with the student's family card (KK) and school ID: the roster's data in full
    (the operator's screen, never the public one)."""

    record_id: str
    queue_number: int
    application_id: str
    nik: str
    name: str
    birth_place: str
    birth_date: str
    sex: str
    kk_number: str
    phone: str
    school: str
    state: str


def student_details(store: StationStore, record_id: str) -> StudentDetails:
    """The roster data of the student whose record this is; RecordStateError if the station has no such record."""
    row = student_record(store, record_id, "r.id, c.queue_number, a.application_id, a.nik, a.name, a.birth_place, "
                         "a.birth_date, a.sex, a.kk_number, c.phone, s.school_name, r.state")
    if row is None:
        raise RecordStateError(f"no checked-in record {record_id} on this station", code="record.unknown")
    return StudentDetails(*row)


def request_correction(store: StationStore, record_id: str, operator_id: str, code: str,
                       note: str | None = None) -> None:
    """The documents disagree with the roster: the record waits for the office (`correction_requested`)."""
    if code not in CORRECTION_REASONS:
        raise RecordStateError(f"a correction request needs one of {sorted(CORRECTION_REASONS)}, not {code!r}",
                               code="record.reason")
    transition(store, record_id, "correction_requested", actor=operator_id, reason_code=code, reason=note)


def withdraw(store: StationStore, record_id: str, operator_id: str, code: str, note: str | None = None) -> None:
    """The student leaves without a record (refused, walked out, unwell…): coded, audited, final."""
    if code not in WITHDRAW_REASONS:
        raise RecordStateError(f"withdrawing needs one of {sorted(WITHDRAW_REASONS)}, not {code!r}",
                               code="record.reason")
    transition(store, record_id, "withdrawn", actor=operator_id, reason_code=code, reason=note)


def undo_withdrawal(store: StationStore, record_id: str, operator_id: str) -> str:
    """Take back a withdrawal (the wrong student, or they came back): the record returns to the state it was
    withdrawn from, audited as `record.withdrawal_undone`; returns that state. Only until the next student is
    called or an operator's session ends — after that the withdrawal stands (RecordStateError record.undo_closed);
    RecordStateError record.not_withdrawn when the record is not withdrawn. The captures are not restored: they
    were dropped from memory at the withdrawal, so the capture starts again from the identity check."""
    with store.write() as conn:
        state = get_record(conn, record_id)["state"]
        if state != "withdrawn":
            raise RecordStateError(f"record {record_id} is {state}, not withdrawn: there is nothing to undo",
                                   code="record.not_withdrawn")
        withdrawal = conn.execute(
            "SELECT id, from_state, reason FROM audit WHERE record_id = ? AND action = 'record.transition' AND "
            "to_state = 'withdrawn' ORDER BY id DESC LIMIT 1", (record_id,)).fetchone()
        marks = ",".join("?" * len(UNDO_CLOSERS))
        closed = conn.execute(f"SELECT action FROM audit WHERE id > ? AND action IN ({marks}) "  # noqa: S608
                              "ORDER BY id LIMIT 1", (withdrawal["id"], *UNDO_CLOSERS)).fetchone()
        if closed is not None:
            why = "an operator logged out" if closed[0] == "operator.logout" else "the next student was called"
            raise RecordStateError(f"record {record_id}: {why} after the withdrawal, so it stands; a withdrawal "
                                   "can be undone only before that", code="record.undo_closed")
        previous = withdrawal["from_state"]
        conn.execute("UPDATE records SET state = ?, reason_code = NULL, updated_at = ? WHERE id = ?",
                     (previous, now_iso(), record_id))
        audit.append(conn, actor=operator_id, action="record.withdrawal_undone", record_id=record_id,
                     from_state="withdrawn", to_state=previous, reason=f"withdrawal ({withdrawal['reason']}) undone")
    return previous
