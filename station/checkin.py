"""Student self check-in: find the student on the current list (QR application id, or NIK + birth date),
record the phone number, hand out a queue number and open the student's record (state checked_in).

Checking in twice gives back the same queue number; nothing here reveals another student's data.
"""

import datetime as dt
import sqlite3
from dataclasses import dataclass

from contract.application_qr import APPLICATION_ID
from contract.errors import CheckInError
from contract.ids import uuid7
from contract.nik import mask_nik, parse_nik
from contract.phone import normalize_phone
from station import audit
from station.clock import now_iso
from station.roster import current_assignment
from station.store import StationStore


@dataclass(frozen=True)
class CheckIn:
    """The student's ticket: queue number, their record id, the name as the queue board shows it."""

    queue_number: int
    record_id: str
    display_name: str
    already_checked_in: bool


def display_name(full_name: str) -> str:
    """A name as the public queue board shows it: first name and initials ("Siti Rahma Putri" → "Siti R. P.")."""
    parts = full_name.split()
    if not parts:
        return ""
    return " ".join([parts[0], *(f"{p[0]}." for p in parts[1:])])


def _assignment_ref(conn: sqlite3.Connection) -> int:
    current = current_assignment(conn)
    if current is None:
        raise CheckInError("no assignment is loaded on this station yet; the team must import today's list",
                           code="checkin.no_assignment")
    return int(current["id"])


@dataclass(frozen=True)
class Identity:
    """Who the kiosk found, before the phone number and the queue number: what the student confirms."""

    application_id: str
    display_name: str
    school: str
    phone_hint: str | None  # the last digits of the phone on the list, e.g. "…7890"
    status: str  # "new", "in_queue" (checked in, not yet recorded), "recorded", or "see_team" (withdrawn or
    # rejected by HQ: the team decides)
    queue_number: int | None


RECORDED_STATES = ("captured", "sent", "accepted", "duplicate", "purged")
# Stopped earlier today (withdrawn), or refused by HQ: only the recording team can say what happens next.
SEE_TEAM_STATES = ("withdrawn", "rejected")


def _identity(conn: sqlite3.Connection, applicant: sqlite3.Row) -> Identity:
    school = conn.execute("SELECT school_name FROM assignments WHERE id = ?", (applicant["assignment_ref"],))
    row = conn.execute("SELECT c.queue_number, r.state FROM checkins c JOIN records r ON r.checkin_ref = c.id "
                       "WHERE c.applicant_ref = ?", (applicant["id"],)).fetchone()
    status = ("new" if row is None else "recorded" if row[1] in RECORDED_STATES
              else "see_team" if row[1] in SEE_TEAM_STATES else "in_queue")
    digits = "".join(ch for ch in (applicant["phone"] or "") if ch.isdigit())
    return Identity(applicant["application_id"], display_name(applicant["name"]), school.fetchone()[0],
                    f"…{digits[-4:]}" if len(digits) >= 8 else None, status, row[0] if row else None)


def identify_by_nik(store: StationStore, nik: str, birth_date: dt.date) -> Identity:
    """Find the student by NIK + birth date without checking in (the confirm-identity step)."""
    return _identity(store.conn, _applicant_by_nik(store, nik, birth_date))


def identify_by_application(store: StationStore, application_id: str) -> Identity:
    """Find the student by the application id of their QR without checking in."""
    return _identity(store.conn, _applicant_by_application(store, application_id))


def _applicant_by_application(store: StationStore, application_id: str) -> sqlite3.Row:
    assignment_ref, wanted = _assignment_ref(store.conn), application_id.strip()
    applicant = None
    if APPLICATION_ID.match(wanted):  # no other text is on a list (and a lone surrogate would crash the query)
        applicant = store.conn.execute("SELECT * FROM applicants WHERE assignment_ref = ? AND application_id = ?",
                                       (assignment_ref, wanted)).fetchone()
    if applicant is None:
        raise CheckInError("this application is not on today's list for this school; ask the recording team",
                           code="checkin.not_on_list")
    return applicant


def _applicant_by_nik(store: StationStore, nik: str, birth_date: dt.date) -> sqlite3.Row:
    info = parse_nik(nik)
    applicant = store.conn.execute(
        "SELECT * FROM applicants WHERE assignment_ref = ? AND nik = ?", (_assignment_ref(store.conn), info.nik)
    ).fetchone()
    if applicant is None:
        raise CheckInError(f"NIK {mask_nik(info.nik)} is not on today's list for this school; "
                           "ask the recording team", code="checkin.not_on_list")
    if applicant["birth_date"] != birth_date.isoformat():
        raise CheckInError("the birth date does not match the list for this NIK; check it, or ask the "
                           "recording team", code="checkin.birth_date_mismatch")
    return applicant


def check_in_by_nik(store: StationStore, nik: str, birth_date: dt.date, phone: str | None) -> CheckIn:
    """Check in with NIK and birth date (both must agree with the list). `phone` None: the number on the list
    (the student confirmed it by its last digits). Raises NikError, PhoneError or CheckInError with a code the kiosk
    shows in the student's language."""
    applicant = _applicant_by_nik(store, nik, birth_date)
    return _check_in(store, applicant, "nik", _phone(applicant, phone))


def check_in_by_application(store: StationStore, application_id: str, phone: str | None) -> CheckIn:
    """Check in with the application id from the student's QR (`phone` None: the number on the list). Raises
    CheckInError or PhoneError."""
    applicant = _applicant_by_application(store, application_id)
    return _check_in(store, applicant, "qr", _phone(applicant, phone))


def _phone(applicant: sqlite3.Row, typed: str | None) -> str:
    """The typed phone normalised, or (None) the list's own number, which the kiosk showed only by its last
    digits; CheckInError("checkin.no_listed_phone") when the list has none."""
    if typed is not None:
        return normalize_phone(typed)
    if not applicant["phone"]:
        raise CheckInError("the list has no phone number for this student; type one", code="checkin.no_listed_phone")
    return normalize_phone(applicant["phone"])


def _check_in(store: StationStore, applicant: sqlite3.Row, method: str, phone: str) -> CheckIn:
    name = display_name(applicant["name"])
    with store.write() as conn:
        existing = conn.execute(
            "SELECT c.queue_number, r.id FROM checkins c JOIN records r ON r.checkin_ref = c.id "
            "WHERE c.applicant_ref = ?", (applicant["id"],)
        ).fetchone()
        if existing is not None:
            return CheckIn(existing[0], existing[1], name, already_checked_in=True)
        queue_number = store.next_counter(f"queue:{applicant['assignment_ref']}")
        now = now_iso()
        cur = conn.execute(
            "INSERT INTO checkins (assignment_ref, applicant_ref, queue_number, method, phone, checked_in_at) "
            "VALUES (?,?,?,?,?,?)",
            (applicant["assignment_ref"], applicant["id"], queue_number, method, phone, now),
        )
        record_id = uuid7()
        conn.execute(
            "INSERT INTO records (id, applicant_ref, checkin_ref, state, created_at, updated_at) "
            "VALUES (?,?,?,?,?,?)",
            (record_id, applicant["id"], cur.lastrowid, "checked_in", now, now),
        )
        audit.append(conn, actor="kiosk", action="checkin", record_id=record_id, to_state="checked_in",
                     details={"application_id": applicant["application_id"], "method": method,
                              "queue_number": queue_number})
    return CheckIn(queue_number, record_id, name, already_checked_in=False)
