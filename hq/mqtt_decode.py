"""A PUBLISH decoder for HQ's MQTT clients that does not copy the payload once per header field.

paho-mqtt 2.2.0 (`paho.mqtt._packet.decode_publish`) takes the packet apart with `struct.unpack` and slices, each
of which copies everything after the field it reads: the topic, the packet id, the properties' length, then for each
property its identifier and its value. A station's batch (up to 16 MB, with a response topic and correlation data)
is copied about a dozen times: 42 ms of HQ's network thread per 15 MB batch, holding Python's lock, against 18 ms for
the same bytes without properties (measured in this repository: docs/architecture.md, the link rows). This decoder
reads every header field through a memoryview and copies the payload once; the properties are parsed by paho's own
`Properties.unpack` from a copy of their few bytes. Same result, same errors (`MalformedPacket`), tested against
paho's decoder on generated and malformed packets (tests/hq/test_mqtt_decode.py).

`install()` puts it in place of paho's for this process only when paho is the version it was written against
(pinned in pyproject.toml); any other version keeps paho's own decoder, with a warning. HQ's processes call it when
they make a client (hq/mqtt.py `new_client`).
"""

import logging
import struct
from importlib.metadata import version

import paho.mqtt._packet as paho_packet
from paho.mqtt.enums import MQTTProtocolVersion
from paho.mqtt.exception import MalformedPacket
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties, VariableByteIntegers

logger = logging.getLogger(__name__)
WRITTEN_FOR = "2.2.0"
_paho_decode_publish = paho_packet.decode_publish


@paho_packet.convert_exception
def decode_publish(header: int, packet: bytes | bytearray,
                   protocol: MQTTProtocolVersion) -> paho_packet.PublishPacket:
    """paho's `decode_publish`, reading the header through a view: the payload is copied once."""
    with memoryview(packet) as view:
        (length,) = struct.unpack_from("!H", view, 0)
        if 2 + length > len(view):
            raise MalformedPacket(f"topic length {length} is longer than the packet")
        topic, at = bytes(view[2:2 + length]), 2 + length
        if protocol != MQTTProtocolVersion.MQTTv5 and not topic:
            raise MalformedPacket("topic can't be empty in MQTTv3")
        qos = (header & 0x06) >> 1
        mid = 0
        if qos > 0:
            (mid,) = struct.unpack_from("!H", view, at)
            at += 2
        properties = None
        if protocol == MQTTProtocolVersion.MQTTv5:
            properties = Properties(PacketTypes.PUBLISH)
            size, size_bytes = VariableByteIntegers.decode(bytes(view[at:at + 4]))
            _props, used = properties.unpack(bytes(view[at:at + size_bytes + size]))
            at += used
        payload = bytes(view[at:])
    return paho_packet.PublishPacket(dup=(header & 0x08) != 0, qos=qos, retain=(header & 0x01) != 0, topic=topic,
                                     mid=mid, properties=properties, payload=payload)


def install() -> bool:
    """Use `decode_publish` in this process when paho is the version it was written for; True when in place."""
    if paho_packet.decode_publish is decode_publish:
        return True
    if version("paho-mqtt") != WRITTEN_FOR:
        logger.warning("paho-mqtt %s, not %s: its own PUBLISH decoder stays (it copies large payloads several "
                       "times)", version("paho-mqtt"), WRITTEN_FOR)
        return False
    paho_packet.decode_publish = decode_publish
    return True


def paho_decode_publish(header: int, packet: bytes | bytearray,
                        protocol: MQTTProtocolVersion) -> paho_packet.PublishPacket:
    """paho's own decoder, as it was before `install` (the tests' reference)."""
    return _paho_decode_publish(header, packet, protocol)
