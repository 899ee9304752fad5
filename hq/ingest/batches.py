"""One batch from a station (MQTT `…/up/batch`) through HQ's rules, to the Ack the station gets back.

The batch is logged (Batch row) before its records are stored and finished after, so an interrupted batch shows
up as one without `finished_at`. A batch HQ cannot read at all still gets an Ack rejecting each record it names
(when its manifest is readable), so the station stops resending bytes that will never pass; over MQTT it is also
kept as a dead letter (hq/ingest/dead_letters.py), counted on the station's dashboard page.
"""

import logging

from django.utils import timezone

from contract.wire import (
    MAX_JSON_BYTES,
    Ack,
    BatchManifest,
    ContractError,
    Rejection,
    parse,
    read_batch,
)
from hq.fleet.models import Station
from hq.ingest.dead_letters import keep
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
    rejected = [o for o in outcomes if o.result not in (ACCEPTED, DUPLICATE)]
    batch.accepted = sum(o.result == ACCEPTED for o in outcomes)
    batch.duplicate = sum(o.result == DUPLICATE for o in outcomes)
    batch.rejected = len(rejected)
    batch.rejections = [{"record_id": o.record_id, "code": o.code} for o in rejected]
    batch.error, batch.detail, batch.finished_at = error, detail[:2000], timezone.now()
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


def process_batch(topic_station: str, payload: bytes, worker: str = "", topic: str = "") -> Ack | None:
    """Store what can be stored of one batch published on `topic_station`'s topic; return the Ack to send, or
    None when not even a batch id can be read (logged). A batch refused as a whole is kept as a dead letter when
    its MQTT `topic` is given. OSError / DatabaseError propagate (do not ack)."""
    try:
        manifest, packets = read_batch(payload)
        refused = None
    except ContractError as e:
        manifest, packets, refused = _readable_manifest(payload), [], e
    batch = Batch.objects.create(batch_id=manifest.batch_id if manifest else "", station_id=topic_station,
                                 source=Source.MQTT, worker=worker[:100], size=len(payload))
    if refused is not None:
        logger.warning("batch from %s refused (%s): %s", topic_station, refused.code, refused)
        if topic:
            keep(topic, payload, refused.code, str(refused))
        outcomes = [Outcome(r.record_id, REJECTED, refused.code) for r in manifest.records] if manifest else []
        finish(batch, outcomes, refused.code, str(refused))
        return ack_of(manifest.batch_id, outcomes) if manifest else None
    if manifest.station_id != topic_station:
        logger.warning("batch %s on %s's topic names station %s: every record rejected", manifest.batch_id,
                       topic_station, manifest.station_id)
        outcomes = [Outcome(r.record_id, REJECTED, "station.mismatch") for r in manifest.records]
        finish(batch, outcomes, "station.mismatch", f"the manifest names {manifest.station_id}")
        if topic:
            keep(topic, payload, "station.mismatch", f"batch {manifest.batch_id} on {topic_station}'s topic names "
                 f"station {manifest.station_id} (a station sends only its own records)")
        return ack_of(manifest.batch_id, outcomes)
    station = enrolled(topic_station)
    outcomes = [receive_packet(station, packet, expected=Expected(entry.record_id, entry.seq),
                               claimed_station=topic_station, source=Source.MQTT, batch=batch)
                for entry, packet in zip(manifest.records, packets, strict=True)]
    finish(batch, outcomes, "" if station else "station.unknown")
    logger.info("batch %s from %s: %d accepted, %d duplicate, %d rejected", manifest.batch_id, topic_station,
                batch.accepted, batch.duplicate, batch.rejected)
    return ack_of(manifest.batch_id, outcomes)
