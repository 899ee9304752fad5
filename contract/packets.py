"""Sealed records (DESIGN.md §6): the one-file packet format the station writes and HQ verifies and opens.

Layout: MAGIC (8) | header length (u32 big-endian) | header JSON | Ed25519 signature (64) | ciphertext.
The station's key signs MAGIC + length + header; the header holds the ciphertext's SHA-256 and length, so
every byte of the file is covered. The header may also name the assignment (HQ's assignment id) the record was
made under, so HQ can check and attribute it at ingest without opening the payload (issue 21); packets sealed
before that carry none. The payload — a zip of named files — is encrypted with a fresh AES-256-GCM
key wrapped for HQ's X25519 key (ephemeral ECDH → HKDF-SHA256 → AES key wrap). Bad bytes only ever raise
PacketError with a code.
"""

import base64
import datetime as dt
import hashlib
import io
import json
import os
import re
import struct
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from contract.errors import PacketError
from contract.wire import MAX_INT, SHA256_HEX

FORMAT = "sinopsis-packet/1"
MAGIC = b"SINOPKT1"
ALG = {"sig": "Ed25519", "enc": "A256GCM", "wrap": "X25519-HKDF-SHA256-A256KW"}
SIG_LEN = 64
MAX_HEADER = 64 * 1024
MAX_SEQ = MAX_INT  # HQ stores seq in a database integer column
_PREFIX = len(MAGIC) + 4
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FIELDS: dict[str, type] = {"format": str, "record_id": str, "station_id": str, "seq": int, "created_at": str,
                            "alg": dict, "ephemeral_public_key": str, "wrapped_key": str, "nonce": str,
                            "ciphertext_sha256": str, "ciphertext_len": int}
_OPTIONAL: dict[str, type] = {"assignment_id": str}  # absent in packets sealed before issue 21
_B64_SIZES = {"ephemeral_public_key": 32, "wrapped_key": 40, "nonce": 12}
# Ids end up in file names (packet_file_name) and in the AAD joined by "|", so they stay plain.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


@dataclass(frozen=True)
class PacketHeader:
    """The parsed header of a packet; `raw` is the whole header dict as signed."""

    record_id: str
    station_id: str
    seq: int
    created_at: str
    ciphertext_sha256: str
    ciphertext_len: int
    raw: dict[str, Any]
    assignment_id: str | None = None  # the assignment in force when it was sealed; None in older packets


def packet_file_name(record_id: str) -> str:
    """The file name a packet is stored under; raises ValueError for an id that cannot name a file."""
    if not _ID.fullmatch(record_id):
        raise ValueError(f"record id {record_id!r} cannot name a packet file (letters, digits, '.', '_', '-')")
    return f"{record_id}.sinopkt"


def _raw(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _kek(shared: bytes, ephemeral: bytes, hq: bytes, record_id: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral + hq,
                info=b"sinopsis-packet/1 key wrap " + record_id.encode()).derive(shared)


def _aad(station_id: str, record_id: str, seq: int) -> bytes:
    return f"{station_id}|{record_id}|{seq}".encode()


def _is_utc_iso(value: str) -> bool:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return parsed.utcoffset() == dt.timedelta(0)


def _name_problem(names: Iterable[str]) -> str | None:
    """Why payload names are unsafe to write under a folder (zip slip, clashes), or None when they are safe."""
    seen: set[str] = set()
    for name in names:
        parts = name.split("/") if isinstance(name, str) else [""]
        if any(p in ("", ".", "..") for p in parts) or "\\" in name or any(ord(c) < 0x20 for c in name):
            return f"{name!r} is not a plain relative path"
        if name in seen:
            return f"{name!r} appears twice"
        seen.add(name)
    for name in sorted(seen):
        folders = ["/".join(name.split("/")[:i]) for i in range(1, name.count("/") + 1)]
        if clash := next((f for f in folders if f in seen), None):
            return f"{clash!r} is both a file and the folder of {name!r}"
    return None


def seal_record(*, record_id: str, station_id: str, seq: int, created_at: str, files: Mapping[str, bytes],
                station_key: Ed25519PrivateKey, hq_public_key: X25519PublicKey,
                assignment_id: str | None = None) -> bytes:
    """Seal named files into a packet for HQ, signed by the station; returns the packet bytes. `assignment_id`
    (the assignment the record was made under) goes into the signed header, where HQ checks it at ingest.

    The zip inside is deterministic for the same files (sorted names, fixed times, stored); the packet is not,
    since every packet gets a fresh content key, nonce and ephemeral key. Raises ValueError for a bad id,
    sequence number, time or file name, TypeError for file content that is not bytes.
    """
    named = (("record id", record_id), ("station id", station_id))
    for what, value in named + ((("assignment id", assignment_id),) if assignment_id is not None else ()):
        if not isinstance(value, str) or not _ID.fullmatch(value):
            raise ValueError(f"{what} {value!r} is not usable in a packet (letters, digits, '.', '_', '-')")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise ValueError(f"seq must be an integer starting at 1, got {seq!r}")
    if not isinstance(created_at, str) or not _is_utc_iso(created_at):
        raise ValueError(f"created_at must be an ISO 8601 time in UTC, got {created_at!r}")
    problem = _name_problem(files)
    if problem:
        raise ValueError(f"bad file name in a packet: {problem}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name in sorted(files):
            data = files[name]
            if not isinstance(data, bytes | bytearray):
                raise TypeError(f"packet file {name!r} must be bytes, got {type(data).__name__}")
            archive.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), bytes(data))
    content_key, nonce = AESGCM.generate_key(bit_length=256), os.urandom(12)
    ciphertext = AESGCM(content_key).encrypt(nonce, buffer.getvalue(), _aad(station_id, record_id, seq))
    ephemeral = X25519PrivateKey.generate()
    eph_raw, hq_raw = _raw(ephemeral.public_key()), _raw(hq_public_key)
    wrapped = aes_key_wrap(_kek(ephemeral.exchange(hq_public_key), eph_raw, hq_raw, record_id), content_key)
    fields: dict[str, Any] = {
        "format": FORMAT, "record_id": record_id, "station_id": station_id, "seq": seq, "created_at": created_at,
        "alg": ALG, "ephemeral_public_key": base64.b64encode(eph_raw).decode(),
        "wrapped_key": base64.b64encode(wrapped).decode(), "nonce": base64.b64encode(nonce).decode(),
        "ciphertext_sha256": hashlib.sha256(ciphertext).hexdigest(), "ciphertext_len": len(ciphertext),
    }
    if assignment_id is not None:
        fields["assignment_id"] = assignment_id
    header = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
    signed = MAGIC + struct.pack(">I", len(header)) + header
    return signed + station_key.sign(signed) + ciphertext


def _frame(data: bytes) -> tuple[bytes, bytes, memoryview]:
    """Split into (signed part, signature, ciphertext) after checking magic and lengths. The ciphertext is a view
    of `data`, not a copy: it is only hashed and decrypted, and a batch's packets are megabytes each."""
    if len(data) < _PREFIX:
        raise PacketError(f"packet is truncated: {len(data)} bytes, fewer than the {_PREFIX} of magic and header "
                          "length; fetch the file again", code="packet.truncated")
    if data[:len(MAGIC)] != MAGIC:
        raise PacketError("not a SINOPSIS packet (wrong magic bytes) or damaged at the start; check that this is "
                          "a .sinopkt file", code="packet.magic")
    (header_len,) = struct.unpack(">I", data[len(MAGIC):_PREFIX])
    if header_len > MAX_HEADER:
        raise PacketError(f"packet header length {header_len} is implausible (limit {MAX_HEADER}): the file is "
                          "damaged", code="packet.header")
    end = _PREFIX + header_len
    if len(data) < end + SIG_LEN:
        raise PacketError(f"packet is truncated: header and signature need {end + SIG_LEN} bytes, file has "
                          f"{len(data)}; fetch the file again", code="packet.truncated")
    return bytes(data[:end]), bytes(data[end:end + SIG_LEN]), memoryview(data)[end + SIG_LEN:]


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("a key appears twice")
    return result


def _bad_header(reason: str) -> PacketError:
    return PacketError(f"packet header {reason}: the file is damaged or was not made by a SINOPSIS station",
                       code="packet.header")


def _parse(signed: bytes, ciphertext: bytes | memoryview) -> PacketHeader:
    """Parse and check the header's fields, and the ciphertext length it states."""
    try:
        header = json.loads(signed[_PREFIX:].decode("utf-8"), object_pairs_hook=_reject_duplicates)
    except (ValueError, RecursionError) as e:  # JSONDecodeError, UnicodeDecodeError, digit limit, nesting
        raise _bad_header(f"is not readable JSON ({e})") from None
    if not isinstance(header, dict):
        raise _bad_header("is not a JSON object")
    missing = sorted(_FIELDS.keys() - header.keys())
    unknown = sorted(header.keys() - _FIELDS.keys() - _OPTIONAL.keys())
    if missing or unknown:
        raise _bad_header(f"lacks {missing} / has unknown {unknown} fields")
    for name, kind in (_FIELDS | _OPTIONAL).items():
        if name not in header:
            continue
        if not isinstance(header[name], kind) or (kind is int and isinstance(header[name], bool)):
            raise _bad_header(f"field {name!r} is not a {kind.__name__}")
    if header["format"] != FORMAT:
        raise PacketError(f"packet format {header['format']!r} is not {FORMAT!r}: this software cannot read it",
                          code="packet.format")
    if header["alg"] != ALG:
        raise _bad_header(f"names algorithms {header['alg']!r}, expected {ALG!r}")
    for name in ("record_id", "station_id", *(("assignment_id",) if "assignment_id" in header else ())):
        if not _ID.fullmatch(header[name]):
            raise _bad_header(f"field {name!r} is not a plain id")
    if not 1 <= header["seq"] <= MAX_SEQ or not _is_utc_iso(header["created_at"]):
        raise _bad_header(f"has a seq outside 1..{MAX_SEQ} or a created_at that is not an ISO 8601 UTC time")
    for name in _B64_SIZES:
        _b64_field(header, name)
    if not SHA256_HEX.fullmatch(header["ciphertext_sha256"]) or header["ciphertext_len"] < 16:
        raise _bad_header("has a malformed ciphertext_sha256 or a ciphertext_len shorter than a GCM tag")
    if len(ciphertext) != header["ciphertext_len"]:
        shorter = len(ciphertext) < header["ciphertext_len"]
        raise PacketError(f"packet is {'truncated' if shorter else 'longer than signed'}: header says "
                          f"{header['ciphertext_len']} bytes of ciphertext, file has {len(ciphertext)}; "
                          f"{'fetch the file again' if shorter else 'something was appended to the file'}",
                          code="packet.truncated" if shorter else "packet.trailing")
    return PacketHeader(header["record_id"], header["station_id"], header["seq"], header["created_at"],
                        header["ciphertext_sha256"], header["ciphertext_len"], header, header.get("assignment_id"))


def _b64_field(header: dict[str, Any], name: str) -> bytes:
    try:
        value = base64.b64decode(header[name], validate=True)
    except ValueError:  # binascii.Error, or non-ASCII text
        raise _bad_header(f"field {name!r} is not base64") from None
    if len(value) != _B64_SIZES[name]:
        raise _bad_header(f"field {name!r} holds {len(value)} bytes, expected {_B64_SIZES[name]}")
    return value


def read_header(data: bytes) -> PacketHeader:
    """The header of packet bytes, WITHOUT checking the signature (display and routing only); raises PacketError."""
    signed, _, ciphertext = _frame(data)
    return _parse(signed, ciphertext)


def _verified(data: bytes, station_public_key: Ed25519PublicKey) -> tuple[PacketHeader, memoryview]:
    signed, signature, ciphertext = _frame(data)
    try:
        station_public_key.verify(signature, signed)
    except InvalidSignature:
        raise PacketError("packet signature does not verify against the given station key: the file was altered "
                          "or was not sealed by this station", code="packet.signature") from None
    header = _parse(signed, ciphertext)
    if hashlib.sha256(ciphertext).hexdigest() != header.ciphertext_sha256:
        raise PacketError("packet ciphertext does not match its signed SHA-256: the file was altered after "
                          "sealing; fetch it again from the station", code="packet.ciphertext_hash")
    return header, ciphertext


def verify_packet(data: bytes, station_public_key: Ed25519PublicKey) -> PacketHeader:
    """Check packet bytes against the station's public key: structure, signature, ciphertext hash and length.

    The signature is checked before the header is parsed. Returns the header; raises PacketError.
    """
    return _verified(data, station_public_key)[0]


def open_packet(data: bytes, station_public_key: Ed25519PublicKey,
                hq_private_key: X25519PrivateKey) -> dict[str, bytes]:
    """Verify first, then unwrap the key with HQ's private key, decrypt and unpack; returns {file name: content}.

    Raises PacketError: packet.decrypt for another HQ key, packet.payload for unsafe names or content.
    """
    header, ciphertext = _verified(data, station_public_key)
    eph_raw = _b64_field(header.raw, "ephemeral_public_key")
    try:
        shared = hq_private_key.exchange(X25519PublicKey.from_public_bytes(eph_raw))
    except ValueError:  # a low-order point: no shared secret
        raise PacketError("packet ephemeral public key is unusable for key agreement: it was sealed by broken or "
                          "hostile software; keep the file and report it", code="packet.decrypt") from None
    kek = _kek(shared, eph_raw, _raw(hq_private_key.public_key()), header.record_id)
    try:
        content_key = aes_key_unwrap(kek, _b64_field(header.raw, "wrapped_key"))
    except InvalidUnwrap:
        raise PacketError("packet content key does not unwrap with this HQ key: it was sealed for another HQ key; "
                          "use the HQ key the station was enrolled with", code="packet.decrypt") from None
    try:
        payload = AESGCM(content_key).decrypt(_b64_field(header.raw, "nonce"), ciphertext,
                                              _aad(header.station_id, header.record_id, header.seq))
    except InvalidTag:
        raise PacketError("packet payload fails AES-GCM authentication although its signature verifies: it was "
                          "sealed inconsistently; keep the file and report it", code="packet.decrypt") from None
    return _unpack(payload)


def _unpack(payload: bytes) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            infos = archive.infolist()
            problem = _name_problem(info.filename for info in infos)
            if problem:
                raise PacketError(f"packet payload holds a forbidden file name: {problem}; do not extract it",
                                  code="packet.payload")
            for info in infos:
                if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
                    raise PacketError(f"packet payload file {info.filename!r} is compressed or encrypted; "
                                      "stations store files plainly", code="packet.payload")
            return {info.filename: archive.read(info) for info in infos}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError,
            NotImplementedError) as e:
        raise PacketError(f"packet payload is not a readable archive ({e})", code="packet.payload") from None
