"""HQ's TLS broker for real: mosquitto on a random port with the generated configuration and certificates made
by HQ's CA at test time. A kit with its certificate gets in and reaches its own topics; no certificate, another
CA's, an expired or a revoked one do not; and a kit can neither read nor write another kit's topics."""

import datetime as dt
import time

import pytest

from provisioning.broker_tls import MAX_QUEUED_BYTES, MAX_QUEUED_MESSAGES
from provisioning.pki import HQ_CLIENT, CertificateAuthority, utcnow
from tests.provisioning.conftest import WAIT_S, issue_client

QUIET_S = 1.0  # how long "nothing arrives" is watched for, after a later message proved the path is live


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
    assert "pattern readwrite sinopsis/v1/st/%u/#" in acl and "user hq-ingest" in acl


def test_a_kit_with_its_certificate_publishes_and_subscribes_its_own_topics(connect, ca, certs):
    kit = connect(issue_client(ca, "st-own", certs), "st-own")
    assert kit.accepted
    kit.subscribe("sinopsis/v1/st/st-own/cmd/#")
    kit.client.publish("sinopsis/v1/st/st-own/cmd/j1", b"do", qos=1).wait_for_publish(WAIT_S)
    wait_for(lambda: kit.received() == [("sinopsis/v1/st/st-own/cmd/j1", b"do")], "its own message back")


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


def test_a_kit_can_neither_read_nor_write_another_kits_topics(connect, ca, certs):
    a = connect(issue_client(ca, "st-aa", certs), "st-aa")
    b = connect(issue_client(ca, "st-bb", certs), "st-bb")
    hq = connect(issue_client(ca, "hq-ingest", certs, kind=HQ_CLIENT), "hq-ingest-test")
    assert a.accepted and b.accepted and hq.accepted
    b.subscribe("sinopsis/v1/st/st-bb/#")
    hq.subscribe("sinopsis/v1/st/+/health")
    a.subscribe("sinopsis/v1/st/st-bb/#")  # SUBACK or not: what matters is that nothing of B's reaches A
    a.client.publish("sinopsis/v1/st/st-bb/health", b"forged by A", qos=1).wait_for_publish(WAIT_S)
    a.client.publish("sinopsis/v1/st/st-bb/cmd/x", b"forged by A", qos=1).wait_for_publish(WAIT_S)
    b.client.publish("sinopsis/v1/st/st-bb/health", b"B's own", qos=1).wait_for_publish(WAIT_S)
    a.client.publish("sinopsis/v1/st/st-aa/health", b"A's own", qos=1).wait_for_publish(WAIT_S)
    wait_for(lambda: ("sinopsis/v1/st/st-aa/health", b"A's own") in hq.received(), "HQ seeing A's own health")
    wait_for(lambda: ("sinopsis/v1/st/st-bb/health", b"B's own") in b.received(), "B seeing its own health")
    time.sleep(QUIET_S)  # a forged message published before the ones that arrived would have arrived by now
    assert all(payload != b"forged by A" for _t, payload in b.received() + hq.received())
    assert a.received() == [], "A read B's topic"
