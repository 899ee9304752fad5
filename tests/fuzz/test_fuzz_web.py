"""HQ's public web forms under hostile input (issue 19 points 6 and 9): the registration and the login, posted
with any text a browser could send (controls, NUL, bidi overrides, combining marks, non-ASCII digits, huge
strings). Registration always answers either the one "check your email" redirect or the form with its errors
(400) — never a server error, never an answer that depends on whether the address has an account; the login
answers the form again (200), a redirect or the lockout page (429), never a server error."""

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.profiles import fuzz
from tests.fuzz.strategies import NASTY_CHARS
from tests.hq.lists.conftest import quick_passwords

__all__ = ["quick_passwords"]

# what an HTML form can carry: any character but a lone surrogate (a browser cannot encode one)
form_text = st.lists(st.characters(exclude_categories=("Cs",)) | st.sampled_from(NASTY_CHARS.replace("\ud800", "")),
                     max_size=40).map("".join) | st.just("x" * 5000)
emails = st.emails().map(str.lower) | form_text


def django_accepts(email: str) -> bool:
    """An address Django's EmailField takes (hypothesis' RFC 5322 addresses go further)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    try:
        validate_email(email)
    except ValidationError:
        return False
    return True


def register(full_name: str, email: str, username: str, password: str) -> object:
    from django.test import Client

    return Client(SERVER_NAME="localhost").post("/applications/register/", {
        "full_name": full_name, "email": email, "username": username, "password1": password,
        "password2": password})


@fuzz(15)
@given(email=st.emails().filter(django_accepts), known=st.booleans())
def test_registration_answers_the_same_whoever_owns_the_address(hq, email, known):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    users.all().delete()
    if known:
        users.create_user("owner", email, "kata-sandi-pemilik-1")
    before = set(users.values_list("pk", "password", "is_active"))
    answer = register("Ani Lestari", email, "ani", "sandi-baru-panjang-5")
    assert (answer.status_code, answer["Location"]) == (302, "/applications/register/sent/")
    if known:  # the owner's account is untouched
        assert set(users.filter(username="owner").values_list("pk", "password", "is_active")) == before


@fuzz(20)
@given(full_name=form_text, email=emails, username=form_text, password=form_text)
def test_registration_never_fails_on_what_is_typed(hq, full_name, email, username, password):
    answer = register(full_name, email, username, password)
    assert answer.status_code in (302, 400)
    if answer.status_code == 302:
        assert answer["Location"] == "/applications/register/sent/"


@fuzz(25)
@given(username=form_text, password=form_text)
def test_the_login_never_fails_on_what_is_typed(hq, username, password):
    from django.test import Client

    answer = Client(SERVER_NAME="localhost", REMOTE_ADDR="10.9.9.9").post(
        "/login/", {"username": username, "password": password})
    assert answer.status_code in (200, 429)
