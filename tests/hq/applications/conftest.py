"""Shared pieces of the applications tests: an empty HQ (tests/hq/conftest.py's `hq`), a school, a student's and
an admin's login, fast password hashing, and applicants whose NIKs are valid (Pekanbaru, 1471xx)."""

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings

from hq.users import create_user

PASSWORD = "kata-sandi-panjang-7"
NPSN, SCHOOL_NAME = "10404040", "SMA Negeri 1 Pekanbaru"
# Budi, male, born 17 August 2008; Siti, female, born 5 March 2008 (40 added to the day in her NIK)
BUDI = {"nik": "1471011708080001", "kk_number": "1471010101080003", "name": "Budi Santoso",
        "birth_place": "Pekanbaru", "birth_date": "2008-08-17", "sex": "M", "phone": "0812-3456-7890",
        "email": "budi@contoh.id"}
SITI = {"nik": "1471024503080002", "kk_number": "1471020202080004", "name": "Siti Nurhaliza",
        "birth_place": "Dumai", "birth_date": "2008-03-05", "sex": "F", "phone": "+62 813 1111 2222",
        "email": ""}


@pytest.fixture(autouse=True)
def quick_passwords() -> Iterator[None]:
    """A fast password hash (the real PBKDF2 takes a second per login on 2 cores)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def template_context(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test client's response.context (what django.test.utils.setup_test_environment does for templates, for
    these tests only: the rest of the session keeps its settings)."""
    from django.template import Template
    from django.test.utils import instrumented_test_render

    monkeypatch.setattr(Template, "_render", instrumented_test_render)


@pytest.fixture(autouse=True)
def applications_emptied(hq: Path) -> Iterator[None]:
    """This app's rows removed before `hq` empties the database: `hq` deletes a School before the Applications
    that PROTECT it, so it would fail after any test that made an application."""
    from hq.applications.models import Application, Correction, School, SchoolAccount

    yield
    for model in (Correction, Application, SchoolAccount, School):
        model.objects.all().delete()


@pytest.fixture
def school(hq: Path) -> Any:
    from hq.applications.models import School

    return School.objects.create(npsn=NPSN, name=SCHOOL_NAME)


def make_user(username: str, role: str, full_name: str = "", email: str = "") -> Any:
    from django.contrib.auth.models import User

    create_user(username, PASSWORD, roles=(role,), full_name=full_name)
    user = User.objects.get(username=username)
    if email:
        user.email = email
        user.save(update_fields=["email"])
    return user


def client_for(user: Any, **kwargs: Any) -> Client:
    browser = Client(SERVER_NAME="localhost", **kwargs)
    assert browser.login(username=user.username, password=PASSWORD)
    return browser


@pytest.fixture
def student(hq: Path) -> Any:
    return make_user("budi", "student", "Budi Santoso", "budi@contoh.id")


@pytest.fixture
def outbox() -> Iterator[list[Any]]:
    """The mails HQ sends during the test (Django's in-memory mail backend); the applicant's notifications, sent
    in the background after each commit, are all sent before the test starts and before it ends (none of an
    earlier test's arrives in this one's outbox)."""
    from django.core import mail

    from hq.applications import notify

    notify.flush()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        yield mail.outbox
        notify.flush()


def activation_link(message: Any) -> str:
    """The path of the activation link in a registration mail."""
    import re

    return re.search(r"http://localhost(/applications/register/\S+/\S+/)", message.body).group(1)


@pytest.fixture
def admin(hq: Path) -> Any:
    return make_user("admin-kantor", "admin", "Rina Admin")


@pytest.fixture
def apply_as() -> Callable[..., Any]:
    """apply_as(client, school, **data): GET the form, POST it with its signed opening time; the response."""
    def post(browser: Client, school: Any, **data: Any) -> Any:
        form = browser.get("/applications/apply/")
        assert form.status_code == 200
        token = form.context["form"]["opened"].value()
        return browser.post("/applications/apply/", {**data, "school": school.pk, "opened": token})

    return post


def submitted(school: Any, applicant: Any, data: dict[str, Any] = BUDI, number: str = "PMH-2026-000001",
              **over: Any) -> Any:
    """An application stored directly (for the office's tests)."""
    from django.utils import timezone

    from hq.applications.models import Application

    fields = {**data, "birth_date": dt.date.fromisoformat(data["birth_date"]), "phone": "+6281234567890", **over}
    return Application.objects.create(number=number, school=school, applicant=applicant,
                                      form_opened_at=timezone.now() - dt.timedelta(seconds=40), **fields)
