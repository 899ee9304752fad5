"""HQ test fixtures: Django on a real SQLite file (migrated once per session, emptied per test), a real
mosquitto per test, enrolled stations with fresh keys, and ingest workers running in this process.

pytest-django is not used: Django is set up here, when pytest loads this file and before any test module
imports a model, on a temp data dir for the session; the schema is migrated once by the first test that needs it.
"""

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from hq.runtime import migrate, setup
from provisioning.broker import LocalBroker
from tests.hq.standin import StationStandIn, seal

HQ_DATA = setup(Path(tempfile.mkdtemp(prefix="sinopsis-hq-test-")))

STATIONS = {"st-a": "pw-a", "st-b": "pw-b", "st-x": "pw-x",  # st-x can log in but is never enrolled
            "st-pku-01": "pw-demo"}  # the station of tests/conftest.py (station_config, sealer)
HQ_USER, HQ_PASSWORD = "hq-ingest", "pw-hq"


@pytest.fixture(scope="session")
def hq_data() -> Iterator[Path]:
    """HQ's session data dir, migrated; removed at the end of the session."""
    migrate(verbosity=0)
    yield HQ_DATA
    shutil.rmtree(HQ_DATA, ignore_errors=True)


@pytest.fixture
def hq(hq_data: Path) -> Iterator[Path]:
    """An empty HQ (no rows, no stored files) for each test; yields the data dir."""
    from django.apps import apps
    from django.contrib.auth.models import User
    from django.db import connections

    yield hq_data
    connections.close_all()
    # apps whose rows point at others' first, and within an app the models declared last first
    for label in ("axes", "reports", "helpdesk", "lists", "applications", "ingest", "fleet"):
        for model in reversed(list(apps.get_app_config(label).get_models())):
            model.objects.all().delete()
    User.objects.all().delete()
    for folder in ("records", "quarantine"):
        shutil.rmtree(hq_data / folder, ignore_errors=True)


@pytest.fixture
def hq_key() -> X25519PrivateKey:
    return X25519PrivateKey.generate()


@pytest.fixture
def station_keys(hq: Path) -> dict[str, Ed25519PrivateKey]:
    """st-a and st-b enrolled with fresh keys (st-x is not enrolled)."""
    from contract.keys import public_pem
    from hq.fleet.enrolment import enrol_station

    keys = {sid: Ed25519PrivateKey.generate() for sid in ("st-a", "st-b")}
    for sid, key in keys.items():
        enrol_station(sid, public_pem(key.public_key()).encode(), school=f"SMA {sid}")
    return keys


@pytest.fixture
def packet(station_keys: dict[str, Ed25519PrivateKey], hq_key: X25519PrivateKey) -> Callable[..., bytes]:
    """packet(station_id, record_id, seq, content=b'...', key=None): a sealed record (signed by the station's
    enrolled key unless `key` is given)."""

    def make(station_id: str, record_id: str, seq: int, content: bytes = b"photo",
             key: Ed25519PrivateKey | None = None) -> bytes:
        return seal(key or station_keys[station_id], hq_key, station_id, record_id, seq, content)

    return make


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[LocalBroker]:
    with LocalBroker(tmp_path / "broker", STATIONS, {HQ_USER: HQ_PASSWORD}) as running:
        yield running


@pytest.fixture
def hq_broker(broker: LocalBroker):
    """The Broker settings HQ's workers use for the test broker."""
    from hq.mqtt import broker_from_url

    return broker_from_url(f"mqtt://{HQ_USER}:{HQ_PASSWORD}@127.0.0.1:{broker.port}")


@pytest.fixture
def start_worker(hq: Path, hq_broker) -> Iterator[Callable[..., object]]:
    """start_worker(name='1'): an ingest worker in this process, subscribed and online; stopped after the test."""
    from hq.ingest.worker import IngestWorker

    running: list[IngestWorker] = []

    def start(name: str = "1") -> IngestWorker:
        worker = IngestWorker(hq_broker, name).start()
        running.append(worker)
        assert worker.ready.wait(10), f"worker {name} did not subscribe"
        return worker

    yield start
    for worker in running:
        worker.stop()


@pytest.fixture
def stand_in(broker: LocalBroker) -> Iterator[Callable[..., StationStandIn]]:
    """stand_in(station_id): a connected station stand-in (client id = station id unless given)."""
    made: list[StationStandIn] = []

    def make(station_id: str = "st-a", client_id: str | None = None, **kw: object) -> StationStandIn:
        s = StationStandIn(broker.port, station_id, STATIONS[station_id], client_id=client_id, **kw)
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()
