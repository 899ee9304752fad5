"""The applications' journey in headless Chromium against `sinopsis hq serve`: a student makes an account (and
finishes it through the link HQ mailed), applies (a wrong phone number comes back beside its field, the rest kept),
gets the application page with its QR; the admin opens the verification queue, sees the application beside SIAK
with the differing KK number marked, and verifies it; the main office pages raise no Content-Security-Policy
violation, and an injected inline script is blocked. Screenshots (hq-apply-*.png, hq-verify-*.png) at 1280 px
and a phone's 390 px."""

import datetime as dt
import re
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import default

import pytest

from hq.users import create_user
from tests.hq.applications.conftest import BUDI, NPSN, SCHOOL_NAME
from tests.hq.test_dashboard_browser import (  # noqa: F401 - fixtures
    BOUND_S,
    browser,
    page_language,
    screenshot,
    server,
    shots,
)
from tests.security.leaks import leaks, nik_like

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

STUDENT_PASSWORD, ADMIN, ADMIN_PASSWORD = "sandi-siswa-panjang-1", "admin-kantor", "sandi-admin-panjang-2"


@pytest.fixture
def quick_passwords() -> Iterator[None]:
    """Not here: the server process checks passwords with HQ's real hasher, so the logins are made with it."""
    yield


def seed() -> None:
    from hq.applications.models import School, SchoolListEntry, SiakRecord

    school = School.objects.create(npsn=NPSN, name=SCHOOL_NAME)
    SiakRecord.objects.create(nik=BUDI["nik"], kk_number="1471010101089999", name="BUDI SANTOSO",
                              birth_place="Pekanbaru", birth_date=dt.date(2008, 8, 17), sex="M", source="siak.csv")
    SchoolListEntry.objects.create(school=school, nik=BUDI["nik"], name="Budi Santoso",
                                   birth_date=dt.date(2008, 8, 17), class_name="XII IPA 1")
    create_user(ADMIN, ADMIN_PASSWORD, roles=("admin",), full_name="Rina Admin")


def fill(driver, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = driver.find_element(By.NAME, name)
        if field.tag_name == "select":
            Select(field).select_by_value(value)
        elif field.get_attribute("type") == "date":
            driver.execute_script("arguments[0].value = arguments[1];", field, value)
        else:
            field.clear()
            field.send_keys(value)


def submit(driver, selector: str = "main form button[type=submit]") -> None:
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, selector).click()
    WebDriverWait(driver, BOUND_S).until(lambda d: d.find_element(By.TAG_NAME, "html") != old)


def activation_url(mail_dir, to: str) -> str:
    """The activation link of the registration mail HQ wrote to `to` (a file: no SMTP server in the tests; other
    tests in this process write to the same folder)."""
    # the file backend writes every message of one connection into one file, separated by a line of dashes
    messages = [message_from_bytes(part.strip().encode(), policy=default) for p in sorted(mail_dir.glob("*.log"))
                for part in p.read_text().split("-" * 79) if part.strip()]
    mail = [m for m in messages if m["To"] == to and "/applications/register/" in m.get_body().get_content()][-1]
    return re.search(r"(http://\S+/applications/register/\S+/\S+/)", mail.get_body().get_content()).group(1)


def test_a_student_applies_and_the_admin_verifies_in_chromium(hq, server, browser, shots, tmp_path):  # noqa: F811
    from hq.applications.models import Application

    seed()
    browser.get(server + "applications/register/")
    assert page_language(browser) == "id"
    fill(browser, {"full_name": "Budi Santoso", "email": "budi@contoh.id", "username": "budi",
                   "password1": STUDENT_PASSWORD, "password2": STUDENT_PASSWORD})
    submit(browser)
    assert browser.current_url == server + "applications/register/sent/"
    browser.get(activation_url(hq / "mail", "budi@contoh.id"))
    fill(browser, {"password": STUDENT_PASSWORD})
    submit(browser)
    assert browser.current_url == server + "applications/apply/"
    assert browser.find_element(By.NAME, "name").get_attribute("value") == "Budi Santoso"
    fill(browser, {**{k: v for k, v in BUDI.items() if k not in ("name", "email")}, "phone": "0812-34",
                   "school": NPSN})
    submit(browser)
    error = browser.find_element(By.ID, "id_phone_error")
    assert "Ini bukan nomor HP" in error.text
    assert browser.find_element(By.ID, "id_phone").get_attribute("aria-invalid") == "true"
    assert browser.find_element(By.NAME, "nik").get_attribute("value") == BUDI["nik"]  # nothing typed is lost
    assert browser.find_element(By.NAME, "birth_date").get_attribute("value") == BUDI["birth_date"]
    screenshot(browser, shots, "apply-error-1280", 1280)
    screenshot(browser, shots, "apply-error-390", 390)
    fill(browser, {"phone": BUDI["phone"]})
    submit(browser)
    application = Application.objects.get()
    assert browser.current_url == f"{server}applications/{application.number}/"
    assert browser.find_element(By.CSS_SELECTOR, "[data-number]").text == application.number
    assert browser.execute_script("const q = document.querySelector('img[data-qr]');"
                                  "return q.complete && q.naturalWidth > 100;")
    screenshot(browser, shots, "apply-application-1280", 1280)
    screenshot(browser, shots, "apply-application-390", 390)
    submit(browser, "form.logout button")

    browser.get(server + "login/")
    fill(browser, {"username": ADMIN, "password": ADMIN_PASSWORD})
    submit(browser)
    browser.find_element(By.LINK_TEXT, "Verifikasi").click()
    WebDriverWait(browser, BOUND_S).until(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-table=queue]"))
    browser.find_element(By.LINK_TEXT, application.number).click()
    WebDriverWait(browser, BOUND_S).until(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-table=compare]"))
    marked = browser.find_elements(By.CSS_SELECTOR, "td.mismatch")
    assert [m.find_element(By.XPATH, "..").get_attribute("data-field") for m in marked] == ["kk_number", "kk_number"]
    assert "Berbeda: Nomor kartu keluarga (KK)." in browser.find_element(By.CSS_SELECTOR, "[data-problems]").text
    screenshot(browser, shots, "verify-review-1280", 1280)
    screenshot(browser, shots, "verify-review-390", 390)
    fill(browser, {"verify_reason": "KK asli diperiksa di loket; SIAK menyusul diperbarui."})  # KK differs
    submit(browser, "button[data-action=verify]")
    assert browser.current_url == server + "applications/queue/"
    assert "terverifikasi" in browser.find_element(By.CSS_SELECTOR, ".messages").text
    application.refresh_from_db()
    assert application.state == "verified" and application.decided_by.username == ADMIN
    assert application.review_opened_at <= application.decided_at
    for page in ("office/", "applications/conflicts/", "applications/lockouts/", "applications/corrections/",
                 "applications/imports/", "lists/", "helpdesk/", "reports/", f"applications/{application.number}/"):
        browser.get(server + page)  # the main pages under the Content-Security-Policy: no violation below
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"
              and "status of 400" not in e["message"]]  # the form sent back with its errors answers 400
    assert errors == []
    browser.execute_script("const s = document.createElement('script'); s.textContent = 'window.inlineRan = 1';"
                           "document.body.appendChild(s);")  # what an injected inline script would do
    assert browser.execute_script("return window.inlineRan === undefined")
    assert any("Content Security Policy" in e["message"] for e in browser.get_log("browser"))  # and it is told
    served = (tmp_path / "serve.log").read_text()  # HQ's own log of the whole journey (requests, forms, errors)
    assert "POST /applications/apply/" in served, "the log is the web app's, requests included"
    identifiers = [BUDI["nik"], BUDI["kk_number"], "1471010101089999"]  # the NIK, and the KK typed and in SIAK
    assert not leaks(served, identifiers), (leaks(served, identifiers), nik_like(served))
