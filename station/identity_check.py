"""The operator's identity check before capturing: the student's roster data next to their documents, and the
two ways out when something is wrong — a correction request to the office, or a withdrawal with a coded reason.

Both are record transitions (station/records.py): audited with the operator as actor, in one write transaction
each. A correction request leaves the record in `correction_requested` for the office (the edge agent reports
it); a withdrawal ends the record with nothing captured kept (the captures lived only in memory).
"""

from dataclasses import dataclass

from contract.errors import RecordStateError
from station.records import CORRECTION_REASONS, WITHDRAW_REASONS, transition
from station.store import StationStore


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
    row = store.conn.execute(
        "SELECT r.id, c.queue_number, a.application_id, a.nik, a.name, a.birth_place, a.birth_date, a.sex, "
        "a.kk_number, c.phone, s.school_name, r.state FROM records r JOIN applicants a ON a.id = r.applicant_ref "
        "JOIN checkins c ON c.id = r.checkin_ref JOIN assignments s ON s.id = a.assignment_ref WHERE r.id = ?",
        (record_id,)).fetchone()
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
