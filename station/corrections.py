"""Correction requests: the student's data on the list is wrong (name, birth date, family card (KK) data…), so
the office must correct it before the e-KTP can be recorded (SOP step 9).

Two ways in: the operator's identity check (station/identity_check.py, a record already checked in), and the
student at the kiosk, who says on the confirm screen that the data is wrong. The kiosk's request checks the
student in and moves the new record to `correction_requested` with the reason code in ONE write transaction
(audited), so the station never holds a check-in without its request or a request without its check-in.

`pending_corrections` lists every request the office has not been sent yet, whichever way it came in; the edge
agent sends them to HQ and then calls `mark_reported` (the contract is in docs/architecture.md, "Correction
requests"). Whether a request was reported is read from the audit log (`correction.reported` after the request),
so no table changes and the report itself is audited.
"""

import sqlite3
from dataclasses import asdict, dataclass

from contract.application_qr import APPLICATION_ID
from contract.errors import CheckInError, RecordStateError
from contract.ids import uuid7
from contract.phone import normalize_phone
from station import audit
from station.checkin import RECORDED_STATES
from station.clock import now_iso
from station.records import CORRECTION_REASONS, apply_transition
from station.roster import current_assignment
from station.store import StationStore

KIOSK_ACTOR = "kiosk"
REPORTED = "correction.reported"


@dataclass(frozen=True)
class CorrectionRequest:
    """What the kiosk tells the student after the request: no queue number, the phone the office will use."""

    record_id: str
    reason_code: str
    phone_hint: str  # "…7890": the last four digits of the phone given (the screen never shows it whole)
    already_requested: bool  # the student had asked before: nothing new was written


@dataclass(frozen=True)
class PendingCorrection:
    """One correction request HQ has not been sent yet (what the edge agent sends)."""

    record_id: str
    application_id: str
    assignment_id: str
    reason_code: str
    note: str | None  # the operator's words, if any
    phone: str  # E.164, as given at check-in
    requested_at: str  # UTC ISO 8601 (the audit row's time)
    requested_by: str  # "kiosk" (the student) or the operator's id
    request_audit_id: int  # the audit row of the request; mark_reported refers to it

    def to_message(self, station_id: str) -> dict:
        """The JSON object the agent sends to HQ (format sinopsis-correction/1)."""
        fields = asdict(self)
        del fields["request_audit_id"]
        return {"format": "sinopsis-correction/1", "station_id": station_id, **fields}


def _hint(e164: str) -> str:
    return f"…{e164[-4:]}"


def request_at_checkin(store: StationStore, application_id: str, phone: str, code: str,
                       method: str = "qr") -> CorrectionRequest:
    """The student at the kiosk says the list's data is wrong: check them in and request the correction, in one
    transaction. `method` is how they identified ("qr" or "nik"). Asking again returns the first request
    (already_requested=True). Raises RecordStateError (code record.reason) for an unknown reason, PhoneError,
    or CheckInError: checkin.not_on_list / checkin.no_assignment, checkin.in_queue (already checked in),
    checkin.recorded (already recorded), checkin.closed (withdrawn today)."""
    if code not in CORRECTION_REASONS:
        raise RecordStateError(f"a correction request needs one of {sorted(CORRECTION_REASONS)}, not {code!r}",
                               code="record.reason")
    if method not in ("qr", "nik"):
        raise ValueError(f"check-in method is qr or nik, not {method!r}")
    e164 = normalize_phone(phone)
    with store.write() as conn:
        applicant = _applicant(conn, application_id)
        existing = conn.execute(
            "SELECT r.id, r.state, r.reason_code, c.phone FROM checkins c JOIN records r ON r.checkin_ref = c.id "
            "WHERE c.applicant_ref = ?", (applicant["id"],)).fetchone()
        if existing is not None:
            return _existing(existing)
        now = now_iso()
        queue_number = store.next_counter(f"queue:{applicant['assignment_ref']}")  # NOT NULL, never shown
        cur = conn.execute(
            "INSERT INTO checkins (assignment_ref, applicant_ref, queue_number, method, phone, checked_in_at) "
            "VALUES (?,?,?,?,?,?)", (applicant["assignment_ref"], applicant["id"], queue_number, method, e164, now))
        record_id = uuid7()
        conn.execute("INSERT INTO records (id, applicant_ref, checkin_ref, state, created_at, updated_at) "
                     "VALUES (?,?,?,?,?,?)", (record_id, applicant["id"], cur.lastrowid, "checked_in", now, now))
        audit.append(conn, actor=KIOSK_ACTOR, action="checkin", record_id=record_id, to_state="checked_in",
                     details={"application_id": applicant["application_id"], "method": method,
                              "queue_number": queue_number, "for": "correction"})
        apply_transition(conn, record_id, "correction_requested", actor=KIOSK_ACTOR, reason_code=code,
                         reason="asked by the student at the kiosk")
    return CorrectionRequest(record_id, code, _hint(e164), already_requested=False)


def _applicant(conn: sqlite3.Connection, application_id: str) -> sqlite3.Row:
    assignment = current_assignment(conn)
    if assignment is None:
        raise CheckInError("no assignment is loaded on this station yet; the team must import today's list",
                           code="checkin.no_assignment")
    wanted, row = application_id.strip(), None
    if APPLICATION_ID.match(wanted):  # no other text is on a list (and a lone surrogate would crash the query)
        row = conn.execute("SELECT * FROM applicants WHERE assignment_ref = ? AND application_id = ?",
                           (assignment["id"], wanted)).fetchone()
    if row is None:
        raise CheckInError("this application is not on today's list for this school; ask the recording team",
                           code="checkin.not_on_list")
    return row


def _existing(row: sqlite3.Row) -> CorrectionRequest:
    record_id, state, reason_code, phone = row
    if state == "correction_requested":
        return CorrectionRequest(record_id, reason_code, _hint(phone), already_requested=True)
    if state in RECORDED_STATES or state == "purged":
        raise CheckInError("this student is already recorded", code="checkin.recorded")
    if state == "withdrawn":
        raise CheckInError("this student's check-in was closed today (withdrawn); ask the recording team",
                           code="checkin.closed")
    raise CheckInError("this student is already checked in and waits in the queue; the operator can request the "
                       "correction at the identity check", code="checkin.in_queue")


def correction_for(store: StationStore, application_id: str) -> CorrectionRequest | None:
    """The open correction request of this application on the current list, or None (read only)."""
    try:
        applicant = _applicant(store.conn, application_id)
    except CheckInError:
        return None
    row = store.conn.execute(
        "SELECT r.id, r.state, r.reason_code, c.phone FROM checkins c JOIN records r ON r.checkin_ref = c.id "
        "WHERE c.applicant_ref = ? AND r.state = 'correction_requested'", (applicant["id"],)).fetchone()
    return None if row is None else _existing(row)


_PENDING = (
    "SELECT r.id, a.application_id, s.assignment_id, r.reason_code, u.reason, c.phone, u.ts, u.actor, u.id "
    "FROM records r JOIN checkins c ON c.id = r.checkin_ref JOIN applicants a ON a.id = r.applicant_ref "
    "JOIN assignments s ON s.id = a.assignment_ref "
    "JOIN audit u ON u.id = (SELECT MAX(id) FROM audit WHERE record_id = r.id AND action = 'record.transition' "
    "AND to_state = 'correction_requested') "
    "WHERE r.state = 'correction_requested' AND NOT EXISTS (SELECT 1 FROM audit v WHERE v.record_id = r.id "
    "AND v.action = 'correction.reported' AND v.id > u.id) ORDER BY u.id"  # REPORTED
)


def pending_corrections(store: StationStore) -> list[PendingCorrection]:
    """Every correction request not yet reported to HQ, oldest first (from the kiosk and from operators)."""
    out = []
    for record_id, application_id, assignment_id, code, said, phone, ts, actor, audit_id in \
            store.conn.execute(_PENDING):
        note = said.partition(": ")[2] or None if said else None  # the audit's reason is "code: words"
        out.append(PendingCorrection(record_id, application_id, assignment_id, code, note, phone, ts, actor,
                                     audit_id))
    return out


def mark_reported(store: StationStore, record_id: str, actor: str = "agent", reference: str | None = None) -> None:
    """HQ has the request (the agent calls this after HQ's ack): audited as correction.reported, so it is no longer
    pending. `reference` is HQ's id for it, if any. RecordStateError (code correction.not_pending) otherwise."""
    with store.write() as conn:
        row = next((p for p in conn.execute(_PENDING) if p[0] == record_id), None)
        if row is None:
            raise RecordStateError(f"record {record_id} has no correction request waiting for HQ",
                                   code="correction.not_pending")
        audit.append(conn, actor=actor, action=REPORTED, record_id=record_id,
                     details={"request_audit_id": row[8], **({"hq_reference": reference} if reference else {})})
