"""The agent's MQTT connection (DESIGN.md §7): one paho-mqtt 2.x client per connection attempt, MQTT 5, a
persistent session (clean_start=False, long session expiry), client id and username = station id, the password
from the station's key file (or TLS client certificates in the field), and the retained Will `lost` carrying
this connection's epoch with a will delay.

A fresh client per attempt keeps each connection's Will and epoch together, and drops paho's own queue of
unsent messages with the connection: the agent decides what to resend (the outbox), never a stale `online`.
Failed attempts wait a jittered exponential backoff so a fleet that lost its broker does not reconnect in step.
"""

import contextlib
import random
import ssl
from importlib.metadata import version
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from contract import wire
from contract.errors import KeyFileError
from contract.files import FileReadError, read_bounded, read_bounded_text
from station.config import StationConfig
from station.store import StationStore

EPOCH_COUNTER = "agent_epoch"
CONNECT_TIMEOUT_S = 10.0
VIEW_FROM = 64 * 1024  # packets this big are queued as a view (see BatchClient)
PAHO_WRITTEN_FOR = "2.2.0"


class BatchClient(mqtt.Client):
    """paho's client, except that a large outgoing packet is queued as a memoryview. paho 2.2.0 sends
    `packet[pos:]` after each partial send, which for bytes copies everything not yet sent: a 16 MB batch went out
    in tens of sends and was copied about as many times over (≈ 1 ms of the agent's CPU per 1.4 MB record in
    `sinopsis bench`'s link row). A view's slice copies nothing. `_packet_queue` is paho's private method:
    `make_client` uses this class only with the paho it was written against."""

    def _packet_queue(self, command: int, packet: bytes | bytearray, mid: int, qos: int,
                      info: mqtt.MQTTMessageInfo | None = None) -> mqtt.MQTTErrorCode:
        if len(packet) >= VIEW_FROM:
            packet = memoryview(packet)  # type: ignore[assignment]  # paho only slices it, sends it, takes len
        return super()._packet_queue(command, packet, mid, qos, info)


def client_class() -> type[mqtt.Client]:
    """BatchClient with the paho it was written for, else paho's own Client."""
    return BatchClient if version("paho-mqtt") == PAHO_WRITTEN_FOR else mqtt.Client


def next_epoch(store: StationStore) -> int:
    """A new connection epoch, persisted before it is used (so it never repeats, even after a crash)."""
    with store.write():
        return store.next_counter(EPOCH_COUNTER)


def read_password(path: Path) -> str:
    """The station's MQTT password: the first line of its key file."""
    return read_bounded_text(path, "secret", error=KeyFileError, what="station's MQTT password",
                             code="keys.broker_password").strip()


def status_payload(state: str, epoch: int, ts: str | None = None) -> bytes:
    """A contract Status message as bytes."""
    return wire.dump(wire.Status(state=state, epoch=epoch, ts=ts))


def make_client(config: StationConfig, epoch: int) -> mqtt.Client:
    """A configured, not yet connected client whose Will is `lost` for `epoch` (retained, with the will delay).
    Raises KeyFileError when a key, password or certificate file it needs cannot be read."""
    station_id = config.station.id
    client = client_class()(CallbackAPIVersion.VERSION2, client_id=station_id, protocol=mqtt.MQTTv5)
    client.suppress_exceptions = True  # a bug in a handler is logged by the agent, never kills the loop
    will = Properties(PacketTypes.WILLMESSAGE)
    will.WillDelayInterval = config.broker.will_delay_s
    client.will_set(wire.station_topic(station_id, "status"), status_payload("lost", epoch), qos=1,
                    retain=True, properties=will)
    password_file = config.key_path("broker_password")
    if config.broker.tls:
        paths = {name: config.key_path(name) for name in ("broker_ca", "broker_cert", "broker_key")}
        for name, path in paths.items():
            if not path.is_file():
                raise KeyFileError(f"{path}: {name} not found (broker.tls is true)", f"keys.{name}")
        client.tls_set(ca_certs=str(paths["broker_ca"]), certfile=str(paths["broker_cert"]),
                       keyfile=str(paths["broker_key"]), cert_reqs=ssl.CERT_REQUIRED,
                       tls_version=ssl.PROTOCOL_TLS_CLIENT)
        password = read_password(password_file) if password_file.is_file() else None
    else:
        password = read_password(password_file)
    client.username_pw_set(station_id, password)
    return client


def connect_properties(config: StationConfig) -> Properties:
    """CONNECT properties: the session outlives a disconnect by `broker.session_expiry_s`."""
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = config.broker.session_expiry_s
    return props


def certificate_expiry(config: StationConfig) -> str | None:
    """When the station's TLS client certificate expires (ISO UTC), or None without TLS or a readable cert."""
    if not config.broker.tls:
        return None
    from cryptography import x509

    try:
        cert = x509.load_pem_x509_certificate(read_bounded(config.key_path("broker_cert"), "key"))
    except (FileReadError, ValueError):
        return None
    return cert.not_valid_after_utc.isoformat()


class Backoff:
    """Jittered exponential backoff ("equal jitter"): each failure doubles the ceiling up to `maximum`, and the
    wait is drawn uniformly between half the ceiling and the ceiling; `reset` after a good connection."""

    def __init__(self, minimum: float, maximum: float, rng: random.Random | None = None) -> None:
        self.minimum, self.maximum = minimum, max(minimum, maximum)
        self.failures = 0
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not a secret

    def next(self) -> float:
        ceiling = min(self.maximum, self.minimum * 2 ** self.failures)
        self.failures += 1
        return self._rng.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        self.failures = 0


def dispose(client: mqtt.Client) -> None:
    """Close a finished client's socket and its wake-up socket pair now (paho would only on garbage
    collection), so reconnecting for days never leaks file descriptors. Call it outside the client's loop.

    paho 2.x has no public close: its public `reinitialise` closes both (what its __del__ does) and leaves a
    blank client without callbacks, which is then dropped."""
    with contextlib.suppress(OSError):
        client.reinitialise()
