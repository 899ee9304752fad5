"""Enrolling a station at HQ: its id (the MQTT username and the station_id in its packets) and its Ed25519
public key, against which every packet it sends is verified. Re-enrolling updates the school and SPT; replacing
the key of a known station must be asked for explicitly, since packets signed by the old key stop verifying.
A revoked station's key is refused for good; a replacement kit may take the id with new keys (--replace-key).
The station's TLS certificate (serial, fingerprint, expiry) is noted here when HQ's CA issues one
(provisioning/), and a revoke stamps `revoked_at`, after which ingest refuses the station's packets."""

import datetime as dt

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.exceptions import ValidationError
from django.db import transaction

from hq.errors import HqError
from hq.fleet.models import Station, id_validator


def normalised_public_key(pem: bytes, source: str) -> str:
    """The Ed25519 public key in `pem` as canonical PEM text; HqError naming `source` otherwise."""
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError, UnicodeError, UnsupportedAlgorithm) as e:  # the last: an unknown key type
        raise HqError(f"{source}: not a readable PEM public key ({e})", "hq.station_key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise HqError(f"{source}: holds a {type(key).__name__}, expected the station's Ed25519 signing key",
                      "hq.station_key")
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def enrol_station(station_id: str, public_key_pem: bytes, *, source: str = "key", name: str | None = None,
                  school: str | None = None, spt_number: str | None = None,
                  replace_key: bool = False) -> tuple[Station, bool]:
    """Create or update a station; returns (station, created). HqError for a bad id or key, or another key for
    a known station without `replace_key`."""
    try:
        id_validator(station_id)
    except ValidationError:
        raise HqError(f"station id {station_id!r}: use letters, digits, '.', '_', '-' (at most 128)",
                      "hq.station_id") from None
    pem = normalised_public_key(public_key_pem, source)
    with transaction.atomic():
        station = Station.objects.select_for_update().filter(pk=station_id).first()
        created = station is None
        if station is None:
            station = Station(id=station_id, public_key_pem=pem)
        elif station.revoked_at is not None and station.public_key_pem == pem:
            raise HqError(f"station {station_id} was revoked ({station.revoked_reason or 'no reason given'}) and this "
                          "is its old signing key: a revoked key never comes back. Re-provision the kit (new keys) "
                          "and enrol it with --replace-key", "hq.station_revoked")
        elif station.public_key_pem != pem and not replace_key:
            raise HqError(f"station {station_id} is enrolled with another key; packets it signed with that key "
                          "would stop verifying. Use --replace-key if the station was re-provisioned",
                          "hq.station_key_differs")
        elif station.revoked_at is not None:  # a replacement kit under the revoked kit's id, with new keys
            station.revoked_at, station.revoked_reason = None, ""
        station.public_key_pem = pem
        for field, value in (("name", name), ("school", school), ("spt_number", spt_number)):
            if value is not None:
                setattr(station, field, value)
        station.full_clean()
        station.save()
    return station, created


def record_certificate(station_id: str, serial: str, fingerprint: str, expires_at: dt.datetime) -> None:
    """Note the newest TLS certificate HQ's CA issued to an enrolled station (shown on the dashboard)."""
    updated = Station.objects.filter(pk=station_id).update(cert_serial=serial, cert_fingerprint=fingerprint,
                                                           cert_expires_at=expires_at)
    if not updated:
        raise HqError(f"station {station_id} is not enrolled", "hq.station_unknown")


def revoke_station(station_id: str, reason: str = "") -> Station:
    """Mark a station revoked: from now on HQ's ingest refuses its packets (`station.revoked`). Revoking
    again keeps the first time. HqError for an unknown station."""
    from django.utils import timezone

    with transaction.atomic():
        station = Station.objects.select_for_update().filter(pk=station_id).first()
        if station is None:
            raise HqError(f"station {station_id} is not enrolled at HQ; check the id (the dashboard lists them)",
                          "hq.station_unknown")
        if station.revoked_at is None:
            station.revoked_at, station.revoked_reason = timezone.now(), reason[:200]
            station.save(update_fields=["revoked_at", "revoked_reason"])
    return station
