"""A student who forgot their password: asks with their email, reads the mail HQ writes (a file in the mail
folder, as without an SMTP server), follows the link, sets a new password and logs in with it; the link works
once. Office staff and unknown addresses get no mail (and the page says the same, so it reveals nothing)."""

import re
from email import message_from_bytes
from email.policy import default

from django.test import Client, override_settings

from tests.hq.applications.conftest import PASSWORD, make_user

NEW_PASSWORD = "sandi-baru-yang-panjang-9"


def mails(folder) -> list:
    return [message_from_bytes(p.read_bytes(), policy=default) for p in sorted(folder.glob("*.log"))]


def test_password_reset_end_to_end(hq, student, tmp_path):
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
                           EMAIL_FILE_PATH=tmp_path / "mail"):
        browser = Client(SERVER_NAME="localhost")
        login = browser.get("/login/")
        assert 'href="/applications/password/reset/"' in login.text
        page = browser.get("/applications/password/reset/")
        assert "Lupa kata sandi?" in page.text
        response = browser.post("/applications/password/reset/", {"email": "BUDI@contoh.id"})
        assert response.status_code == 302 and response["Location"] == "/applications/password/reset/sent/"
        assert "Periksa email Anda" in browser.get(response["Location"]).text
        [mail] = mails(tmp_path / "mail")
        assert mail["To"] == "budi@contoh.id" and mail["Subject"] == "SINOPSIS: pilih kata sandi baru"
        body = mail.get_body().get_content()
        assert "Halo Budi Santoso," in body and "Nama pengguna Anda: budi" in body
        link = re.search(r"http://localhost(/applications/password/reset/\S+/\S+/)", body).group(1)

        form = browser.get(link, follow=True)
        assert "Pilih kata sandi baru" in form.text and form.context["validlink"]
        set_url = form.redirect_chain[-1][0]
        weak = browser.post(set_url, {"new_password1": "pendek", "new_password2": "pendek"})
        assert weak.status_code == 200 and weak.context["form"].errors["new_password2"]
        done = browser.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        assert done.status_code == 302 and done["Location"] == "/applications/password/reset/done/"
        assert "Kata sandi baru Anda sudah tersimpan." in browser.get(done["Location"]).text

        assert not Client(SERVER_NAME="localhost").login(username="budi", password=PASSWORD)
        fresh = Client(SERVER_NAME="localhost")
        response = fresh.post("/login/", {"username": "budi", "password": NEW_PASSWORD})
        assert response.status_code == 302 and response["Location"] == "/office/"
        again = Client(SERVER_NAME="localhost").get(link, follow=True)
        assert not again.context["validlink"] and "sudah tidak berlaku" in again.text


def test_no_mail_for_staff_or_unknown_addresses(hq, tmp_path):
    make_user("admin-kantor", "admin", email="admin@kantor.go.id")
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
                           EMAIL_FILE_PATH=tmp_path / "mail"):
        browser = Client(SERVER_NAME="localhost")
        for email in ("admin@kantor.go.id", "siapa@contoh.id"):
            response = browser.post("/applications/password/reset/", {"email": email})
            assert response.status_code == 302  # the same answer as for a student
        assert mails(tmp_path / "mail") == []
        bad = browser.post("/applications/password/reset/", {"email": "bukan email"})
        assert bad.status_code == 200 and "bukan alamat email" in bad.text
