"""Enrolling a kit: the request the station makes, HQ's checks and the bundle HQ gives back; renew and revoke.

1. On the station, `make_request` keeps (or makes) its TLS key and its Ed25519 packet-signing key in its keys
   dir and writes a request: a CSR with CN = station id, the signing public key, the station's clock reading,
   all signed with the signing key (so HQ knows the station holds it).
2. At HQ, `check_request` checks the request (CSR signature, CN = the id the technician asked for, the request's
   own signature, the station's clock within `CLOCK_TOLERANCE` of HQ's); sinopsis/enrolment.py then registers
   the signing key at HQ, signs a client certificate and returns the bundle (`make_bundle`): the certificate,
   the CA certificate, HQ's assignment-signing and packet-encryption public keys, signed by the CA's key.
3. On the station, provisioning/install.py checks the bundle and pins it.

Renewing and revoking (sinopsis/enrolment.py) need HQ's station registry as well as the CA, so they live with
the application that wires both.
"""

import base64
import datetime as dt
import json
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.x509.oid import NameOID

from contract.errors import KeyFileError
from contract.keys import load_private_key, parse_public_key, public_pem, save_private_key
from provisioning.pki import (
    CertificateAuthority,
    ProvisionError,
    cert_pem,
    common_name,
    load_private_tls_key,
    new_key,
    parse_csr,
    save_key,
    utcnow,
)
from station.config import StationConfig

REQUEST_FORMAT, BUNDLE_FORMAT = "sinopsis.enrolment-request.v1", "sinopsis.enrolment-bundle.v1"
CLOCK_TOLERANCE = dt.timedelta(minutes=10)  # the kit is at the office: the request is minutes old at most
RESERVED_PREFIX = "hq"  # HQ's own client certificates (hq-ingest…): a station id may never take such a name


def canonical(body: dict) -> bytes:
    """The bytes a request or bundle signature covers: sorted keys, no spaces, UTF-8."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def reserved(name: str) -> bool:
    """Whether `name` is kept for HQ's own certificates (the broker gives them every station's topics)."""
    return name.lower() == RESERVED_PREFIX or name.lower().startswith(RESERVED_PREFIX + "-")


def _signing_key(config: StationConfig) -> Ed25519PrivateKey:
    path = config.key_path("station_signing_key")
    if path.exists():
        return load_private_key(path, Ed25519PrivateKey)
    key = Ed25519PrivateKey.generate()
    save_private_key(path, key)
    return key


def make_request(config: StationConfig, now: dt.datetime | None = None) -> bytes:
    """Station side: the enrolment request as bytes (JSON). The TLS key and the signing key are kept when they
    exist (a renewal or a second try), else made (0600) in the station's keys dir; private keys never leave."""
    station_id = config.station.id
    tls_path = config.key_path("broker_key")
    tls_key = load_private_tls_key(tls_path) if tls_path.exists() else None
    if tls_key is None:
        tls_key = new_key()
        save_key(tls_path, tls_key)
    signing = _signing_key(config)
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, station_id)]))
           .sign(tls_key, hashes.SHA256()))
    body = {"format": REQUEST_FORMAT, "station_id": station_id,
            "csr": csr.public_bytes(serialization.Encoding.PEM).decode("ascii"),
            "signing_public_key": public_pem(signing.public_key()),
            "station_clock": (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")}
    body["signature"] = base64.b64encode(signing.sign(canonical(body))).decode("ascii")
    return json.dumps(body, indent=1).encode() + b"\n"


@dataclass(frozen=True)
class Request:
    """A request HQ has checked."""

    station_id: str
    csr: x509.CertificateSigningRequest
    signing_key: Ed25519PublicKey
    station_clock: dt.datetime


def _load_json(data: bytes, source: str, fmt: str, what: str) -> dict:
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, an integer over 4300 digits, nesting too deep
        body = None
    if not isinstance(body, dict) or body.get("format") != fmt:
        raise ProvisionError(f"{source}: not {what} (expected JSON with format {fmt}); give the file "
                             f"`sinopsis provision {'request' if fmt == REQUEST_FORMAT else 'enrol'}` wrote",
                             "provision.format")
    return body


def check_request(data: bytes, station_id: str, source: str = "request", now: dt.datetime | None = None,
                  tolerance: dt.timedelta = CLOCK_TOLERANCE) -> Request:
    """HQ side: the request checked against the id the technician asked for and HQ's clock; ProvisionError
    saying what is wrong and what to do otherwise."""
    body = _load_json(data, source, REQUEST_FORMAT, "an enrolment request")
    if reserved(station_id):
        raise ProvisionError(f"station id {station_id!r}: names starting with 'hq' are kept for HQ's own "
                             "certificates (they may read every station's topics); choose another id",
                             "provision.reserved_id")
    try:
        csr = parse_csr(str(body["csr"]), source)
        signing = parse_public_key(str(body["signing_public_key"]), Ed25519PublicKey, source=f"{source}: signing key")
        signature = base64.b64decode(str(body["signature"]), validate=True)
        clock = dt.datetime.fromisoformat(str(body["station_clock"]))
    except (KeyError, ValueError, UnicodeError, KeyFileError) as e:
        raise ProvisionError(f"{source}: the request is damaged ({e}); make a new one on the station",
                             "provision.request") from None
    if not csr.is_signature_valid:
        raise ProvisionError(f"{source}: the certificate request's signature is not valid (the file was altered); "
                             "make a new request on the station", "provision.csr_signature")
    if not isinstance(csr.public_key(), ec.EllipticCurvePublicKey):
        raise ProvisionError(f"{source}: the request's TLS key is not an EC key; make the request with "
                             "`sinopsis provision request`", "provision.csr_key")
    cn = common_name(csr)
    if cn != station_id or body.get("station_id") != station_id:
        raise ProvisionError(f"{source}: the request is for station {cn!r}, not {station_id!r}. Enrol it under "
                             f"its own id, or set [station] id = \"{station_id}\" on the kit and make a new request",
                             "provision.station_id")
    unsigned = {k: v for k, v in body.items() if k != "signature"}
    try:
        signing.verify(signature, canonical(unsigned))
    except InvalidSignature:
        raise ProvisionError(f"{source}: the request's signature does not match its signing key (the file was "
                             "altered); make a new request on the station", "provision.request_signature") from None
    now = now or dt.datetime.now(dt.UTC)
    if clock.tzinfo is None:
        clock = clock.replace(tzinfo=dt.UTC)
    skew = clock - now
    if abs(skew) > tolerance:
        minutes = int(abs(skew).total_seconds() // 60)
        raise ProvisionError(
            f"{source}: the station's clock read {clock.isoformat()} when the request was made, HQ's clock reads "
            f"{now.isoformat(timespec='seconds')}: {minutes} minutes {'ahead' if skew > dt.timedelta(0) else 'behind'}"
            f" (more than {int(tolerance.total_seconds() // 60)} allowed). Set the station's clock to the right "
            "time (e.g. `timedatectl set-ntp true`, or `date -s`), then make a new request and enrol it at once",
            "provision.clock")
    return Request(station_id, csr, signing, clock)


def make_bundle(ca: CertificateAuthority, station_id: str, cert: x509.Certificate, assignment_public_pem: str,
                packet_public_pem: str) -> bytes:
    """The enrolment bundle for a station, signed with the CA's key: its certificate, the CA certificate and HQ's
    assignment-signing and packet-encryption public keys (PEM)."""
    body = {"format": BUNDLE_FORMAT, "station_id": station_id, "certificate": cert_pem(cert).decode("ascii"),
            "ca_certificate": cert_pem(ca.cert).decode("ascii"),
            "hq_assignment_public_key": assignment_public_pem,
            "hq_packet_public_key": packet_public_pem,
            "issued_at": utcnow().isoformat()}
    body["signature"] = base64.b64encode(ca.key.sign(canonical(body), ec.ECDSA(hashes.SHA256()))).decode("ascii")
    return json.dumps(body, indent=1).encode() + b"\n"
