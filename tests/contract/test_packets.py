"""Sealed packets: round trip, encryption, and any flipped, missing or extra byte fails verification.

`forge` below is a second, independent sealer written from the format description (DESIGN.md §6 and the
packets module docstring), so these tests also pin the format HQ will implement, not just our own code.
"""

import base64
import contextlib
import hashlib
import io
import json
import os
import struct
import zipfile

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap, aes_key_wrap
from hypothesis import given, settings
from hypothesis import strategies as st

from contract.errors import PacketError
from contract.packets import (
    FORMAT,
    PacketHeader,
    open_packet,
    packet_file_name,
    read_header,
    seal_record,
    verify_packet,
)

STATION = Ed25519PrivateKey.generate()
HQ = X25519PrivateKey.generate()
CHUNK = os.urandom(1024)  # stands for image data nobody could guess
IMAGE = b"\x89PNG\r\n\x1a\n" + CHUNK + os.urandom(3072)
FILES = {"record.json": b'{"nik": "1471011005090001"}', "face.png": IMAGE, "finger/right_thumb.pgm": b"P5 " * 50,
         "signature.json": b"{}"}
RECORD_ID, STATION_ID, CREATED = "0190aaaa-0000-7000-8000-000000000001", "st-pku-01", "2026-11-25T03:00:00.000+00:00"


def seal(files=FILES, seq=7, key=STATION, hq=HQ, **kw) -> bytes:
    args = {"record_id": RECORD_ID, "station_id": STATION_ID, "seq": seq, "created_at": CREATED} | kw
    return seal_record(**args, files=files, station_key=key, hq_public_key=hq.public_key())


PACKET = seal()
HEADER_LEN = struct.unpack(">I", PACKET[8:12])[0]
SIG_AT = 12 + HEADER_LEN  # where the signature starts; the ciphertext starts 64 bytes later


def _raw(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _kek(shared: bytes, eph: bytes, hq: bytes, record_id: str) -> bytes:
    return HKDF(hashes.SHA256(), 32, eph + hq, b"sinopsis-packet/1 key wrap " + record_id.encode()).derive(shared)


def zip_of(entries, compression=zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in entries:
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data, compress_type=compression)
    return buf.getvalue()


def forge(payload: bytes | None = None, edit=None, body: bytes | None = None, aad_station: str = STATION_ID,
          eph: X25519PrivateKey | None = None) -> bytes:
    """A packet validly signed by STATION with chosen content (what a stolen station key could make)."""
    payload = zip_of(FILES.items()) if payload is None else payload
    key, nonce = os.urandom(32), os.urandom(12)
    ct = AESGCM(key).encrypt(nonce, payload, f"{aad_station}|{RECORD_ID}|7".encode())
    eph = eph or X25519PrivateKey.generate()
    eph_raw = _raw(eph.public_key())
    wrapped = aes_key_wrap(_kek(eph.exchange(HQ.public_key()), eph_raw, _raw(HQ.public_key()), RECORD_ID), key)
    header = {"format": FORMAT, "record_id": RECORD_ID, "station_id": STATION_ID, "seq": 7, "created_at": CREATED,
              "alg": {"sig": "Ed25519", "enc": "A256GCM", "wrap": "X25519-HKDF-SHA256-A256KW"},
              "ephemeral_public_key": base64.b64encode(eph_raw).decode(),
              "wrapped_key": base64.b64encode(wrapped).decode(), "nonce": base64.b64encode(nonce).decode(),
              "ciphertext_sha256": hashlib.sha256(ct).hexdigest(), "ciphertext_len": len(ct)}
    if edit:
        edit(header)
    body = json.dumps(header).encode() if body is None else body
    signed = b"SINOPKT1" + struct.pack(">I", len(body)) + body
    return signed + STATION.sign(signed) + ct


def payload_of(packet: bytes) -> bytes:
    """Decrypt a packet's zip by the format description, without the module under test."""
    header = json.loads(packet[12:SIG_AT])
    eph = base64.b64decode(header["ephemeral_public_key"])
    kek = _kek(HQ.exchange(X25519PublicKey.from_public_bytes(eph)), eph, _raw(HQ.public_key()), RECORD_ID)
    key = aes_key_unwrap(kek, base64.b64decode(header["wrapped_key"]))
    return AESGCM(key).decrypt(base64.b64decode(header["nonce"]), packet[SIG_AT + 64:],
                               f"{STATION_ID}|{RECORD_ID}|7".encode())


def test_round_trip():
    header = verify_packet(PACKET, STATION.public_key())
    assert isinstance(header, PacketHeader)
    assert (header.record_id, header.station_id, header.seq, header.created_at) == (RECORD_ID, STATION_ID, 7,
                                                                                   CREATED)
    assert open_packet(PACKET, STATION.public_key(), HQ) == FILES
    assert read_header(PACKET) == header
    assert open_packet(seal({}), STATION.public_key(), HQ) == {}
    assert packet_file_name(RECORD_ID) == f"{RECORD_ID}.sinopkt"


def test_layout_matches_the_description():
    assert PACKET[:8] == b"SINOPKT1"
    header_bytes = PACKET[12:SIG_AT]
    header = json.loads(header_bytes)
    assert header_bytes == json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    STATION.public_key().verify(PACKET[SIG_AT:SIG_AT + 64], PACKET[:SIG_AT])
    ciphertext = PACKET[SIG_AT + 64:]
    assert header["ciphertext_len"] == len(ciphertext)
    assert header["ciphertext_sha256"] == hashlib.sha256(ciphertext).hexdigest()
    assert header["alg"] == {"sig": "Ed25519", "enc": "A256GCM", "wrap": "X25519-HKDF-SHA256-A256KW"}
    assert read_header(PACKET).raw == header


def test_payload_zip_is_deterministic_and_readable_by_the_description():
    shuffled = dict(reversed(list(FILES.items())))
    assert payload_of(PACKET) == payload_of(seal(shuffled)), "same files, same zip, whatever the dict order"
    with zipfile.ZipFile(io.BytesIO(payload_of(PACKET))) as z:
        assert {i.filename: z.read(i) for i in z.infolist()} == FILES
        assert {(i.compress_type, i.date_time) for i in z.infolist()} == {(zipfile.ZIP_STORED, (1980, 1, 1, 0, 0, 0))}


def test_ciphertext_hides_the_payload():
    assert b"\x89PNG" not in PACKET and b"1471011005090001" not in PACKET and b"right_thumb" not in PACKET
    assert not any(CHUNK[i:i + 16] in PACKET for i in range(0, len(CHUNK), 16))
    first, second = read_header(PACKET).raw, read_header(seal()).raw
    for field in ("ephemeral_public_key", "wrapped_key", "nonce", "ciphertext_sha256"):
        assert first[field] != second[field], f"{field} must be fresh for every packet"


def test_an_independently_forged_packet_opens():
    assert open_packet(forge(), STATION.public_key(), HQ) == FILES


_REGIONS = {0, 7, 8, 11, 12, 12 + HEADER_LEN // 2, SIG_AT - 1, SIG_AT, SIG_AT + 32, SIG_AT + 63, SIG_AT + 64,
            (SIG_AT + 64 + len(PACKET)) // 2, len(PACKET) - 1}


@pytest.mark.parametrize("offset", sorted(_REGIONS | set(range(0, len(PACKET), len(PACKET) // 40))))
def test_any_flipped_byte_fails(offset):
    damaged = bytearray(PACKET)
    damaged[offset] ^= 0x01
    with pytest.raises(PacketError) as err:
        verify_packet(bytes(damaged), STATION.public_key())
    expected = {"packet.magic"} if offset < 8 else {"packet.signature", "packet.header", "packet.truncated"}
    assert err.value.code in (expected if offset < SIG_AT + 64 else {"packet.ciphertext_hash"})
    with pytest.raises(PacketError):
        open_packet(bytes(damaged), STATION.public_key(), HQ)


@pytest.mark.parametrize("keep", [0, 5, 10, 12 + HEADER_LEN // 2, SIG_AT + 32, (SIG_AT + 64 + len(PACKET)) // 2,
                                  len(PACKET) - 1])
def test_truncation_is_reported_as_truncation(keep):
    for check in (read_header, lambda d: verify_packet(d, STATION.public_key())):
        with pytest.raises(PacketError) as err:
            check(PACKET[:keep])
        assert err.value.code == "packet.truncated" and "packet is truncated" in str(err.value)
    if keep > SIG_AT + 64:
        assert f"file has {keep - SIG_AT - 64}" in str(err.value)


@pytest.mark.parametrize("extra", [b"x", b"\x00" * 100])
def test_trailing_bytes_fail(extra):
    with pytest.raises(PacketError) as err:
        verify_packet(PACKET + extra, STATION.public_key())
    assert err.value.code == "packet.trailing" and "longer than signed" in str(err.value)


def test_wrong_station_key():
    with pytest.raises(PacketError) as err:
        open_packet(PACKET, Ed25519PrivateKey.generate().public_key(), HQ)
    assert err.value.code == "packet.signature"
    assert "does not verify against the given station key" in str(err.value)


def test_wrong_hq_key():
    with pytest.raises(PacketError) as err:
        open_packet(PACKET, STATION.public_key(), X25519PrivateKey.generate())
    assert err.value.code == "packet.decrypt" and "another HQ key" in str(err.value)


@pytest.mark.parametrize("names", [["../evil"], ["a/../b"], ["/etc/passwd"], ["a\\b"], [""], ["a//b"], ["./x"],
                                   ["dir/"], ["x\x00y"], ["finger", "finger/a"]])
def test_bad_names_are_refused_at_seal(names):
    with pytest.raises(ValueError, match="bad file name"):
        seal(dict.fromkeys(names, b"x"))


@pytest.mark.parametrize("change", [{"seq": 0}, {"seq": True}, {"record_id": "../x"}, {"station_id": "a|b"},
                                    {"created_at": "2026-11-25T10:00:00+07:00"}, {"created_at": "yesterday"}])
def test_bad_fields_are_refused_at_seal(change):
    with pytest.raises(ValueError):
        seal(**change)


def test_content_must_be_bytes():
    with pytest.raises(TypeError):
        seal({"record.json": "text"})


@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize("entries", [[("../evil", b"x")], [("/abs", b"x")], [("a\\b", b"x")],
                                     [("a", b"x"), ("a", b"y")], [("d", b"x"), ("d/x", b"y")]])
def test_hostile_names_are_refused_on_open(entries):
    with pytest.raises(PacketError) as err:
        open_packet(forge(zip_of(entries)), STATION.public_key(), HQ)
    assert err.value.code == "packet.payload" and "forbidden file name" in str(err.value)


@pytest.mark.parametrize("payload", [zip_of([("a", b"x" * 10_000)], zipfile.ZIP_DEFLATED), b"not a zip", b""])
def test_unusual_payloads_are_refused_on_open(payload):
    with pytest.raises(PacketError) as err:
        open_packet(forge(payload), STATION.public_key(), HQ)
    assert err.value.code == "packet.payload"


def _set(**values):
    return lambda h: h.update(values)


@pytest.mark.parametrize("edit", [
    _set(seq="7"), _set(seq=True), _set(seq=7.0), _set(seq=0), _set(ciphertext_len="99"), _set(record_id=5),
    _set(record_id="../../etc/x"), _set(alg="Ed25519"), _set(alg={"sig": "none"}), _set(created_at="noon"),
    _set(nonce="AAAA"), _set(ephemeral_public_key="not base64!"), _set(wrapped_key=None),
    _set(ciphertext_sha256="ABC"), _set(extra=1), lambda h: h.pop("nonce"),
])
def test_signed_header_with_bad_fields(edit):
    data = forge(edit=edit)
    for check in (read_header, lambda d: verify_packet(d, STATION.public_key())):
        with pytest.raises(PacketError) as err:
            check(data)
        assert err.value.code == "packet.header"


@pytest.mark.parametrize("body", [b'{"seq":' + b"9" * 5000 + b"}", b"[" * 60_000, b'{"seq":1,"seq":2}',
                                  b"\xff\xfe{}", b'"just a string"', b"{"])
def test_signed_header_that_is_not_a_usable_object(body):
    with pytest.raises(PacketError) as err:
        verify_packet(forge(body=body), STATION.public_key())
    assert err.value.code == "packet.header"


def test_unknown_format_version():
    with pytest.raises(PacketError) as err:
        verify_packet(forge(edit=_set(format="sinopsis-packet/2")), STATION.public_key())
    assert err.value.code == "packet.format"


def test_aad_binds_the_payload_to_its_header():
    with pytest.raises(PacketError) as err:
        open_packet(forge(aad_station="st-other-01"), STATION.public_key(), HQ)
    assert err.value.code == "packet.decrypt"


def test_low_order_ephemeral_key():
    zero = base64.b64encode(bytes(32)).decode()
    with pytest.raises(PacketError) as err:
        open_packet(forge(edit=_set(ephemeral_public_key=zero)), STATION.public_key(), HQ)
    assert err.value.code == "packet.decrypt"


def _attempt(data: bytes) -> None:
    for check in (read_header, lambda d: verify_packet(d, STATION.public_key()),
                  lambda d: open_packet(d, STATION.public_key(), HQ)):
        try:
            check(data)
        except PacketError:
            assert data != PACKET
            continue
        assert check is read_header or data == PACKET, "only the untouched packet verifies"


_index = st.integers(0, len(PACKET) - 1)
_mutations = st.builds(lambda i, b: PACKET[:i] + bytes([b]) + PACKET[i + 1:], _index, st.integers(0, 255))
_cuts = st.builds(lambda i, j: PACKET[:i] + PACKET[j:], _index, _index)  # a missing or repeated stretch
_after_magic = st.builds(lambda n, rest: b"SINOPKT1" + struct.pack(">I", n) + rest, st.integers(0, 2 ** 32 - 1),
                         st.binary(max_size=600))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400) | _mutations | _cuts | _after_magic)
def test_hostile_bytes_only_raise_packet_error(data):
    _attempt(data)


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                 max_size=3), max_leaves=8)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(json.loads(PACKET[12:SIG_AT]))), _json)
def test_any_signed_header_value_only_raises_packet_error(field, value):
    with contextlib.suppress(PacketError):
        open_packet(forge(edit=_set(**{field: value})), STATION.public_key(), HQ)


def test_the_assignment_id_is_signed_in_the_header_and_checked():
    """Issue 21: the assignment in force travels in the signed header (HQ reads it without its packet key);
    a packet without it (sealed before) still verifies; a malformed one is a damaged header."""
    packet = seal_record(record_id=RECORD_ID, station_id=STATION_ID, seq=7, created_at=CREATED, files=FILES,
                         station_key=STATION, hq_public_key=HQ.public_key(), assignment_id="ASG-2026-001-st-a-v2")
    assert verify_packet(packet, STATION.public_key()).assignment_id == "ASG-2026-001-st-a-v2"
    assert read_header(PACKET).assignment_id is None and "assignment_id" not in read_header(PACKET).raw
    assert open_packet(forge(edit=lambda h: h.update(assignment_id="A-1")), STATION.public_key(), HQ) == FILES
    for bad in (7, "../x", ""):
        with pytest.raises(PacketError) as raised:
            verify_packet(forge(edit=lambda h, bad=bad: h.update(assignment_id=bad)), STATION.public_key())
        assert raised.value.code == "packet.header" and "assignment_id" in str(raised.value)
    with pytest.raises(ValueError, match="assignment id"):
        seal_record(record_id=RECORD_ID, station_id=STATION_ID, seq=7, created_at=CREATED, files=FILES,
                    station_key=STATION, hq_public_key=HQ.public_key(), assignment_id="a|b")
