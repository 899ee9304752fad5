"""Sealed packets: round trip, encryption, and any flipped, missing or extra byte fails verification."""

import base64
import io
import json
import os
import struct
import zipfile

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from station import packets
from station.errors import PacketError
from station.packets import open_packet, read_header, seal_record, verify_packet

STATION = Ed25519PrivateKey.generate()
HQ = X25519PrivateKey.generate()
IMAGE = b"\x89PNG\r\n\x1a\n" + os.urandom(4096)
FILES = {"record.json": b'{"nik": "1471011005090001"}', "face.png": IMAGE, "finger/right_thumb.pgm": b"P5 " * 50}


def seal(files=FILES, seq=7, key=STATION, hq=HQ) -> bytes:
    return seal_record(record_id="0190aaaa-0000-7000-8000-000000000001", station_id="st-pku-01", seq=seq,
                       created_at="2026-11-25T03:00:00.000+00:00", files=files, station_key=key,
                       hq_public_key=hq.public_key())


PACKET = seal()


def test_round_trip():
    header = verify_packet(PACKET, STATION.public_key())
    assert (header.station_id, header.seq) == ("st-pku-01", 7)
    assert open_packet(PACKET, STATION.public_key(), HQ) == FILES
    assert read_header(PACKET).record_id == header.record_id


def test_ciphertext_hides_the_payload():
    assert b"\x89PNG" not in PACKET and IMAGE[100:164] not in PACKET and b"1471011005090001" not in PACKET
    assert seal() != PACKET, "a fresh key and nonce every time"


@pytest.mark.parametrize("offset", sorted({0, 7, 8, 11, 12, 40, len(PACKET) - 1,
                                           *range(0, len(PACKET), len(PACKET) // 40)}))
def test_any_flipped_byte_fails(offset):
    damaged = bytearray(PACKET)
    damaged[offset] ^= 0x01
    with pytest.raises(PacketError):
        verify_packet(bytes(damaged), STATION.public_key())


@pytest.mark.parametrize("keep", [0, 5, 10, 30, 300, -500, -1])
def test_truncation_is_reported(keep):
    cut = PACKET[:keep] if keep >= 0 else PACKET[:len(PACKET) + keep]
    with pytest.raises(PacketError) as err:
        verify_packet(cut, STATION.public_key())
    if keep < 0:
        assert err.value.code == "packet.truncated" and "truncated" in str(err.value)


def test_trailing_bytes_fail():
    with pytest.raises(PacketError) as err:
        verify_packet(PACKET + b"x", STATION.public_key())
    assert err.value.code == "packet.trailing"


def test_wrong_station_key():
    with pytest.raises(PacketError) as err:
        verify_packet(PACKET, Ed25519PrivateKey.generate().public_key())
    assert err.value.code == "packet.signature" and "not sealed by this station" in str(err.value)


def test_wrong_hq_key():
    with pytest.raises(PacketError) as err:
        open_packet(PACKET, STATION.public_key(), X25519PrivateKey.generate())
    assert err.value.code == "packet.decrypt"


@pytest.mark.parametrize("name", ["../evil", "/etc/passwd", "a\\b", "", "a//b", "./x"])
def test_bad_names_are_refused_at_seal(name):
    with pytest.raises(ValueError, match="bad file name"):
        seal({name: b"x"})


def _forge(header_edit=None, payload_names=("../evil",)) -> bytes:
    """A packet validly signed by STATION whose content is hostile (what a stolen station key could make)."""
    good = seal()
    signed, header, _, _ = packets._split(good)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n in payload_names:
            z.writestr(n, b"x")
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key, nonce = AESGCM.generate_key(bit_length=256), os.urandom(12)
    ct = AESGCM(key).encrypt(nonce, buf.getvalue(), packets._aad(header["station_id"], header["record_id"],
                                                                 header["seq"]))
    eph = X25519PrivateKey.generate()
    raw = packets._raw(eph.public_key())
    wrapped = packets.aes_key_wrap(packets._kek(eph.exchange(HQ.public_key()), raw, packets._raw(HQ.public_key()),
                                                header["record_id"]), key)
    import hashlib

    header.update(ephemeral_public_key=base64.b64encode(raw).decode(), wrapped_key=base64.b64encode(wrapped).decode(),
                  nonce=base64.b64encode(nonce).decode(), ciphertext_sha256=hashlib.sha256(ct).hexdigest(),
                  ciphertext_len=len(ct))
    if header_edit:
        header_edit(header)
    body = json.dumps(header).encode()
    signed = packets.MAGIC + struct.pack(">I", len(body)) + body
    return signed + STATION.sign(signed) + ct


def test_zip_slip_is_refused_on_open():
    with pytest.raises(PacketError) as err:
        open_packet(_forge(), STATION.public_key(), HQ)
    assert err.value.code == "packet.payload"


def test_header_field_of_the_wrong_type():
    with pytest.raises(PacketError) as err:
        verify_packet(_forge(lambda h: h.update(seq="7")), STATION.public_key())
    assert err.value.code == "packet.header" and "'seq'" in str(err.value)


@settings(max_examples=200)
@given(st.binary(max_size=400) | st.builds(lambda i, b: PACKET[:i] + bytes([b]) + PACKET[i + 1:],
                                           st.integers(0, len(PACKET) - 1), st.integers(0, 255)))
def test_hostile_bytes_only_raise_packet_error(data):
    try:
        open_packet(data, STATION.public_key(), HQ)
    except PacketError:
        return
    assert data == PACKET, "only the untouched packet opens"
