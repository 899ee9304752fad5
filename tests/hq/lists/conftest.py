"""Fixtures of the lists tests (SOP steps 3–7): one login per office role and a recording team, a school with
verified applicants whose NIKs pass the station's rules, logged-in clients, and lists walked to any state through
the same functions the pages call."""

import datetime as dt
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.utils import timezone, translation

from hq.applications.models import Application, School
from hq.lists import workflow
from hq.lists.models import ApplicationList, Spt, StationAssignment
from hq.users import create_user
from sinopsis.demo_data import demo_applicants

PASSWORD = "kata-sandi-panjang-sekali"
PEOPLE = {  # username: (role, full name)
    "admin1": ("admin", "Dewi Admin"), "kasi1": ("kasi_pendataan", "Budi Kasi"),
    "kabid1": ("kabid_dafduk", "Sari Kabid"), "kasubbag1": ("kasubbag_umum", "Hendra Kasubbag"),
    "piak1": ("kabid_piak", "Yusuf Piak"), "rina.tim": ("team", "Rina Lestari"), "agus.tim": ("team", "Agus Pratama"),
    "student1": ("student", "Siswa Satu"),
}
NPSN = "10404001"


@pytest.fixture(autouse=True)
def quick_passwords() -> Iterator[None]:
    """A fast password hash for in-process tests (the real PBKDF2 takes a second a login on 2 cores)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def indonesian() -> Iterator[None]:
    """Texts made outside a request (events' reasons, errors of the functions) in the office's language, whatever
    an earlier test's request left active in this thread."""
    with translation.override("id"):
        yield


@pytest.fixture
def people(hq: Path) -> Iterator[dict[str, Any]]:
    """One login per office role, two team members and a student, by username. Afterwards the rows that protect
    others are deleted first (assignments → SPTs → lists → applications), before the `hq` fixture empties the
    rest in model order (it would meet a School still protected by its Applications)."""
    for username, (role, name) in PEOPLE.items():
        create_user(username, PASSWORD, roles=(role,), full_name=name)
    yield {u.username: u for u in get_user_model().objects.all()}
    for model in (StationAssignment, Spt, ApplicationList, Application):
        model.objects.all().delete()


def recording_day() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=7)


def add_applicants(school: School, student: Any, count: int, seed: int = 3, first: int = 1,
                   state: str = Application.State.VERIFIED) -> list[Application]:
    """`count` applicants of `school` whose data pass the station's roster rules on `recording_day()`."""
    made = []
    for i, p in enumerate(demo_applicants(random.Random(seed), recording_day(), count + first - 1)[first - 1:]):
        made.append(Application.objects.create(
            number=f"APL-{recording_day().year}-{first + i:05d}", nik=p["nik"], kk_number=p["kk_number"],
            name=p["name"], birth_place=p["birth_place"], birth_date=dt.date.fromisoformat(p["birth_date"]),
            sex=p["sex"], school=school, phone=p["phone"], applicant=student, state=state))
    return made


@pytest.fixture
def school(people: dict[str, Any]) -> School:
    """A school with 5 verified applicants (and one still waiting for verification)."""
    found = School.objects.create(npsn=NPSN, name="SMA Negeri 1 Pekanbaru", address="Jl. Sisingamangaraja No. 1")
    add_applicants(found, people["student1"], 5)
    add_applicants(found, people["student1"], 1, first=6, state=Application.State.SUBMITTED)
    return found


@pytest.fixture
def login(people: dict[str, Any]) -> Callable[..., Client]:
    """login(username, csrf=False): a test client logged in as that person."""

    def make(username: str, csrf: bool = False) -> Client:
        client = Client(SERVER_NAME="localhost", enforce_csrf_checks=csrf)
        client.force_login(people[username])
        return client

    return make


def walk(application_list: ApplicationList, people: dict[str, Any], to: str) -> ApplicationList:
    """Move a draft along the normal way up to state `to` (as the admin, Kasi and Kabid)."""
    steps = [("submit", "admin1", "draft"), ("verify", "kasi1", "submitted"), ("approve", "kabid1", "verified")]
    order = ["draft", "submitted", "verified", "approved"]
    for name, who, expected in steps[:order.index(to)]:
        workflow.transition(application_list, name, people[who], expected)
    application_list.refresh_from_db()
    return application_list


@pytest.fixture
def make_list(school: School, people: dict[str, Any]) -> Callable[..., ApplicationList]:
    """make_list(state='draft'): the school's verified applicants as a list, walked to `state`."""

    def make(state: str = "draft") -> ApplicationList:
        ids = [a.pk for a in workflow.available_applicants(school)]
        made = workflow.create_list(school, ids, people["admin1"], grouping_started_at=timezone.now())
        return walk(made, people, state)

    return make
