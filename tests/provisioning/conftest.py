"""Provisioning fixtures: one real HQ CA per test module (EC P-256, made at test time, never committed), a real
TLS mosquitto on a random loopback port using it, and MQTT 5 clients with certificates."""

import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from paho.mqtt.enums import CallbackAPIVersion

from contract.keys import save_private_key
from provisioning.broker_tls import TlsBroker
from provisioning.pki import STATION, CertificateAuthority, new_key, save_cert, save_key
from station.config import StationConfig, load_config
from tests.hq.conftest import hq, hq_data

__all__ = ["hq", "hq_data"]  # HQ's Django on a temp SQLite (tests/hq/conftest.py)

WAIT_S = 10.0  # bounds a failure only


@dataclass(frozen=True)
class HqKeys:
    """HQ's assignment-signing and packet keys, in temp files named by the environment for the test."""

    assignment: Ed25519PrivateKey
    packet: X25519PrivateKey


@pytest.fixture
def hq_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> HqKeys:
    """HQ's keys in temp files (SINOPSIS_HQ_ASSIGNMENT_KEY / _PACKET_KEY), never in the session's data dir,
    which other suites expect to hold no packet key."""
    keys = HqKeys(Ed25519PrivateKey.generate(), X25519PrivateKey.generate())
    save_private_key(tmp_path / "hq-keys" / "assignment.pem", keys.assignment)
    save_private_key(tmp_path / "hq-keys" / "packet.pem", keys.packet)
    monkeypatch.setenv("SINOPSIS_HQ_ASSIGNMENT_KEY", str(tmp_path / "hq-keys" / "assignment.pem"))
    monkeypatch.setenv("SINOPSIS_HQ_PACKET_KEY", str(tmp_path / "hq-keys" / "packet.pem"))
    return keys


def blank_kit(folder: Path, station_id: str) -> StationConfig:
    """A kit as it comes from the image: a station.toml with its id and data dir, no keys yet."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "station.toml").write_text(f'[station]\nid = "{station_id}"\ndata_dir = "data"\n'
                                         "[broker]\ntls = true\nport = 8883\n")
    return load_config(folder / "station.toml")


@dataclass(frozen=True)
class ClientCert:
    """A client certificate and its key on disk."""

    cert: Path
    key: Path


def issue_client(ca: CertificateAuthority, name: str, folder: Path, kind: str = STATION, **kw: object) -> ClientCert:
    """A fresh key and a certificate for `name` from `ca`, written to `folder` (kw: days, now)."""
    key = new_key()
    paths = ClientCert(folder / f"{name}.pem", folder / f"{name}.key.pem")
    save_key(paths.key, key)
    save_cert(paths.cert, ca.issue(name, key.public_key(), kind, **kw))  # type: ignore[arg-type]
    return paths


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> CertificateAuthority:
    """HQ's CA, one per module (making keys is quick with P-256, but there is no need to repeat it)."""
    return CertificateAuthority.create(tmp_path_factory.mktemp("ca") / "ca")


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("certs")


@pytest.fixture(scope="module")
def tls_broker(ca: CertificateAuthority, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsBroker]:
    """A real mosquitto with the TLS configuration (certificates required, CRL, per-station ACL)."""
    with TlsBroker(tmp_path_factory.mktemp("broker") / "broker", ca) as running:
        yield running


class Client:
    """A paho MQTT 5 client over TLS; `connected` says whether the broker accepted it (CONNACK success)."""

    def __init__(self, broker: TlsBroker, ca_file: Path, cert: ClientCert | None, client_id: str) -> None:
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
        self.client.tls_set(ca_certs=str(ca_file), certfile=str(cert.cert) if cert else None,
                            keyfile=str(cert.key) if cert else None, cert_reqs=ssl.CERT_REQUIRED,
                            tls_version=ssl.PROTOCOL_TLS_CLIENT)
        self.client.reconnect_delay_set(0.1, 0.5)  # a refused client's loop retries; closing it waits less
        self.answered, self.accepted = threading.Event(), False
        self.messages: list[tuple[str, bytes]] = []
        self.lock = threading.Lock()
        self.subscribed = threading.Event()
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = lambda *_a: self.answered.set()
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *_a: self.subscribed.set()
        self.error: Exception | None = None
        try:
            self.client.connect("127.0.0.1", broker.port, keepalive=30)
        except (ssl.SSLError, OSError) as e:  # the handshake itself refused (TLS 1.2 style)
            self.error = e
            self.answered.set()
            return
        self.client.loop_start()
        self.answered.wait(WAIT_S)

    def _on_connect(self, _c: mqtt.Client, _u: object, _f: object, reason: mqtt.ReasonCode, _p: object) -> None:
        self.accepted = not reason.is_failure
        self.answered.set()

    def _on_message(self, _c: mqtt.Client, _u: object, msg: mqtt.MQTTMessage) -> None:
        with self.lock:
            self.messages.append((msg.topic, msg.payload))

    def subscribe(self, topic: str) -> None:
        self.subscribed.clear()
        self.client.subscribe(topic, qos=1)
        assert self.subscribed.wait(WAIT_S), f"no SUBACK for {topic}"

    def received(self) -> list[tuple[str, bytes]]:
        with self.lock:
            return list(self.messages)

    def close(self) -> None:
        self.client.disconnect()  # first, so the network loop ends at once instead of at its next wake-up
        self.client.loop_stop()


@pytest.fixture
def connect(tls_broker: TlsBroker, ca: CertificateAuthority) -> Iterator[object]:
    """connect(cert, client_id=None, ca_file=None) → Client (closed after the test)."""
    made: list[Client] = []

    def make(cert: ClientCert | None, client_id: str | None = None, ca_file: Path | None = None) -> Client:
        c = Client(tls_broker, ca_file or ca.cert_path, cert, client_id or f"c{len(made)}-{id(made)}")
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()
