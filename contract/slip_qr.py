"""The QR on the acknowledgement slip: the station's signed word that this record was saved, which HQ verifies.

Payload (printable ASCII, ~180 characters, a version 10 QR at level M):

    SINOPSIS-SLIP1:<station id>:<seq>:<record id>:<sealed at>:<summary>:<signature>

- <sealed at> is the sealing time in UTC, whole seconds, as 20261125T013000Z (no ':' inside a field);
- <summary> is six hexadecimal digits, what the slip says was captured: fingers captured, finger exceptions,
  irises captured, iris exceptions, signature exception (0/1), positions accepted below their threshold;
- <signature> is the URL-safe base64 (no padding) Ed25519 signature by the station's signing key (the one HQ
  enrolled, which also signs its packets) over `sinopsis-slip/1|<station>|<record>|<seq>|<sealed at>|<summary>`.

The receipt number the slip prints is contract.ids.receipt_number(station, seq), so it is signed too. The QR may be
prefixed by a verification address (`https://…/verify/` + payload): a phone's camera then opens HQ's page; HQ's
form takes either. Nothing personal is in it: no name, no NIK. Bad input only ever raises QrError with a code
(slip.foreign, slip.malformed, slip.tampered).
"""

import base64
import binascii
import datetime as dt
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from contract.errors import QrError
from contract.ids import receipt_number

PREFIX = "SINOPSIS-SLIP1"
CONTEXT = b"sinopsis-slip/1|"
MAX_LENGTH = 600
TIME_FORMAT = "%Y%m%dT%H%M%SZ"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\Z")  # the packets' station and record ids
_SEQ = re.compile(r"^[1-9][0-9]{0,17}\Z")
_TIME = re.compile(r"^[0-9]{8}T[0-9]{6}Z\Z")
_SUMMARY = re.compile(r"^[0-9a-f]{6}\Z")
_SIGNATURE = re.compile(r"^[A-Za-z0-9_-]{86}\Z")  # 64 bytes


@dataclass(frozen=True)
class SlipClaim:
    """What a slip's QR asserts about one saved record (no personal data)."""

    station_id: str
    record_id: str
    seq: int
    sealed_at: dt.datetime  # UTC, whole seconds
    fingers_captured: int
    finger_exceptions: int
    irises_captured: int
    iris_exceptions: int
    signature_exception: bool
    below_threshold: int

    @property
    def receipt_number(self) -> str:
        """The record number printed on the slip (station and sequence)."""
        return receipt_number(self.station_id, self.seq)

    def summary(self) -> str:
        """The six hexadecimal digits of the capture summary (module text)."""
        counts = (self.fingers_captured, self.finger_exceptions, self.irises_captured, self.iris_exceptions,
                  int(self.signature_exception), self.below_threshold)
        limits = (10, 10, 2, 2, 1, 13)
        if any(not 0 <= c <= limit for c, limit in zip(counts, limits, strict=True)) or (
                self.fingers_captured + self.finger_exceptions > 10 or self.irises_captured + self.iris_exceptions > 2):
            raise QrError(f"slip counts {counts} do not fit 10 fingers, 2 irises and 13 scored positions: the QR "
                          "was altered (or the record is impossible)", "slip.malformed")
        return "".join(f"{c:x}" for c in counts)

    def message(self) -> bytes:
        """The bytes the station signs."""
        fields = (self.station_id, self.record_id, str(self.seq), self.sealed_at.strftime(TIME_FORMAT), self.summary())
        return CONTEXT + "|".join(fields).encode("ascii")


@dataclass(frozen=True)
class SignedSlip:
    """A parsed slip QR, signature not yet checked (HQ first looks up the station's key by `claim.station_id`)."""

    claim: SlipClaim
    signature: bytes

    def verify(self, station_public_key: Ed25519PublicKey) -> SlipClaim:
        """The claim, once the signature verifies against the station's enrolled key; QrError slip.tampered if not."""
        try:
            station_public_key.verify(self.signature, self.claim.message())
        except InvalidSignature as exc:
            raise QrError(f"the slip's signature does not match station {self.claim.station_id}'s key: the QR was "
                          "altered, copied onto another slip's numbers, or not made by that station",
                          "slip.tampered") from exc
        return self.claim


def sealing_time(iso: str) -> dt.datetime:
    """A station's ISO 8601 time (station.clock.now_iso) as the slip signs it: UTC, whole seconds."""
    when = dt.datetime.fromisoformat(iso)
    if when.tzinfo is None:
        raise QrError(f"sealing time {iso!r} has no time zone", "slip.malformed")
    return when.astimezone(dt.UTC).replace(microsecond=0)


def make_slip_qr(claim: SlipClaim, station_key: Ed25519PrivateKey, url: str = "") -> str:
    """The QR text for `claim`, signed by the station (station side, and tests); `url` is prepended as it is."""
    for name, value in (("station id", claim.station_id), ("record id", claim.record_id)):
        if not _ID.match(value):
            raise QrError(f"{name} {value!r} is not 1-128 letters, digits, '.', '_' or '-'", "slip.malformed")
    if not _SEQ.match(str(claim.seq)):
        raise QrError(f"sequence number {claim.seq!r} is not a positive whole number", "slip.malformed")
    signature = base64.urlsafe_b64encode(station_key.sign(claim.message())).rstrip(b"=").decode()
    payload = ":".join((PREFIX, claim.station_id, str(claim.seq), claim.record_id,
                        claim.sealed_at.strftime(TIME_FORMAT), claim.summary(), signature))
    return url + payload


def parse_slip_qr(text: str) -> SignedSlip:
    """The claim and signature in a scanned slip QR (the bare payload or a verification address ending in it);
    QrError says what is wrong. The signature is checked by SignedSlip.verify with the station's key."""
    text = (text or "").strip()
    if not text or len(text) > MAX_LENGTH:
        raise QrError("this is empty or far too long to be the QR of a SINOPSIS acknowledgement slip; scan the QR "
                      "at the bottom of the slip", "slip.foreign")
    payload = text.rsplit("/", 1)[-1].split("?", 1)[0].split("#", 1)[0]  # an address: its last part
    parts = payload.split(":")
    if parts[0] != PREFIX:
        raise QrError("this is not the QR of a SINOPSIS acknowledgement slip (another code, or the queue slip's); "
                      "scan the QR at the bottom of the acknowledgement slip", "slip.foreign")
    if len(parts) != 7:
        raise QrError(f"the slip's QR has {len(parts)} parts, not 7: it is damaged or altered; scan it again, or "
                      "type the record number to look it up", "slip.malformed")
    _, station_id, seq, record_id, sealed, summary, encoded = parts
    checks = ((_ID, station_id, "station id"), (_SEQ, seq, "sequence number"), (_ID, record_id, "record id"),
              (_TIME, sealed, "sealing time"), (_SUMMARY, summary, "capture summary"),
              (_SIGNATURE, encoded, "signature"))
    for pattern, value, name in checks:
        if not pattern.match(value):
            raise QrError(f"the slip's {name} {value[:40]!r} is malformed: the QR is damaged or altered; scan it "
                          "again", "slip.malformed")
    try:
        sealed_at = dt.datetime.strptime(sealed, TIME_FORMAT).replace(tzinfo=dt.UTC)
        signature = base64.urlsafe_b64decode(encoded + "==")
    except (ValueError, binascii.Error) as exc:
        raise QrError(f"the slip's sealing time {sealed!r} or signature cannot be read: the QR is damaged or "
                      "altered; scan it again", "slip.malformed") from exc
    counts = [int(c, 16) for c in summary]
    claim = SlipClaim(station_id, record_id, int(seq), sealed_at, *counts[:4], bool(counts[4]), counts[5])
    if counts[4] > 1:
        raise QrError(f"the slip's capture summary {summary!r} is not possible: the QR is altered", "slip.malformed")
    claim.summary()  # the counts fit the positions
    return SignedSlip(claim, signature)
