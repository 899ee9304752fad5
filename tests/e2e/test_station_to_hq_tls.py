"""Station → HQ over TLS with the certificates enrolment issues: a kit enrolled for real (request on the
station, enrol at HQ, install on the station) runs the real edge agent with `broker.tls = true` against HQ's
TLS mosquitto (client certificates required, CRL, per-station ACL by the certificate's common name), and HQ's
real ingest worker connects with its own client certificate (SINOPSIS_HQ_MQTT_CA / _CERT / _KEY). The sealed
records reach HQ; after the kit is revoked, HQ answers its next record `station.revoked`."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from contract.keys import save_private_key
from provisioning.broker_tls import TlsBroker
from provisioning.enrolment import make_request
from provisioning.install import install_bundle
from provisioning.pki import HQ_CLIENT, CertificateAuthority
from sinopsis.demo_data import DEMO_STATION_ID
from sinopsis.enrolment import enrol, revoke
from tests.edge_agent.conftest import states, wait_until


@pytest.fixture
def ca(tmp_path: Path) -> CertificateAuthority:
    return CertificateAuthority.create(tmp_path / "ca")


@pytest.fixture
def tls_broker(tmp_path: Path, ca: CertificateAuthority) -> Iterator[TlsBroker]:
    with TlsBroker(tmp_path / "tls-broker", ca) as running:
        yield running


@pytest.fixture
def enrolled_tls(hq: Path, keys, station_config, ca, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The test station enrolled through request → enrol → install; HQ's keys are the test's (temp files)."""
    save_private_key(tmp_path / "hq-keys" / "assignment.pem", keys.hq_sign)
    save_private_key(tmp_path / "hq-keys" / "packet.pem", keys.hq_packet)
    monkeypatch.setenv("SINOPSIS_HQ_ASSIGNMENT_KEY", str(tmp_path / "hq-keys" / "assignment.pem"))
    monkeypatch.setenv("SINOPSIS_HQ_PACKET_KEY", str(tmp_path / "hq-keys" / "packet.pem"))
    done = enrol(ca, DEMO_STATION_ID, make_request(station_config), school="SMA Demo")
    install_bundle(station_config, done.bundle)  # HQ's keys already pinned by the fixture: the same, no --repin
    return DEMO_STATION_ID


@pytest.fixture
def agent_config(station_config, tls_broker, enrolled_tls):
    """The enrolled station's config on the TLS broker (no password file at all), with short waits."""
    assert not station_config.key_path("broker_password").exists()
    return station_config.model_copy(update={
        "broker": station_config.broker.model_copy(update={"port": tls_broker.port, "tls": True,
                                                           "will_delay_s": 0}),
        "agent": station_config.agent.model_copy(update={"ack_timeout_s": 2.0, "backoff_min_s": 0.05,
                                                         "backoff_max_s": 0.4}),
    })


@pytest.fixture
def start_tls_ingest(hq: Path, ca, tls_broker, tmp_path: Path,
                     monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], object]]:
    """HQ's ingest worker with its client certificate, configured through the environment as in production."""
    from hq.ingest.worker import IngestWorker
    from hq.mqtt import broker_from_url

    cert = ca.issue_keyed("hq-ingest", HQ_CLIENT, tmp_path / "hq" / "hq-ingest.key.pem",
                          tmp_path / "hq" / "hq-ingest.pem")
    assert cert is not None
    monkeypatch.setenv("SINOPSIS_HQ_MQTT_CA", str(ca.cert_path))
    monkeypatch.setenv("SINOPSIS_HQ_MQTT_CERT", str(tmp_path / "hq" / "hq-ingest.pem"))
    monkeypatch.setenv("SINOPSIS_HQ_MQTT_KEY", str(tmp_path / "hq" / "hq-ingest.key.pem"))
    monkeypatch.delenv("SINOPSIS_HQ_MQTT_PASSWORD", raising=False)
    running: list[IngestWorker] = []

    def start() -> IngestWorker:
        worker = IngestWorker(broker_from_url(f"mqtts://hq-ingest@127.0.0.1:{tls_broker.port}"), "tls").start()
        running.append(worker)
        assert worker.ready.wait(10), "HQ ingest did not connect and subscribe over TLS"
        return worker

    yield start
    for worker in running:
        worker.stop()


def test_a_kit_sends_its_records_to_hq_over_tls_and_is_refused_once_revoked(
        imported, seal, ca, enrolled_tls, start_tls_ingest, start_agent):
    from hq.fleet.models import Station
    from hq.ingest.models import Record

    ids = seal(2)
    start_tls_ingest()
    running = start_agent()
    wait_until(lambda: set(states(imported, ids).values()) == {"accepted"}, what="both records accepted over TLS")
    assert set(Record.objects.values_list("record_id", flat=True)) == set(ids)
    wait_until(lambda: Station.objects.get(pk=enrolled_tls).status_state == "online", what="HQ seeing it online")
    assert running.agent.certificate_expires == Station.objects.get(pk=enrolled_tls).cert_expires_at.isoformat()

    revoke(ca, enrolled_tls, "stolen")  # HQ refuses its packets at once, even on the connection it still holds
    later = seal(1)
    wait_until(lambda: states(imported, later) == {later[0]: "rejected"}, what="the record after the revoke refused")
    code = imported.conn.execute("SELECT reject_code FROM outbox WHERE record_id = ?", (later[0],)).fetchone()[0]
    assert code == "station.revoked"
    assert not Record.objects.filter(record_id=later[0]).exists()
