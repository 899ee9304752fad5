"""Draining the outbox to HQ over one connection: which batch goes next, what its PUBACK and HQ's ack mean, and
when records are sent again. The database side is edge_agent/outbox.py; this module keeps the batches in flight.

One batch is on the wire at a time (waiting for its PUBACK) and up to ACK_WINDOW wait for HQ's ack. A PUBACK
with a failure reason (≥ 0x80), a connection lost before the PUBACK, or no ack within `ack_timeout_s` frees the
records to go again in a new batch (new batch id; HQ answers `duplicate` for what it already stored).
"""

import collections
import logging
import time

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from contract import wire
from contract.failpoints import failpoint
from edge_agent import outbox
from edge_agent.connection import Backoff
from station.store import StationStore

logger = logging.getLogger(__name__)
IDLE_POLL_S = 1.0  # how soon a newly sealed record is noticed when the outbox was empty
ACK_WINDOW = 4  # batches waiting for HQ's ack at once
HISTORY = 256  # recent batches remembered, so a late ack still finds its records


class Flight:
    """A published batch: waiting for its PUBACK, then for HQ's ack until `deadline` (monotonic)."""

    def __init__(self, batch: outbox.Batch) -> None:
        self.batch, self.pubacked, self.deadline = batch, False, 0.0


class Drain:
    """The batches of one station in flight, and the counts tests and logs read (`counts`)."""

    def __init__(self, store: StationStore, station_id: str, ack_timeout_s: float, retry: Backoff) -> None:
        self.store, self.station_id, self.ack_timeout_s, self.retry = store, station_id, ack_timeout_s, retry
        self.flights: dict[str, Flight] = {}
        self.mids: dict[int, str] = {}
        self.history: collections.OrderedDict[str, set[str]] = collections.OrderedDict()
        self.idle = False  # the last look found nothing more to send
        self.after = 0.0  # no new batch before this (monotonic): idle poll or retry after a failure
        self.counts: collections.Counter[str] = collections.Counter()

    def wake(self) -> None:
        """Look for records now (HQ came online, an ack arrived, sync_now)."""
        self.after = 0.0

    def step(self, client: mqtt.Client, now: float) -> outbox.Batch | None:
        """Publish the next batch if the window has room; the batch, or None."""
        if now < self.after or len(self.flights) >= ACK_WINDOW or any(not f.pubacked for f in self.flights.values()):
            return None
        busy = set().union(*(f.batch.record_ids for f in self.flights.values()))
        batch = outbox.build_batch(self.store, self.station_id, busy)
        self.idle = batch is None and not self.flights
        if batch is None:
            self.after = now + IDLE_POLL_S
            return None
        outbox.note_published(self.store, batch)
        self.history[batch.batch_id] = batch.record_ids
        while len(self.history) > HISTORY:
            self.history.popitem(last=False)
        props = Properties(PacketTypes.PUBLISH)
        props.ResponseTopic = wire.station_topic(self.station_id, "ack")
        props.CorrelationData = batch.batch_id.encode()
        failpoint("agent.before_publish")
        info = client.publish(wire.station_topic(self.station_id, "up/batch"), batch.payload, qos=1,
                              properties=props)
        failpoint("agent.after_publish")
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            self.after = now + self.retry.next()
            logger.warning("batch %s not published (%s)", batch.batch_id, mqtt.error_string(info.rc))
            return None
        self.mids[info.mid] = batch.batch_id
        self.flights[batch.batch_id] = Flight(batch)
        self.counts["batches"] += 1
        logger.info("batch %s: %d record(s), %d bytes", batch.batch_id, len(batch.records), len(batch.payload))
        return batch

    def on_puback(self, mid: int, reason: object) -> bool:
        """A PUBACK; False when `mid` is not a batch (status, health…)."""
        batch_id = self.mids.pop(mid, None)
        flight = None if batch_id is None else self.flights.get(batch_id)
        if flight is None:
            return False
        if getattr(reason, "is_failure", False):
            del self.flights[batch_id]
            wait = self.retry.next()
            self.after = time.monotonic() + wait
            self.counts["puback_failures"] += 1
            logger.warning("the broker refused batch %s (%s): its records stay in the outbox; retry in %.1f s",
                           batch_id, reason, wait)
            return True
        failpoint("agent.after_puback")
        flight.pubacked, flight.deadline = True, time.monotonic() + self.ack_timeout_s
        self.retry.reset()
        try:
            outbox.mark_sent(self.store, flight.batch)
        except Exception:  # the ack still settles them (captured → sent → accepted); never crash the loop
            logger.exception("batch %s: marking its records sent failed", batch_id)
        return True

    def on_ack(self, payload: bytes, correlation: bytes | None) -> outbox.AckResult | None:
        """HQ's ack; None when malformed or for a batch this station does not know (logged, ignored)."""
        try:
            ack = wire.parse(wire.Ack, payload)
        except wire.ContractError as e:
            self.counts["bad_acks"] += 1
            logger.warning("malformed ack ignored (%s): %s", e.code, e)
            return None
        if correlation is not None and correlation != ack.batch_id.encode():
            logger.warning("ack for batch %s carries correlation data %r", ack.batch_id, correlation[:64])
        members = self.history.get(ack.batch_id) or outbox.batch_members(self.store, ack.batch_id)
        if not members:
            self.counts["unknown_acks"] += 1
            logger.warning("ack for unknown batch %s ignored", ack.batch_id)
            return None
        result = outbox.apply_ack(self.store, ack, members)
        self.flights.pop(ack.batch_id, None)
        self.counts["acks"] += 1
        self.wake()
        logger.info("ack of batch %s: %d accepted, %d duplicate, %d rejected%s", ack.batch_id, len(result.accepted),
                    len(result.duplicate), len(result.rejected),
                    f", {len(result.ignored)} ignored" if result.ignored else "")
        return result

    def expire(self, now: float) -> None:
        """Free the records of batches whose ack did not come in time."""
        for batch_id, flight in list(self.flights.items()):
            if flight.pubacked and now > flight.deadline:
                logger.warning("no ack from HQ for batch %s in %g s: its %d record(s) will be sent again",
                               batch_id, self.ack_timeout_s, len(flight.batch.records))
                del self.flights[batch_id]
                self.counts["resends"] += 1

    def connection_lost(self) -> None:
        """Batches the broker never confirmed go again after reconnecting; acked-by-broker ones keep waiting."""
        for batch_id in [b for b, f in self.flights.items() if not f.pubacked]:
            del self.flights[batch_id]
        self.mids.clear()
        self.wake()
