"""Sealed records (DESIGN.md §6): the one-file packet format the station writes and HQ verifies and opens.

Layout: MAGIC (8) | header length (u32 big-endian) | header JSON | Ed25519 signature (64) | ciphertext.
The station's key signs MAGIC + length + header; the header holds the ciphertext's SHA-256 and length, so
every byte of the file is covered. The payload — a zip of named files — is encrypted with a fresh AES-256-GCM
key wrapped for HQ's X25519 key (ephemeral ECDH → HKDF-SHA256 → AES key wrap). Bad bytes only ever raise
PacketError with a code.
"""

import base64
import hashlib
import io
import json
import os
import struct
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from station.errors import PacketError

FORMAT = "sinopsis-packet/1"
MAGIC = b"SINOPKT1"
ALG = {"sig": "Ed25519", "enc": "A256GCM", "wrap": "X25519-HKDF-SHA256-A256KW"}
SIG_LEN = 64
MAX_HEADER = 64 * 1024
_PREFIX = len(MAGIC) + 4
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FIELDS: dict[str, type] = {"format": str, "record_id": str, "station_id": str, "seq": int, "created_at": str,
                            "alg": dict, "ephemeral_public_key": str, "wrapped_key": str, "nonce": str,
                            "ciphertext_sha256": str, "ciphertext_len": int}


@dataclass(frozen=True)
class PacketHeader:
    """The parsed header of a packet."""

    record_id: str
    station_id: str
    seq: int
    created_at: str
    ciphertext_sha256: str
    ciphertext_len: int
    raw: dict[str, Any]


def packet_file_name(record_id: str) -> str:
    """The file name a packet is stored under."""
    return f"{record_id}.sinopkt"


def _raw(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _kek(shared: bytes, ephemeral: bytes, hq: bytes, record_id: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral + hq,
                info=b"sinopsis-packet/1 key wrap " + record_id.encode()).derive(shared)


def _aad(station_id: str, record_id: str, seq: int) -> bytes:
    return f"{station_id}|{record_id}|{seq}".encode()


def _check_name(name: str) -> bool:
    parts = name.split("/")
    return bool(name) and "\\" not in name and not name.startswith("/") and all(p not in ("", ".", "..") for p in parts)


def seal_record(*, record_id: str, station_id: str, seq: int, created_at: str, files: Mapping[str, bytes],
                station_key: Ed25519PrivateKey, hq_public_key: X25519PublicKey) -> bytes:
    """Seal named files into a packet; raises ValueError for a bad file name or sequence number."""
    if seq < 1:
        raise ValueError("seq starts at 1")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in files.items():
            if not _check_name(name):
                raise ValueError(f"bad file name in a packet: {name!r}")
            archive.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), data)
    content_key, nonce = AESGCM.generate_key(bit_length=256), os.urandom(12)
    ciphertext = AESGCM(content_key).encrypt(nonce, buffer.getvalue(), _aad(station_id, record_id, seq))
    ephemeral = X25519PrivateKey.generate()
    eph_raw, hq_raw = _raw(ephemeral.public_key()), _raw(hq_public_key)
    wrapped = aes_key_wrap(_kek(ephemeral.exchange(hq_public_key), eph_raw, hq_raw, record_id), content_key)
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    header = json.dumps({
        "format": FORMAT, "record_id": record_id, "station_id": station_id, "seq": seq, "created_at": created_at,
        "alg": ALG, "ephemeral_public_key": b64(eph_raw), "wrapped_key": b64(wrapped), "nonce": b64(nonce),
        "ciphertext_sha256": hashlib.sha256(ciphertext).hexdigest(), "ciphertext_len": len(ciphertext),
    }, sort_keys=True, separators=(",", ":")).encode()
    signed = MAGIC + struct.pack(">I", len(header)) + header
    return signed + station_key.sign(signed) + ciphertext


def _split(data: bytes) -> tuple[bytes, dict[str, Any], bytes, bytes]:
    if len(data) < _PREFIX:
        raise PacketError(f"packet is truncated: {len(data)} bytes, not even a header", code="packet.truncated")
    if data[:len(MAGIC)] != MAGIC:
        raise PacketError("not a SINOPSIS packet (wrong magic bytes) or damaged at the start", code="packet.magic")
    (header_len,) = struct.unpack(">I", data[len(MAGIC):_PREFIX])
    if header_len > MAX_HEADER:
        raise PacketError(f"packet header length {header_len} is implausible: the file is damaged",
                          code="packet.header")
    end = _PREFIX + header_len
    if len(data) < end + SIG_LEN:
        raise PacketError(f"packet is truncated: header and signature need {end + SIG_LEN} bytes, file has "
                          f"{len(data)}", code="packet.truncated")
    try:
        header = json.loads(data[_PREFIX:end].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PacketError("packet header is not readable JSON: the file was altered or damaged",
                          code="packet.header") from None
    if not isinstance(header, dict):
        raise PacketError("packet header is not a JSON object", code="packet.header")
    return data[:end], header, data[end:end + SIG_LEN], data[end + SIG_LEN:]


def _header(header: dict[str, Any], ciphertext: bytes) -> PacketHeader:
    for name, kind in _FIELDS.items():
        if not isinstance(header.get(name), kind) or (kind is int and isinstance(header.get(name), bool)):
            raise PacketError(f"packet header field {name!r} is missing or not a {kind.__name__}",
                              code="packet.header")
    if header["format"] != FORMAT:
        raise PacketError(f"packet format {header['format']!r} is not {FORMAT!r}", code="packet.header")
    if len(ciphertext) != header["ciphertext_len"]:
        shorter = len(ciphertext) < header["ciphertext_len"]
        raise PacketError(f"packet is {'truncated' if shorter else 'longer than signed'}: header says "
                          f"{header['ciphertext_len']} bytes of ciphertext, file has {len(ciphertext)}",
                          code="packet.truncated" if shorter else "packet.trailing")
    return PacketHeader(header["record_id"], header["station_id"], header["seq"], header["created_at"],
                        header["ciphertext_sha256"], header["ciphertext_len"], header)


def read_header(data: bytes) -> PacketHeader:
    """Parse a packet's structure WITHOUT checking the signature (for display and routing only)."""
    _, header, _, ciphertext = _split(data)
    return _header(header, ciphertext)


def verify_packet(data: bytes, station_public_key: Ed25519PublicKey) -> PacketHeader:
    """Check structure, signature and ciphertext hash; returns the header or raises PacketError."""
    signed, header, signature, ciphertext = _split(data)
    try:
        station_public_key.verify(signature, signed)
    except InvalidSignature:
        raise PacketError("packet signature does not verify against the given station key: the file was altered "
                          "or was not sealed by this station", code="packet.signature") from None
    parsed = _header(header, ciphertext)
    if hashlib.sha256(ciphertext).hexdigest() != parsed.ciphertext_sha256:
        raise PacketError("packet ciphertext does not match its signed SHA-256: the file was altered",
                          code="packet.ciphertext_hash")
    return parsed


def open_packet(data: bytes, station_public_key: Ed25519PublicKey,
                hq_private_key: X25519PrivateKey) -> dict[str, bytes]:
    """Verify first, then decrypt and unpack; returns {name: bytes}. Raises PacketError."""
    h = verify_packet(data, station_public_key)
    try:
        eph_raw = base64.b64decode(h.raw["ephemeral_public_key"], validate=True)
        ephemeral = X25519PublicKey.from_public_bytes(eph_raw)
        kek = _kek(hq_private_key.exchange(ephemeral), eph_raw, _raw(hq_private_key.public_key()), h.record_id)
        content_key = aes_key_unwrap(kek, base64.b64decode(h.raw["wrapped_key"], validate=True))
        payload = AESGCM(content_key).decrypt(base64.b64decode(h.raw["nonce"], validate=True),
                                              data[-h.ciphertext_len:] if h.ciphertext_len else b"",
                                              _aad(h.station_id, h.record_id, h.seq))
    except (InvalidUnwrap, InvalidTag, ValueError):
        raise PacketError("packet cannot be decrypted with this HQ key: it was sealed for another HQ key",
                          code="packet.decrypt") from None
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            files = {}
            for info in archive.infolist():
                if not _check_name(info.filename) or info.filename in files:
                    raise PacketError(f"packet payload holds a forbidden file name {info.filename!r}",
                                      code="packet.payload")
                files[info.filename] = archive.read(info)
            return files
    except (zipfile.BadZipFile, OSError, EOFError):
        raise PacketError("packet payload is not a readable archive", code="packet.payload") from None
