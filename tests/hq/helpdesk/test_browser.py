"""The help desk in headless Chromium against `sinopsis hq serve`: a student asks on the web, the help desk sees
the question in its queue (open first, oldest on top, with how long each has waited) and answers it, the student
reads the answer on their page; a wrong WhatsApp number in the contacts is refused beside its field. Screenshots
of the student's page and the queue at 1280 px and at a phone's 390 px, a ticket on a phone and the contacts
with the error (hq-helpdesk-*.png: a temp dir, or $SINOPSIS_HQ_SCREENSHOTS)."""

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import timezone

from hq.helpdesk import tickets as desk
from hq.helpdesk.models import Ticket
from hq.users import create_user
from tests.hq.test_dashboard_browser import BOUND_S, browser, screenshot, server, shots  # noqa: F401

By = pytest.importorskip("selenium.webdriver.common.by").By
WebDriverWait = pytest.importorskip("selenium.webdriver.support.ui").WebDriverWait
WebDriverException = pytest.importorskip("selenium.common.exceptions").WebDriverException

PASSWORD = "kata-sandi-panjang-1"


@pytest.fixture(autouse=True)
def quick_passwords() -> Iterator[None]:
    """The server runs in its own process with the real hasher: the logins here must use it too."""
    yield


def arrive(driver, path: str) -> None:
    """Wait until the browser shows `path`, loaded (a click's navigation does not wait for the new page)."""
    def loaded(d: object) -> bool:
        return path in d.current_url and d.execute_script("return document.readyState") == "complete"

    WebDriverWait(driver, BOUND_S, ignored_exceptions=(WebDriverException,)).until(loaded, f"never at {path}")


def submit(driver, form: str = "form.stack") -> None:
    """Press the form's submit button and wait for the page that answers (a message, or the form again)."""
    driver.execute_script("window.beforeSubmit = true;")
    driver.find_element(By.CSS_SELECTOR, f"{form} button[type=submit]").click()
    WebDriverWait(driver, BOUND_S, ignored_exceptions=(WebDriverException,)).until(lambda d: d.execute_script(
        "return window.beforeSubmit === undefined && document.readyState === 'complete'"), "no page came back")


def log_in(driver, server_url: str, username: str, then: str = "helpdesk/") -> None:
    driver.get(f"{server_url}login/?next=/{then}")
    driver.find_element(By.ID, "id_username").send_keys(username)
    driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
    submit(driver, "section.login form")
    arrive(driver, f"/{then}")


def log_out(driver) -> None:
    driver.find_element(By.CSS_SELECTOR, "form.logout button").click()
    arrive(driver, "/login/")


def seed_queue() -> None:
    """What the help desk has had this morning: a phone call still waiting, a WhatsApp question answered."""
    now = timezone.now()
    call = desk.open_ticket(subject="Jadwal perekaman SMAN 8", question="Kapan tim perekaman datang ke sekolah kami?",
                            channel=Ticket.Channel.PHONE, contact="Pak Hendra (guru BK), 0812-6611-2233",
                            now=now - dt.timedelta(minutes=25))
    chat = desk.open_ticket(subject="Syarat perekaman", question="Apa yang harus dibawa saat perekaman?",
                            channel=Ticket.Channel.WHATSAPP, contact="Rina, 0813-7788-9900",
                            now=now - dt.timedelta(hours=2))
    desk.answer_ticket(chat, "Bawa kartu pelajar dan fotokopi KK.", None, now - dt.timedelta(hours=2, minutes=-6))
    assert call.answered_at is None


def test_a_student_asks_and_reads_the_help_desks_answer_in_chromium(server, browser, shots):  # noqa: F811
    create_user("siti", PASSWORD, roles=("student",), full_name="Siti Rahmawati")
    create_user("dewi", PASSWORD, roles=("admin",), full_name="Dewi Lestari")
    seed_queue()

    browser.get(server + "helpdesk/")
    assert "/login/?next=/helpdesk/" in browser.current_url  # anonymous: the login first
    log_in(browser, server, "siti")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Layanan bantuan"
    browser.find_element(By.ID, "id_subject").send_keys("Kode QR tidak terbaca")
    browser.find_element(By.ID, "id_question").send_keys(
        "Kode QR permohonan saya tidak terbaca di kios sekolah. Apa yang harus saya lakukan?")
    submit(browser)
    number = Ticket.objects.get(subject="Kode QR tidak terbaca").number
    assert number in browser.find_element(By.CSS_SELECTOR, "li.msg").text
    log_out(browser)

    log_in(browser, server, "dewi")
    waiting = browser.find_elements(By.CSS_SELECTOR, '[data-table="waiting"] tbody tr')
    assert [row.get_attribute("data-ticket") for row in waiting][-1] == number  # the newest waits at the bottom
    first_timing = waiting[0].find_element(By.CSS_SELECTOR, '[data-cell="timing"]')
    assert first_timing.get_attribute("data-level") == "bad" and "25 menit" in first_timing.text
    screenshot(browser, shots, "helpdesk-queue-1280", 1280)
    screenshot(browser, shots, "helpdesk-queue-390", 390)
    browser.find_element(By.LINK_TEXT, number).click()
    arrive(browser, f"/helpdesk/tickets/{number}/")
    screenshot(browser, shots, "helpdesk-ticket-390", 390)
    browser.find_element(By.ID, "id_answer").send_keys(
        "Naikkan kecerahan layar HP Anda, lalu tunjukkan lagi. Bisa juga masuk dengan NIK dan tanggal lahir.")
    submit(browser)
    assert browser.current_url.endswith("/helpdesk/") and browser.find_elements(By.CSS_SELECTOR, "li.msg")
    assert not browser.find_elements(By.CSS_SELECTOR, f'[data-table="waiting"] tr[data-ticket="{number}"]')
    browser.find_element(By.LINK_TEXT, "Ubah kontak layanan bantuan").click()
    arrive(browser, "/helpdesk/setting/")
    whatsapp = browser.find_element(By.ID, "id_whatsapp")
    whatsapp.clear()
    whatsapp.send_keys("WA 0811 7600")
    submit(browser)
    error = browser.find_element(By.ID, "id_whatsapp_error")
    assert "Gunakan hanya angka" in error.text
    assert browser.find_element(By.ID, "id_whatsapp").get_attribute("value") == "WA 0811 7600"  # kept to fix
    screenshot(browser, shots, "helpdesk-setting-1280", 1280)
    log_out(browser)

    log_in(browser, server, "siti")
    answer = browser.find_element(By.CSS_SELECTOR, f'tr[data-ticket="{number}"] [data-cell="answer"]').text
    assert answer.startswith("Naikkan kecerahan layar HP Anda")
    screenshot(browser, shots, "helpdesk-student-1280", 1280)
    screenshot(browser, shots, "helpdesk-student-390", 390)
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
