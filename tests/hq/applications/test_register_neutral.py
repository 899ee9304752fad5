"""Registration says nothing about which addresses have accounts (issue 19 point 6): a known and an unknown
address get the same redirect, the same page and the same work (one password hash each); only the mail to the
address differs. An account is usable only after its link is opened with the registration's password, so a
registration somebody else made with your address never hands you an account they can log in to."""

import re
from typing import Any

from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client, override_settings

from tests.hq.applications.conftest import PASSWORD, activation_link

HASHED: list[str] = []
NEW_PASSWORD = "sandi-baru-panjang-5"


class CountingHasher(MD5PasswordHasher):
    """The tests' quick hasher, counting each hash made."""

    algorithm = "counting_md5"

    def encode(self, password: str, salt: str) -> str:
        HASHED.append(salt)
        return super().encode(password, salt)


def register(email: str, password: str = NEW_PASSWORD, **over: str) -> tuple[Any, str, int]:
    """(response, the page it leads to without per-session tokens, hashes made) of one registration."""
    browser = Client(SERVER_NAME="localhost")
    before = len(HASHED)
    response = browser.post("/applications/register/", {"full_name": "Ani Lestari", "email": email, "username": "",
                                                         "password1": password, "password2": password, **over})
    page = browser.get(response["Location"]).text if response.status_code == 302 else response.text
    return response, re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page), len(HASHED) - before


def test_known_and_unknown_addresses_get_the_same_answer(hq, student, outbox):
    with override_settings(PASSWORD_HASHERS=["tests.hq.applications.test_register_neutral.CountingHasher"]):
        known, known_page, known_work = register("BUDI@contoh.id")
        unknown, unknown_page, unknown_work = register("ani@contoh.id")
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
    assert known_page == unknown_page and "Periksa email Anda" in known_page
    assert known_work == unknown_work == 1
    exists, activate = outbox
    assert exists.to == ["budi@contoh.id"] and exists.subject == "SINOPSIS: Anda sudah punya akun"
    assert "Nama pengguna Anda: budi" in exists.body and "/applications/password/reset/" in exists.body
    assert activate.to == ["ani@contoh.id"] and activate.subject == "SINOPSIS: selesaikan akun Anda"
    from django.contrib.auth.models import User

    assert User.objects.filter(email__iexact="budi@contoh.id").count() == 1  # no second account, password kept
    assert Client(SERVER_NAME="localhost").post("/login/", {"username": "budi", "password": PASSWORD}).status_code \
        == 302


def test_an_account_works_only_after_its_link_with_the_registration_password(hq, outbox):
    register("ani@contoh.id", "sandi-orang-lain-1")  # somebody else registers Ani's address first
    squatted = activation_link(outbox[-1])
    register("ani@contoh.id", "sandi-milik-ani-22")  # Ani registers: her password, a new link, the old one dead
    link = activation_link(outbox[-1])
    browser = Client(SERVER_NAME="localhost")
    assert browser.post("/login/", {"username": "ani@contoh.id", "password": "sandi-milik-ani-22"}).status_code \
        == 200  # not yet active: the login form again
    dead = browser.get(squatted)
    assert dead.status_code == 400 and "sudah tidak berlaku" in dead.text
    assert browser.get(link).status_code == 200
    wrong = browser.post(link, {"password": "sandi-orang-lain-1"})
    assert wrong.status_code == 400 and "Ini bukan kata sandi yang dipilih" in wrong.text
    done = browser.post(link, {"password": "sandi-milik-ani-22"})
    assert done.status_code == 302 and done["Location"] == "/applications/apply/"
    assert browser.get("/applications/apply/").status_code == 200  # logged in, a student
    assert Client(SERVER_NAME="localhost").get(link).status_code == 400  # used once
    register("ani@contoh.id")  # now active: only the "you have an account" mail
    assert outbox[-1].subject == "SINOPSIS: Anda sudah punya akun"


def test_hostile_activation_links_are_refused_plainly(hq):
    browser = Client(SERVER_NAME="localhost")
    for path in ("/applications/register/MQ/x-y/", "/applications/register/%00/abc/",
                 "/applications/register/" + "A" * 300 + "/b-c/", "/applications/register/LTE/1-2/"):
        answer = browser.get(path)
        assert answer.status_code in (400, 404) and "Traceback" not in answer.text
