"""Any slip of the day printed again, from the station's own records: the queue slip of a student still waiting,
and the acknowledgement of a record already saved (the student lost it, the first one jammed, the roll ran out).

The acknowledgement is rebuilt from what the store keeps after the images are sealed away — the captures' outcome,
exception code and below-threshold flag, the record's receipt number, sequence and sealing time, the applicant's
name and NIK, the operator who saved it — through the same station.acknowledgement code the first print used, and
its QR is signed again with the station's key: the claim and Ed25519 are deterministic, so the copy carries the
very QR of the first slip and HQ verifies it the same way. Every reprint is audited (`slip.reprinted`: who, which
record, which slip).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from station import audit
from station.capture.policy import CaptureResult
from station.checkin import display_name
from station.records import student_record
from station.roster import current_assignment
from station.store import StationStore

REPRINTED = "slip.reprinted"
RECORDED = ("captured", "sent", "accepted", "duplicate", "rejected")  # a saved record: its acknowledgement
WAITING = ("checked_in",)  # still in the queue: its queue slip


@dataclass(frozen=True)
class SlipRow:
    """One student of the current assignment with a slip to print again: `kind` "acknowledgement" or "queue"."""

    record_id: str
    queue_number: int
    display_name: str
    state: str
    kind: str
    receipt_number: str | None


@dataclass(frozen=True)
class SavedRecord:
    """What a reprint needs of a sealed record (the fields of station.sealing.SealedRecord the slip uses)."""

    record_id: str
    seq: int
    receipt_number: str
    sealed_at: str
    slip_qr: str


def todays_slips(store: StationStore) -> list[SlipRow]:
    """The current assignment's students whose slip can be printed again, in queue order (none without one)."""
    assignment = current_assignment(store.conn)
    if assignment is None:
        return []
    rows = store.conn.execute(
        "SELECT r.id, c.queue_number, a.name, r.state, r.receipt_number FROM checkins c JOIN records r "
        "ON r.checkin_ref = c.id JOIN applicants a ON a.id = c.applicant_ref WHERE c.assignment_ref = ? "
        "ORDER BY c.queue_number", (assignment["id"],)).fetchall()
    return [SlipRow(r[0], r[1], display_name(r[2]), r[3], "acknowledgement" if r[3] in RECORDED else "queue", r[4])
            for r in rows if r[3] in RECORDED + WAITING]


def _row(store: StationStore, record_id: str) -> Any:
    row = student_record(store, record_id, "r.id, r.state, r.seq, r.receipt_number, r.sealed_at, r.operator_id, "
                         "c.queue_number, c.checked_in_at, a.name, a.nik, s.school_name")
    if row is None:
        raise LookupError(f"no checked-in record {record_id!r} on this station; choose one from today's list")
    return row


def queue_slip_fields(store: StationStore, record_id: str) -> dict:
    """The drivers.receipt.QueueSlip keyword arguments of a student still waiting (time: their check-in)."""
    row = _row(store, record_id)
    if row["state"] not in WAITING:
        raise ValueError(f"record {record_id} is {row['state']}, not waiting: it has no queue slip to print")
    when = dt.datetime.fromisoformat(row["checked_in_at"]).astimezone().strftime("%d-%m-%Y %H:%M")
    return {"school": row["school_name"], "queue_number": row["queue_number"],
            "display_name": display_name(row["name"]), "time": when, "record_id": row["id"]}


def saved_results(store: StationStore, record_id: str) -> dict[str, CaptureResult]:
    """The record's captures as the slip counts them (outcome, score, exception, below threshold; no images)."""
    return {r["position"]: CaptureResult(r["position"], r["outcome"], r["attempts"], score=r["score"],
                                         below_threshold=bool(r["below_threshold"]), reason=r["reason"],
                                         exception_code=r["exception_code"])
            for r in store.conn.execute("SELECT position, outcome, attempts, score, below_threshold, reason, "
                                        "exception_code FROM captures WHERE record_id = ? ORDER BY id", (record_id,))}


def saved_record(store: StationStore, config: Any, record_id: str, station_key: Any = None) -> tuple[
        SavedRecord, dict[str, CaptureResult], str, str, Any]:
    """(the sealed record with its slip QR signed again, its captures, the student's name and NIK, the operator who
    saved it as station.operators.Operator or None) for a reprint of the acknowledgement. `station_key` defaults
    to the station's signing key from `config`."""
    from contract.slip_qr import make_slip_qr
    from station.acknowledgement import slip_claim
    from station.operators import Operator

    row = _row(store, record_id)
    if row["state"] not in RECORDED or row["receipt_number"] is None:
        raise ValueError(f"record {record_id} is {row['state']}: it has no acknowledgement to print")
    results = saved_results(store, record_id)
    if station_key is None:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        from contract.keys import load_private_key

        station_key = load_private_key(config.key_path("station_signing_key"), Ed25519PrivateKey)
    claim = slip_claim(results, config.station.id, record_id, row["seq"], row["sealed_at"])
    qr = make_slip_qr(claim, station_key, config.agency.verify_url)
    assignment = current_assignment(store.conn)
    member = None if assignment is None else store.conn.execute(
        "SELECT operator_id, name, role FROM operators WHERE assignment_ref = ? AND operator_id = ?",
        (assignment["id"], row["operator_id"])).fetchone()
    operator = Operator(*member) if member is not None else None
    return (SavedRecord(record_id, row["seq"], row["receipt_number"], row["sealed_at"], qr), results, row["name"],
            row["nik"], operator)


def record_reprint(store: StationStore, record_id: str, kind: str, actor: str, first_failed: bool = False) -> None:
    """Audit that `actor` printed `kind` ("queue" or "acknowledgement") of `record_id` again (`first_failed`: the
    first print had failed, so this is the student's only slip, not a copy)."""
    with store.write() as conn:
        audit.append(conn, actor=actor, action=REPRINTED, record_id=record_id,
                     details={"slip": kind, "first_failed": first_failed})
