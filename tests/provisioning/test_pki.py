"""HQ's CA on its own: the files it makes (keys 0600), the certificates it signs (CN, usage, validity, serial in
its index), and the CRL (signed by the CA, listing every certificate of a revoked name, renewed on request)."""

import datetime as dt
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from provisioning.pki import (
    HQ_CLIENT,
    SERVER,
    STATION,
    CertificateAuthority,
    ProvisionError,
    common_name,
    fingerprint,
    new_key,
    utcnow,
)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_ca_is_made_once_with_its_key_readable_by_its_owner_only(ca, tmp_path):
    assert mode(ca.directory / "ca.key.pem") == 0o600
    assert ca.cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert isinstance(ca.key, ec.EllipticCurvePrivateKey) and ca.key.curve.name == "secp256r1"
    assert x509.load_pem_x509_crl(ca.crl_path.read_bytes()).is_signature_valid(ca.cert.public_key())
    with pytest.raises(ProvisionError) as refused:
        CertificateAuthority.create(ca.directory)
    assert refused.value.code == "provision.ca_exists"
    with pytest.raises(ProvisionError) as missing:
        CertificateAuthority(tmp_path / "nowhere")
    assert missing.value.code == "provision.no_ca" and "provision ca init" in str(missing.value)


def test_a_station_certificate_names_the_station_and_is_for_client_authentication(ca):
    key = new_key()
    cert = ca.issue("st-pki-1", key.public_key(), STATION)
    cert.verify_directly_issued_by(ca.cert)
    assert common_name(cert) == "st-pki-1"
    assert list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == \
        [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    lifetime = cert.not_valid_after_utc - utcnow()
    assert dt.timedelta(days=364) < lifetime <= dt.timedelta(days=365)
    row = ca.latest("st-pki-1")
    assert row.serial == f"{cert.serial_number:x}" and row.fingerprint == fingerprint(cert)
    assert ca.issued_cert(row.serial) == cert


def test_the_broker_certificate_carries_its_host_names_and_ips(ca):
    cert = ca.issue("mqtt.example", new_key().public_key(), SERVER, hosts=["mqtt.example", "10.1.2.3"])
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["mqtt.example"]
    assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["10.1.2.3"]
    assert ExtendedKeyUsageOID.SERVER_AUTH in cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value


def test_revoking_puts_every_certificate_of_the_station_on_the_signed_crl(ca):
    key = new_key()
    first = ca.issue("st-pki-2", key.public_key(), STATION)
    renewed = ca.issue("st-pki-2", key.public_key(), STATION)
    other = ca.issue("st-pki-3", new_key().public_key(), STATION)
    hq = ca.issue("hq-ingest", new_key().public_key(), HQ_CLIENT)
    assert len(ca.revoke("st-pki-2", reason="stolen")) == 2
    assert ca.revoke("st-pki-2") == [], "revoking again changes nothing"
    crl = x509.load_pem_x509_crl(ca.crl_path.read_bytes())
    assert crl.is_signature_valid(ca.cert.public_key())
    listed = ca.revoked_serials()
    assert {first.serial_number, renewed.serial_number} <= listed
    assert other.serial_number not in listed and hq.serial_number not in listed
    number = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    ca.write_crl()
    again = x509.load_pem_x509_crl(ca.crl_path.read_bytes())
    assert again.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == number + 1
    assert ca.revoked_serials() == listed
    assert again.next_update_utc - utcnow() > dt.timedelta(days=300)
