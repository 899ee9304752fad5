"""HQ's connection to the broker: the broker URL (mqtt[s]://user[:password]@host:port) and MQTT 5 clients with
a persistent session, shared by the ingest workers and the command sender.

The password comes from the URL, else SINOPSIS_HQ_MQTT_PASSWORD, else a file given to `broker_from_url`.
mqtts:// turns TLS on with the system's CAs, or SINOPSIS_HQ_MQTT_CA when set (HQ's own CA on the office
broker); SINOPSIS_HQ_MQTT_CERT and SINOPSIS_HQ_MQTT_KEY name HQ ingest's TLS client certificate and its key
(`sinopsis provision hq-cert`), which the office broker requires: it then takes the certificate's common name
as the username (`use_identity_as_username`) and no password is needed.
"""

import os
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from contract.files import read_bounded_text
from hq.errors import HqError
from hq.mqtt_decode import install as install_decoder

SESSION_EXPIRY_S = 7 * 24 * 3600  # the broker keeps HQ's subscriptions and queued batches this long


@dataclass(frozen=True)
class Broker:
    """Where and as whom HQ connects."""

    host: str
    port: int
    username: str
    password: str
    tls: bool = False
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None

    def __str__(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.username}@{self.host}:{self.port}"


def broker_from_url(url: str, password_file: Path | None = None) -> Broker:
    """Parse a broker URL; HqError naming what is wrong."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
        raise HqError(f"broker URL {url.split('@')[-1]!r}: use mqtt://user@host:port or mqtts://…",
                      "hq.broker_url")
    try:
        port = parts.port or (8883 if parts.scheme == "mqtts" else 1883)
    except ValueError:
        raise HqError(f"broker URL {url.split('@')[-1]!r}: the port is not a number", "hq.broker_url") from None
    password = unquote(parts.password or "") or os.environ.get("SINOPSIS_HQ_MQTT_PASSWORD", "")
    if password_file is not None:
        password = read_bounded_text(password_file, "secret", error=HqError, what="broker password",
                                     code="hq.broker_password").strip()
    cert_file = os.environ.get("SINOPSIS_HQ_MQTT_CERT") or None
    key_file = os.environ.get("SINOPSIS_HQ_MQTT_KEY") or None
    if parts.scheme == "mqtts":
        if (cert_file is None) != (key_file is None):
            raise HqError("SINOPSIS_HQ_MQTT_CERT and SINOPSIS_HQ_MQTT_KEY go together: set both (HQ ingest's "
                          "certificate and its key) or neither", "hq.broker_cert")
        for name, path in (("SINOPSIS_HQ_MQTT_CA", os.environ.get("SINOPSIS_HQ_MQTT_CA")),
                           ("SINOPSIS_HQ_MQTT_CERT", cert_file), ("SINOPSIS_HQ_MQTT_KEY", key_file)):
            if path and not Path(path).is_file():
                raise HqError(f"{name}={path}: no such file; point it at the file `sinopsis provision hq-cert` "
                              "wrote", "hq.broker_cert")
    return Broker(parts.hostname, port, unquote(parts.username or "hq-ingest"), password,
                  tls=parts.scheme == "mqtts", ca_file=os.environ.get("SINOPSIS_HQ_MQTT_CA") or None,
                  cert_file=cert_file, key_file=key_file)


def new_client(broker: Broker, client_id: str, manual_ack: bool = False) -> mqtt.Client:
    """An MQTT 5 client for HQ (not yet connected); `manual_ack` lets the caller PUBACK after storing. Received
    PUBLISH packets are decoded without copying the payload per header field (hq/mqtt_decode.py)."""
    install_decoder()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5,
                         manual_ack=manual_ack)
    client.username_pw_set(broker.username, broker.password or None)
    if broker.tls:
        client.tls_set(ca_certs=broker.ca_file, certfile=broker.cert_file, keyfile=broker.key_file,
                       tls_version=ssl.PROTOCOL_TLS_CLIENT)
    return client


def session_properties(expiry_s: int = SESSION_EXPIRY_S) -> Properties:
    """CONNECT properties of a persistent session."""
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = expiry_s
    return props


def connect_briefly(broker: Broker, client_id: str, timeout_s: float = 10.0) -> mqtt.Client:
    """A connected, running client with a throw-away session (for one-off publishes such as a command)."""
    client = new_client(broker, client_id)
    connected = threading.Event()
    refused: list[str] = []

    def on_connect(_c: mqtt.Client, _u: object, _f: object, reason: mqtt.ReasonCode, _p: object) -> None:
        if reason.is_failure:
            refused.append(str(reason))
        connected.set()

    client.on_connect = on_connect
    try:
        client.connect(broker.host, broker.port, keepalive=30, clean_start=True)
    except OSError as e:
        raise HqError(f"broker {broker}: cannot connect: {e}", "hq.broker_unreachable") from None
    client.loop_start()
    if not connected.wait(timeout_s) or refused:
        client.loop_stop()
        raise HqError(f"broker {broker}: {refused[0] if refused else 'no answer'}", "hq.broker_refused")
    return client


def wait_published(info: mqtt.MQTTMessageInfo, timeout_s: float) -> bool:
    """Wait for a QoS 1 publish to be confirmed by the broker; False if not (disconnected, or no PUBACK in time)."""
    try:
        info.wait_for_publish(timeout_s)
    except (RuntimeError, ValueError):
        return False
    return info.is_published()
