"""The help-desk setting (SOP step 10): the admin edits the contacts, bad values are refused field by field with
nothing saved, the change shows in the footer of a public page, and the setting is closed to everyone else
(403 logged in without the permission, the login page for anonymous, 403 without the CSRF token)."""

import pytest
from django.test import Client

from hq.helpdesk.contacts import for_station
from hq.helpdesk.models import HelpDesk

GOOD = {"call_centre": "(0761) 123456", "whatsapp": "+62 811-7600-001", "instagram": "@dukcapil.pku",
        "facebook": "https://facebook.com/dukcapilpku", "x": "@dukcapil_pku",
        "website": "https://disdukcapil.pekanbaru.go.id", "hours": "Senin–Jumat 07.30–16.00"}


def test_the_admin_changes_the_contacts_and_every_page_shows_them(admin, student):
    page = admin.get("/helpdesk/setting/")
    assert page.status_code == 200 and b"Belum pernah diubah" in page.content
    saved = admin.post("/helpdesk/setting/", GOOD, follow=True)
    assert saved.redirect_chain == [("/helpdesk/setting/", 302)]
    assert "Tersimpan." in saved.content.decode()
    desk = HelpDesk.current()
    assert {k: getattr(desk, k) for k in GOOD} == GOOD
    assert desk.updated_by.username == "admin1"
    assert "oleh Dewi Lestari" in saved.content.decode()
    login_page = Client(SERVER_NAME="localhost").get("/login/").content.decode()  # public: nobody logged in
    footer = login_page.split('<footer class="helpdesk"')[1]
    for shown in ("(0761) 123456", "+62 811-7600-001", "@dukcapil.pku", "https://facebook.com/dukcapilpku",
                  "@dukcapil_pku", "Senin–Jumat 07.30–16.00"):
        assert shown in footer
    assert for_station() == GOOD  # what the next assignment bundle carries to the stations
    students_page = student.get("/helpdesk/").content.decode()  # a phone dials / opens the chat from here
    assert '<a href="tel:0761123456">(0761) 123456</a>' in students_page
    assert '<a href="https://wa.me/628117600001">+62 811-7600-001</a>' in students_page


def test_an_emptied_optional_field_is_left_out_for_the_stations(admin):
    admin.post("/helpdesk/setting/", {**GOOD, "facebook": "", "x": ""})
    assert set(for_station()) == set(GOOD) - {"facebook", "x"}


@pytest.mark.parametrize(("field", "value", "message"), [
    ("call_centre", "", "Tulis nomor pusat panggilan"),
    ("call_centre", "telp 0761 123456", "Gunakan hanya angka, spasi, +, - dan tanda kurung"),
    ("whatsapp", "0811", "nomor ini 4 angka"),
    ("whatsapp", "0811-7600-0000-1234-5", "nomor ini 17 angka"),
    ("whatsapp", "0811+7600", "Gunakan hanya angka"),
    ("instagram", "dukcapil pku", "Tulis akun sebagai @nama"),
    ("x", "@dukcapil pku", "Tulis akun sebagai @nama"),
    ("facebook", "http://facebook.com/x", "Tulis akun sebagai @nama"),
    ("website", "disdukcapil", "Tulis alamat lengkap yang diawali https://"),
    ("hours", "x" * 101, "paling banyak 100 karakter (sekarang 101)"),
])
def test_a_bad_value_is_refused_next_to_its_field_and_nothing_is_saved(admin, field, value, message):
    before = {k: getattr(HelpDesk.current(), k) for k in GOOD}
    page = admin.post("/helpdesk/setting/", {**GOOD, field: value})
    assert page.status_code == 200  # the form again, as Django's forms do (a browser logs a 400 as an error)
    html = page.content.decode()
    label = html.split(f'<label for="id_{field}">')[1].split("</label>")[0]
    assert message in label  # the error is inside the field's own label, under the input
    assert 'aria-invalid="true"' in label
    assert "Belum ada yang disimpan" in html
    assert {k: getattr(HelpDesk.current(), k) for k in GOOD} == before


def test_the_setting_is_the_admins_only(student, login):
    assert student.get("/helpdesk/setting/").status_code == 403
    assert student.post("/helpdesk/setting/", GOOD).status_code == 403
    kasi = login("kasi1", "kasi_pendataan")
    assert kasi.get("/helpdesk/setting/").status_code == 403
    anonymous = Client(SERVER_NAME="localhost")
    response = anonymous.post("/helpdesk/setting/", GOOD)
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/helpdesk/setting/")
    assert HelpDesk.current().call_centre != GOOD["call_centre"]


def test_a_post_without_the_csrf_token_is_refused(login):
    browser = login("admin2", "admin", client=Client(SERVER_NAME="localhost", enforce_csrf_checks=True))
    assert browser.post("/helpdesk/setting/", GOOD).status_code == 403
    assert HelpDesk.current().call_centre != GOOD["call_centre"]
    page = browser.get("/helpdesk/setting/")
    token = page.cookies["csrftoken"].value
    assert browser.post("/helpdesk/setting/", {**GOOD, "csrfmiddlewaretoken": token}).status_code == 302
    assert HelpDesk.current().call_centre == GOOD["call_centre"]


def test_the_longest_contacts_hq_saves_are_accepted_by_the_stations(admin):
    """What the setting accepts fits the bundle's `help_desk` schema (contract/assignment.py): HQ never signs an
    assignment the stations would refuse for its contacts."""
    from contract.assignment import HelpDeskContacts

    def fill(start: str, length: int, end: str = "") -> str:
        return start + "1" * (length - len(start) - len(end)) + end

    longest = {"call_centre": "+62 (0761) 123-4567" + " -" * 10 + "-", "whatsapp": "0811 7600 0000" + " (-)" * 6 + "--",
               "instagram": fill("@", 61), "facebook": fill("https://facebook.com/", 100),
               "x": fill("https://x.com/", 100), "website": fill("https://disdukcapil.pekanbaru.go.id/", 200),
               "hours": "h" * 100}
    response = admin.post("/helpdesk/setting/", longest)
    assert response.status_code == 302, response.content.decode()[-2000:]
    sent = for_station()
    assert [len(sent[k]) for k in longest] == [40, 40, 61, 100, 100, 200, 100]
    assert HelpDeskContacts.model_validate(sent).model_dump(exclude_none=True) == sent
