"""Sealed packets (contract/packets.py `read_header`, `verify_packet`, `open_packet`), extending
tests/contract/test_packets.py (which fuzzes single flipped bytes, cuts and signed header values): real packets
with one to three edits of any kind (flip, insert, delete, repeat, truncate) anywhere, appended bytes, and
packets validly signed by the station key (the forger of test_packets.py: what a stolen key could make) whose
payload zip is itself damaged, or whose signed header is random JSON. Every refusal is a PacketError with one of
the module's codes and a message; the untouched packet is the only one that verifies; a forged payload either
opens to plain, safe relative names or is refused as packet.payload."""

import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract.errors import PacketError
from contract.packets import open_packet, read_header, verify_packet
from tests.contract.test_packets import FILES, HQ, PACKET, STATION, forge, zip_of
from tests.fuzz.profiles import fuzz
from tests.fuzz.strategies import dumps, json_values, mutated, zip_directory_mutated

CODES = {"packet.truncated", "packet.magic", "packet.header", "packet.signature", "packet.ciphertext_hash",
         "packet.trailing", "packet.format", "packet.decrypt", "packet.payload"}
PUBLIC = STATION.public_key()


def coded(error: PacketError) -> None:
    assert error.code in CODES, error.code
    assert str(error) and "packet" in str(error)


@fuzz(300)
@given(mutated(PACKET) | st.builds(lambda extra: PACKET + extra, st.binary(min_size=1, max_size=64)))
def test_any_edited_packet_fails_verify_and_open_with_a_code(data: bytes) -> None:
    for check in (lambda d: verify_packet(d, PUBLIC), lambda d: open_packet(d, PUBLIC, HQ)):
        try:
            check(data)
        except PacketError as e:
            coded(e)
        else:
            raise AssertionError("an edited packet verified")
    try:
        read_header(data)  # unsigned read: may succeed (display only), never anything but PacketError
    except PacketError as e:
        coded(e)


PAYLOAD = zip_of(sorted(FILES.items()))


def safe_names(files: dict[str, bytes]) -> bool:
    return all(name and not name.startswith("/") and ".." not in name.split("/") and "\\" not in name
               and all(ord(c) >= 0x20 for c in name) for name in files)


@fuzz(150)
@given(mutated(PAYLOAD) | zip_directory_mutated(PAYLOAD) | st.binary(max_size=200))
def test_a_signed_packet_with_a_damaged_zip_opens_safely_or_is_refused(payload: bytes) -> None:
    data = forge(payload)
    assert verify_packet(data, PUBLIC).record_id  # the station signed it: it verifies
    try:
        files = open_packet(data, PUBLIC, HQ)
    except PacketError as e:
        assert e.code == "packet.payload", e.code
        coded(e)
        return
    assert safe_names(files) and all(isinstance(v, bytes) for v in files.values())


@st.composite
def hostile_zips(draw: st.DrawFn) -> bytes:
    """A zip made by zipfile with hostile names, compressions and sizes."""
    buffer = io.BytesIO()
    names = st.text(st.sampled_from("ab/.\\\x00\x1f:é"), min_size=0, max_size=8)
    with zipfile.ZipFile(buffer, "w") as archive:
        for _ in range(draw(st.integers(0, 4))):
            info = zipfile.ZipInfo(draw(names) or "x", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
            archive.writestr(info, draw(st.binary(max_size=50)))
    return buffer.getvalue()


@pytest.mark.filterwarnings("ignore:Duplicate name")
@fuzz(150)
@given(hostile_zips())
def test_a_signed_packet_with_a_hostile_zip_opens_safely_or_is_refused(payload: bytes) -> None:
    try:
        files = open_packet(forge(payload), PUBLIC, HQ)
    except PacketError as e:
        assert e.code == "packet.payload"
        coded(e)
        return
    assert safe_names(files)


@fuzz(200)
@given(st.builds(dumps, json_values) | st.binary(max_size=100))
def test_a_signed_header_of_random_json_is_refused_with_a_code(body: bytes) -> None:
    data = forge(body=body)
    for check in (read_header, lambda d: verify_packet(d, PUBLIC), lambda d: open_packet(d, PUBLIC, HQ)):
        try:
            check(data)
        except PacketError as e:
            assert e.code in ("packet.header", "packet.format")
            coded(e)
        else:
            raise AssertionError("a random header was taken")
