"""Installing HQ's enrolment bundle on the station: check everything first, then pin it all or nothing.

Checks, in this order, each refusal saying what to do: the bundle is one (format, this station's id); the CA in
it is a CA (and the one the technician read out with `--ca-fingerprint`, and the one already pinned, unless
`repin`); the certificate is signed by that CA (a flipped byte or another CA's certificate fails here), is for
THIS station's id and THIS station's TLS key, is for client authentication and valid now; the bundle's own
signature is the CA's (HQ's public keys were not swapped); HQ's keys are an Ed25519 and an X25519 key.

Then the station certificate, the CA certificate and HQ's two public keys are written to temp files in the keys
dir, fsynced, and renamed over the old ones; if a rename fails, the ones already renamed are put back, so the
station is left with the old set or the new set, never a mix.
"""

import base64
import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from cryptography.x509.oid import ExtendedKeyUsageOID

from contract.durable import TEMP_PREFIX, fsync_dir
from contract.errors import KeyFileError
from contract.keys import parse_public_key
from provisioning.enrolment import BUNDLE_FORMAT, _load_json, canonical
from provisioning.pki import (
    ProvisionError,
    common_name,
    fingerprint,
    load_private_tls_key,
    parse_cert,
    same_public_key,
    verify_issued_by,
)
from station.config import StationConfig

PINNED = ("broker_cert", "broker_ca", "hq_assignment_public_key", "hq_packet_public_key")


@dataclass(frozen=True)
class Installed:
    """What was pinned: the certificate's serial, expiry and the CA's fingerprint."""

    serial: str
    not_after: dt.datetime
    ca_fingerprint: str
    paths: dict[str, Path]


def _normal_hex(text: str) -> str:
    return "".join(c for c in text.lower() if c in "0123456789abcdef")


def _pinned_differs(path: Path, new: bytes) -> bool:
    return path.exists() and path.read_bytes().strip() != new.strip()


def check_bundle(config: StationConfig, data: bytes, source: str = "bundle", ca_fingerprint: str | None = None,
                 repin: bool = False, now: dt.datetime | None = None) -> tuple[dict[str, bytes], Installed]:
    """Every check of the module docstring; returns the files to write (by [keys] name) and a summary."""
    station_id = config.station.id
    body = _load_json(data, source, BUNDLE_FORMAT, "an enrolment bundle")
    try:
        fields = {k: str(body[k]) for k in ("station_id", "certificate", "ca_certificate",
                                             "hq_assignment_public_key", "hq_packet_public_key", "signature")}
        signature = base64.b64decode(fields["signature"], validate=True)
    except (KeyError, ValueError) as e:
        raise ProvisionError(f"{source}: the bundle is damaged ({e}); ask HQ for a new one",
                             "provision.bundle") from None
    if fields["station_id"] != station_id:
        raise ProvisionError(f"{source}: this bundle is for station {fields['station_id']!r}, this kit is "
                             f"{station_id!r}; install the bundle made for this kit", "provision.station_id")
    ca = parse_cert(fields["ca_certificate"], f"{source}: CA certificate")
    try:
        is_ca = ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        raise ProvisionError(f"{source}: the CA certificate is not a CA's; ask HQ for a new bundle",
                             "provision.ca")
    if ca_fingerprint and _normal_hex(ca_fingerprint) != fingerprint(ca):
        raise ProvisionError(f"{source}: the CA's fingerprint is {fingerprint(ca)}, not the {ca_fingerprint} you "
                             "gave; this bundle is not from your HQ. Do not install it; ask HQ",
                             "provision.ca_fingerprint")
    ca_pem = fields["ca_certificate"].encode("ascii")
    if not repin and _pinned_differs(config.key_path("broker_ca"), ca_pem):
        raise ProvisionError(f"{source}: this kit already trusts another HQ CA ({config.key_path('broker_ca')}); "
                             "if HQ really changed its CA, install with --repin", "provision.ca_changed")
    cert = parse_cert(fields["certificate"], f"{source}: station certificate")
    verify_issued_by(cert, ca, f"{source}: station certificate")
    if common_name(cert) != station_id:
        raise ProvisionError(f"{source}: the certificate is for {common_name(cert)!r}, not this kit "
                             f"({station_id!r}); ask HQ for this kit's bundle", "provision.station_id")
    if not config.key_path("broker_key").exists():
        raise ProvisionError(f"{config.key_path('broker_key')}: this kit has no TLS key, so the bundle cannot be "
                             "for it; make the request on this kit (`sinopsis provision request`) and enrol that",
                             "provision.cert_key")
    tls_key = load_private_tls_key(config.key_path("broker_key"))
    if not same_public_key(cert.public_key(), tls_key.public_key()):
        raise ProvisionError(f"{source}: the certificate is for another TLS key than this kit's "
                             f"({config.key_path('broker_key')}); was the request made on another kit, or the key "
                             "made again since? Make a new request and enrol again", "provision.cert_key")
    try:
        usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        usages = []
    if ExtendedKeyUsageOID.CLIENT_AUTH not in usages:
        raise ProvisionError(f"{source}: the certificate is not for client authentication; ask HQ for a "
                             "station certificate", "provision.cert_usage")
    now = now or dt.datetime.now(dt.UTC)
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise ProvisionError(f"{source}: the certificate is valid {cert.not_valid_before_utc:%Y-%m-%d %H:%M} to "
                             f"{cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC, and this kit's clock says "
                             f"{now:%Y-%m-%d %H:%M}: set the clock, or ask HQ to renew", "provision.cert_validity")
    unsigned = {k: v for k, v in body.items() if k != "signature"}
    ca_key = ca.public_key()
    try:
        if not isinstance(ca_key, ec.EllipticCurvePublicKey):
            raise InvalidSignature
        ca_key.verify(signature, canonical(unsigned), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise ProvisionError(f"{source}: the bundle's signature is not the CA's (something in it was altered); "
                             "do not install it; ask HQ for a new one", "provision.bundle_signature") from None
    files = {"broker_cert": fields["certificate"].encode("ascii"), "broker_ca": ca_pem}
    for name, kind in (("hq_assignment_public_key", Ed25519PublicKey), ("hq_packet_public_key", X25519PublicKey)):
        try:
            parse_public_key(fields[name], kind, source=f"{source}: {name}")
        except KeyFileError as e:
            raise ProvisionError(f"{e}; ask HQ for a new bundle", "provision.bundle") from None
        files[name] = fields[name].encode("ascii")
        if not repin and _pinned_differs(config.key_path(name), files[name]):
            raise ProvisionError(f"{source}: this kit already pins another {name.replace('_', ' ')} "
                                 f"({config.key_path(name)}); if HQ really changed it, install with --repin",
                                 "provision.key_changed")
    paths = {name: config.key_path(name) for name in PINNED}
    return files, Installed(f"{cert.serial_number:x}", cert.not_valid_after_utc, fingerprint(ca), paths)


def install_bundle(config: StationConfig, data: bytes, source: str = "bundle", ca_fingerprint: str | None = None,
                   repin: bool = False, now: dt.datetime | None = None) -> Installed:
    """Check the bundle, then pin its four files into the station's keys dir, all or nothing."""
    files, summary = check_bundle(config, data, source, ca_fingerprint, repin, now)
    write_all({summary.paths[name]: content for name, content in files.items()})
    return summary


def write_all(files: dict[Path, bytes], mode: int = 0o644) -> None:
    """Write several files so that either all are replaced or none is (temp + fsync each, then renames; a
    failed rename puts back what was already replaced)."""
    staged: list[tuple[Path, Path, Path | None]] = []  # (temp, target, backup of the old target)
    leftovers: list[Path] = []  # every temp and backup made, removed at the end whatever happens
    try:
        for target, content in files.items():
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = target.parent / f"{TEMP_PREFIX}{target.name}.{secrets.token_hex(4)}"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            leftovers.append(tmp)
            try:
                os.write(fd, content)
                os.fsync(fd)
            finally:
                os.close(fd)
            backup = None
            if target.is_file():
                backup = target.parent / f"{TEMP_PREFIX}{target.name}.old.{secrets.token_hex(4)}"
                os.link(target, backup)
                leftovers.append(backup)
            staged.append((tmp, target, backup))
        done: list[tuple[Path, Path | None]] = []
        try:
            for tmp, target, backup in staged:
                tmp.replace(target)
                done.append((target, backup))
        except OSError:
            for target, backup in reversed(done):
                if backup is not None:
                    backup.replace(target)
                else:
                    target.unlink(missing_ok=True)
            raise
        for directory in {target.parent for _t, target, _b in staged}:
            fsync_dir(directory)
    finally:
        for path in leftovers:
            path.unlink(missing_ok=True)
