"""Every MQTT message of the contract (contract/wire.py `parse(Model, payload)`: Status, Health, Reported,
Desired, Command, JobState, Ack, Rejection, Correction, CorrectionAck, IngestState, BatchManifest, BatchEntry)
and the binary batch (`read_batch`) against random bytes, random JSON, JSON objects with the model's own field
names holding random values, pathological JSON and oversized payloads. Only ContractError escapes, with a
contract.* code and a message that starts with the model (or "batch"); what is accepted is sent again
unchanged (dump → parse gives the same message); a batch is accepted only when every packet matches its size
and SHA-256."""

import hashlib
import json

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from contract import wire
from contract.batch import read_batch, write_batch
from contract.wire import ContractError, Message, parse
from tests.fuzz.profiles import fuzz
from tests.fuzz.strategies import MESSAGE_MODELS as MODELS
from tests.fuzz.strategies import dumps, json_values, mutated, pathological_json, shaped_objects

LIMITS = {wire.Desired: wire.MAX_DESIRED_BYTES}
CODES = {"contract.too_large", "contract.json", "contract.schema", "contract.version"}


def check(model: type[Message], payload: bytes) -> None:
    """`payload` parses as `model` and survives a round trip, or is refused with a clear ContractError."""
    limit = LIMITS.get(model, wire.MAX_JSON_BYTES)
    try:
        message = parse(model, payload, limit=limit)
    except ContractError as e:
        assert e.code in CODES and str(e).startswith(f"{model.__name__}: ") and len(str(e)) > len(model.__name__) + 2
        return
    assert isinstance(message, model)
    assert parse(model, wire.dump(message), limit=limit) == message, "an accepted message must round-trip"


@fuzz(100)
@given(st.sampled_from(MODELS), st.binary(max_size=200) | pathological_json | st.builds(dumps, json_values))
@example(wire.Health, b'{"epoch":0,"ts":"t","queue_depth":0,"software_version":"1","oldest_pending_s":Infinity}')
def test_random_payloads_only_raise_contract_error(model: type[Message], payload: bytes) -> None:
    check(model, payload)


@fuzz(400)
@given(st.sampled_from(MODELS).flatmap(lambda m: st.tuples(st.just(m), shaped_objects(m))))
def test_objects_shaped_like_the_message_only_raise_contract_error(case: tuple[type[Message], bytes]) -> None:
    check(*case)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_an_oversized_payload_is_refused_before_it_is_parsed(model: type[Message]) -> None:
    limit = LIMITS.get(model, wire.MAX_JSON_BYTES)
    with pytest.raises(ContractError) as err:
        parse(model, b'{"x": "' + b"a" * limit + b'"}', limit=limit)
    assert err.value.code == "contract.too_large" and str(err.value).startswith(f"{model.__name__}: ")


PACKETS = [("r1", 1, b"A" * 300), ("r2", 2, bytes(range(256))), ("r-3", 3, b"\n" * 40)]
BATCH = write_batch("b1", "st-a", PACKETS)


def check_batch(payload: bytes) -> None:
    try:
        body = read_batch(payload)
    except ContractError as e:
        assert e.code in CODES | {"contract.batch"} and str(e)
        assert str(e).startswith(("batch", "BatchManifest: "))
        return
    assert len(body.packets) == len(body.manifest.records)
    for entry, packet in zip(body.manifest.records, body.packets, strict=True):
        same = hashlib.sha256(packet).hexdigest() == entry.sha256
        assert len(packet) == entry.size and same == (entry.record_id not in body.altered)


@st.composite
def forged_batches(draw: st.DrawFn) -> bytes:
    """A manifest line of its own (sizes and hashes maybe lying) and a random body."""
    body = draw(st.binary(max_size=300))
    entries = draw(st.lists(st.fixed_dictionaries({
        "record_id": st.sampled_from(["r1", "r2", "../x", ""]), "seq": st.integers(-1, 3),
        "sha256": st.sampled_from(["0" * 64, hashlib.sha256(body).hexdigest(), "zz"]),
        "size": st.integers(-1, 400) | st.just(len(body))}), max_size=4))
    manifest = {"batch_id": draw(st.sampled_from(["b1", "", "b 1"])), "station_id": "st-a", "records": entries}
    return json.dumps(manifest).encode() + draw(st.sampled_from([b"\n", b"\r\n", b""])) + body


@fuzz(300)
@given(st.binary(max_size=300) | mutated(BATCH) | forged_batches() | pathological_json)
def test_hostile_batches_only_raise_contract_error(payload: bytes) -> None:
    check_batch(payload)


def test_a_batch_over_the_size_limit_is_refused() -> None:
    with pytest.raises(ContractError) as err:
        read_batch(b"{}\n" + bytes(wire.MAX_BATCH_BYTES))
    assert err.value.code == "contract.too_large"


@pytest.mark.parametrize("token", [b"Infinity", b"-Infinity", b"NaN"])
def test_regression_nan_and_infinity_are_not_json(token: bytes) -> None:
    """Found by fuzzing: Python's json reads NaN/Infinity, so a health message with "oldest_pending_s": Infinity
    was accepted, could not be sent on unchanged (it dumps as null) and breaks HQ's jsonb on PostgreSQL."""
    payload = b'{"epoch":0,"ts":"t","queue_depth":0,"software_version":"1","oldest_pending_s":' + token + b"}"
    with pytest.raises(ContractError) as err:
        parse(wire.Health, payload)
    assert err.value.code == "contract.json" and f"{token.decode()} is not a JSON number" in str(err.value)


@pytest.mark.parametrize(("model", "payload"), [
    (wire.Health, b'{"epoch":0,"ts":"t","queue_depth":0,"software_version":"1\\u0000"}'),
    (wire.Health, b'{"epoch":0,"ts":"t","queue_depth":0,"software_version":"1","counts":{"a\\u0000":1}}'),
    (wire.Correction, b'{"record_id":"r1","application_id":"APL\\u0000","assignment_id":"A-1","reason_code":'
                          b'"other","phone":"+6281234567890","requested_at":"t","requested_by":"kiosk"}'),
])
def test_regression_a_nul_in_any_text_is_refused(model: type[Message], payload: bytes) -> None:
    """Found while fuzzing HQ's handlers: a NUL in a message's text passed the contract, but PostgreSQL stores it
    in neither text ("cannot contain NUL (0x00) bytes") nor jsonb ("unsupported Unicode escape sequence"), so
    the ingest worker failed on that message at every delivery (a DatabaseError: never acked, sent again)."""
    with pytest.raises(ContractError) as err:
        parse(model, payload)
    assert err.value.code == "contract.schema" and "NUL" in str(err.value)
    assert parse(model, payload.replace(b"\\u0000", b""))
