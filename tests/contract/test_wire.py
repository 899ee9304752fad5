"""The MQTT contract's messages: good ones round-trip, bad ones are refused with a code and a reason."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract.wire import (
    MAX_COUNT,
    Ack,
    Command,
    ContractError,
    Health,
    Status,
    dump,
    parse,
    split_station_topic,
    station_topic,
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


def test_a_correction_request_is_checked_like_any_message():
    from contract.wire import Correction

    good = (b'{"record_id": "r1", "application_id": "APL-1", "assignment_id": "A-1", "reason_code": "kk_mismatch", '
            b'"phone": "+6281234567890", "requested_at": "2026-11-25T08:00:00Z", "requested_by": "kiosk"}')
    assert parse(Correction, good).reason_code == "kk_mismatch"
    for bad in (good.replace(b"kk_mismatch", b"looks_odd"), good.replace(b"+628", b"08")):
        with pytest.raises(ContractError):
            parse(Correction, bad)


# Issue 19 point 1/3: every JSON message is strict where it enters. A health report the station really sends,
# then each hostile class of it (the named cases of the MQTT boundary, docs: "Trust boundaries").
HEALTH = (b'{"epoch": 3, "ts": "2026-11-25T08:00:00Z", "queue_depth": 2, "oldest_pending_s": 12.5, '
          b'"counts": {"captured": 2}, "software_version": "1.0"}')


@pytest.mark.parametrize("payload, code, where", [
    (HEALTH.replace(b"12.5", b"1e999"), "contract.schema", "oldest_pending_s"),  # read as infinity
    (HEALTH.replace(b"12.5", b"NaN"), "contract.json", "NaN"),
    (HEALTH.replace(b"12.5", b"-Infinity"), "contract.json", "Infinity"),
    (HEALTH.replace(b'"captured": 2', b'"captured": ' + b"9" * 30), "contract.schema", "counts.captured"),
    (HEALTH.replace(b'"captured": 2', b'"captured": ' + b"9" * 5000), "contract.json", "digits"),  # huge int
    (HEALTH.replace(b'"queue_depth": 2', b'"queue_depth": 2000000000'), "contract.schema", "queue_depth"),
    (HEALTH.replace(b'"epoch": 3', b'"epoch": "3"'), "contract.schema", "epoch"),  # wrong types, no coercion
    (HEALTH.replace(b'"epoch": 3', b'"epoch": 3.0'), "contract.schema", "epoch"),
    (HEALTH.replace(b'"epoch": 3', b'"epoch": true'), "contract.schema", "epoch"),
    (HEALTH.replace(b'"captured": 2', b'"captured": "2"'), "contract.schema", "counts.captured"),
    (HEALTH.replace(b'"captured": 2', b'"' + b"k" * 41 + b'": 2'), "contract.schema", "counts"),  # long key
    (HEALTH.replace(b'"1.0"', b'"' + b"1" * 41 + b'"'), "contract.schema", "software_version"),
    (HEALTH.replace(b"12.5", b"4e9"), "contract.schema", "oldest_pending_s"),  # over a century of waiting
    (HEALTH[:-1] + b', "x": "' + b"x" * 300_000 + b'"}', "contract.too_large", "bytes"),  # oversize
    (HEALTH.replace(b"1.0", b"1.\xff"), "contract.json", "utf-8"),  # invalid UTF-8
    (b"{" + b'"v": 2, ' + HEALTH[1:], "contract.version", "schema version 2"),  # wrong schema version
    (b"{" + b'"v": "1", ' + HEALTH[1:], "contract.version", "schema version '1'"),
    (b"{" + b'"v": true, ' + HEALTH[1:], "contract.version", "schema version True"),
])
def test_each_hostile_class_is_refused_with_its_code_and_the_field(payload, code, where):
    with pytest.raises(ContractError) as refused:
        parse(Health, payload)
    assert refused.value.code == code
    assert str(refused.value).startswith("Health: ") and where in str(refused.value)


def test_the_schema_version_is_sent_and_an_old_message_without_it_is_version_1():
    health = parse(Health, HEALTH)
    assert health.v == 1 and dump(health).startswith(b'{"v":1,')
    assert parse(Health, dump(health)) == health
    assert parse(Status, b'{"v": 1, "state": "lost", "epoch": 2}').state == "lost"


def test_command_arguments_are_bounded_and_typed():
    base = b'{"job": "j1", "name": "sync_now", "expires_at": "2026-11-25T09:00:00Z", "args": %s}'
    assert parse(Command, base % b'{"days": 3, "why": "test"}').args == {"days": 3, "why": "test"}
    for args in (b'{"days": 3.5}', b'{"days": true}', b'{"days": null}', b'{"days": ' + b"9" * 20 + b"}",
                 b'{"why": "' + b"w" * 201 + b'"}', b'{"": 1}'):
        with pytest.raises(ContractError) as refused:
            parse(Command, base % args)
        assert refused.value.code == "contract.schema", args


@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.booleans(), st.text(max_size=5),
                 st.none()))
def test_any_value_of_a_count_is_either_a_bounded_integer_or_refused(value):
    payload = HEALTH.replace(b'"queue_depth": 2', b'"queue_depth": ' + json.dumps(value).encode())
    try:
        health = parse(Health, payload)
    except ContractError as e:
        assert e.code in ("contract.schema", "contract.json")
        return
    assert type(health.queue_depth) is int and 0 <= health.queue_depth <= MAX_COUNT and health.queue_depth == value
