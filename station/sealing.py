"""Sealing a finished record and committing it durably: the one place a record becomes "saved".

Inside one BEGIN IMMEDIATE transaction: take the next per-station sequence number, seal the packet (images +
record.json, encrypted for HQ, signed by the station), write the file durably, then record the captures,
move the record to captured, queue it in the outbox and audit it, and commit. The write lock is held from
before the file is written until the commit, so the orphan sweep (which takes the same lock) never sees a
file that is about to get its row. Only after COMMIT returns may a screen say "Tersimpan".
"""

import json
import logging
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from contract.durable import write_durably
from contract.failpoints import failpoint
from contract.ids import receipt_number
from contract.keys import load_private_key, load_public_key
from contract.packets import packet_file_name, seal_record
from contract.slip_qr import make_slip_qr
from station import audit
from station.acknowledgement import slip_claim
from station.capture.policy import CaptureResult, check_complete, threshold_for
from station.clock import now_iso
from station.config import StationConfig
from station.records import apply_transition, get_record
from station.store import StationStore

logger = logging.getLogger(__name__)
RECORD_FORMAT = "sinopsis-record/1"


@dataclass(frozen=True)
class SealedRecord:
    """What the kiosk needs after the commit: the receipt and where the packet is."""

    record_id: str
    seq: int
    receipt_number: str
    packet_file: str
    packet_sha256: str
    below_threshold: bool
    sealed_at: str = ""  # station clock, UTC ISO 8601 (the packet's created_at)
    slip_qr: str = ""  # the acknowledgement slip's QR, signed by this station (contract/slip_qr.py)


class RecordSealer:
    """Seals and commits records for one station (holds its keys and policy)."""

    def __init__(self, store: StationStore, config: StationConfig, station_key: Ed25519PrivateKey,
                 hq_packet_key: X25519PublicKey) -> None:
        self.store = store
        self.config = config
        self._station_key = station_key
        self._hq_packet_key = hq_packet_key

    def seal_and_commit(self, record_id: str, captures: list[CaptureResult], operator_id: str) -> SealedRecord:
        """Seal a record in state capturing and commit it; raises RecordStateError if it is not complete.

        Nothing of the record's images stays on disk except inside the encrypted packet.
        """
        check_complete(captures, self.config.capture)
        station_id = self.config.station.id
        with self.store.write() as conn:
            record = get_record(conn, record_id)
            apply_transition(conn, record_id, "captured", actor=operator_id, expect="capturing")
            seq = self.store.next_counter("record_seq")
            sealed_at = now_iso()
            receipt = receipt_number(station_id, seq)
            below = any(c.below_threshold for c in captures)
            files = {c.image_name: c.image for c in captures if c.image is not None}
            # the slip's signed QR, made before anything is written: a failure here leaves nothing half saved
            claim = slip_claim({c.position: c for c in captures}, station_id, record_id, seq, sealed_at)
            qr = make_slip_qr(claim, self._station_key, self.config.agency.verify_url)
            files["record.json"] = self._record_json(conn, record, captures, operator_id, seq, receipt, sealed_at)
            # the assignment in force goes into the signed header too: HQ checks and attributes it at ingest
            packet = seal_record(record_id=record_id, station_id=station_id, seq=seq, created_at=sealed_at,
                                 files=files, station_key=self._station_key, hq_public_key=self._hq_packet_key,
                                 assignment_id=self._assignment_id(conn, record))
            name = packet_file_name(record_id)
            failpoint("commit.before_packet_file")
            digest = write_durably(self.store.packet_path(name), packet)
            failpoint("commit.after_packet_file")
            conn.execute(
                "UPDATE records SET seq = ?, operator_id = ?, receipt_number = ?, packet_file = ?, "
                "packet_sha256 = ?, packet_size = ?, below_threshold = ?, sealed_at = ? WHERE id = ?",
                (seq, operator_id, receipt, name, digest, len(packet), int(below), sealed_at, record_id),
            )
            conn.executemany(
                "INSERT INTO captures (record_id, modality, position, outcome, score, threshold, attempts, "
                "below_threshold, reason, exception_code, device_serial, started_at, finished_at, metadata) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(record_id, c.modality, c.position, c.outcome, c.score,
                  threshold_for(c.position, self.config.capture), c.attempts, int(c.below_threshold), c.reason,
                  c.exception_code, c.device_serial, c.started_at, c.finished_at,
                  json.dumps(c.metadata, sort_keys=True)) for c in captures],
            )
            conn.execute("INSERT INTO outbox (record_id, seq, enqueued_at) VALUES (?,?,?)",
                         (record_id, seq, sealed_at))
            audit.append(conn, actor=operator_id, action="record.sealed", record_id=record_id,
                         details={"seq": seq, "receipt": receipt, "packet_sha256": digest,
                                  "below_threshold": below,
                                  # the operator's decisions, with their reasons, in the tamper-evident log
                                  "accepted_below": [{"position": c.position, "score": c.score, "reason": c.reason}
                                                     for c in captures if c.below_threshold],
                                  "exceptions": sorted(c.position for c in captures if c.outcome == "exception"),
                                  "exception_codes": {c.position: c.exception_code for c in captures
                                                      if c.outcome == "exception"}})
            failpoint("commit.before_commit")
        failpoint("commit.after_commit")
        logger.info("record %s sealed as seq %s (%s bytes)", record_id, seq, len(packet))
        return SealedRecord(record_id, seq, receipt, name, digest, below, sealed_at, qr)

    @staticmethod
    def _assignment_id(conn, record) -> str | None:
        """The id of the assignment the record's applicant was listed under (the one in force at check-in)."""
        row = conn.execute("SELECT s.assignment_id FROM applicants a JOIN assignments s ON s.id = a.assignment_ref "
                           "WHERE a.id = ?", (record["applicant_ref"],)).fetchone()
        return row["assignment_id"] if row is not None else None

    def _record_json(self, conn, record, captures: list[CaptureResult], operator_id: str, seq: int,
                     receipt: str, sealed_at: str) -> bytes:
        row = conn.execute(
            "SELECT a.*, s.assignment_id, s.version, s.spt_number, s.school_npsn, c.checked_in_at, "
            "c.phone AS checkin_phone FROM applicants a JOIN assignments s ON s.id = a.assignment_ref "
            "LEFT JOIN checkins c ON c.id = ? WHERE a.id = ?",
            (record["checkin_ref"], record["applicant_ref"]),
        ).fetchone()
        document = {
            "format": RECORD_FORMAT, "record_id": record["id"], "station_id": self.config.station.id,
            "seq": seq, "receipt_number": receipt, "sealed_at": sealed_at, "operator_id": operator_id,
            "checked_in_at": row["checked_in_at"],
            "assignment": {"assignment_id": row["assignment_id"], "version": row["version"],
                           "spt_number": row["spt_number"], "school_npsn": row["school_npsn"]},
            "applicant": {k: row[k] for k in ("application_id", "nik", "name", "birth_place", "birth_date", "sex",
                                              "kk_number")} | {"phone": row["checkin_phone"] or row["phone"]},
            "captures": [
                {"position": c.position, "modality": c.modality, "outcome": c.outcome, "score": c.score,
                 "threshold": threshold_for(c.position, self.config.capture), "attempts": c.attempts,
                 "below_threshold": c.below_threshold, "reason": c.reason, "exception_code": c.exception_code,
                 "device_serial": c.device_serial, "started_at": c.started_at, "finished_at": c.finished_at,
                 "image": c.image_name if c.image is not None else None, "metadata": c.metadata}
                for c in captures
            ],
        }
        return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def station_sealer(store: StationStore, config: StationConfig,
                   kind: type["RecordSealer"] | None = None) -> "RecordSealer":
    """The sealer (`kind`, default RecordSealer) with the keys enrolment left on the station: its own signing key
    and HQ's packet key (KeyFileError names a missing or unreadable one)."""
    return (kind or RecordSealer)(store, config,
                                  load_private_key(config.key_path("station_signing_key"), Ed25519PrivateKey),
                                  load_public_key(config.key_path("hq_packet_public_key"), X25519PublicKey))
