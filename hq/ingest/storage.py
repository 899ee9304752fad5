"""Storing one sealed record with HQ's rules: verify against the enrolled key, store durably, then decide.

`receive_packet` is the single door for MQTT batches and offline imports alike:
- unknown station → rejected `station.unknown`; a revoked station (lost or stolen kit) → rejected
  `station.revoked` before its packet is even read; bad packet → rejected with the packet's code (packet.signature…);
  a header naming another station, record or seq than the batch says → rejected `station.mismatch` /
  `record.mismatch`;
- a new record → its file written durably (temp, fsync, rename, fsync dir), THEN its row committed → accepted;
- the same id with the same SHA-256 → duplicate (nothing written again);
- the same id with other content → conflict: the packet kept under quarantine/ with a row for a person, never
  overwriting anything → rejected `record.conflict`;
- a header naming an assignment HQ issued to another station (`assignment.other_station`), or one HQ never
  issued while HQ issues this station's assignments (`assignment.unknown`) → rejected and kept as a dead letter
  with the reason (issue 21: a record is credited only to an assignment HQ gave that station). A station HQ
  never gave an assignment (a kit set up by hand) is not refused, but its records are credited to no school;
  a packet sealed before issue 21 names none: it is stored, and the report attributes it from its record.json.
File names carry the content's hash, so two workers racing on one record id can never overwrite each other's
file; the database's primary key decides which one won.
"""

import functools
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from contract.durable import private_dir, sweep_temp_files, write_durably
from contract.failpoints import failpoint
from contract.packets import PacketError, PacketHeader, verify_packet
from contract.wire import station_topic
from hq.fleet.models import Station
from hq.ingest.assignments import Assignments, assignment_problem
from hq.ingest.dead_letters import keep
from hq.ingest.models import Batch, Quarantine, Record, Source
from hq.ingest.tallies import count_stored

logger = logging.getLogger(__name__)

ACCEPTED, DUPLICATE, REJECTED = "accepted", "duplicate", "rejected"
CONFLICT = "record.conflict"
REVOKED = "station.revoked"


@dataclass(frozen=True)
class Outcome:
    """What became of one record: accepted, duplicate, or rejected with a code the station shows."""

    record_id: str
    result: str
    code: str | None = None


@dataclass(frozen=True)
class Expected:
    """What the batch manifest (or export manifest) says the packet is; the signed header must agree."""

    record_id: str
    seq: int


class EnrolledKeyError(Exception):
    """The enrolled key of a station cannot be used (not PEM, not Ed25519)."""


@functools.lru_cache(maxsize=1024)
def station_key(pem: str) -> Ed25519PublicKey:
    """The Ed25519 public key from an enrolled PEM; EnrolledKeyError when it is not one."""
    try:
        key = load_pem_public_key(pem.encode("ascii"))
    except (ValueError, TypeError, UnicodeError, UnsupportedAlgorithm) as e:
        raise EnrolledKeyError(f"not a readable PEM public key ({e})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise EnrolledKeyError(f"a {type(key).__name__}, not an Ed25519 key")
    return key


def data_dir() -> Path:
    """HQ's data directory (settings.HQ_DATA_DIR); stored paths are relative to it."""
    return Path(settings.HQ_DATA_DIR)


def record_path(station_id: str, record_id: str, sha256: str) -> Path:
    """Where an accepted packet lives, relative to the data dir (one folder per station)."""
    return Path("records") / station_id / f"{record_id}.{sha256[:16]}.sinopkt"


def quarantine_path(station_id: str, record_id: str, sha256: str) -> Path:
    """Where a conflicting packet is kept, relative to the data dir (full hash: never the same name twice)."""
    return Path("quarantine") / station_id / f"{record_id}.{sha256}.sinopkt"


def _store_file(relative: Path, packet: bytes) -> None:
    target = data_dir() / relative
    private_dir(target.parent)  # sealed biometrics: folders 0700, files 0600 (write_durably's default)
    write_durably(target, packet)


def sweep_temp_files_left() -> list[Path]:
    """Remove the temp files a worker killed mid-write left under records/ and quarantine/ (a stored packet
    always has its final name, so a temp file is never one); returns them. Every worker does this when it
    starts, as the station's start-up check does, else each crash would leave its temp file for ever. A worker
    writing at that very moment loses its temp file, fails its rename and handles the batch again (the retry
    that covers any disk error; HQ is idempotent), so nothing stored is ever touched."""
    removed: list[Path] = []
    for folder in ("records", "quarantine"):
        base = data_dir() / folder
        if base.is_dir():
            for station_dir in sorted(p for p in base.iterdir() if p.is_dir()):
                removed += sweep_temp_files(station_dir)
    return removed


def receive_packet(station: Station | None, packet: bytes, *, expected: Expected | None = None,
                   claimed_station: str = "", source: str = Source.MQTT, batch: Batch | None = None) -> Outcome:
    """Verify and store one packet from `station` (None when the sender is not enrolled); never raises for bad
    input. OSError (disk) and DatabaseError propagate: the caller must not ack then, and will try again."""
    record_id = expected.record_id if expected else "unknown"
    if station is None:
        logger.warning("record %s: station %r is not enrolled: rejected", record_id, claimed_station)
        return Outcome(record_id, REJECTED, "station.unknown")
    if station.revoked_at is not None:
        logger.warning("record %s: station %s was revoked at %s: rejected", record_id, station.id,
                       station.revoked_at.isoformat())
        return Outcome(record_id, REJECTED, REVOKED)
    verified, sha256 = verify(station, packet)
    verdict = judge(station, packet, expected, verified, record_id)
    if isinstance(verdict, Outcome):
        return verdict
    header = verdict
    known = Record.objects.filter(pk=header.record_id).only("sha256").first()
    if known is not None:
        return already_known(known.sha256, station, header, packet, sha256, source, batch)
    relative = record_path(station.id, header.record_id, sha256)
    crash_point("hq.ingest.before_file")
    _store_file(relative, packet)
    crash_point("hq.ingest.after_file")
    try:
        with transaction.atomic():
            count_stored([Record.objects.create(
                record_id=header.record_id, station=station, seq=header.seq, sha256=sha256, size=len(packet),
                path=str(relative), sealed_at=header.created_at, assignment_id=header.assignment_id or "",
                source=source, batch=batch)])
            crash_point("hq.ingest.before_row_commit")
        crash_point("hq.ingest.after_row_commit")
    except IntegrityError:  # another worker committed this record id meanwhile
        known = Record.objects.filter(pk=header.record_id).only("sha256").first()
        if known is None:
            raise
        if known.sha256 != sha256:
            (data_dir() / relative).unlink(missing_ok=True)  # no row names our file: it was never accepted
        return already_known(known.sha256, station, header, packet, sha256, source, batch)
    logger.info("station %s: record %s (seq %d, %d bytes) stored", station.id, header.record_id, header.seq,
                len(packet))
    return Outcome(header.record_id, ACCEPTED)


def verify(station: Station, packet: bytes,
           sha256: str | None = None) -> tuple[PacketHeader | PacketError | EnrolledKeyError, str]:
    """The packet's signed header checked against the station's enrolled key (or why it is not one), and the
    packet's SHA-256 (`sha256` when the caller has checked it already: a batch's manifest). Cryptography and
    hashing only, no database: group commit runs it on a thread pool."""
    try:
        verified: PacketHeader | PacketError | EnrolledKeyError = verify_packet(packet,
                                                                              station_key(station.public_key_pem))
    except (EnrolledKeyError, PacketError) as e:
        verified = e
    return verified, sha256 or hashlib.sha256(packet).hexdigest()


def judge(station: Station, packet: bytes, expected: Expected | None,
          verified: PacketHeader | PacketError | EnrolledKeyError, record_id: str,
          known: Assignments | None = None) -> Outcome | PacketHeader:
    """HQ's rules once the signature is checked: the rejection (logged; an assignment refusal also kept as a dead
    letter), or the header of a packet that may be stored. `known`: the assignments read once for a group, so
    that judging needs no query; None looks them up for this record."""
    if isinstance(verified, EnrolledKeyError):
        logger.error("station %s: its enrolled key is unusable (%s): record %s rejected", station.id, verified,
                     record_id)
        return Outcome(record_id, REJECTED, "station.key")
    if isinstance(verified, PacketError):
        logger.warning("station %s: record %s rejected: %s (%s)", station.id, record_id, verified, verified.code)
        return Outcome(record_id, REJECTED, verified.code)
    header = verified
    if expected is None:
        record_id = header.record_id
    problem = _header_problem(header, station.id, expected)
    if problem:
        logger.warning("station %s: record %s rejected: the signed header says otherwise (%s)", station.id,
                       record_id, problem)
        return Outcome(record_id, REJECTED, problem)
    refused = assignment_problem(header, station, known or Assignments.of([station], [header]))
    if refused is not None:
        code, reason = refused
        logger.warning("station %s: record %s rejected: %s", station.id, record_id, reason)
        keep(station_topic(station.id, "up/batch"), packet, code, reason)
        return Outcome(record_id, REJECTED, code)
    return header


def _header_problem(header: PacketHeader, station_id: str, expected: Expected | None) -> str | None:
    if header.station_id != station_id:
        return "station.mismatch"
    if expected is not None and (header.record_id != expected.record_id or header.seq != expected.seq):
        return "record.mismatch"
    return None


def already_known(stored_sha256: str, station: Station, header: PacketHeader, packet: bytes, sha256: str,
                   source: str, batch: Batch | None) -> Outcome:
    """A record id HQ holds already (as `stored_sha256`): the same content counts as a duplicate, other content is
    quarantined and rejected `record.conflict`."""
    if stored_sha256 == sha256:
        Record.objects.filter(pk=header.record_id).update(duplicates=F("duplicates") + 1,
                                                          last_duplicate_at=timezone.now())
        logger.info("station %s: record %s again with the same content: duplicate", station.id, header.record_id)
        return Outcome(header.record_id, DUPLICATE)
    _quarantine(station, header, packet, sha256, source, batch)
    return Outcome(header.record_id, REJECTED, CONFLICT)


def _quarantine(station: Station, header: PacketHeader, packet: bytes, sha256: str, source: str,
                batch: Batch | None) -> None:
    """Keep a conflicting packet for a person: its own file and row, or count it again if already kept."""
    again = Quarantine.objects.filter(record_id=header.record_id, sha256=sha256)
    if again.update(times_received=F("times_received") + 1):
        logger.warning("station %s: record %s: the same conflicting packet again (kept once)", station.id,
                       header.record_id)
        return
    relative = quarantine_path(station.id, header.record_id, sha256)
    _store_file(relative, packet)
    try:
        with transaction.atomic():
            Quarantine.objects.create(record_id=header.record_id, station=station, seq=header.seq, sha256=sha256,
                                      size=len(packet), path=str(relative), source=source, batch=batch)
    except IntegrityError:  # another worker kept the same packet meanwhile
        again.update(times_received=F("times_received") + 1)
    logger.warning("station %s: record %s arrived with other content than the stored one: quarantined as %s",
                   station.id, header.record_id, relative)


def crash_point(name: str) -> None:
    """A named crash point for the restart tests: contract.failpoints.failpoint (armed via SINOPSIS_FAILPOINT)."""
    failpoint(name)
