"""The binary batch of the MQTT contract v1 (`…/up/batch`, DESIGN.md §7), framed and read.

A batch (`…/up/batch`) is binary, so 0.5–2 MB packets are not inflated by base64: one line of JSON (the
manifest: batch id, station, and per record its id, seq, SHA-256 and size), a newline, then the packets'
bytes back to back in manifest order. The station's agent sends the SHA-256 its store recorded when the packet was
sealed (it does not hash the file again); `read_batch` checks every size and hash before anything is trusted: a
batch whose sizes do not add up is refused whole, a record whose bytes differ from its SHA-256 (its file changed on
the station's disk since sealing) is named in `BatchBody.altered` and refused alone (`packet.altered`).
"""

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from contract.wire import MAX_BATCH_BYTES, BatchEntry, BatchManifest, ContractError, dump, parse

PACKET_ALTERED = "packet.altered"  # a record whose bytes differ from its SHA-256 in the batch's manifest


def write_batch(batch_id: str, station_id: str, packets: list[tuple[str, int, bytes]],
                digests: Sequence[str | None] | None = None) -> bytes:
    """A batch payload from (record id, seq, packet bytes), in that order. `digests` are the packets' SHA-256 as
    recorded when they were sealed (one per packet, None where unknown): a packet is hashed here only without one."""
    known = list(digests) if digests is not None else [None] * len(packets)
    if len(known) != len(packets):
        raise ValueError(f"write_batch: {len(packets)} packets but {len(known)} digests")
    entries = [BatchEntry(record_id=r, seq=s, sha256=d or hashlib.sha256(p).hexdigest(), size=len(p))
               for (r, s, p), d in zip(packets, known, strict=True)]
    manifest = BatchManifest(batch_id=batch_id, station_id=station_id, records=entries)
    payload = b"".join([dump(manifest), b"\n", *(p for _, _, p in packets)])  # one copy of the packets
    if len(payload) > MAX_BATCH_BYTES:
        raise ContractError(f"batch {batch_id} would be {len(payload)} bytes, over {MAX_BATCH_BYTES}",
                            "contract.too_large")
    return payload


@dataclass(frozen=True)
class BatchBody:
    """A read batch: its manifest, each record's packet bytes in manifest order, and the ids of the records whose
    bytes differ from the manifest's SHA-256 (to refuse one by one: `packet.altered`)."""

    manifest: BatchManifest
    packets: list[bytes]
    altered: frozenset[str] = frozenset()


def read_batch(payload: bytes, map_fn: Callable[..., Iterable[str]] = map) -> BatchBody:
    """The manifest and each record's packet bytes, with the records whose SHA-256 differs; ContractError when the
    batch cannot be cut into records (too large, no manifest line, sizes that do not add up, an id twice). `map_fn`
    computes the packets' SHA-256 (a thread pool's `map` hashes them in parallel: hashlib lets go of Python's
    lock)."""
    if len(payload) > MAX_BATCH_BYTES:
        raise ContractError(f"batch: {len(payload)} bytes, more than {MAX_BATCH_BYTES}", "contract.too_large")
    newline = payload.find(b"\n")  # the packets are cut from the payload itself: one copy each, no body copy
    if newline < 0:
        raise ContractError("batch: no manifest line", "contract.batch")
    manifest = parse(BatchManifest, payload[:newline])
    body_size = len(payload) - newline - 1
    if sum(e.size for e in manifest.records) != body_size:
        raise ContractError(f"batch {manifest.batch_id}: the manifest's sizes add up to "
                            f"{sum(e.size for e in manifest.records)} bytes, the body has {body_size}",
                            "contract.batch")
    if len({e.record_id for e in manifest.records}) != len(manifest.records):
        raise ContractError(f"batch {manifest.batch_id}: a record id appears twice", "contract.batch")
    view, spans, offset = memoryview(payload), [], newline + 1
    for entry in manifest.records:
        spans.append((offset, offset + entry.size))
        offset += entry.size
    digests = map_fn(lambda span: hashlib.sha256(view[span[0]:span[1]]).hexdigest(), spans)
    altered = frozenset(entry.record_id for entry, digest in zip(manifest.records, digests, strict=True)
                        if digest != entry.sha256)
    return BatchBody(manifest, [payload[start:end] for start, end in spans], altered)
