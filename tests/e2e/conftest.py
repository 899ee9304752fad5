"""End-to-end fixtures: the real edge agent (tests/edge_agent's fixtures: sealed records, the agent in a thread)
and HQ's real ingest worker (tests/hq's Django on SQLite) meeting on one real mosquitto with passwords and the
per-station ACL, on a random port. The station is enrolled at HQ with the key that signs its packets."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from provisioning.broker import LocalBroker
from sinopsis.demo_data import DEMO_STATION_ID
from tests.edge_agent.conftest import HQ_PASSWORD, HQ_USER, STATION_PASSWORD, agent_config, seal, start_agent
from tests.hq.conftest import hq, hq_data

__all__ = ["agent_config", "hq", "hq_data", "seal", "start_agent"]  # fixtures shared with the other suites


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[LocalBroker]:
    with LocalBroker(tmp_path / "broker", {DEMO_STATION_ID: STATION_PASSWORD}, {HQ_USER: HQ_PASSWORD}) as running:
        yield running


@pytest.fixture
def enrolled(hq: Path, keys) -> str:
    """The test station enrolled at HQ with its real signing key; returns its id."""
    from contract.keys import public_pem
    from hq.fleet.enrolment import enrol_station

    enrol_station(DEMO_STATION_ID, public_pem(keys.station_sign.public_key()).encode(), school="SMA Demo")
    return DEMO_STATION_ID


@pytest.fixture
def start_ingest(hq: Path, broker: LocalBroker) -> Iterator[Callable[..., object]]:
    """start_ingest(name='1', wait=True): HQ's ingest worker in this process (stopped after the test)."""
    from hq.ingest.worker import IngestWorker
    from hq.mqtt import broker_from_url

    settings = broker_from_url(f"mqtt://{HQ_USER}:{HQ_PASSWORD}@127.0.0.1:{broker.port}")
    running: list[IngestWorker] = []

    def start(name: str = "1", wait: bool = True) -> IngestWorker:
        worker = IngestWorker(settings, name).start()
        running.append(worker)
        if wait:
            assert worker.ready.wait(10), f"ingest worker {name} did not subscribe"
        return worker

    yield start
    for worker in running:
        if worker.client.is_connected() or worker._thread.is_alive():
            worker.stop()
