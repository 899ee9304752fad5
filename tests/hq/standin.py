"""A small station stand-in for HQ's tests: a paho MQTT 5 client publishing per the contract (batches with a
response topic and correlation data, status/health/…), collecting the Acks HQ sends back; and sealed packets
made with contract.packets.seal_record; a hand-made signed export (a USB stick's folder) of given packet bytes."""

import hashlib
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import paho.mqtt.client as mqtt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from contract.batch import write_batch
from contract.export import MANIFEST, PACKETS, ExportEntry, ExportManifest, sign_manifest
from contract.packets import seal_record
from contract.wire import INGEST_STATE, Ack, IngestState, parse, station_topic


def seal(key: Ed25519PrivateKey, hq_key: X25519PrivateKey, station_id: str, record_id: str, seq: int,
         content: bytes = b"photo") -> bytes:
    """A sealed record as a station makes it."""
    return seal_record(record_id=record_id, station_id=station_id, seq=seq, created_at="2026-11-25T03:04:05+00:00",
                       files={"record.json": b'{"seq": %d}' % seq, "face.png": content},
                       station_key=key, hq_public_key=hq_key.public_key())


def wait_for(check: Callable[[], object], timeout_s: float = 10.0, what: str = "condition") -> object:
    """Poll `check` until it returns something truthy (bounded; for effects of another thread or process)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


class StationStandIn:
    """One station's MQTT connection; `send_batch` publishes and waits for HQ's Ack of that batch."""

    def __init__(self, port: int, station_id: str, password: str, client_id: str | None = None,
                 will: bytes | None = None, on_ack: Callable[[Ack], None] | None = None) -> None:
        self.station_id, self.on_ack, self.vanished = station_id, on_ack, False
        self.acks: dict[bytes, Ack] = {}
        self.ingest_online: bool | None = None
        self.ingest_states: list[bool] = []  # every ingest state seen, in order
        self.received: list[mqtt.MQTTMessage] = []  # messages on topics given to `listen`
        self._changed = threading.Condition()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id or station_id,
                                  protocol=mqtt.MQTTv5)
        self.client.username_pw_set(station_id, password)
        if will is not None:
            self.client.will_set(station_topic(station_id, "status"), will, qos=1, retain=True)
        self.client.on_message = self._on_message
        connected, subscribed = threading.Event(), threading.Event()
        self.client.on_connect = lambda *_a: connected.set()
        self.client.on_subscribe = lambda *_a: subscribed.set()
        self.client.connect("127.0.0.1", port, keepalive=30)
        self.client.loop_start()
        assert connected.wait(10), f"{station_id} could not connect"
        self.client.subscribe([(station_topic(station_id, "ack"), 1), (INGEST_STATE, 1)])
        assert subscribed.wait(10)

    def _on_message(self, _c: mqtt.Client, _u: object, msg: mqtt.MQTTMessage) -> None:
        with self._changed:
            if msg.topic not in (INGEST_STATE, station_topic(self.station_id, "ack")):
                self.received.append(msg)
            elif msg.topic == INGEST_STATE:
                self.ingest_online = parse(IngestState, msg.payload).online
                self.ingest_states.append(self.ingest_online)
            else:
                ack = parse(Ack, msg.payload)
                if self.on_ack is not None:
                    self.on_ack(ack)
                self.acks[msg.properties.CorrelationData] = ack
            self._changed.notify_all()

    def listen(self, leaf: str) -> None:
        """Subscribe to one of this station's topics (e.g. `cmd/+`); messages land in `received`."""
        done = threading.Event()
        self.client.on_subscribe = lambda *_a: done.set()
        self.client.subscribe(station_topic(self.station_id, leaf), qos=1)
        assert done.wait(10)

    def wait_ingest_online(self, timeout_s: float = 10.0) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: self.ingest_online, timeout_s), "HQ ingest never said online"

    def publish_batch(self, batch_id: str, packets: list[tuple[str, int, bytes]] | None = None,
                      payload: bytes | None = None, topic_station: str | None = None) -> None:
        """Publish a batch (built from packets, or raw bytes) with response topic and correlation data."""
        props = Properties(PacketTypes.PUBLISH)
        props.ResponseTopic = station_topic(self.station_id, "ack")
        props.CorrelationData = batch_id.encode()
        body = payload if payload is not None else write_batch(batch_id, self.station_id, packets or [])
        info = self.client.publish(station_topic(topic_station or self.station_id, "up/batch"), body, qos=1,
                                   properties=props)
        info.wait_for_publish(20)

    def wait_ack(self, batch_id: str, timeout_s: float = 15.0) -> Ack:
        with self._changed:
            assert self._changed.wait_for(lambda: batch_id.encode() in self.acks, timeout_s), \
                f"no ack for batch {batch_id}"
            return self.acks[batch_id.encode()]

    def send_batch(self, batch_id: str, packets: list[tuple[str, int, bytes]]) -> Ack:
        self.publish_batch(batch_id, packets)
        return self.wait_ack(batch_id)

    def publish(self, leaf: str, payload: bytes, retain: bool = False) -> mqtt.ReasonCode | None:
        """Publish on one of this station's topics; returns after the broker's PUBACK."""
        info = self.client.publish(station_topic(self.station_id, leaf), payload, qos=1, retain=retain)
        info.wait_for_publish(20)
        return info.rc

    def vanish(self) -> None:
        """Drop the connection without DISCONNECT (a power cut): the broker publishes the Will."""
        self.client.loop_stop()
        self.client.socket().close()
        self.vanished = True

    def close(self) -> None:
        if not self.vanished:
            self.client.disconnect()  # before loop_stop: it wakes the network thread at once
        self.client.loop_stop()


def hand_made_export(root: Path, station_id: str, key: Ed25519PrivateKey,
                     packets: list[tuple[str, int, bytes]]) -> Path:
    """A new folder under `root` laid out as `sinopsis station export` writes it: each (record id, seq, bytes)
    as a packet file, and a manifest of them signed with `key` (which need not be the station's)."""
    usb = root / f"usb-{uuid.uuid4().hex[:12]}"
    (usb / PACKETS).mkdir(parents=True)
    entries = []
    for record_id, seq, data in packets:
        (usb / PACKETS / f"{record_id}.sinopkt").write_bytes(data)
        entries.append(ExportEntry(record_id=record_id, seq=seq, sha256=hashlib.sha256(data).hexdigest(),
                                   size=len(data), file=f"{record_id}.sinopkt"))
    manifest = ExportManifest(station_id=station_id, created_at="2026-11-25T10:00:00+00:00", records=entries)
    (usb / MANIFEST).write_bytes(sign_manifest(manifest, key))
    return usb
