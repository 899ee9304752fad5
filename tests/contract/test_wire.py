"""The MQTT contract's messages: good ones round-trip, bad ones are refused with a code and a reason."""

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract.wire import (
    Ack,
    Command,
    ContractError,
    Health,
    Status,
    dump,
    parse,
    read_batch,
    split_station_topic,
    station_topic,
    write_batch,
)


def test_topics_round_trip_and_refuse_what_is_not_a_station_topic():
    assert station_topic("st-pku-01", "up/batch") == "sinopsis/v1/st/st-pku-01/up/batch"
    assert split_station_topic("sinopsis/v1/st/st-pku-01/cmd/j1") == ("st-pku-01", "cmd/j1")
    for bad in ("sinopsis/v1/st/../x", "sinopsis/v2/st/a/status", "other/topic"):
        with pytest.raises(ContractError):
            split_station_topic(bad)
    with pytest.raises(ContractError):
        station_topic("a/b", "status")  # a slash or wildcard would reach other stations' topics
    with pytest.raises(ContractError):
        station_topic("+", "status")


def test_messages_round_trip():
    status = Status(state="online", epoch=3, ts="2026-11-25T08:00:00Z")
    assert parse(Status, dump(status)) == status
    ack = Ack(batch_id="b1", accepted=["r1"], rejected=[{"record_id": "r2", "code": "packet.signature"}])
    assert parse(Ack, dump(ack)) == ack


@pytest.mark.parametrize("payload, code", [
    (b"\xff\xfe", "contract.json"),
    (b"{not json", "contract.json"),
    (b'{"state": "online"}', "contract.schema"),  # no epoch
    (b'{"state": "asleep", "epoch": 1}', "contract.schema"),
    (b'{"state": "online", "epoch": 1, "extra": 1}', "contract.schema"),
    (b'{"state": "online", "epoch": -1}', "contract.schema"),
    (b"[" * 100000 + b"]" * 100000, "contract.json"),  # deep nesting: refused, not a RecursionError
    (b'{"state": "online", "epoch": 1, "ts": "' + b"x" * 300_000 + b'"}', "contract.too_large"),
])
def test_bad_payloads_are_refused_with_a_code(payload, code):
    with pytest.raises(ContractError) as refused:
        parse(Status, payload)
    assert refused.value.code == code


def test_an_unknown_or_expired_command_shape_is_refused():
    with pytest.raises(ContractError):
        parse(Command, b'{"job": "j1", "name": "format_disk", "expires_at": "2026-11-25T09:00:00Z"}')
    assert parse(Command, b'{"job": "j1", "name": "sync_now", "expires_at": "2026-11-25T09:00:00Z"}').name == \
        "sync_now"
    with pytest.raises(ContractError):
        parse(Health, b'{"epoch": 1}')


def test_a_batch_carries_packets_byte_for_byte():
    packets = [("r1", 1, b"A" * 1000), ("r2", 2, bytes(range(256)) * 4)]
    manifest, bodies = read_batch(write_batch("b1", "st-a", packets))
    assert [e.record_id for e in manifest.records] == ["r1", "r2"] and bodies == [p for *_, p in packets]
    assert manifest.records[1].sha256 == hashlib.sha256(packets[1][2]).hexdigest()


@given(st.integers(min_value=0, max_value=2000), st.integers(min_value=1, max_value=255))
def test_any_changed_byte_of_a_packet_in_a_batch_is_refused(offset, flip):
    payload = bytearray(write_batch("b1", "st-a", [("r1", 1, b"A" * 1000), ("r2", 2, b"B" * 900)]))
    body = payload.index(b"\n") + 1
    payload[body + offset % (len(payload) - body)] ^= flip
    with pytest.raises(ContractError):
        read_batch(bytes(payload))


def test_a_truncated_batch_is_refused():
    payload = write_batch("b1", "st-a", [("r1", 1, b"A" * 1000)])
    for cut in (0, 10, len(payload) - 1):
        with pytest.raises(ContractError):
            read_batch(payload[:cut])


def test_a_correction_request_is_checked_like_any_message():
    from contract.wire import Correction

    good = (b'{"record_id": "r1", "application_id": "APL-1", "assignment_id": "A-1", "reason_code": "kk_mismatch", '
            b'"phone": "+6281234567890", "requested_at": "2026-11-25T08:00:00Z", "requested_by": "kiosk"}')
    assert parse(Correction, good).reason_code == "kk_mismatch"
    for bad in (good.replace(b"kk_mismatch", b"looks_odd"), good.replace(b"+628", b"08")):
        with pytest.raises(ContractError):
            parse(Correction, bad)
