"""Shared fixtures: fresh keys, a station on a temp data dir, and signed assignments built per test."""

import copy
import datetime as dt
import os
import random
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from contract.assignment import bundle_to_bytes, sign_assignment
from contract.keys import save_private_key, save_public_key
from sinopsis.demo_data import DEMO_STATION_ID, build_assignment_content, demo_applicants
from station.config import StationConfig, load_config
from station.store import StationStore
from tests.scheduling import deal_longest_first

RECORDING_DATE = dt.date(2026, 11, 25)


@dataclass
class Keys:
    """Every key a test station and its HQ need, generated fresh per test."""

    hq_sign: Ed25519PrivateKey
    hq_packet: X25519PrivateKey
    station_sign: Ed25519PrivateKey


def pytest_configure(config: pytest.Config) -> None:
    """One cache folder for the whole run (SINOPSIS_CACHE_DIR), made by the controlling process before the test
    processes start so they all inherit it: what is computed once per run (NFIQ 2 of the fingerprint evaluation
    set, native/finger_eval.py) is computed once, whichever process asks first."""
    if not hasattr(config, "workerinput") and "SINOPSIS_CACHE_DIR" not in os.environ:
        config.sinopsis_cache_dir = tempfile.mkdtemp(prefix="sinopsis-test-cache-")
        os.environ["SINOPSIS_CACHE_DIR"] = config.sinopsis_cache_dir


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = getattr(config, "sinopsis_cache_dir", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test under tests/e2e is marked `e2e` (run once per ./test.sh; `-m 'not e2e'` for a quick loop); in a
    run over several processes the longest tests are dealt out first (tests/scheduling.py)."""
    for item in items:
        if "e2e" in Path(str(item.fspath)).parts:
            item.add_marker(pytest.mark.e2e)
    workers = getattr(config, "workerinput", {}).get("workercount", 1)
    deal_longest_first(items, workers)


@pytest.fixture
def keys() -> Keys:
    return Keys(Ed25519PrivateKey.generate(), X25519PrivateKey.generate(), Ed25519PrivateKey.generate())


@pytest.fixture
def station_config(tmp_path: Path, keys: Keys) -> StationConfig:
    """A station.toml on disk with its data dir and the keys enrolment would leave there."""
    data = tmp_path / "station"
    save_private_key(data / "keys" / "station_signing.pem", keys.station_sign)
    save_public_key(data / "keys" / "hq_assignment.pub.pem", keys.hq_sign.public_key())
    save_public_key(data / "keys" / "hq_packet.pub.pem", keys.hq_packet.public_key())
    path = tmp_path / "station.toml"
    path.write_text(f'[station]\nid = "{DEMO_STATION_ID}"\ndata_dir = "station"\n')
    return load_config(path)


@pytest.fixture
def store(station_config: StationConfig):
    with StationStore(station_config.station.data_dir) as s:
        yield s


@pytest.fixture
def applicants() -> list[dict]:
    """24 valid applicants for the recording date (seeded, so the same every run)."""
    return demo_applicants(random.Random(7), RECORDING_DATE, 24)


@pytest.fixture
def make_bundle(tmp_path: Path, keys: Keys, applicants: list[dict]) -> Callable[..., Path]:
    """Write a signed assignment file; `edit(content)` may change the content before signing."""
    counter = iter(range(1000))

    def make(version: int = 1, edit: Callable[[dict], None] | None = None,
             signer: Ed25519PrivateKey | None = None) -> Path:
        content = build_assignment_content(RECORDING_DATE, copy.deepcopy(applicants), version=version)
        if edit:
            edit(content)
        path = tmp_path / f"assignment-{next(counter)}.json"
        path.write_bytes(bundle_to_bytes(sign_assignment(content, signer or keys.hq_sign)))
        return path

    return make


@pytest.fixture
def imported(store, keys, make_bundle):
    """The store with the default assignment imported."""
    from station.roster import import_assignment

    import_assignment(store, make_bundle(), keys.hq_sign.public_key(), station_id=DEMO_STATION_ID, min_age=16)
    return store


@pytest.fixture
def capturing(imported, applicants):
    """A record checked in and moved to capturing, ready to be sealed; returns its id."""
    from station.checkin import check_in_by_application
    from station.records import transition

    ticket = check_in_by_application(imported, applicants[0]["application_id"], applicants[0]["phone"])
    transition(imported, ticket.record_id, "capturing", actor="OP-02")
    return ticket.record_id


@pytest.fixture
def sealer(imported, station_config, keys):
    from station.sealing import RecordSealer

    return RecordSealer(imported, station_config, keys.station_sign, keys.hq_packet.public_key())


@pytest.fixture(autouse=True)
def _simulators_back_to_default():
    """Every test starts and ends with the vendor simulators on their default script (a scripted unplug must
    not leak into the next test), and leaves the simulated scanner closed: the SDK allows one open handle, so a
    test that forgets to close its engine would break whichever test comes next."""
    from native.vendor import FutronicScanner, apply_sim_script

    apply_sim_script(None)
    yield
    apply_sim_script(None)
    with FutronicScanner("sim"):  # NO_MORE_ITEMS here: this test left the scanner open
        pass
