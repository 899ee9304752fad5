"""Help-desk test fixtures: logins for a student, another student and the help desk's admin (fast password hash),
and a Django test client logged in as each."""

from collections.abc import Callable, Iterator

import pytest
from django.test import Client, override_settings

from hq.users import create_user

PASSWORD = "kata-sandi-panjang-1"


@pytest.fixture(autouse=True)
def quick_passwords() -> Iterator[None]:
    """A fast password hash for these in-process tests (PBKDF2 takes a second a login on 2 cores)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def login(hq) -> Callable[..., Client]:
    """login(username, role='student', full_name='', client=None): make the user, log a client in as them."""

    def make(username: str, role: str = "student", full_name: str = "", client: Client | None = None) -> Client:
        create_user(username, PASSWORD, roles=(role,), full_name=full_name)
        client = client or Client(SERVER_NAME="localhost")
        assert client.login(username=username, password=PASSWORD)
        return client

    return make


@pytest.fixture
def student(login) -> Client:
    return login("siti", "student", "Siti Rahmawati")


@pytest.fixture
def other_student(login) -> Client:
    return login("bayu", "student", "Bayu Kurniawan")


@pytest.fixture
def admin(login) -> Client:
    return login("admin1", "admin", "Dewi Lestari")
