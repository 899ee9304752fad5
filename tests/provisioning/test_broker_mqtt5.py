"""The MQTT 5 features the project relies on that a clustered broker must also give (docs/scaling.md), run
against the real mosquitto with the project's configuration: a Will delay (a kit whose link drops and comes back
within the delay is never reported lost; one that stays away is), a session's expiry (the broker forgets what it
kept), and the broker's packet size limit just above the contract's largest batch."""

import socket
import threading
import time

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from contract.wire import MAX_BATCH_BYTES, station_topic
from provisioning.broker import LocalBroker

STATION, STATION_PW, HQ, HQ_PW = "st-a", "pw-a", "hq-ingest", "pw-hq"


@pytest.fixture
def broker(tmp_path):
    with LocalBroker(tmp_path / "broker", {STATION: STATION_PW}, {HQ: HQ_PW}) as running:
        yield running


def _client(client_id: str, user: str, password: str) -> mqtt.Client:
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    c.username_pw_set(user, password)
    return c


def _connect(c: mqtt.Client, broker: LocalBroker, expiry_s: int, loop: bool = True) -> bool:
    """Connect (persistent session of `expiry_s`); True when the broker had kept a session for this client id."""
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = expiry_s
    present, done = [], threading.Event()
    c.on_connect = lambda _c, _u, flags, reason, _p: (present.append(flags.session_present), done.set())
    c.connect("127.0.0.1", broker.port, clean_start=False, properties=props)
    if loop:
        c.loop_start()
        assert done.wait(5), "no CONNACK"
    else:
        deadline = time.monotonic() + 5
        while not done.is_set():
            assert time.monotonic() < deadline, "no CONNACK"
            c.loop(0.05)
    return present[0]


def _observer(broker: LocalBroker, topic: str) -> tuple[mqtt.Client, list[bytes]]:
    """HQ's account subscribed to `topic`; the payloads it gets."""
    got: list[bytes] = []
    subscribed = threading.Event()
    c = _client("observer", HQ, HQ_PW)
    c.on_message = lambda _c, _u, msg: got.append(msg.payload) if msg.payload else None  # not the clearing
    c.on_subscribe = lambda *_a: subscribed.set()
    _connect(c, broker, 0)
    c.subscribe(topic, 1)
    assert subscribed.wait(5)
    return c, got


def _drop(c: mqtt.Client) -> None:
    """The link goes without a DISCONNECT (power, radio): the broker must use the Will."""
    sock = c.socket()
    sock.shutdown(socket.SHUT_RDWR)
    sock.close()


def _wait_for(check, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return False


def test_a_will_delay_spares_a_link_that_comes_back_and_reports_one_that_does_not(broker):
    status = station_topic(STATION, "status")
    observer, got = _observer(broker, status)
    will = Properties(PacketTypes.WILLMESSAGE)
    will.WillDelayInterval = 1
    try:
        kit = _client(STATION, STATION, STATION_PW)
        kit.will_set(status, b'{"state": "lost"}', qos=1, retain=True, properties=will)
        _connect(kit, broker, 60, loop=False)
        _drop(kit)
        back = _client(STATION, STATION, STATION_PW)
        back.will_set(status, b'{"state": "lost"}', qos=1, retain=True, properties=will)
        assert _connect(back, broker, 60, loop=False)  # within the delay: its session (and Will) are its own again
        assert not _wait_for(lambda: got, 1.5)  # the delay has passed: no Will, the kit never looked lost
        _drop(back)
        assert _wait_for(lambda: got == [b'{"state": "lost"}'], 10)  # it stays away: the Will after the delay
    finally:
        observer.disconnect()
        observer.loop_stop()


def test_a_session_past_its_expiry_is_forgotten_with_what_it_kept(broker):
    ack = station_topic(STATION, "ack")
    kit = _client(STATION, STATION, STATION_PW)
    subscribed = threading.Event()
    kit.on_subscribe = lambda *_a: subscribed.set()
    _connect(kit, broker, 1)
    kit.subscribe(ack, 1)
    assert subscribed.wait(5)
    kit.disconnect()
    kit.loop_stop()
    hq = _client("hq-sender", HQ, HQ_PW)
    _connect(hq, broker, 0)
    hq.publish(ack, b'{"batch_id": "b-1"}', qos=1).wait_for_publish(5)
    hq.disconnect()
    hq.loop_stop()
    time.sleep(2.2)  # past the 1 s expiry (the broker checks expiries about once a second)
    got: list[bytes] = []
    again = _client(STATION, STATION, STATION_PW)
    again.on_message = lambda _c, _u, msg: got.append(msg.payload)
    try:
        assert not _connect(again, broker, 60)  # no session: the subscription and the queued ack are gone
        assert not _wait_for(lambda: got, 0.5)
    finally:
        again.disconnect()
        again.loop_stop()


def test_a_packet_over_the_brokers_limit_is_refused_and_reaches_nobody(broker):
    batch = station_topic(STATION, "up/batch")
    observer, got = _observer(broker, batch)
    kit = _client("st-a-big", STATION, STATION_PW)
    gone = threading.Event()
    reasons: list[str] = []
    kit.on_disconnect = lambda _c, _u, _f, reason, _p: (reasons.append(str(reason)), gone.set())
    try:
        _connect(kit, broker, 0)
        kit.publish(batch, b"\0" * (MAX_BATCH_BYTES + 64 * 1024 + 1), qos=1)
        assert gone.wait(30), "the broker kept a client that sent a packet over its limit"
        kit.loop_stop()
        assert not _wait_for(lambda: got, 0.5) and reasons
    finally:
        for c in (kit, observer):
            c.disconnect()
            c.loop_stop()
