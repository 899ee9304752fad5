"""Batches from stations (MQTT `…/up/batch`) through HQ's rules, to the Acks the stations get back.

The readable batches of enrolled stations are stored together (hq/ingest/group.py): their log rows (Batch) are
committed with their records, in one transaction. A batch refused as a whole is logged on its own; one HQ cannot
read at all still gets an Ack rejecting each record it names (when its manifest is readable), so the station stops
resending bytes that will never pass; over MQTT it is also kept as a dead letter (hq/ingest/dead_letters.py),
counted on the station's dashboard page. `process_batch` stores one batch one record at a time: the way back when
a group cannot be stored together.
"""

import logging
from dataclasses import dataclass

from django.utils import timezone

from contract.batch import read_batch
from contract.wire import MAX_JSON_BYTES, Ack, BatchManifest, ContractError, Rejection, parse
from hq.fleet.liveness import mark_seen
from hq.fleet.models import Station
from hq.ingest.dead_letters import keep
from hq.ingest.group import GroupBatch, altered_outcome, pool, store_group, tally
from hq.ingest.models import Batch, Record, Source
from hq.ingest.storage import ACCEPTED, DUPLICATE, REJECTED, Expected, Outcome, receive_packet

logger = logging.getLogger(__name__)


def _readable_manifest(payload: bytes) -> BatchManifest | None:
    """The manifest line alone, when a batch fails as a whole but still says which records it carried."""
    head = payload[:MAX_JSON_BYTES + 1].partition(b"\n")[0]
    try:
        return parse(BatchManifest, head)
    except ContractError:
        return None


def ack_of(batch_id: str, outcomes: list[Outcome]) -> Ack:
    """The contract Ack for a batch's outcomes (in the batch's order)."""
    return Ack(batch_id=batch_id,
               accepted=[o.record_id for o in outcomes if o.result == ACCEPTED],
               duplicate=[o.record_id for o in outcomes if o.result == DUPLICATE],
               rejected=[Rejection(record_id=o.record_id, code=o.code or "rejected")
                         for o in outcomes if o.result not in (ACCEPTED, DUPLICATE)])


def finish(batch: Batch, outcomes: list[Outcome], error: str = "", detail: str = "") -> None:
    """Write a batch's counts and rejections to its log row."""
    tally(batch, outcomes, timezone.now(), error, detail)
    batch.save()


def enrolled(station_id: str) -> Station | None:
    """The enrolled station with this id, or None."""
    return Station.objects.filter(pk=station_id).first()


def dead_batch_ack(payload: bytes, code: str) -> Ack | None:
    """The Ack of a batch that became a dead letter (`code`): each record HQ already holds with the manifest's
    SHA-256 a duplicate, every other one rejected with `code`; None when the manifest is unreadable."""
    manifest = _readable_manifest(payload)
    if manifest is None:
        return None
    held = set(Record.objects.filter(pk__in=[e.record_id for e in manifest.records])
               .values_list("record_id", "sha256"))
    return ack_of(manifest.batch_id, [Outcome(e.record_id, DUPLICATE) if (e.record_id, e.sha256) in held
                                      else Outcome(e.record_id, REJECTED, code) for e in manifest.records])


@dataclass(frozen=True)
class Incoming:
    """One batch as it came: the station its topic names, its bytes, and its MQTT topic ("" when none)."""

    station_id: str
    payload: bytes
    topic: str = ""


def process_batch(topic_station: str, payload: bytes, worker: str = "", topic: str = "") -> Ack | None:
    """One batch alone, one record at a time (each its own file flush and transaction, the batch logged first):
    the way a group's batches go when storing them together failed, so one record the database refuses every
    time costs its batch only itself (then a dead letter) while the others are stored. Returns its Ack as
    `process_batches` does."""
    item = Incoming(topic_station, payload, topic)
    station = enrolled(topic_station)
    ready = _readable(item, station, worker)
    if not isinstance(ready, GroupBatch):
        mark_seen(topic_station)
        return ready
    ack = _one_by_one(item, station, ready.manifest, ready.packets, worker, altered=ready.altered)
    mark_seen(topic_station)
    return ack


def process_batches(items: list[Incoming], worker: str = "") -> list[Ack | None]:
    """Store what can be stored of each batch; return the Ack to send for each, or None when not even a batch id
    can be read (logged). The readable batches of enrolled stations are stored as one group (hq/ingest/group.py:
    one flush, one transaction); a batch refused as a whole is logged (and kept as a dead letter when it has an
    MQTT topic) and answered alone. OSError / DatabaseError propagate (do not ack)."""
    stations = Station.objects.in_bulk({item.station_id for item in items})
    acks: list[Ack | None] = [None] * len(items)
    group: list[tuple[int, GroupBatch]] = []
    for n, item in enumerate(items):
        station = stations.get(item.station_id)
        ready = _readable(item, station, worker)
        if isinstance(ready, GroupBatch):
            group.append((n, ready))
        else:
            acks[n] = ready
            mark_seen(item.station_id)
    if group:
        store_group([g for _, g in group])
        acks_of_group = {n: ack_of(g.manifest.batch_id, g.outcomes) for n, g in group}
        acks = [acks_of_group.get(n, ack) for n, ack in enumerate(acks)]
    return acks


def _readable(item: Incoming, station: Station | None, worker: str) -> GroupBatch | Ack | None:
    """The batch ready for the group; or, for one refused as a whole, from a station HQ does not know or has
    revoked, its Ack (None when unreadable) after it is logged."""
    try:
        body = read_batch(item.payload, pool().map)  # the packets hashed in parallel
        manifest, packets, altered, refused = body.manifest, body.packets, body.altered, None
    except ContractError as e:
        manifest, packets, altered, refused = _readable_manifest(item.payload), [], frozenset(), e
    if refused is None and manifest.station_id == item.station_id and station is not None \
            and station.revoked_at is None:
        return GroupBatch(station, manifest, packets, len(item.payload), worker, altered=altered)
    batch = Batch.objects.create(batch_id=manifest.batch_id if manifest else "", station_id=item.station_id,
                                 source=Source.MQTT, worker=worker[:100], size=len(item.payload))
    if refused is not None:
        logger.warning("batch from %s refused (%s): %s", item.station_id, refused.code, refused)
        if item.topic:
            keep(item.topic, item.payload, refused.code, str(refused))
        outcomes = [Outcome(r.record_id, REJECTED, refused.code) for r in manifest.records] if manifest else []
        finish(batch, outcomes, refused.code, str(refused))
        return ack_of(manifest.batch_id, outcomes) if manifest else None
    if manifest.station_id != item.station_id:
        logger.warning("batch %s on %s's topic names station %s: every record rejected", manifest.batch_id,
                       item.station_id, manifest.station_id)
        outcomes = [Outcome(r.record_id, REJECTED, "station.mismatch") for r in manifest.records]
        finish(batch, outcomes, "station.mismatch", f"the manifest names {manifest.station_id}")
        if item.topic:
            keep(item.topic, item.payload, "station.mismatch", f"batch {manifest.batch_id} on {item.station_id}'s "
                 f"topic names station {manifest.station_id} (a station sends only its own records)")
        return ack_of(manifest.batch_id, outcomes)
    return _one_by_one(item, station, manifest, packets, worker, batch, altered)


def _one_by_one(item: Incoming, station: Station | None, manifest: BatchManifest, packets: list[bytes], worker: str,
                batch: Batch | None = None, altered: frozenset[str] = frozenset()) -> Ack:
    """Each record through `receive_packet` on its own (one whose bytes differ from the manifest's SHA-256 refused
    as `packet.altered`), the batch logged first (an interrupted one shows without `finished_at`); its Ack."""
    if batch is None:
        batch = Batch.objects.create(batch_id=manifest.batch_id, station_id=item.station_id, source=Source.MQTT,
                                     worker=worker[:100], size=len(item.payload))
    outcomes = [altered_outcome(item.station_id, entry.record_id) if entry.record_id in altered
                else receive_packet(station, packet, expected=Expected(entry.record_id, entry.seq),
                                    claimed_station=item.station_id, source=Source.MQTT, batch=batch)
                for entry, packet in zip(manifest.records, packets, strict=True)]
    finish(batch, outcomes, "" if station else "station.unknown")
    logger.info("batch %s from %s: %d accepted, %d duplicate, %d rejected", manifest.batch_id, item.station_id,
                batch.accepted, batch.duplicate, batch.rejected)
    return ack_of(manifest.batch_id, outcomes)
