"""One simulated kit of `sinopsis bench fleet` (sinopsis/bench_fleet_kits.py runs a few hundred per process): a
light MQTT 5 client speaking the real contract (contract/wire.py) the way the station's agent does (edge_agent/).

Client id and username = its station id, a persistent session (clean_start=False, 14 days), the retained Will
`lost` with its epoch and a will delay, retained `online` on connect and `offline` at a clean stop; Health
(retained) every `health_s` (first at a random offset, so a fleet does not report in step) and when its counts
change (checked every 2 s, like the agent); records from a pool sealed beforehand with its own Ed25519 key (the
key HQ enrolled), one due every `record_s` (after `backlog` waiting at the start), sent only while HQ's ingest
says online: one batch on the wire at a time until its PUBACK, up to ACK_WINDOW waiting for HQ's Ack (matched by
correlation data); a batch not acked within `ack_timeout_s` frees its records to go again in a new batch, where
HQ answers `duplicate` for what it already stored. It has no thread and no loop of its own: the process's
selector loop reads and writes its socket and calls `tick`.
"""

import datetime as dt
import random
import time
from typing import Protocol

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from contract import wire
from contract.batch import write_batch

ACK_WINDOW = 4  # batches waiting for HQ's ack at once (edge_agent/drain.py)
BATCH_RECORDS = 10
CHANGE_CHECK_S = 2.0  # the agent compares its health with the last sent this often
SESSION_EXPIRY_S = 14 * 86400
WILL_DELAY_S = 30
KEEPALIVE_S = 30


class Loop(Protocol):
    """What a kit needs of the loop that drives it (sinopsis/bench_fleet_kits.py KitLoop)."""

    started: float  # monotonic time of `go`
    stopping: bool

    def attach(self, client: mqtt.Client) -> None: ...


class Kit:
    """One simulated station: its client, outbox, batches in flight and counts."""

    def __init__(self, loop: Loop, station_id: str, password: str, pool: list, spec: dict) -> None:
        self.loop, self.id, self.password, self.pool, self.spec = loop, station_id, password, pool, spec
        self.rng = random.Random(station_id)  # noqa: S311 (timing jitter)
        self.client: mqtt.Client | None = None
        self.epoch = 0
        self.connected = self.subscribed = self.ingest_online = False
        self.reconnect_at = 0.0
        self.made = 0  # records of the pool released into the outbox so far
        self.outbox: dict[str, tuple[int, bytes]] = {}  # released, not answered
        self.flights: dict[str, dict] = {}  # batch id -> {records, pubacked, deadline}
        self.history: dict[str, list[str]] = {}  # every batch id sent -> its record ids
        self.mids: dict[int, str] = {}
        self.first_sent: dict[str, float] = {}
        self.answered: dict[str, str] = {}
        self.ack_ms: list[float] = []
        self.counts = dict.fromkeys(("batches", "resent", "duplicate_answers", "rejected", "timeouts", "health",
                                    "disconnects", "refused", "puback_failures", "late_acks"), 0)
        self.next_health = self.next_check = 0.0
        self.health_key = ""
        self.last_acked_seq: int | None = None
        self.first_due_s = self.rng.uniform(0, spec["record_s"])  # the kits' records do not come in step

    def topic(self, leaf: str) -> str:
        return wire.station_topic(self.id, leaf)

    def connect(self, now: float) -> None:
        """A fresh client for a new connection (a new epoch and its Will), as the agent makes one per attempt."""
        self.epoch += 1
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=self.id, protocol=mqtt.MQTTv5, userdata=self)
        client.suppress_exceptions = False
        will = Properties(PacketTypes.WILLMESSAGE)
        will.WillDelayInterval = WILL_DELAY_S
        client.will_set(self.topic("status"), wire.dump(wire.Status(state="lost", epoch=self.epoch)), qos=1,
                        retain=True, properties=will)
        client.username_pw_set(self.id, self.password)
        self.loop.attach(client)
        client.on_connect, client.on_subscribe = self._on_connect, self._on_subscribe
        client.on_message, client.on_publish, client.on_disconnect = self._on_message, self._on_publish, \
            self._on_disconnect
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = SESSION_EXPIRY_S
        self.client = client
        try:
            client.connect(self.spec["host"], self.spec["port"], keepalive=KEEPALIVE_S, clean_start=False,
                           properties=props)
        except OSError:
            self.counts["refused"] += 1
            self.reconnect_at = now + self.rng.uniform(0.5, 2.0)
            self.client = None

    def _on_connect(self, client: mqtt.Client, _u: object, _f: object, reason: mqtt.ReasonCode, _p: object) -> None:
        if reason.is_failure:
            self.counts["refused"] += 1
            return
        self.connected = True
        client.subscribe([(wire.INGEST_STATE, 1), (self.topic("ack"), 1), (self.topic("desired"), 1),
                          (self.topic("cmd/+"), 1)])
        client.publish(self.topic("status"), wire.dump(wire.Status(state="online", epoch=self.epoch,
                                                                   ts=_iso_now())), qos=1, retain=True)
        self.next_health = time.monotonic() + (self.rng.uniform(0, self.spec["health_s"]) if self.epoch == 1 else 0)

    def _on_subscribe(self, *_a: object) -> None:
        self.subscribed = True

    def _on_disconnect(self, _c: mqtt.Client, _u: object, _f: object, reason: mqtt.ReasonCode, _p: object) -> None:
        if self.loop.stopping:
            return
        self.counts["disconnects"] += 1
        self.connected = self.subscribed = self.ingest_online = False
        self.client = None
        for batch_id in [b for b, f in self.flights.items() if not f["pubacked"]]:
            self._free(batch_id)
        self.mids.clear()
        self.reconnect_at = time.monotonic() + self.rng.uniform(0.5, 2.0)

    def _on_message(self, _c: mqtt.Client, _u: object, msg: mqtt.MQTTMessage) -> None:
        if msg.topic == wire.INGEST_STATE:
            try:
                self.ingest_online = bool(msg.payload) and wire.parse(wire.IngestState, msg.payload).online
            except wire.ContractError:
                self.ingest_online = False
        elif msg.topic == self.topic("ack"):
            self._on_ack(wire.parse(wire.Ack, msg.payload))

    def _on_ack(self, ack: wire.Ack) -> None:
        members = self.history.get(ack.batch_id)
        if members is None:
            return
        if ack.batch_id not in self.flights:
            self.counts["late_acks"] += 1  # timed out already: its records may be on their way again
        self.flights.pop(ack.batch_id, None)
        now = time.monotonic()
        answers = [(r, "accepted") for r in ack.accepted] + [(r, "duplicate") for r in ack.duplicate]
        self.counts["duplicate_answers"] += len(ack.duplicate)
        self.counts["rejected"] += len(ack.rejected)
        for record_id, answer in answers:
            if record_id not in self.answered:
                self.answered[record_id] = answer
                self.ack_ms.append(1000 * (now - self.first_sent[record_id]))
            entry = self.outbox.pop(record_id, None)
            if entry is not None:
                self.last_acked_seq = max(self.last_acked_seq or 0, entry[0])

    def _on_publish(self, _c: mqtt.Client, _u: object, mid: int, reason: mqtt.ReasonCode, _p: object) -> None:
        batch_id = self.mids.pop(mid, None)
        flight = self.flights.get(batch_id) if batch_id else None
        if flight is None:
            return
        if reason.is_failure:
            self.counts["puback_failures"] += 1
            self._free(batch_id)
        else:
            flight["pubacked"], flight["deadline"] = True, time.monotonic() + self.spec["ack_timeout_s"]

    def _free(self, batch_id: str) -> None:
        """Its records may go again (they stay in the outbox; only the flight is dropped)."""
        self.flights.pop(batch_id, None)

    def tick(self, now: float, release_until: float) -> None:
        """Reconnect, release due records, expire flights, send a batch, report health, keep alive."""
        if self.client is None:
            if now >= self.reconnect_at:
                self.connect(now)
            return
        while self.made < len(self.pool) and self._due(self.made) <= release_until:
            record_id, seq, packet = self.pool[self.made]
            self.outbox[record_id] = (seq, packet)
            self.made += 1
        for batch_id, flight in list(self.flights.items()):
            if flight["pubacked"] and now > flight["deadline"]:
                self.counts["timeouts"] += 1
                self._free(batch_id)
        if self.connected and self.ingest_online:
            self._send(now)
        if self.connected and (now >= self.next_health or now >= self.next_check):
            self._health(now)
        self.client.loop_misc()

    def _due(self, index: int) -> float:
        """When the pool's record `index` is sealed (monotonic): the backlog at once, then one every record_s."""
        backlog = self.spec["backlog"]
        if index < backlog:
            return self.loop.started
        return self.loop.started + self.first_due_s + (index - backlog) * self.spec["record_s"]

    def _send(self, now: float) -> None:
        if len(self.flights) >= ACK_WINDOW or any(not f["pubacked"] for f in self.flights.values()):
            return
        busy = {r for f in self.flights.values() for r in f["records"]}
        chosen = [r for r in self.outbox if r not in busy][:BATCH_RECORDS]
        if not chosen:
            return
        batch_id = f"{self.id}-b{len(self.history) + 1}"
        payload = write_batch(batch_id, self.id, [(r, *self.outbox[r]) for r in chosen])
        props = Properties(PacketTypes.PUBLISH)
        props.ResponseTopic = self.topic("ack")
        props.CorrelationData = batch_id.encode()
        info = self.client.publish(self.topic("up/batch"), payload, qos=1, properties=props)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            return
        self.history[batch_id] = chosen
        self.mids[info.mid] = batch_id
        self.flights[batch_id] = {"records": chosen, "pubacked": False, "deadline": 0.0}
        self.counts["batches"] += 1
        for record_id in chosen:
            if record_id in self.first_sent:
                self.counts["resent"] += 1
            else:
                self.first_sent[record_id] = now

    def _health(self, now: float) -> None:
        waiting = [self.first_sent.get(r) for r in self.outbox]
        oldest = max((now - t for t in waiting if t is not None), default=None)
        counts = {"recorded": self.made, "sent": len(self.first_sent), "accepted": len(self.answered)}
        key = f"{len(self.outbox)}|{counts}|{self.last_acked_seq}"
        self.next_check = now + CHANGE_CHECK_S
        if key == self.health_key and now < self.next_health:
            return
        health = wire.Health(epoch=self.epoch, ts=_iso_now(), queue_depth=len(self.outbox),
                             oldest_pending_s=None if oldest is None else round(oldest, 1),
                             last_acked_seq=self.last_acked_seq, counts=counts,
                             devices=dict.fromkeys(wire.DEVICE_KINDS, True), disk_free_bytes=40 * 10**9,
                             disk_total_bytes=64 * 10**9, battery_percent=80.0, charging=True,
                             software_version="bench-fleet")
        self.client.publish(self.topic("health"), wire.dump(health), qos=1, retain=True)
        self.health_key, self.next_health = key, now + self.spec["health_s"]
        self.counts["health"] += 1

    def stop(self) -> None:
        """A clean stop: retained `offline`, then DISCONNECT (the Will is not sent)."""
        if self.client is not None and self.connected:
            self.client.publish(self.topic("status"), wire.dump(wire.Status(state="offline", epoch=self.epoch,
                                                                            ts=_iso_now())), qos=1, retain=True)
            self.client.disconnect()


def _iso_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
