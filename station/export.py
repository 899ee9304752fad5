"""The offline path: sealed records HQ has not confirmed, copied to removable media with a manifest signed by the
station, for `sinopsis hq import DIR` when a station cannot reach the broker (docs/architecture.md, "Export").

Layout of DIR: `manifest.json` and `packets/<record_id>.sinopkt` (the packet files exactly as sealed). The
manifest is `{"format", "content", "signature"}`; the station's Ed25519 key signs the canonical JSON of
`content` (sorted keys, no spaces, UTF-8, as assignment bundles), which names the station, the time and, per
record, its id, seq, SHA-256, size and file. The packets are written durably first and the manifest last, so a
manifest on the media means a complete export. Records stay in the outbox: when the agent later sends them, HQ
answers `duplicate` and the station learns the result; nothing is counted twice.

Both sides use this module: the station writes (`export_outbox`), HQ checks (`load_manifest`, `verify_export`).
"""

import base64
import binascii
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from station import audit
from station.assignment import canonical_bytes
from station.clock import now_iso
from station.durable import sha256_file, write_durably
from station.errors import SinopsisError
from station.store import StationStore

EXPORT_FORMAT = "sinopsis-export/1"
MANIFEST = "manifest.json"
PACKETS = "packets"
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"


class ExportError(SinopsisError):
    """An export that cannot be written, or an export on the media that cannot be trusted."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExportEntry(_Model):
    record_id: Annotated[str, Field(pattern=_ID)]
    seq: int = Field(ge=1)
    sha256: Annotated[str, Field(pattern="^[0-9a-f]{64}$")]
    size: int = Field(ge=1)
    file: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\.sinopkt$")]


class ExportManifest(_Model):
    """The signed content of manifest.json."""

    station_id: Annotated[str, Field(pattern=_ID)]
    created_at: str = Field(max_length=40)
    records: list[ExportEntry] = Field(min_length=1, max_length=1_000_000)


@dataclass(frozen=True)
class SignedManifest:
    """manifest.json parsed but not yet verified: `station_id` says which enrolled key to verify it with."""

    manifest: ExportManifest
    signature: bytes
    content: dict[str, Any]

    @property
    def station_id(self) -> str:
        return self.manifest.station_id


@dataclass
class VerifiedExport:
    """An export whose manifest signature verified; `problems` lists packet files missing or altered."""

    directory: Path
    manifest: ExportManifest
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def packet_path(self, entry: ExportEntry) -> Path:
        return self.directory / PACKETS / entry.file


@dataclass(frozen=True)
class ExportResult:
    """What `export_outbox` did: 'written', 'unchanged' (this very export was already there) or 'empty'."""

    outcome: str
    directory: Path
    records: int
    bytes: int


def sign_manifest(manifest: ExportManifest, station_key: Ed25519PrivateKey) -> bytes:
    """manifest.json's bytes: the content and the station's signature over its canonical JSON."""
    content = manifest.model_dump()
    signature = station_key.sign(canonical_bytes(content))
    document = {"format": EXPORT_FORMAT, "content": content, "signature": base64.b64encode(signature).decode()}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def parse_manifest(data: bytes, source: str = MANIFEST) -> SignedManifest:
    """manifest.json's bytes parsed and schema-checked (signature not yet checked); ExportError if malformed."""
    if len(data) > MAX_MANIFEST_BYTES:
        raise ExportError(f"{source}: {len(data)} bytes is too large for a manifest", "export.too_large")
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise ExportError(f"{source}: not a JSON manifest ({e})", "export.json") from None
    if not isinstance(document, dict) or set(document) != {"format", "content", "signature"}:
        raise ExportError(f"{source}: expected the keys format, content, signature", "export.shape")
    if document["format"] != EXPORT_FORMAT:
        raise ExportError(f"{source}: format {document['format']!r} is not {EXPORT_FORMAT!r}", "export.format")
    try:
        manifest = ExportManifest.model_validate(document["content"])
        signature = base64.b64decode(document["signature"], validate=True)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(content)"
        raise ExportError(f"{source}: {where}: {first['msg']}", "export.schema") from None
    except (binascii.Error, TypeError, ValueError):
        raise ExportError(f"{source}: the signature is not base64", "export.signature") from None
    if len({e.record_id for e in manifest.records}) != len(manifest.records) or \
            len({e.file for e in manifest.records}) != len(manifest.records):
        raise ExportError(f"{source}: a record or file appears twice", "export.schema")
    return SignedManifest(manifest, signature, document["content"])


def load_manifest(directory: Path) -> SignedManifest:
    """The manifest of the export in `directory` (not yet verified)."""
    path = Path(directory) / MANIFEST
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ExportError(f"{path}: cannot read the export's manifest: {e.strerror}", "export.missing") from None
    return parse_manifest(data, str(path))


def verify_export(directory: Path, station_public_key: Ed25519PublicKey) -> VerifiedExport:
    """Check the manifest's signature (ExportError when it fails: nothing in the export can be trusted), then
    every packet file's size and SHA-256 against it (each mismatch is one entry in `problems`)."""
    directory = Path(directory)
    signed = load_manifest(directory)
    try:
        station_public_key.verify(signed.signature, canonical_bytes(signed.content))
    except InvalidSignature:
        raise ExportError(f"{directory / MANIFEST}: the signature does not verify against station "
                          f"{signed.station_id}'s key: the manifest was changed or signed by another key",
                          "export.signature") from None
    result = VerifiedExport(directory, signed.manifest)
    for entry in signed.manifest.records:
        path = result.packet_path(entry)
        if not path.is_file():
            result.problems.append(f"record {entry.record_id}: {PACKETS}/{entry.file} is missing")
        elif path.stat().st_size != entry.size or sha256_file(path) != entry.sha256:
            result.problems.append(f"record {entry.record_id}: {PACKETS}/{entry.file} does not match the manifest")
    return result


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
    packets_dir.mkdir(parents=True, exist_ok=True)
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
    write_durably(existing, sign_manifest(manifest, station_key), mode=0o644)
    with store.write() as conn:
        audit.append(conn, actor=actor, action="records.exported", details={
            "records": len(entries), "bytes": total, "first_seq": entries[0].seq, "last_seq": entries[-1].seq,
            "directory": str(to_dir), "at": now_iso()})
    return ExportResult("written", to_dir, len(entries), total)
