"""Fixtures of the service report's tests: HQ's packet key in a temp PEM named by SINOPSIS_HQ_PACKET_KEY, the
November 2026 seed (tests/hq/reports/seed.py), fast password hashing and logged-in test clients."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.test import Client, override_settings

from contract.keys import save_private_key
from hq.applications.models import Application, Correction, School
from hq.helpdesk.models import Ticket
from hq.lists.models import ApplicationList, ListEvent, Spt, SptMember, StationAssignment
from hq.reports.record_index import KEY_ENV
from hq.users import create_user
from tests.hq.reports.seed import PASSWORD, Seed, seed_november


@pytest.fixture(autouse=True)
def quick_passwords() -> Iterator[None]:
    """A fast password hash for in-process logins (the real PBKDF2 takes a second a login on 2 cores)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def no_packet_key(monkeypatch: pytest.MonkeyPatch, hq_data: Path) -> None:
    """No packet key unless a test asks for one (none in the environment, none in the data dir)."""
    monkeypatch.delenv(KEY_ENV, raising=False)
    assert not (hq_data / "keys" / "hq_packet.pem").exists()


@pytest.fixture
def packet_key_file(hq_key: X25519PrivateKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HQ's packet key in a temp PEM, named by SINOPSIS_HQ_PACKET_KEY."""
    path = tmp_path / "keys" / "hq_packet.pem"
    save_private_key(path, hq_key)
    monkeypatch.setenv(KEY_ENV, str(path))
    return path


@pytest.fixture
def seeded(hq: Path, station_keys: dict[str, Ed25519PrivateKey], hq_key: X25519PrivateKey) -> Iterator[Seed]:
    """November 2026 as tests/hq/reports/seed.py makes it (its packets sealed for `hq_key`)."""
    yield seed_november(hq, station_keys, hq_key)
    # The `hq` fixture empties each app in model order, which the PROTECTed foreign keys refuse (an SPT keeps its
    # list, an application its school): the rows go here first, those pointing at others first.
    for model in (StationAssignment, SptMember, Spt, ListEvent, ApplicationList, Ticket, Correction, Application,
                  School):
        model.objects.all().delete()


@pytest.fixture
def client_for() -> Callable[..., Client]:
    """client_for(username, *roles): a logged-in test client (an existing user when no role is given)."""

    def make(username: str, *roles: str) -> Client:
        if roles:
            create_user(username, PASSWORD, roles=roles)
        client = Client(SERVER_NAME="localhost")
        assert client.login(username=username, password=PASSWORD)
        return client

    return make
