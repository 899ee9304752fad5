"""HQ's PUBLISH decoder (hq/mqtt_decode.py) against paho's own: the same packet for every generated PUBLISH, the
same MalformedPacket for damaged ones, and in place in HQ's clients."""

import struct

import paho.mqtt._packet as paho_packet
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paho.mqtt.enums import MQTTProtocolVersion
from paho.mqtt.exception import MalformedPacket
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from hq.mqtt_decode import decode_publish, paho_decode_publish

V5, V311 = MQTTProtocolVersion.MQTTv5, MQTTProtocolVersion.MQTTv311


def _packet(topic: bytes, qos: int, mid: int, props: Properties | None, payload: bytes) -> bytes:
    head = struct.pack("!H", len(topic)) + topic + (struct.pack("!H", mid) if qos else b"")
    return head + (props.pack() if props is not None else b"") + payload


def _same(a: paho_packet.PublishPacket, b: paho_packet.PublishPacket) -> bool:
    return a._replace(properties=None) == b._replace(properties=None) and str(a.properties) == str(b.properties)


def _agree(header: int, packet: bytes | bytearray, protocol: MQTTProtocolVersion) -> None:
    """Ours decodes `packet` as paho's does, or refuses it as paho's does."""
    try:
        expected = paho_decode_publish(header, packet, protocol)
    except MalformedPacket:
        with pytest.raises(MalformedPacket):
            decode_publish(header, packet, protocol)
        return
    assert _same(decode_publish(header, packet, protocol), expected)


@settings(max_examples=150, deadline=None)
@given(topic=st.binary(max_size=40), qos=st.integers(0, 2), mid=st.integers(0, 65535), flags=st.integers(0, 15),
       response=st.none() | st.text(max_size=30), correlation=st.none() | st.binary(max_size=40),
       expiry=st.none() | st.integers(0, 2**32 - 1), payload=st.binary(max_size=300), v5=st.booleans())
def test_every_generated_publish_decodes_as_paho_decodes_it(topic, qos, mid, flags, response, correlation, expiry,
                                                            payload, v5):
    props = None
    if v5:
        props = Properties(PacketTypes.PUBLISH)
        if response is not None:
            props.ResponseTopic = response
        if correlation is not None:
            props.CorrelationData = correlation
        if expiry is not None:
            props.MessageExpiryInterval = expiry
    header = 0x30 | (flags & 0x09) | (qos << 1)
    data = _packet(topic, qos, mid, props, payload)
    protocol = V5 if v5 else V311
    for packet in (data, bytearray(data)):  # paho hands over a bytearray
        _agree(header, packet, protocol)


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=80), qos=st.integers(0, 2), v5=st.booleans())
def test_damaged_packets_are_refused_as_paho_refuses_them(data, qos, v5):
    _agree(0x30 | (qos << 1), data, V5 if v5 else V311)


def test_hq_clients_use_it_and_a_large_batch_comes_through_whole():
    from hq.mqtt import Broker, new_client

    new_client(Broker("127.0.0.1", 1883, "hq-ingest", ""), "hq-test")
    assert paho_packet.decode_publish is decode_publish
    props = Properties(PacketTypes.PUBLISH)
    props.ResponseTopic, props.CorrelationData = "sinopsis/v1/st/st-a/ack", b"b-1"
    payload = bytes(range(256)) * 40_000  # 10 MB
    got = decode_publish(0x32, bytearray(_packet(b"sinopsis/v1/st/st-a/up/batch", 1, 7, props, payload)), V5)
    assert got.payload == payload and got.mid == 7 and got.properties.CorrelationData == b"b-1"
