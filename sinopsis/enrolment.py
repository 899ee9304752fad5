"""Enrolling a kit at HQ: the CA (provisioning) and HQ's station registry (hq.fleet) wired together.

`enrol` checks a kit's request (provisioning/enrolment.py), registers its signing key
(hq.fleet.enrolment.enrol_station), signs a client certificate and returns the bundle. `renew` issues a new
certificate for the key of the station's newest one (no visit to the kit needed beyond installing the bundle);
the old certificate keeps working until it expires or is revoked. `revoke` marks the station revoked at HQ
(ingest refuses its packets) and puts all its certificates on the CRL. Each needs Django set up.
"""

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from contract.keys import load_private_key, public_pem, save_private_key
from provisioning.enrolment import CLOCK_TOLERANCE, check_request, make_bundle
from provisioning.pki import STATION, CertificateAuthority, ProvisionError, fingerprint


def hq_packet_key() -> X25519PrivateKey:
    """HQ's packet-encryption key: SINOPSIS_HQ_PACKET_KEY, else <HQ data>/keys/hq_packet.pem (made once, 0600,
    where the service report also looks for it)."""
    from django.conf import settings

    named = os.environ.get("SINOPSIS_HQ_PACKET_KEY", "").strip()
    path = Path(named) if named else Path(settings.HQ_DATA_DIR) / "keys" / "hq_packet.pem"
    if not named and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        save_private_key(path, X25519PrivateKey.generate())
    return load_private_key(path, X25519PrivateKey)


def _bundle(ca: CertificateAuthority, station_id: str, cert: x509.Certificate) -> bytes:
    """The enrolment bundle for a station with HQ's current public keys (needs Django: HQ's keys)."""
    from hq.keys import assignment_key

    return make_bundle(ca, station_id, cert, public_pem(assignment_key().public_key()),
                       public_pem(hq_packet_key().public_key()))

@dataclass(frozen=True)
class Enrolled:
    """What `enrol` or `renew` did: the bundle to carry to the kit, and the certificate in it."""

    bundle: bytes
    cert: x509.Certificate
    created: bool = False


def _issue(ca: CertificateAuthority, station_id: str, public_key: ec.EllipticCurvePublicKey, days: int | None,
           now: dt.datetime | None) -> x509.Certificate:
    from hq.fleet.enrolment import record_certificate

    cert = ca.issue(station_id, public_key, STATION, days=days, now=now)
    record_certificate(station_id, f"{cert.serial_number:x}", fingerprint(cert), cert.not_valid_after_utc)
    return cert


def enrol(ca: CertificateAuthority, station_id: str, request: bytes, *, source: str = "request",
          days: int | None = None, now: dt.datetime | None = None, tolerance: dt.timedelta = CLOCK_TOLERANCE,
          name: str | None = None, school: str | None = None, spt_number: str | None = None,
          replace_key: bool = False) -> Enrolled:
    """HQ side: check the request, register the station's signing key, issue its certificate; the bundle.
    ProvisionError for a bad request, HqError (hq.fleet) for a refused enrolment (another key, revoked key)."""
    from django.db import transaction

    from hq.fleet.enrolment import enrol_station

    checked = check_request(request, station_id, source, now, tolerance)
    with transaction.atomic():  # no certificate is recorded for a station whose enrolment was refused
        station, created = enrol_station(station_id, public_pem(checked.signing_key).encode(), source=source,
                                         name=name, school=school, spt_number=spt_number, replace_key=replace_key)
        cert = _issue(ca, station.id, checked.csr.public_key(), days, now)
    return Enrolled(_bundle(ca, station.id, cert), cert, created)


def renew(ca: CertificateAuthority, station_id: str, days: int | None = None,
          now: dt.datetime | None = None) -> Enrolled:
    """HQ side: a new certificate for the same TLS key as the station's newest certificate (the old one stays
    valid until it expires); refused for an unknown or revoked station."""
    from hq.fleet.models import Station

    station = Station.objects.filter(pk=station_id).first()
    if station is None:
        raise ProvisionError(f"station {station_id} is not enrolled at HQ; enrol it first "
                             "(`sinopsis provision enrol`)", "provision.unknown_station")
    if station.revoked_at is not None:
        raise ProvisionError(f"station {station_id} was revoked on {station.revoked_at:%Y-%m-%d}; a revoked kit "
                             "gets no new certificate. Re-provision it and enrol it again", "provision.revoked")
    latest = ca.latest(station_id)
    if latest is None:
        raise ProvisionError(f"station {station_id} has no certificate from this CA ({ca.directory}) to renew; "
                             "enrol it with a request from the kit (`sinopsis provision request`)",
                             "provision.no_cert")
    old = ca.issued_cert(latest.serial)
    cert = _issue(ca, station_id, old.public_key(), days, now)  # type: ignore[arg-type]
    return Enrolled(_bundle(ca, station_id, cert), cert)


def revoke(ca: CertificateAuthority, station_id: str, reason: str = "") -> int:
    """HQ side: the station revoked at HQ (its packets refused from now on) and every certificate of it on the
    CRL; returns how many certificates were newly revoked."""
    from hq.fleet.enrolment import revoke_station

    revoke_station(station_id, reason)
    return len(ca.revoke(station_id, STATION, reason))
