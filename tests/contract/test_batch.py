"""The contract's binary batch (contract/batch.py): packets carried byte for byte with the digests recorded at
sealing, a changed byte naming its record alone, a batch that cannot be cut refused."""

import hashlib
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract.batch import read_batch, write_batch
from contract.wire import ContractError


def test_a_batch_carries_packets_byte_for_byte():
    packets = [("r1", 1, b"A" * 1000), ("r2", 2, bytes(range(256)) * 4)]
    body = read_batch(write_batch("b1", "st-a", packets))
    assert [e.record_id for e in body.manifest.records] == ["r1", "r2"] and body.packets == [p for *_, p in packets]
    assert body.manifest.records[1].sha256 == hashlib.sha256(packets[1][2]).hexdigest() and not body.altered


def test_a_batch_carries_the_digests_recorded_at_sealing_and_hashes_only_where_none_is_known():
    packets = [("r1", 1, b"A" * 10), ("r2", 2, b"B" * 10)]
    recorded = hashlib.sha256(b"what was sealed").hexdigest()
    body = read_batch(write_batch("b1", "st-a", packets, [recorded, None]))
    assert [e.sha256 for e in body.manifest.records] == [recorded, hashlib.sha256(b"B" * 10).hexdigest()]
    assert body.altered == {"r1"}  # the bytes sent are not those sealed: that record alone is named
    with pytest.raises(ValueError, match="2 packets but 1 digests"):
        write_batch("b1", "st-a", packets, [recorded])


@given(st.integers(min_value=0, max_value=2000), st.integers(min_value=1, max_value=255))
def test_any_changed_byte_of_a_packet_in_a_batch_names_that_record_alone(offset, flip):
    packets = [("r1", 1, b"A" * 1000), ("r2", 2, b"B" * 900)]
    payload = bytearray(write_batch("b1", "st-a", packets))
    body = payload.index(b"\n") + 1
    where = offset % (len(payload) - body)
    payload[body + where] ^= flip
    changed = {"r1" if where < 1000 else "r2"}
    assert read_batch(bytes(payload)).altered == changed
    with ThreadPoolExecutor(2) as pool:  # hashed in parallel, as HQ does
        read = read_batch(bytes(payload), pool.map)
    assert read.altered == changed and len(read.packets) == 2


def test_a_batch_hashed_on_threads_reads_as_one_hashed_in_turn():
    payload = write_batch("b1", "st-a", [(f"r{n}", n, bytes([n]) * (1000 + n)) for n in range(1, 30)])
    with ThreadPoolExecutor(2) as pool:
        assert read_batch(payload, pool.map) == read_batch(payload)


def test_a_truncated_batch_is_refused():
    payload = write_batch("b1", "st-a", [("r1", 1, b"A" * 1000)])
    for cut in (0, 10, len(payload) - 1):
        with pytest.raises(ContractError):
            read_batch(payload[:cut])
