"""HQ ingest's doors for hostile bytes (hq/ingest/): `receive_packet` for an enrolled station fed random bytes and
real sealed packets with bytes edited, `process_batch` fed random payloads, damaged real batches and batches
whose manifest lies, and `import_export` (an offline export on a USB stick) with a damaged or hostile manifest.
A packet that does not verify is rejected with a code (the packet's, or station/record mismatch) and leaves no
Record row and no file under HQ's records/ or quarantine/; a batch's Ack names every record it rejects with a
code, and every accepted record has exactly its row and its file; an export that cannot be trusted is refused
whole with HqError and a code, nothing stored. Any status, health, reported or job message the contract lets
through is applied to the station's row (hq/fleet) without a crash. Runs on tests/hq/conftest.py's real Django
on SQLite."""

import hashlib
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract import wire
from contract.batch import write_batch
from contract.export import MANIFEST
from hq.errors import HqError
from tests.fuzz.profiles import fuzz
from tests.fuzz.strategies import dumps, json_values, mutated, nasty_text, pathological_json, shaped_objects
from tests.hq.standin import hand_made_export

PACKET_CODES = {"packet.truncated", "packet.magic", "packet.header", "packet.signature", "packet.ciphertext_hash",
                "packet.trailing", "packet.format"}
REJECT_CODES = PACKET_CODES | {"station.mismatch", "record.mismatch", "contract.batch", "contract.schema",
                               "contract.json", "contract.too_large", "contract.version", "packet.altered"}
_ids = itertools.count(1)


def stored_files(hq: Path) -> set[Path]:
    return {p.relative_to(hq) for folder in ("records", "quarantine") if (hq / folder).exists()
            for p in (hq / folder).rglob("*") if p.is_file()}


def consistent(hq: Path) -> None:
    """Every Record row has its file with its hash, and no file lies about without a row."""
    from hq.ingest.models import Quarantine, Record

    named = {Path(r.path): r.sha256 for r in Record.objects.all()} | {Path(q.path): q.sha256
                                                                      for q in Quarantine.objects.all()}
    assert stored_files(hq) == set(named), "a file without its row, or a row without its file"
    for path, sha256 in named.items():
        assert hashlib.sha256((hq / path).read_bytes()).hexdigest() == sha256


def fresh_id() -> str:
    """A record id never used before in this session (hypothesis runs many examples on one HQ)."""
    return f"rec-{next(_ids):06d}"


@fuzz(60)
@given(st.binary(max_size=400) | st.just(b""), st.data())
def test_receive_packet_rejects_hostile_bytes_with_a_code_and_stores_nothing(
        hq: Path, station_keys: dict, packet: Any, noise: bytes, data: st.DataObject) -> None:
    from hq.fleet.models import Station
    from hq.ingest.models import Record
    from hq.ingest.storage import REJECTED, Expected, receive_packet

    record_id = fresh_id()
    real = packet("st-a", record_id, 1)
    hostile = data.draw(st.sampled_from([noise]) | mutated(real) | st.just(packet("st-a", record_id, 1,
                                                                                   key=station_keys["st-b"])))
    before = (Record.objects.count(), stored_files(hq))
    outcome = receive_packet(Station.objects.get(pk="st-a"), hostile, expected=Expected(record_id, 1),
                             claimed_station="st-a")
    assert outcome.result == REJECTED and outcome.code in REJECT_CODES and outcome.record_id == record_id
    assert (Record.objects.count(), stored_files(hq)) == before


@st.composite
def hostile_batches(draw: st.DrawFn, packet: Any) -> tuple[bytes, dict[str, bytes]]:
    """A real batch of two or three sealed records, then damaged (or not); returns it and its good packets."""
    entries = [(fresh_id(), seq, None) for seq in range(1, draw(st.integers(2, 3)) + 1)]
    good = {rid: packet("st-a", rid, seq) for rid, seq, _ in entries}
    payload = write_batch(f"batch-{fresh_id()}", "st-a", [(rid, seq, good[rid]) for rid, seq, _ in entries])
    payload = draw(st.sampled_from([payload]) | mutated(payload) | st.binary(max_size=200) | pathological_json
                   | st.builds(lambda v: dumps(v) + b"\n", json_values))
    return payload, good


@fuzz(50)
@given(st.data())
def test_process_batch_acks_what_it_stored_and_rejects_the_rest_with_codes(hq: Path, station_keys: dict,
                                                                           packet: Any, data: st.DataObject) -> None:
    from hq.ingest.batches import process_batch
    from hq.ingest.models import Record

    payload, good = data.draw(hostile_batches(packet))
    ack = process_batch("st-a", payload, worker="fuzz")
    stored = set(Record.objects.filter(pk__in=list(good)).values_list("pk", flat=True))
    if ack is None:
        assert not stored, "records stored for a batch that got no ack"
    else:
        assert set(ack.accepted) == stored and not ack.duplicate
        assert all(r.code in REJECT_CODES for r in ack.rejected), ack.rejected
        assert not stored & {r.record_id for r in ack.rejected}
        for record_id in stored:  # accepted only byte for byte as sealed
            row = Record.objects.get(pk=record_id)
            assert (hq / row.path).read_bytes() == good[record_id]
    consistent(hq)


EXPORT_CODES = {"export.json", "export.shape", "export.format", "export.schema", "export.signature",
                "export.too_large", "export.missing", "station.unknown", "station.key"}


@fuzz(40)
@given(st.data())
def test_an_export_with_a_damaged_manifest_is_refused_whole(hq: Path, station_keys: dict, packet: Any,
                                                            tmp_path: Path, data: st.DataObject) -> None:
    from hq.ingest.models import Record
    from hq.ingest.offline import import_export

    record_id = fresh_id()
    usb = hand_made_export(tmp_path, "st-a", station_keys["st-a"], [(record_id, 1, packet("st-a", record_id, 1))])
    manifest = (usb / MANIFEST).read_bytes()
    hostile = data.draw(mutated(manifest) | st.binary(max_size=200) | pathological_json
                        | st.builds(dumps, json_values))
    (usb / MANIFEST).write_bytes(hostile)
    before = (Record.objects.count(), stored_files(hq))
    try:
        summary = import_export(usb)
    except HqError as e:
        assert e.code in EXPORT_CODES and str(e), (e.code, str(e))
        assert (Record.objects.count(), stored_files(hq)) == before
        return
    # an edit the signature does not cover (whitespace between the JSON's tokens, unused bits of the base64
    # signature's last character): the export is still the genuine one
    assert json.loads(hostile)["content"] == json.loads(manifest)["content"]
    assert [o.record_id for o in summary.outcomes] == [record_id]
    consistent(hq)


@fuzz(40)
@given(st.data())
def test_a_signed_export_with_hostile_packet_files_rejects_them_one_by_one(hq: Path, station_keys: dict,
                                                                           packet: Any, tmp_path: Path,
                                                                           data: st.DataObject) -> None:
    """The station's own key signed the manifest (a stolen kit): each packet must still verify on its own."""
    from hq.ingest.models import Record
    from hq.ingest.offline import import_export
    from hq.ingest.storage import ACCEPTED

    records = []
    for seq in (1, 2):
        record_id = fresh_id()
        real = packet("st-a", record_id, seq)
        hostile = st.sampled_from([real]) | mutated(real).filter(bool) | st.binary(min_size=1, max_size=80)
        records.append((record_id, seq, data.draw(hostile)))  # a manifest entry's size is at least 1
    usb = hand_made_export(tmp_path, "st-a", station_keys["st-a"], records)
    summary = import_export(usb)
    accepted = {o.record_id for o in summary.outcomes if o.result == ACCEPTED}
    assert accepted == set(Record.objects.filter(pk__in=[r for r, _, _ in records]).values_list("pk", flat=True))
    for outcome in summary.outcomes:
        assert outcome.result == ACCEPTED or outcome.code in REJECT_CODES, outcome
    consistent(hq)


LIVENESS = [wire.Status, wire.Health, wire.Reported, wire.JobState]


@fuzz(150)
@given(st.sampled_from(LIVENESS).flatmap(lambda m: st.tuples(st.just(m), shaped_objects(m))), st.booleans())
def test_any_message_that_parses_is_applied_to_the_station_row_without_a_crash(
        hq: Path, station_keys: dict, case: tuple[type, bytes], retained: bool) -> None:
    """What the ingest worker does with status/health/reported/job messages (hq/fleet/liveness.py, commands.py):
    anything the contract lets through must fit HQ's database."""
    from hq.fleet.commands import apply_job_state
    from hq.fleet.liveness import apply_health, apply_reported, apply_status

    model, payload = case
    try:
        message = wire.parse(model, payload)
    except wire.ContractError:
        return
    for station_id in ("st-a", "st-x"):  # enrolled, and never enrolled (ignored)
        if model is wire.JobState:
            assert apply_job_state(station_id, message.job, message) is False  # HQ sent no job
        else:
            apply = {wire.Status: apply_status, wire.Health: apply_health, wire.Reported: apply_reported}
            assert isinstance(apply[model](station_id, message, retained=retained), bool)


@pytest.mark.parametrize(("model", "payload"), [
    (wire.Status, b'{"state": "online", "epoch": 9223372036854775808}'),
    (wire.Health, b'{"epoch": 18446744073709551616, "ts": "t", "queue_depth": 0, "software_version": "1"}'),
    (wire.Reported, b'{"assignment_version": 9223372036854775808, "ts": "t"}'),
    (wire.BatchEntry,
     b'{"record_id": "r1", "seq": 9223372036854775808, "sha256": "' + b"0" * 64 + b'", "size": 1}'),
])
def test_regression_integers_past_a_database_column_are_refused_by_the_contract(hq: Path, station_keys: dict,
                                                                                model: type, payload: bytes) -> None:
    """Found by fuzzing: an epoch or version of 2**63 or more passed the contract and crashed HQ's handler with
    OverflowError ("Python int too large to convert to SQLite INTEGER") inside the ingest worker."""
    with pytest.raises(wire.ContractError) as err:
        wire.parse(model, payload)
    assert err.value.code == "contract.schema" and "less than or equal to 9223372036854775807" in str(err.value)
    assert wire.parse(model, payload.replace(b"9223372036854775808", b"9223372036854775807")
                          .replace(b"18446744073709551616", b"9223372036854775807"))


def test_regression_a_signed_packet_with_a_huge_seq_is_rejected_not_crashed(hq: Path, station_keys: dict,
                                                                           hq_key: Any) -> None:
    """Found by fuzzing: a packet signed with the station's key (a stolen kit) whose header seq is 2**63 reached
    Record.objects.create and crashed receive_packet with OverflowError; it is now a bad header (packet.header)."""
    from contract.packets import seal_record
    from hq.fleet.models import Station
    from hq.ingest.storage import REJECTED, receive_packet

    sealed = seal_record(record_id="rec-huge", station_id="st-a", seq=2 ** 63, created_at="2026-11-25T03:04:05+00:00",
                         files={"record.json": b"{}"}, station_key=station_keys["st-a"],
                         hq_public_key=hq_key.public_key())
    outcome = receive_packet(Station.objects.get(pk="st-a"), sealed, claimed_station="st-a")
    assert (outcome.result, outcome.code) == (REJECTED, "packet.header")
    assert not stored_files(hq)


GOOD_CORRECTION = {"record_id": "r1", "application_id": "APL-1", "assignment_id": "A-1", "reason_code": "kk_mismatch",
                   "phone": "+6281234567890", "requested_at": "2026-11-25T08:00:00Z", "requested_by": "kiosk"}


@st.composite
def corrections(draw: st.DrawFn) -> bytes:
    """A good correction request with one to three fields (or an extra note) given any value."""
    message: dict[str, Any] = {**GOOD_CORRECTION, "record_id": fresh_id()}
    for name in draw(st.lists(st.sampled_from([*GOOD_CORRECTION, "note"]), min_size=1, max_size=3, unique=True)):
        message[name] = draw(nasty_text | json_values)
    return dumps(message)


@fuzz(60)
@given(corrections() | shaped_objects(wire.Correction))
def test_any_correction_that_parses_is_stored_once_and_acked(hq: Path, station_keys: dict, payload: bytes) -> None:
    """hq/ingest/corrections.py `receive_correction`: stored once per (station, record) and acked; from a station
    HQ never enrolled: no ack, nothing stored."""
    from hq.ingest.corrections import receive_correction
    from hq.ingest.models import CorrectionRequest

    try:
        correction = wire.parse(wire.Correction, payload)
    except wire.ContractError:
        return
    before = CorrectionRequest.objects.count()
    assert receive_correction("st-x", correction) is None
    assert CorrectionRequest.objects.count() == before
    ack = receive_correction("st-a", correction)
    assert ack is not None and ack.record_id == correction.record_id
    assert receive_correction("st-a", correction) == ack  # again: the same reference, still one row
    assert CorrectionRequest.objects.filter(station_id="st-a", record_id=correction.record_id).count() == 1
