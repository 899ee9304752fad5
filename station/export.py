"""The offline path: sealed records HQ has not confirmed, copied to removable media with a manifest signed by the
station, for `sinopsis hq import DIR` when a station cannot reach the broker (docs/architecture.md, "Export").

The packets are written durably first and the manifest last (contract/export.py has its format), so a manifest on
the media means a complete export. Records stay in the outbox: when the agent later sends them, HQ answers
`duplicate` and the station learns the result; nothing is counted twice.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contract.durable import private_dir, sha256_file, write_durably
from contract.export import MANIFEST, PACKETS, ExportEntry, ExportError, ExportManifest, load_manifest, sign_manifest
from station import audit
from station.clock import now_iso
from station.store import StationStore

__all__ = ["ExportError", "ExportResult", "export_outbox"]


@dataclass(frozen=True)
class ExportResult:
    """What `export_outbox` did: 'written', 'unchanged' (this very export was already there) or 'empty'."""

    outcome: str
    directory: Path
    records: int
    bytes: int


def _unacked(store: StationStore) -> list[ExportEntry]:
    rows = store.conn.execute(
        "SELECT r.id, r.seq, r.packet_file, r.packet_sha256, r.packet_size FROM outbox o "
        "JOIN records r ON r.id = o.record_id WHERE o.acked_at IS NULL ORDER BY o.seq").fetchall()
    return [ExportEntry(record_id=r["id"], seq=r["seq"], sha256=r["packet_sha256"], size=r["packet_size"],
                        file=r["packet_file"]) for r in rows]


def export_outbox(store: StationStore, station_id: str, station_key: Ed25519PrivateKey, to_dir: Path,
                  actor: str = "cli", now: dt.datetime | None = None) -> ExportResult:
    """Copy every sealed record HQ has not acknowledged to `to_dir` with a signed manifest, durably.

    Refuses (ExportError) when `to_dir` already holds a different export, or when a packet file on the
    station is missing or does not match its row. The export is audited; the records stay in the outbox.
    """
    to_dir = Path(to_dir)
    entries = _unacked(store)
    if not entries:
        return ExportResult("empty", to_dir, 0, 0)
    existing = to_dir / MANIFEST
    if existing.exists():
        old = load_manifest(to_dir).manifest
        if old.station_id != station_id or [e.model_dump() for e in old.records] != \
                [e.model_dump() for e in entries]:
            raise ExportError(f"{to_dir} already holds another export ({len(old.records)} record(s) of station "
                              f"{old.station_id}, made {old.created_at}); choose an empty folder",
                              "export.exists")
    packets_dir = to_dir / PACKETS
    private_dir(packets_dir, tighten=False)  # sealed records: a folder made here is 0700, each file 0600
    total = 0
    for entry in entries:
        source = store.packet_path(entry.file)
        data = source.read_bytes() if source.is_file() else None
        if data is None:
            raise ExportError(f"record {entry.record_id}: packet file {entry.file} is missing on this station "
                              "(run sinopsis station check)", "export.packet_missing")
        if len(data) != entry.size or hashlib.sha256(data).hexdigest() != entry.sha256:
            raise ExportError(f"record {entry.record_id}: packet file {entry.file} does not match its row "
                              "(run sinopsis station check)", "export.packet_altered")
        target = packets_dir / entry.file
        if not (target.is_file() and target.stat().st_size == entry.size and sha256_file(target) == entry.sha256):
            write_durably(target, data)
        total += len(data)
    if existing.exists():
        return ExportResult("unchanged", to_dir, len(entries), total)
    created = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    manifest = ExportManifest(station_id=station_id, created_at=created, records=entries)
    write_durably(existing, sign_manifest(manifest, station_key))
    with store.write() as conn:
        audit.append(conn, actor=actor, action="records.exported", details={
            "records": len(entries), "bytes": total, "first_seq": entries[0].seq, "last_seq": entries[-1].seq,
            "directory": str(to_dir), "at": now_iso()})
    return ExportResult("written", to_dir, len(entries), total)
