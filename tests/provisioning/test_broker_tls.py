"""HQ's TLS broker for real: mosquitto on a random port with the generated configuration and certificates made
by HQ's CA at test time. A kit with its certificate gets in and reaches its own topics; no certificate, another
CA's, an expired or a revoked one do not; and the ACL goes by direction: a kit writes only what kits send and
reads only what HQ sends it, nothing of another kit; HQ the mirror image."""

import datetime as dt
import ssl
import time

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from provisioning.broker import acl_text
from provisioning.broker_tls import MAX_QUEUED_BYTES, MAX_QUEUED_MESSAGES
from provisioning.pki import HQ_CLIENT, STATION, CertificateAuthority, utcnow
from tests.provisioning.acl_cases import check_acl_by_direction
from tests.provisioning.conftest import WAIT_S, issue_client


def wait_for(predicate, what: str) -> None:
    end = time.monotonic() + WAIT_S
    while not predicate():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_the_configuration_requires_certificates_and_sizes_the_queues(tls_broker, ca):
    conf = tls_broker.conf.read_text()
    for line in ("require_certificate true", "use_identity_as_username true", f"crlfile {ca.crl_path}",
                 f"cafile {ca.cert_path}", "allow_anonymous false", "persistence true",
                 f"max_queued_messages {MAX_QUEUED_MESSAGES}", f"max_queued_bytes {MAX_QUEUED_BYTES}"):
        assert line in conf.splitlines(), line
    assert "password_file" not in conf
    acl = (tls_broker.directory / "acl").read_text()
    assert acl == acl_text(["hq-ingest"]) and "readwrite sinopsis/v1/st" not in acl  # by direction, never both


def test_a_kit_with_its_certificate_sends_its_topics_and_gets_hqs(connect, ca, certs):
    kit = connect(issue_client(ca, "st-own", certs), "st-own")
    hq = connect(issue_client(ca, "hq-ingest", certs, kind=HQ_CLIENT), "hq-ingest-own")
    assert kit.accepted and hq.accepted
    kit.subscribe("sinopsis/v1/st/st-own/cmd/#")
    hq.subscribe("sinopsis/v1/st/+/health")
    hq.client.publish("sinopsis/v1/st/st-own/cmd/j1", b"do", qos=1).wait_for_publish(WAIT_S)
    kit.client.publish("sinopsis/v1/st/st-own/health", b"fine", qos=1).wait_for_publish(WAIT_S)
    wait_for(lambda: kit.received() == [("sinopsis/v1/st/st-own/cmd/j1", b"do")], "HQ's command at the kit")
    wait_for(lambda: hq.received() == [("sinopsis/v1/st/st-own/health", b"fine")], "the kit's health at HQ")


@pytest.mark.parametrize("case", ["no certificate", "another CA", "expired"])
def test_a_kit_without_a_good_certificate_is_refused(connect, ca, certs, tmp_path, case):
    if case == "no certificate":
        cert = None
    elif case == "another CA":
        cert = issue_client(CertificateAuthority.create(tmp_path / "rogue-ca"), "st-rogue", tmp_path)
    else:
        cert = issue_client(ca, "st-old", certs, days=30, now=utcnow() - dt.timedelta(days=40))
    kit = connect(cert, f"refused-{case.replace(' ', '-')}")
    assert not kit.accepted, f"{case}: the broker let it in"


def test_a_revoked_certificate_is_refused_after_the_broker_reloads_the_crl(connect, ca, certs, tls_broker):
    cert = issue_client(ca, "st-stolen", certs)
    first = connect(cert, "st-stolen-1")
    assert first.accepted
    first.close()
    ca.revoke("st-stolen", reason="stolen")
    tls_broker.reload()
    tries = []

    def refused() -> bool:  # the reload is asynchronous: the first connections may still meet the old CRL
        c = connect(cert, f"st-stolen-{len(tries) + 2}")
        tries.append(c.accepted)
        c.close()
        return not c.accepted

    wait_for(refused, "the revoked certificate refused")
    assert connect(issue_client(ca, "st-honest", certs), "st-honest").accepted, "others still get in"


def test_the_acl_goes_by_direction_by_the_certificates_name(tls_broker, ca, certs):
    """The same cases as the password broker's (tests/provisioning/acl_cases.py), the username being the
    certificate's common name: forged publishes dropped by the broker, the legitimate ones arrive."""
    def connect(name: str) -> mqtt.Client:
        cert = issue_client(ca, name, certs, kind=HQ_CLIENT if name.startswith("hq-") else STATION)
        c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"acl-{name}", protocol=mqtt.MQTTv5)
        c.tls_set(ca_certs=str(ca.cert_path), certfile=str(cert.cert), keyfile=str(cert.key),
                  cert_reqs=ssl.CERT_REQUIRED, tls_version=ssl.PROTOCOL_TLS_CLIENT)
        c.connect("127.0.0.1", tls_broker.port)
        return c

    check_acl_by_direction(connect, "st-acl-a", "st-acl-b")
