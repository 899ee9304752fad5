"""HQ's rules for one batch, without the broker: verify against the enrolled key, store the file then the row,
duplicate on the same content, conflict quarantined (never overwritten), coded rejections for everything else."""

import hashlib
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contract.batch import write_batch
from contract.wire import MAX_BATCH_BYTES
from hq.ingest.batches import process_batch
from hq.ingest.models import Batch, Quarantine, Record


def _process(station: str, payload: bytes):
    return process_batch(station, payload, worker="test")


def test_a_good_batch_is_stored_and_acked_as_accepted(hq, packet):
    packets = [("r-1", 1, packet("st-a", "r-1", 1)), ("r-2", 2, packet("st-a", "r-2", 2, b"x" * 100_000))]
    ack = _process("st-a", write_batch("b-1", "st-a", packets))
    assert ack.batch_id == "b-1" and ack.accepted == ["r-1", "r-2"] and not ack.duplicate and not ack.rejected
    for record_id, seq, data in packets:
        row = Record.objects.get(pk=record_id)
        assert (row.station_id, row.seq, row.size) == ("st-a", seq, len(data))
        assert row.sha256 == hashlib.sha256(data).hexdigest()
        assert (hq / row.path).read_bytes() == data and row.path.startswith("records/st-a/")
        assert stat.S_IMODE((hq / row.path).stat().st_mode) == 0o600  # sealed biometrics: HQ's user only
    assert {stat.S_IMODE((hq / d).stat().st_mode) for d in ("records", "records/st-a")} == {0o700}
    log = Batch.objects.get()
    assert (log.batch_id, log.accepted, log.duplicate, log.rejected) == ("b-1", 2, 0, 0) and log.finished_at


def test_the_same_record_again_is_a_duplicate_and_nothing_is_written_again(hq, packet):
    data = packet("st-a", "r-1", 1)
    _process("st-a", write_batch("b-1", "st-a", [("r-1", 1, data)]))
    stored = hq / Record.objects.get().path
    before = stored.stat().st_mtime_ns
    ack = _process("st-a", write_batch("b-2", "st-a", [("r-1", 1, data)]))
    assert ack.duplicate == ["r-1"] and not ack.accepted and not ack.rejected
    assert Record.objects.get().duplicates == 1 and stored.stat().st_mtime_ns == before
    assert len(list((hq / "records/st-a").iterdir())) == 1


def test_the_same_id_with_other_content_is_quarantined_and_never_overwrites(hq, packet):
    first = packet("st-a", "r-1", 1, b"first")
    _process("st-a", write_batch("b-1", "st-a", [("r-1", 1, first)]))
    other = packet("st-a", "r-1", 1, b"second")  # same id, other content (a station that lost its database)
    for batch_id in ("b-2", "b-3"):
        ack = _process("st-a", write_batch(batch_id, "st-a", [("r-1", 1, other)]))
        assert [(r.record_id, r.code) for r in ack.rejected] == [("r-1", "record.conflict")]
    record = Record.objects.get()
    assert (hq / record.path).read_bytes() == first and record.sha256 == hashlib.sha256(first).hexdigest()
    kept = Quarantine.objects.get()
    assert (hq / kept.path).read_bytes() == other and kept.times_received == 2 and kept.station_id == "st-a"
    assert kept.path.startswith("quarantine/st-a/") and kept.resolved_at is None


def test_an_unknown_station_is_rejected_and_nothing_is_stored(hq, packet, station_keys):
    stranger = Ed25519PrivateKey.generate()
    ack = _process("st-x", write_batch("b-1", "st-x", [("r-1", 1, packet("st-x", "r-1", 1, key=stranger))]))
    assert [(r.record_id, r.code) for r in ack.rejected] == [("r-1", "station.unknown")]
    assert not Record.objects.exists() and not (hq / "records").exists()
    assert Batch.objects.get().error == "station.unknown"


@pytest.mark.parametrize("where, code", [
    (20, "packet.signature"),  # in the signed header
    (-5, "packet.ciphertext_hash"),  # in the ciphertext (covered by the signed hash)
])
def test_a_tampered_packet_is_rejected_with_its_code(hq, packet, where, code):
    data = bytearray(packet("st-a", "r-1", 1))
    data[where] ^= 0x01
    ack = _process("st-a", write_batch("b-1", "st-a", [("r-1", 1, bytes(data))]))
    assert [(r.record_id, r.code) for r in ack.rejected] == [("r-1", code)]
    assert not Record.objects.exists()


def test_a_packet_signed_by_another_station_is_rejected(hq, packet, station_keys):
    ack = _process("st-a", write_batch("b-1", "st-a", [("r-1", 1, packet("st-b", "r-1", 1))]))
    assert [(r.record_id, r.code) for r in ack.rejected] == [("r-1", "packet.signature")]


def test_station_and_record_mismatches_are_rejected(hq, packet, station_keys):
    # the manifest names another station than the topic it came on
    ack = _process("st-a", write_batch("b-1", "st-b", [("r-1", 1, packet("st-b", "r-1", 1))]))
    assert [(r.record_id, r.code) for r in ack.rejected] == [("r-1", "station.mismatch")]
    # signed by st-a's key, but the header says st-b
    forged = packet("st-b", "r-2", 1, key=station_keys["st-a"])
    ack = _process("st-a", write_batch("b-2", "st-a", [("r-2", 1, forged)]))
    assert [(r.record_id, r.code) for r in ack.rejected] == [("r-2", "station.mismatch")]
    # the manifest's record id or seq disagrees with the signed header
    ack = _process("st-a", write_batch("b-3", "st-a", [("r-9", 1, packet("st-a", "r-3", 1)),
                                                       ("r-4", 7, packet("st-a", "r-4", 4)),
                                                       ("r-5", 5, packet("st-a", "r-5", 5))]))
    assert [(r.record_id, r.code) for r in ack.rejected] == [("r-9", "record.mismatch"), ("r-4", "record.mismatch")]
    assert ack.accepted == ["r-5"] and list(Record.objects.values_list("pk", flat=True)) == ["r-5"]


def test_a_batch_that_does_not_add_up_is_rejected_record_by_record(hq, packet):
    payload = write_batch("b-1", "st-a", [("r-1", 1, packet("st-a", "r-1", 1))])
    ack = _process("st-a", payload[:-1])  # a byte short: the manifest's sizes no longer add up
    assert [(r.record_id, r.code) for r in ack.rejected] == [("r-1", "contract.batch")]
    assert _process("st-a", b"no manifest at all") is None
    assert _process("st-a", b'{"batch_id": "b-2"}\n') is None  # a manifest without records names nothing
    assert not Record.objects.exists()


def test_a_record_whose_bytes_differ_from_its_sha256_is_refused_alone(hq, packet):
    """The agent sends the SHA-256 recorded at sealing: a packet file changed on the station's disk since then is
    refused on its own (`packet.altered`, never stored), its batch's other records are stored."""
    sealed = packet("st-a", "r-1", 1)
    changed = bytearray(sealed)
    changed[-3] ^= 0x01
    payload = write_batch("b-1", "st-a", [("r-1", 1, bytes(changed)), ("r-2", 2, packet("st-a", "r-2", 2))],
                          [hashlib.sha256(sealed).hexdigest(), None])
    ack = _process("st-a", payload)
    assert [(r.record_id, r.code) for r in ack.rejected] == [("r-1", "packet.altered")] and ack.accepted == ["r-2"]
    assert list(Record.objects.values_list("pk", flat=True)) == ["r-2"]
    log = Batch.objects.get()
    assert (log.accepted, log.rejected, log.error) == (1, 1, "") and log.finished_at


def test_an_oversize_batch_is_refused_but_its_records_hear_why(hq, packet):
    head = write_batch("b-1", "st-a", [("r-1", 1, packet("st-a", "r-1", 1))])
    ack = _process("st-a", head + b"\0" * (MAX_BATCH_BYTES + 1 - len(head)))
    assert [(r.record_id, r.code) for r in ack.rejected] == [("r-1", "contract.too_large")]
    assert not Record.objects.exists() and Batch.objects.get().error == "contract.too_large"
