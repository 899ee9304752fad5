"""Security and privacy fixtures (issue 10, points 5 and 6): the edge agent's fixtures (sealed records, the real
agent in a thread) and HQ's (Django on SQLite, emptied per test) imported the way tests/e2e/conftest.py does, and
one real mosquitto (passwords and the per-station ACL, random port) that knows the test station, HQ's test
stations (st-a, st-b, and st-x which can log in but is never enrolled) and HQ's ingest account."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from provisioning.broker import LocalBroker
from sinopsis.demo_data import DEMO_STATION_ID
from tests.e2e.conftest import enrolled, start_ingest  # they ask for `broker`: the one below
from tests.edge_agent.conftest import HQ_PASSWORD, HQ_USER, STATION_PASSWORD, agent_config, seal, start_agent
from tests.hq.conftest import STATIONS, hq, hq_data, hq_key, packet, station_keys

__all__ = ["agent_config", "enrolled", "hq", "hq_data", "hq_key", "packet", "seal", "start_agent", "start_ingest",
           "station_keys"]

BROKER_STATIONS = {**STATIONS, DEMO_STATION_ID: STATION_PASSWORD}


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[LocalBroker]:
    """One mosquitto for the station side and HQ's side of a test."""
    with LocalBroker(tmp_path / "broker", BROKER_STATIONS, {HQ_USER: HQ_PASSWORD}) as running:
        yield running
