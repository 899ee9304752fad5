"""Enrolling a kit with real keys, a real CA and HQ's real database: request on the kit, enrol at HQ, install on
the kit; and every refusal a technician may meet (another id, a wrong clock, an altered request, a tampered or
foreign certificate, swapped HQ keys), renew and revoke (HQ's ingest then refuses the kit's packets)."""

import base64
import datetime as dt
import json
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from contract.keys import load_private_key, load_public_key, public_pem
from provisioning.enrolment import check_request, make_request
from provisioning.install import install_bundle, write_all
from provisioning.pki import CertificateAuthority, ProvisionError, cert_pem, fingerprint, utcnow
from sinopsis.enrolment import enrol, renew, revoke
from tests.hq.standin import seal
from tests.provisioning.conftest import blank_kit


def enrolled_kit(ca, tmp_path, station_id="st-kit-1", **kw):
    """A blank kit, its request enrolled at HQ; returns (config, bundle bytes)."""
    config = blank_kit(tmp_path / station_id, station_id)
    return config, enrol(ca, station_id, make_request(config), **kw).bundle


def edit_bundle(bundle: bytes, **fields: str) -> bytes:
    body = json.loads(bundle)
    body.update(fields)
    return json.dumps(body).encode()


def refused(call, *args, **kw) -> ProvisionError:
    with pytest.raises(ProvisionError) as e:
        call(*args, **kw)
    return e.value


def test_a_blank_kit_is_enrolled_and_pins_hq_s_ca_and_keys(ca, hq, hq_keys, tmp_path):
    from hq.fleet.models import Station

    config = blank_kit(tmp_path / "kit", "st-kit-1")
    request = make_request(config)
    assert b"PRIVATE" not in request, "private keys never leave the kit"
    for name in ("broker_key", "station_signing_key"):
        assert stat.S_IMODE(config.key_path(name).stat().st_mode) == 0o600
    done = enrol(ca, "st-kit-1", request, school="SMA Negeri 1")
    station = Station.objects.get(pk="st-kit-1")
    signing = load_private_key(config.key_path("station_signing_key"), Ed25519PrivateKey)
    assert station.public_key_pem == public_pem(signing.public_key()) and station.school == "SMA Negeri 1"
    assert station.cert_serial == f"{done.cert.serial_number:x}" and station.cert_fingerprint == fingerprint(done.cert)
    assert station.cert_expires_at == done.cert.not_valid_after_utc
    installed = install_bundle(config, done.bundle, ca_fingerprint=fingerprint(ca.cert).upper())
    assert installed.serial == station.cert_serial
    assert config.key_path("broker_ca").read_bytes() == cert_pem(ca.cert)
    cert = x509.load_pem_x509_certificate(config.key_path("broker_cert").read_bytes())
    cert.verify_directly_issued_by(ca.cert)
    assert load_public_key(config.key_path("hq_assignment_public_key"), type(hq_keys.assignment.public_key())) \
        .public_bytes_raw() == hq_keys.assignment.public_key().public_bytes_raw()
    assert load_public_key(config.key_path("hq_packet_public_key"), type(hq_keys.packet.public_key())) \
        .public_bytes_raw() == hq_keys.packet.public_key().public_bytes_raw()
    assert install_bundle(config, done.bundle).serial == installed.serial, "installing again is harmless"


def test_a_request_for_another_station_id_is_refused(ca, hq, hq_keys, tmp_path):
    from hq.fleet.models import Station

    request = make_request(blank_kit(tmp_path / "kit", "st-kit-2"))
    error = refused(enrol, ca, "st-kit-9", request)
    assert error.code == "provision.station_id"
    assert "'st-kit-2', not 'st-kit-9'" in str(error)
    assert not Station.objects.exists() and ca.latest("st-kit-9") is None and ca.latest("st-kit-2") is None


def test_a_station_id_kept_for_hq_is_refused(ca, hq, hq_keys, tmp_path):
    error = refused(enrol, ca, "hq-ingest", make_request(blank_kit(tmp_path / "kit", "hq-ingest")))
    assert error.code == "provision.reserved_id"


@pytest.mark.parametrize("off", [dt.timedelta(hours=-3), dt.timedelta(days=400)], ids=["behind", "ahead"])
def test_a_station_clock_far_off_is_refused_with_what_to_do(ca, hq, hq_keys, tmp_path, off):
    request = make_request(blank_kit(tmp_path / "kit", "st-kit-3"), now=dt.datetime.now(dt.UTC) + off)
    error = refused(enrol, ca, "st-kit-3", request)
    assert error.code == "provision.clock"
    assert "Set the station's clock" in str(error) and ("behind" if off < dt.timedelta(0) else "ahead") in str(error)
    near = make_request(blank_kit(tmp_path / "kit", "st-kit-3"), now=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=3))
    assert check_request(near, "st-kit-3").station_id == "st-kit-3", "a few minutes off is fine"


def test_an_altered_request_is_refused(ca, hq, hq_keys, tmp_path):
    body = json.loads(make_request(blank_kit(tmp_path / "kit", "st-kit-4")))
    body["signing_public_key"] = public_pem(Ed25519PrivateKey.generate().public_key())  # someone else's key
    error = refused(enrol, ca, "st-kit-4", json.dumps(body).encode())
    assert error.code == "provision.request_signature"
    assert refused(enrol, ca, "st-kit-4", b"not json").code == "provision.format"


def flip_a_byte(pem: str) -> str:
    """The certificate with one bit of its signed part changed where it still parses with the same subject,
    issuer, validity and key (the first such byte: one of the serial number's), then encoded again. A fixed
    offset was flaky: with fresh keys and serials it sometimes hit a DER length and the certificate no longer
    parsed at all (refused as unreadable, not as forged)."""
    original = x509.load_pem_x509_certificate(pem.encode())
    der = original.public_bytes(serialization.Encoding.DER)
    start = der.index(original.tbs_certificate_bytes)
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    key = original.public_key().public_bytes(*spki)
    for offset in range(start, start + len(original.tbs_certificate_bytes)):
        changed = bytearray(der)
        changed[offset] ^= 0x01
        try:
            forged = x509.load_der_x509_certificate(bytes(changed))
            same = (forged.subject == original.subject and forged.issuer == original.issuer
                    and forged.not_valid_after_utc == original.not_valid_after_utc
                    and forged.public_key().public_bytes(*spki) == key)
        except (ValueError, x509.InvalidVersion):
            continue
        if same and forged.tbs_certificate_bytes != original.tbs_certificate_bytes:
            return ("-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(bytes(changed)).decode()
                    + "-----END CERTIFICATE-----\n")
    raise AssertionError("no byte of the signed part could be changed and still parse")


def test_a_tampered_certificate_is_refused_at_install_and_nothing_is_installed(ca, hq, hq_keys, tmp_path):
    config, bundle = enrolled_kit(ca, tmp_path, "st-kit-5")
    body = json.loads(bundle)
    error = refused(install_bundle, config, edit_bundle(bundle, certificate=flip_a_byte(body["certificate"])))
    assert error.code == "provision.cert_signature" and "Ask HQ for a new bundle" in str(error)
    rogue = CertificateAuthority.create(tmp_path / "rogue-ca")
    tls_key = load_private_key(config.key_path("broker_key"), type(ca.key))
    foreign = rogue.issue("st-kit-5", tls_key.public_key(), "station")  # right id, right key, wrong CA
    error = refused(install_bundle, config, edit_bundle(bundle, certificate=cert_pem(foreign).decode()))
    assert error.code == "provision.cert_signature" and "another CA" in str(error)
    damaged = body["certificate"].replace("A", "B", 5)
    assert refused(install_bundle, config, edit_bundle(bundle, certificate=damaged)).code in (
        "provision.cert_signature", "provision.cert_unreadable")
    for name in ("broker_cert", "broker_ca", "hq_assignment_public_key", "hq_packet_public_key"):
        assert not config.key_path(name).exists(), f"{name} was installed from a refused bundle"


def test_install_refuses_a_bundle_of_another_kit_swapped_hq_keys_or_another_ca(ca, hq, hq_keys, tmp_path):
    config, bundle = enrolled_kit(ca, tmp_path, "st-kit-6")
    _other_config, other = enrolled_kit(ca, tmp_path, "st-kit-7")
    assert refused(install_bundle, config, other).code == "provision.station_id"
    same_id_other_key = edit_bundle(other, station_id="st-kit-6")
    assert refused(install_bundle, config, same_id_other_key).code == "provision.station_id"  # CN is st-kit-7
    swapped = edit_bundle(bundle, hq_packet_public_key=public_pem(X25519PrivateKey.generate().public_key()))
    assert refused(install_bundle, config, swapped).code == "provision.bundle_signature"
    error = refused(install_bundle, config, bundle, ca_fingerprint="00" * 32)
    assert error.code == "provision.ca_fingerprint" and fingerprint(ca.cert) in str(error)
    install_bundle(config, bundle)
    rogue = CertificateAuthority.create(tmp_path / "rogue-ca")
    body = json.loads(bundle)
    body["ca_certificate"] = cert_pem(rogue.cert).decode()
    assert refused(install_bundle, config, json.dumps(body).encode()).code == "provision.ca_changed"


def test_install_writes_all_files_or_none(tmp_path):
    old = {tmp_path / f"f{i}": f"old {i}".encode() for i in range(3)}
    write_all(old)
    (tmp_path / "blocker").mkdir()
    (tmp_path / "blocker" / "inside").write_text("x")  # a non-empty directory cannot be renamed over
    new = {**{p: b"new" for p in old}, tmp_path / "blocker": b"new"}  # the last rename fails
    with pytest.raises(OSError):
        write_all(new)
    assert {p: p.read_bytes() for p in old} == old, "the files already replaced were put back"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker", "f0", "f1", "f2"], "no temp file left"


def test_renew_gives_a_new_certificate_for_the_same_key_and_the_old_stays_valid(ca, hq, hq_keys, tmp_path):
    from hq.fleet.models import Station

    config, bundle = enrolled_kit(ca, tmp_path, "st-kit-8")
    install_bundle(config, bundle)
    old = x509.load_pem_x509_certificate(config.key_path("broker_cert").read_bytes())
    done = renew(ca, "st-kit-8", days=30)
    assert done.cert.serial_number != old.serial_number
    assert done.cert.public_key() == old.public_key()
    assert dt.timedelta(days=29) < done.cert.not_valid_after_utc - utcnow() <= dt.timedelta(days=30)
    assert old.serial_number not in ca.revoked_serials(), "the old certificate works until it expires"
    assert Station.objects.get(pk="st-kit-8").cert_serial == f"{done.cert.serial_number:x}"
    assert install_bundle(config, done.bundle).serial == f"{done.cert.serial_number:x}"
    assert refused(renew, ca, "st-nobody").code == "provision.unknown_station"


def test_a_revoked_kit_s_packets_are_refused_by_hq_ingest(ca, hq, hq_keys, tmp_path):
    from hq.errors import HqError
    from hq.fleet.models import Station
    from hq.ingest.storage import Expected, receive_packet

    config, bundle = enrolled_kit(ca, tmp_path, "st-kit-9")
    install_bundle(config, bundle)
    signing = load_private_key(config.key_path("station_signing_key"), Ed25519PrivateKey)
    before = seal(signing, hq_keys.packet, "st-kit-9", "rec-1", 1)
    assert receive_packet(Station.objects.get(pk="st-kit-9"), before, expected=Expected("rec-1", 1)).result == \
        "accepted"
    serial = int(Station.objects.get(pk="st-kit-9").cert_serial, 16)
    assert revoke(ca, "st-kit-9", "stolen at SMA 5") == 1
    station = Station.objects.get(pk="st-kit-9")
    assert station.revoked_at is not None and station.revoked_reason == "stolen at SMA 5"
    assert serial in ca.revoked_serials()
    after = seal(signing, hq_keys.packet, "st-kit-9", "rec-2", 2)
    outcome = receive_packet(station, after, expected=Expected("rec-2", 2))
    assert (outcome.result, outcome.code) == ("rejected", "station.revoked")
    assert refused(renew, ca, "st-kit-9").code == "provision.revoked"
    with pytest.raises(HqError) as again:  # the stolen kit's keys never come back
        enrol(ca, "st-kit-9", make_request(config), replace_key=True)
    assert again.value.code == "hq.station_revoked"
    replacement = blank_kit(tmp_path / "replacement", "st-kit-9")  # a new kit with new keys takes over the id
    enrol(ca, "st-kit-9", make_request(replacement), replace_key=True)
    assert Station.objects.get(pk="st-kit-9").revoked_at is None
    assert serial in ca.revoked_serials(), "the old kit's certificate stays revoked"
