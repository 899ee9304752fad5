"""The local mosquitto: starts on a random port, passwords required, and the ACL keeps each station to its
own topics (a station publishing to another station's topics is denied)."""

import threading

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from provisioning.broker import LocalBroker

STATIONS = {"st-a": "pw-a", "st-b": "pw-b"}


@pytest.fixture
def broker(tmp_path):
    with LocalBroker(tmp_path / "broker", STATIONS, {"hq-ingest": "pw-hq"}) as running:
        yield running


def client(broker, user, password):
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"test-{user}", protocol=mqtt.MQTTv5)
    c.username_pw_set(user, password)
    connected = threading.Event()
    c.on_connect = lambda _c, _u, _f, reason, _p: connected.set() if not reason.is_failure else None
    c.connect("127.0.0.1", broker.port)
    c.loop_start()
    assert connected.wait(5), f"{user} could not connect"
    return c


def test_a_wrong_password_is_refused(broker):
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="intruder", protocol=mqtt.MQTTv5)
    c.username_pw_set("st-a", "guess")
    result = []
    done = threading.Event()
    c.on_connect = lambda _c, _u, _f, reason, _p: (result.append(reason), done.set())
    c.connect("127.0.0.1", broker.port)
    c.loop_start()
    assert done.wait(5) and result[0].is_failure
    c.loop_stop()


def test_a_station_reaches_only_its_own_topics(broker):
    hq = client(broker, "hq-ingest", "pw-hq")
    seen = []
    got = threading.Event()
    hq.on_message = lambda _c, _u, m: (seen.append(m.topic), got.set())
    subscribed = threading.Event()
    hq.on_subscribe = lambda *_a: subscribed.set()
    hq.subscribe("sinopsis/v1/st/+/health", qos=1)
    assert subscribed.wait(5)
    a = client(broker, "st-a", "pw-a")
    acks = []
    a.on_publish = lambda _c, _u, mid, reason, _p: acks.append(reason)
    a.publish("sinopsis/v1/st/st-b/health", b"{}", qos=1).wait_for_publish(5)  # someone else's topic
    a.publish("sinopsis/v1/st/st-a/health", b"{}", qos=1).wait_for_publish(5)
    assert got.wait(5)
    assert seen == ["sinopsis/v1/st/st-a/health"]
    assert acks[0].is_failure and not acks[1].is_failure  # MQTT 5: the denied publish gets a failure PUBACK
    for c in (a, hq):
        c.loop_stop()
        c.disconnect()
