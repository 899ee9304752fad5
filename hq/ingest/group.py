"""Group commit (issue 22 point 1): the readable batches of enrolled stations waiting in a worker's inbox, stored
together.

A record costs HQ a signature check, a file and a row; stored one by one, each paid its own flushes and commit. Here
a group pays once: every packet is verified and hashed on a thread pool (hashing and the signature check run outside
Python's lock), the new packets' files are written with one flush for their contents and one for their names
(`contract.durable.write_all_durably`), and every row of the group — the batches' log rows, the records, the
duplicates' counts, the records' tallies (hq/ingest/tallies.py), the stations' last contact — is committed in one
database transaction. The worker sends the Acks only after that commit, so nothing is acked before it is durable; a
worker killed anywhere before it gets every batch of the group again from its session and finds what it already
stored (duplicates).

HQ's rules per record are those of `receive_packet` (`storage.judge`); what the group cannot decide in bulk goes
the one-record way inside the same transaction: a record id HQ holds with other content (quarantine), the same
record twice in one group. A record id another worker commits at the same moment makes the whole transaction
fail (IntegrityError): the group first removes the file it wrote for a record id now held with other content (no
row could ever name it), and the worker then stores the group's batches one at a time, where each race is settled.
"""

import datetime as dt
import functools
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.db import DatabaseError, transaction
from django.utils import timezone

from contract.batch import PACKET_ALTERED
from contract.durable import private_dir, write_all_durably
from contract.packets import PacketHeader
from contract.wire import BatchManifest
from hq.fleet.models import Station
from hq.ingest.assignments import Assignments
from hq.ingest.models import Batch, Record, Source
from hq.ingest.storage import (
    ACCEPTED,
    DUPLICATE,
    REJECTED,
    Expected,
    Outcome,
    already_known,
    crash_point,
    data_dir,
    judge,
    record_path,
    verify,
)
from hq.ingest.tallies import count_stored

logger = logging.getLogger(__name__)


@dataclass
class GroupBatch:
    """One readable batch of an enrolled, unrevoked station, and what became of each of its records."""

    station: Station
    manifest: BatchManifest
    packets: list[bytes]
    size: int
    worker: str = ""
    altered: frozenset[str] = frozenset()  # record ids whose bytes differ from the manifest's SHA-256
    outcomes: list[Outcome] = field(default_factory=list)


@dataclass
class _New:
    """A record the group stores: its packet, where its file goes, and its verified header."""

    batch: int
    slot: int
    header: PacketHeader
    packet: bytes
    sha256: str
    relative: str


@functools.lru_cache(maxsize=1)
def pool() -> ThreadPoolExecutor:
    """The threads that hash and verify packets (hashlib and the signature check let go of Python's lock)."""
    return ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="hq-verify")


def altered_outcome(station_id: str, record_id: str) -> Outcome:
    """A record whose bytes differ from the SHA-256 its station sent (its file changed on the station's disk since
    it was sealed): refused alone, logged."""
    logger.warning("station %s: record %s rejected: its bytes differ from the SHA-256 in the batch's manifest "
                   "(its packet file changed on the station since sealing; sinopsis station check finds it)",
                   station_id, record_id)
    return Outcome(record_id, REJECTED, PACKET_ALTERED)


def store_group(batches: list[GroupBatch]) -> None:
    """Store every batch of the group and fill in its `outcomes` (in the manifest's order). OSError (disk) and
    DatabaseError propagate with nothing committed: the caller acks nothing and tries again."""
    jobs = [(b.station, packet, entry.sha256) for b in batches  # read_batch checked each packet's SHA-256
            for entry, packet in zip(b.manifest.records, b.packets, strict=True) if entry.record_id not in b.altered]
    verdicts = list(pool().map(lambda job: verify(*job), jobs) if len(jobs) > 1 else [verify(*j) for j in jobs])
    known = Assignments.of([b.station for b in batches], [v for v, _ in verdicts if isinstance(v, PacketHeader)])
    verdicts_in_order = iter(verdicts)
    new: list[_New] = []
    later: list[_New] = []  # held already, or twice in this group: decided one by one inside the transaction
    for n, b in enumerate(batches):
        b.outcomes = []
        for slot, (entry, packet) in enumerate(zip(b.manifest.records, b.packets, strict=True)):
            if entry.record_id in b.altered:
                b.outcomes.append(altered_outcome(b.station.id, entry.record_id))
                continue
            verified, sha256 = next(verdicts_in_order)
            verdict = judge(b.station, packet, Expected(entry.record_id, entry.seq), verified, entry.record_id, known)
            b.outcomes.append(verdict if isinstance(verdict, Outcome) else Outcome(entry.record_id, ACCEPTED))
            if not isinstance(verdict, Outcome):
                new.append(_New(n, slot, verdict, packet, sha256,
                                str(record_path(b.station.id, verdict.record_id, sha256))))
    held = dict(Record.objects.filter(pk__in={r.header.record_id for r in new}).values_list("record_id", "sha256"))
    first: dict[str, _New] = {}
    for r in new:
        if r.header.record_id in held or r.header.record_id in first:
            later.append(r)
        else:
            first[r.header.record_id] = r
    crash_point("hq.ingest.before_file")
    _write_files(list(first.values()))
    crash_point("hq.ingest.after_file")
    now = timezone.now()
    try:
        _commit(batches, first, later, held, now)
    except Exception:
        _drop_files_held_otherwise(list(first.values()))
        raise
    crash_point("hq.ingest.after_row_commit")
    for b in batches:
        logger.info("batch %s from %s: %d accepted, %d duplicate, %d rejected (group of %d batches)",
                    b.manifest.batch_id, b.station.id, sum(o.result == ACCEPTED for o in b.outcomes),
                    sum(o.result == DUPLICATE for o in b.outcomes),
                    sum(o.result not in (ACCEPTED, DUPLICATE) for o in b.outcomes), len(batches))


def _commit(batches: list[GroupBatch], first: dict[str, "_New"], later: list["_New"], held: dict[str, str],
            now: dt.datetime) -> None:
    """Every row of the group in one transaction: its batches' log rows, its new records and their tallies, the
    duplicates and conflicts (one by one), the stations' last contact."""
    with transaction.atomic():
        logs = Batch.objects.bulk_create(Batch(batch_id=b.manifest.batch_id, station_id=b.station.id,
                                               source=Source.MQTT, worker=b.worker[:100], size=b.size,
                                               received_at=now) for b in batches)
        count_stored(Record.objects.bulk_create(
            Record(record_id=r.header.record_id, station=batches[r.batch].station, seq=r.header.seq, sha256=r.sha256,
                   size=len(r.packet), path=r.relative, sealed_at=r.header.created_at,
                   assignment_id=r.header.assignment_id or "", source=Source.MQTT, batch=logs[r.batch], received_at=now)
            for r in first.values()))
        for r in later:
            stored = held.get(r.header.record_id) or first[r.header.record_id].sha256
            batches[r.batch].outcomes[r.slot] = already_known(stored, batches[r.batch].station, r.header, r.packet,
                                                               r.sha256, Source.MQTT, logs[r.batch])
        for log, b in zip(logs, batches, strict=True):
            tally(log, b.outcomes, now)
        Batch.objects.bulk_update(logs, ["accepted", "duplicate", "rejected", "rejections", "finished_at"])
        Station.objects.filter(pk__in={b.station.id for b in batches}).update(last_seen=now)
        crash_point("hq.ingest.before_row_commit")


def _drop_files_held_otherwise(records: list[_New]) -> None:
    """After a group's commit failed: remove the files it wrote for record ids that another worker committed
    meanwhile with other content (the IntegrityError of the module's text). No row can ever name them (a record id
    is stored once, and the same content has the same file name), so they would stay orphans; the one-by-one pass
    that follows quarantines such a packet. A file the committed row names (the same content) stays, and so does
    every file of a record nobody holds yet: storing it again writes the same name."""
    try:
        named = dict(Record.objects.filter(pk__in=[r.header.record_id for r in records]).values_list("record_id",
                                                                                                      "path"))
    except DatabaseError:  # the database is gone: nothing is known, nothing is removed
        return
    for r in records:
        if named.get(r.header.record_id, r.relative) != r.relative:
            (data_dir() / r.relative).unlink(missing_ok=True)


def _write_files(records: list[_New]) -> None:
    for folder in {(data_dir() / r.relative).parent for r in records}:
        private_dir(folder)  # sealed biometrics: folders 0700, files 0600
    write_all_durably([(data_dir() / r.relative, r.packet) for r in records])


def tally(log: Batch, outcomes: list[Outcome], now: dt.datetime, error: str = "", detail: str = "") -> None:
    """Fill in a batch's log row from its outcomes (not saved)."""
    rejected = [o for o in outcomes if o.result not in (ACCEPTED, DUPLICATE)]
    log.accepted = sum(o.result == ACCEPTED for o in outcomes)
    log.duplicate = sum(o.result == DUPLICATE for o in outcomes)
    log.rejected = len(rejected)
    log.rejections = [{"record_id": o.record_id, "code": o.code} for o in rejected]
    log.error, log.detail, log.finished_at = error, detail[:2000], now
