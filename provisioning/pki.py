"""HQ's certificate authority: the CA key and certificate, the certificates it issues (stations, the broker,
HQ's ingest) and the certificate revocation list (CRL) mosquitto checks on every TLS connection.

The CA lives in one directory (default `<HQ data>/ca`):
- `ca.key.pem` — the CA's private key (EC P-256, 0600). Whoever holds it can make a station; keep backups
  offline.
- `ca.pem` — the CA certificate (self-signed), pinned by every station and by the broker (`cafile`).
- `crl.pem` — the revocation list, signed by the CA (the broker's `crlfile`); rewritten on every revoke.
- `index.json` — every certificate issued (serial, common name, kind, expiry, fingerprint, revoked), so a
  revoke can list all of a station's certificates and a renew can find its key; `issued/<serial>.pem` keeps each.

EC P-256 everywhere: quick to make, small, supported by OpenSSL/mosquitto and paho. Serial numbers are random
(RFC 5280 positive, < 2^159). Writes go through the durable-file helper (temp, fsync, rename).
"""

import datetime as dt
import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from contract.durable import write_durably
from contract.errors import SinopsisError
from contract.files import FileReadError, read_bounded

CA_KEY, CA_CERT, CRL, INDEX = "ca.key.pem", "ca.pem", "crl.pem", "index.json"
CA_DAYS, CLIENT_DAYS, SERVER_DAYS = 3650, 365, 825
CRL_DAYS = 365  # an expired CRL makes OpenSSL refuse every client: `sinopsis provision crl` renews it
BACKDATE = dt.timedelta(minutes=5)  # not_before a little early, so a clock a few seconds behind still accepts
STATION, SERVER, HQ_CLIENT = "station", "server", "hq"


class ProvisionError(SinopsisError):
    """A provisioning input that cannot be used: which file or argument, what is wrong, what to do."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def new_key() -> ec.EllipticCurvePrivateKey:
    """A fresh EC P-256 private key (TLS keys of the CA, stations, broker and HQ ingest)."""
    return ec.generate_private_key(ec.SECP256R1())


def key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the certificate (lowercase hex), what a technician compares by eye (`--ca-fingerprint`)."""
    return cert.fingerprint(hashes.SHA256()).hex()


def common_name(cert: x509.Certificate | x509.CertificateSigningRequest) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""


def same_public_key(a: object, b: object) -> bool:
    """Whether two public keys are the same key (compared by their SubjectPublicKeyInfo)."""
    spki = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return a.public_bytes(*spki) == b.public_bytes(*spki)  # type: ignore[attr-defined]


def load_private_tls_key(path: Path) -> ec.EllipticCurvePrivateKey:
    """An EC private key from a PEM file; ProvisionError naming the file otherwise."""
    try:  # a regular file of a few KB (contract/files.py): not a FIFO, a device or a directory
        key = serialization.load_pem_private_key(read_bounded(path, "key", what="key"), password=None)
    except FileReadError as e:
        raise ProvisionError(str(e), "provision.key_missing" if e.code == "key.missing"
                             else "provision.key_unreadable") from None
    except (ValueError, TypeError) as e:
        raise ProvisionError(f"{path}: not a readable PEM private key ({e})", "provision.key_unreadable") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ProvisionError(f"{path}: holds a {type(key).__name__}, expected an EC (P-256) TLS key",
                             "provision.key_unreadable")
    return key


def save_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    """Write a private key, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_durably(path, key_pem(key), mode=0o600)


def save_cert(path: Path, cert: x509.Certificate) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_durably(path, cert_pem(cert), mode=0o644)


def parse_cert(pem: bytes | str, source: str) -> x509.Certificate:
    """A PEM certificate; ProvisionError naming `source` when it is not one (a damaged file, a flipped byte)."""
    data = pem.encode("ascii", "replace") if isinstance(pem, str) else pem
    try:
        cert = x509.load_pem_x509_certificate(data)
        _read_whole(cert)
    except (ValueError, UnsupportedAlgorithm) as e:  # UnsupportedAlgorithm: a curve or key type we do not know
        raise ProvisionError(f"{source}: not a readable certificate, the file is damaged ({e}); make it again",
                             "provision.cert_unreadable") from None
    return cert


def _read_whole(item: x509.Certificate | x509.CertificateSigningRequest) -> None:
    """Decode every part the checks read: cryptography decodes a certificate's key, names and extensions only when
    asked, so a damaged key inside a well-formed PEM would otherwise raise ValueError in the middle of a check."""
    item.public_key()
    common_name(item)
    _ = item.extensions
    if isinstance(item, x509.Certificate):
        _ = (item.not_valid_before_utc, item.not_valid_after_utc, item.serial_number, item.issuer)
    else:
        _ = item.is_signature_valid


def parse_csr(pem: str, source: str) -> x509.CertificateSigningRequest:
    """A PEM certificate request, decoded whole; ProvisionError naming `source` when it is not one."""
    try:
        csr = x509.load_pem_x509_csr(pem.encode("ascii"))
        _read_whole(csr)
    except (ValueError, UnicodeError, UnsupportedAlgorithm) as e:
        raise ProvisionError(f"{source}: the certificate request is damaged ({e}); make a new request on the "
                             "station", "provision.request") from None
    return csr


@dataclass(frozen=True)
class Issued:
    """A certificate the CA signed, as recorded in its index."""

    serial: str  # hex
    name: str  # the common name (station id, broker host, HQ user)
    kind: str  # station / server / hq
    not_after: str  # ISO UTC
    fingerprint: str
    revoked_at: str | None = None
    reason: str = ""


class CertificateAuthority:
    """The CA in `directory`: `create` it once, then open it to issue, renew and revoke."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        if not (self.directory / CA_KEY).is_file() or not (self.directory / CA_CERT).is_file():
            raise ProvisionError(f"{self.directory}: no HQ certificate authority here (ca.pem, ca.key.pem); "
                                 "create it with `sinopsis provision ca init`, or give --ca", "provision.no_ca")
        self.key = load_private_tls_key(self.directory / CA_KEY)
        pem = read_bounded(self.directory / CA_CERT, "key", error=ProvisionError, what="CA certificate",
                           code="provision.ca_cert")
        self.cert = parse_cert(pem, str(self.directory / CA_CERT))

    @classmethod
    def create(cls, directory: Path, name: str = "SINOPSIS HQ CA", days: int = CA_DAYS,
               now: dt.datetime | None = None) -> "CertificateAuthority":
        """Make a new CA (key, self-signed certificate, empty CRL); refuses to overwrite an existing one."""
        directory = Path(directory)
        if (directory / CA_KEY).exists() or (directory / CA_CERT).exists():
            raise ProvisionError(f"{directory}: a CA already exists here; a new one would orphan every enrolled "
                                 "kit. Use another --ca directory if you really mean a new CA",
                                 "provision.ca_exists")
        directory.mkdir(parents=True, exist_ok=True, mode=0o755)
        now = now or utcnow()
        key = new_key()
        subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Disdukcapil Kota Pekanbaru"),
                             x509.NameAttribute(NameOID.COMMON_NAME, name)])
        ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - BACKDATE)
                .not_valid_after(now + dt.timedelta(days=days))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                             key_encipherment=False, data_encipherment=False, key_agreement=False,
                                             key_cert_sign=True, crl_sign=True, encipher_only=False,
                                             decipher_only=False), critical=True)
                .add_extension(ski, critical=False)
                .sign(key, hashes.SHA256()))
        save_key(directory / CA_KEY, key)
        save_cert(directory / CA_CERT, cert)
        ca = cls(directory)
        with ca._locked():
            ca._write_index([])
            ca._write_crl([], now)
        return ca

    @property
    def crl_path(self) -> Path:
        return self.directory / CRL

    @property
    def cert_path(self) -> Path:
        return self.directory / CA_CERT

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer at a time on the index and the CRL (two technicians enrolling at once)."""
        fd = os.open(self.directory / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def index(self) -> list[Issued]:
        """Every certificate this CA issued, oldest first."""
        path = self.directory / INDEX
        if not path.exists():
            return []
        try:
            return [Issued(**row) for row in json.loads(path.read_text(encoding="utf-8"))]
        except (ValueError, TypeError) as e:
            raise ProvisionError(f"{path}: the CA's index is damaged ({e}); restore it from the backup",
                                 "provision.index") from None

    def _write_index(self, rows: list[Issued]) -> None:
        data = json.dumps([r.__dict__ for r in rows], indent=1).encode()
        write_durably(self.directory / INDEX, data, mode=0o644)

    def issue(self, name: str, public_key: ec.EllipticCurvePublicKey, kind: str, days: int | None = None,
              hosts: list[str] | None = None, now: dt.datetime | None = None) -> x509.Certificate:
        """Sign a certificate for `public_key`: CN = `name`, clientAuth (stations, HQ) or serverAuth with the
        host names / IP addresses in `hosts` (the broker); recorded in the index and under issued/."""
        import ipaddress

        now = now or utcnow()
        days = days or (SERVER_DAYS if kind == SERVER else CLIENT_DAYS)
        not_after = min(now + dt.timedelta(days=days), self.cert.not_valid_after_utc)
        usage = ExtendedKeyUsageOID.SERVER_AUTH if kind == SERVER else ExtendedKeyUsageOID.CLIENT_AUTH
        builder = (x509.CertificateBuilder()
                   .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
                   .issuer_name(self.cert.subject).public_key(public_key)
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - BACKDATE).not_valid_after(not_after)
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                                key_encipherment=False, data_encipherment=False,
                                                key_agreement=False, key_cert_sign=False, crl_sign=False,
                                                encipher_only=False, decipher_only=False), critical=True)
                   .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                                  critical=False))
        if hosts:
            alt: list[x509.GeneralName] = []
            for host in hosts:
                try:
                    alt.append(x509.IPAddress(ipaddress.ip_address(host)))
                except ValueError:
                    alt.append(x509.DNSName(host))
            builder = builder.add_extension(x509.SubjectAlternativeName(alt), critical=False)
        cert = builder.sign(self.key, hashes.SHA256())
        with self._locked():
            save_cert(self.directory / "issued" / f"{cert.serial_number:x}.pem", cert)
            self._write_index([*self.index(), Issued(f"{cert.serial_number:x}", name, kind,
                                                     cert.not_valid_after_utc.isoformat(), fingerprint(cert))])
        return cert

    def issued_cert(self, serial: str) -> x509.Certificate:
        """A certificate this CA issued, by serial (hex)."""
        path = self.directory / "issued" / f"{serial}.pem"
        if not path.exists():
            raise ProvisionError(f"{path}: the CA has no copy of certificate {serial}", "provision.index")
        return parse_cert(read_bounded(path, "key", error=ProvisionError, what="certificate", code="provision.cert"),
                          str(path))

    def latest(self, name: str, kind: str = STATION) -> Issued | None:
        """The newest certificate issued to `name`, revoked or not."""
        rows = [r for r in self.index() if r.name == name and r.kind == kind]
        return rows[-1] if rows else None

    def revoke(self, name: str, kind: str = STATION, reason: str = "",
               now: dt.datetime | None = None) -> list[Issued]:
        """Revoke every certificate of `name` not revoked yet (all of a station's renewals) and rewrite the CRL;
        returns the ones revoked now."""
        now = now or utcnow()
        with self._locked():
            rows, done = self.index(), []
            for i, row in enumerate(rows):
                if row.name == name and row.kind == kind and row.revoked_at is None:
                    rows[i] = Issued(**{**row.__dict__, "revoked_at": now.isoformat(), "reason": reason})
                    done.append(rows[i])
            self._write_index(rows)
            self._write_crl(rows, now)
        return done

    def write_crl(self, now: dt.datetime | None = None) -> Path:
        """Sign a fresh CRL (same revocations, a new next-update date); returns its path."""
        with self._locked():
            self._write_crl(self.index(), now or utcnow())
        return self.crl_path

    def _write_crl(self, rows: list[Issued], now: dt.datetime) -> None:
        number = 1
        if self.crl_path.exists():
            try:
                old = x509.load_pem_x509_crl(read_bounded(self.crl_path, "crl"))
                number = old.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number + 1
            except (ValueError, x509.ExtensionNotFound, FileReadError):
                pass
        builder = (x509.CertificateRevocationListBuilder().issuer_name(self.cert.subject)
                   .last_update(now - BACKDATE).next_update(now + dt.timedelta(days=CRL_DAYS))
                   .add_extension(x509.CRLNumber(number), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                                  critical=False))
        for row in rows:
            if row.revoked_at is not None:
                builder = builder.add_revoked_certificate(
                    x509.RevokedCertificateBuilder().serial_number(int(row.serial, 16))
                    .revocation_date(dt.datetime.fromisoformat(row.revoked_at)).build())
        crl = builder.sign(self.key, hashes.SHA256())
        write_durably(self.crl_path, crl.public_bytes(serialization.Encoding.PEM), mode=0o644)

    def revoked_serials(self) -> set[int]:
        """The serial numbers on the current CRL file (what the broker refuses)."""
        crl = x509.load_pem_x509_crl(read_bounded(self.crl_path, "crl", error=ProvisionError, code="provision.crl"))
        return {r.serial_number for r in crl}

    def issue_keyed(self, name: str, kind: str, key_path: Path, cert_path: Path, hosts: list[str] | None = None,
                    days: int | None = None, now: dt.datetime | None = None) -> x509.Certificate:
        """A new key (kept if `key_path` already holds one) and its certificate, both written (broker, HQ)."""
        key = load_private_tls_key(key_path) if key_path.exists() else new_key()
        if not key_path.exists():
            save_key(key_path, key)
        cert = self.issue(name, key.public_key(), kind, days=days, hosts=hosts, now=now)
        save_cert(cert_path, cert)
        return cert


def verify_issued_by(cert: x509.Certificate, ca: x509.Certificate, source: str) -> None:
    """ProvisionError unless `cert` carries a valid signature of `ca` (a flipped byte or another CA fails)."""
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature) as e:
        why = "its issuer is another CA" if isinstance(e, ValueError) else "the signature does not match"
        raise ProvisionError(f"{source}: the certificate is not signed by the CA in the bundle ({why}); it was "
                             "altered or made by another CA. Ask HQ for a new bundle",
                             "provision.cert_signature") from None
