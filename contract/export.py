"""The offline export's format: the manifest the station signs and HQ checks (docs/architecture.md, "Export").

Layout of an export directory: `manifest.json` and `packets/<record_id>.sinopkt` (the packet files exactly as
sealed). The manifest is `{"format", "content", "signature"}`; the station's Ed25519 key signs the canonical JSON
of `content` (sorted keys, no spaces, UTF-8, as assignment bundles), which names the station, the time and, per
record, its id, seq, SHA-256, size and file. The station writes exports (station/export.py); HQ checks them here
(`load_manifest`, `verify_export`) before `sinopsis hq import` stores anything.
"""

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from contract.assignment import canonical_bytes
from contract.errors import SinopsisError
from contract.files import KINDS, read_bounded
from contract.wire import Sha256

EXPORT_FORMAT = "sinopsis-export/1"
MANIFEST = "manifest.json"
PACKETS = "packets"
MAX_MANIFEST_BYTES = KINDS["manifest"].limit
_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"


class ExportError(SinopsisError):
    """An export that cannot be written, or an export on the media that cannot be trusted."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExportEntry(_Model):
    record_id: Annotated[str, Field(pattern=_ID)]
    seq: int = Field(ge=1)
    sha256: Sha256
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
    data = read_bounded(path, "manifest", error=ExportError, code="export")  # regular file, bounded (issue 19)
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
        try:  # a packet file on the media may be anything: a FIFO, a directory, a link to /dev/zero
            data = read_bounded(result.packet_path(entry), "packet", error=ExportError, code="export")
        except ExportError as e:
            result.problems.append(f"record {entry.record_id}: {PACKETS}/{entry.file} is missing" if
                                   e.code == "export.missing" else f"record {entry.record_id}: {e}")
            continue
        if len(data) != entry.size or hashlib.sha256(data).hexdigest() != entry.sha256:
            result.problems.append(f"record {entry.record_id}: {PACKETS}/{entry.file} does not match the manifest")
    return result
