"""Security and privacy fixtures (issue 10, points 5 and 6): the edge agent's fixtures (sealed records, the real
agent in a thread) and HQ's (Django on SQLite, emptied per test) imported the way tests/e2e/conftest.py does, and
one real mosquitto (passwords and the per-station ACL, random port) that knows the test station, HQ's test
stations (st-a, st-b, and st-x which can log in but is never enrolled) and HQ's ingest account."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from provisioning.broker import LocalBroker
from station.demo_data import DEMO_STATION_ID
from tests.edge_agent.conftest import HQ_PASSWORD, HQ_USER, STATION_PASSWORD, agent_config, seal, start_agent
from tests.hq.conftest import STATIONS, hq, hq_data, hq_key, packet, station_keys

__all__ = ["agent_config", "hq", "hq_data", "hq_key", "packet", "seal", "start_agent", "station_keys"]

BROKER_STATIONS = {**STATIONS, DEMO_STATION_ID: STATION_PASSWORD}


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[LocalBroker]:
    """One mosquitto for the station side and HQ's side of a test."""
    with LocalBroker(tmp_path / "broker", BROKER_STATIONS, {HQ_USER: HQ_PASSWORD}) as running:
        yield running


@pytest.fixture
def enrolled(hq: Path, keys) -> str:
    """The test station enrolled at HQ with the key that really signs its packets; returns its id."""
    from hq.fleet.enrolment import enrol_station
    from station.keys import public_pem

    enrol_station(DEMO_STATION_ID, public_pem(keys.station_sign.public_key()).encode(), school="SMA Demo")
    return DEMO_STATION_ID


@pytest.fixture
def start_ingest(hq: Path, broker: LocalBroker) -> Iterator[Callable[..., object]]:
    """start_ingest(name='1'): HQ's real ingest worker in this process, subscribed (stopped after the test)."""
    from hq.ingest.worker import IngestWorker
    from hq.mqtt import broker_from_url

    settings = broker_from_url(f"mqtt://{HQ_USER}:{HQ_PASSWORD}@127.0.0.1:{broker.port}")
    running: list[IngestWorker] = []

    def start(name: str = "1") -> IngestWorker:
        worker = IngestWorker(settings, name).start()
        running.append(worker)
        assert worker.ready.wait(10), f"ingest worker {name} did not subscribe"
        return worker

    yield start
    for worker in running:
        if worker.client.is_connected() or worker._thread.is_alive():
            worker.stop()
