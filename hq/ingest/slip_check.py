"""Checking an acknowledgement slip's QR (contract/slip_qr.py) against what HQ knows: the station it names must be
enrolled, the signature must verify with that station's enrolled key, and the record's state at HQ is looked up.

The answer holds only what the slip itself prints (record number, sealing time, station, what was captured) and
HQ's state of the record; never a name, a NIK or an image. A station revoked (lost, stolen) makes every slip of
a record HQ did not receive before the revocation untrustworthy: whoever has the kit can sign.
"""

import datetime as dt
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.utils.translation import gettext as _

from contract.errors import KeyFileError, QrError
from contract.keys import parse_public_key
from contract.slip_qr import SlipClaim, parse_slip_qr, sealing_time
from hq.fleet.models import Station
from hq.ingest.models import Quarantine, Record

GENUINE, REFUSED = "genuine", "refused"
STATES = ("received", "pending", "quarantined", "mismatch", "revoked")


@dataclass(frozen=True)
class SlipCheck:
    """What the page shows. `verdict` is genuine or refused; `state` one of STATES for a genuine slip."""

    verdict: str
    message: str  # why (refused) or what HQ knows of the record (genuine), in the page's language
    claim: SlipClaim | None = None
    station: Station | None = None
    state: str = ""
    received_at: dt.datetime | None = None


def _refused(message: str) -> SlipCheck:
    return SlipCheck(REFUSED, message)


def check_slip(text: str) -> SlipCheck:
    """Parse, verify and look up a scanned slip QR (the bare payload or the verification address)."""
    try:
        signed = parse_slip_qr(text)
    except QrError as e:
        if e.code == "slip.foreign":
            return _refused(_("This is not the QR of a SINOPSIS acknowledgement slip. Scan the QR at the bottom of "
                              "the acknowledgement slip (not the queue slip)."))
        return _refused(_("The QR cannot be read whole: it is damaged or was altered. Scan it again; if it still "
                          "fails, the slip cannot be confirmed."))
    claim = signed.claim
    station = Station.objects.filter(pk=claim.station_id).first()
    if station is None:
        return _refused(_("The slip names station %(station)s, which HQ has never enrolled: it was not made by one "
                          "of our stations. Do not accept it.") % {"station": claim.station_id})
    try:
        signed.verify(parse_public_key(station.public_key_pem, Ed25519PublicKey, f"station {station.pk}"))
    except (QrError, KeyFileError):
        return _refused(_("The slip's signature does not match station %(station)s: its numbers were changed or "
                          "it was not made by that station. Do not accept it.") % {"station": station.pk})
    return _genuine(claim, station)


def _genuine(claim: SlipClaim, station: Station) -> SlipCheck:
    record = Record.objects.filter(pk=claim.record_id).first()
    if record is not None:
        if (record.station_id, record.seq) != (station.pk, claim.seq) or _sealed(record) != claim.sealed_at:
            return SlipCheck(GENUINE, _("HQ holds this record with other numbers than the slip's. Keep the slip "
                                        "and report it to the technician."), claim, station, "mismatch")
        if station.revoked_at is not None and record.received_at >= station.revoked_at:
            return _revoked(claim, station)
        return SlipCheck(GENUINE, _("The record reached HQ and is stored."), claim, station, "received",
                         record.received_at)
    if station.revoked_at is not None:
        return _revoked(claim, station)
    if Quarantine.objects.filter(record_id=claim.record_id, station=station).exists():
        return SlipCheck(GENUINE, _("The record reached HQ but is set aside for a check (HQ already holds another "
                                    "version of it). The technician resolves it; nothing is needed from the "
                                    "student."), claim, station, "quarantined")
    return SlipCheck(GENUINE, _("The record has not reached HQ yet: the station sends it when it is connected. "
                                "Check again later; if it is still missing after a week, report the record number "
                                "to the technician."), claim, station, "pending")


def _revoked(claim: SlipClaim, station: Station) -> SlipCheck:
    return SlipCheck(GENUINE, _("Station %(station)s was revoked (lost or stolen) before HQ received this record: "
                                "whoever holds it can make slips. Do not rely on this slip; ask the student to be "
                                "recorded again.") % {"station": station.pk}, claim, station, "revoked")


def _sealed(record: Record) -> dt.datetime | None:
    try:
        return sealing_time(record.sealed_at)
    except (ValueError, QrError):
        return None
