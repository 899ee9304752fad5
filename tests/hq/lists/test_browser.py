"""SOP steps 3–7 in headless Chromium against `sinopsis hq serve`: the admin groups a school's applicants and
submits the list, the Kasi returns it with a reason, the admin submits it again, the Kasi verifies, the Kabid
approves, the Kasubbag issues the SPT (the PINs shown once), the Kabid PIAK assigns a station — and the station,
listening on a real mosquitto, receives the signed assignment and verifies it. Screenshots hq-list-*.png (the
timeline at 1280 and 390 px) and hq-spt-*.png, looked at by a person.

Each person's browser session is made directly (Django's session for their login): password logins are tested
by the dashboard's own browser test. Waits are for the next page; their timeouts only bound a failure.
"""

import shutil
from collections.abc import Iterator

import pytest
from django.test import Client

from contract.assignment import verify_bundle
from contract.wire import Desired, Reported, Status, parse
from hq.fleet.liveness import apply_reported, apply_status
from hq.keys import assignment_key
from hq.lists.models import ApplicationList, Spt, StationAssignment
from sinopsis.demo_data import DEMO_STATION_ID
from tests.hq.conftest import HQ_PASSWORD, HQ_USER
from tests.hq.lists.conftest import NPSN, recording_day
from tests.hq.lists.test_assign import enrol
from tests.hq.standin import wait_for

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="Debian's chromium and chromium-driver are not "
                                "installed (setup.sh installs them)")
pytest.importorskip("selenium.webdriver", reason="selenium is not installed (the `test` extra has it)")
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from tests.hq.test_dashboard_browser import BOUND_S, browser, screenshot, server, shots  # noqa: E402, F401


@pytest.fixture
def office(broker, monkeypatch, people) -> Iterator[None]:
    """HQ's web server (started after this) publishes to the test's mosquitto."""
    monkeypatch.setenv("SINOPSIS_HQ_MQTT_URL", f"mqtt://{HQ_USER}:{HQ_PASSWORD}@127.0.0.1:{broker.port}")
    yield


def act_as(driver, url: str, user) -> None:
    """Switch the browser to `user`'s session (made by Django for their login)."""
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    driver.get(f"{url}/office/")
    driver.delete_all_cookies()
    driver.add_cookie({"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"})


def go(driver, url: str) -> None:
    driver.get(url)
    WebDriverWait(driver, BOUND_S).until(lambda d: d.execute_script("return document.readyState") == "complete")


def press(driver, css: str) -> None:
    """Click the button `css` and wait for the page it leads to (the old page's window marker is gone)."""
    driver.execute_script("window.leavingThisPage = true;")
    driver.find_element(By.CSS_SELECTOR, css).click()
    WebDriverWait(driver, BOUND_S, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script("return !window.leavingThisPage && document.readyState === 'complete';"),
        f"{css} led nowhere")


def messages(driver) -> str:
    return " ".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, ".messages li"))


def test_a_list_from_grouping_to_a_station(office, server, browser, shots, people, school, stand_in):  # noqa: F811
    server = server.rstrip("/")
    enrol(DEMO_STATION_ID)
    apply_status(DEMO_STATION_ID, Status(state="online", epoch=1))
    station = stand_in(DEMO_STATION_ID)
    station.listen("desired")

    # step 3: the admin groups the school's verified applicants and submits the list
    act_as(browser, server, people["admin1"])
    go(browser, f"{server}/lists/new/")
    browser.find_element(By.CSS_SELECTOR, f'a[href="/lists/new/{NPSN}/"]').click()
    WebDriverWait(browser, BOUND_S).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "form.choose")))
    ticked = browser.find_elements(By.CSS_SELECTOR, 'input[name="applications"]:checked')
    assert len(ticked) == 5
    screenshot(browser, shots, "list-group", 1280)
    press(browser, 'form.choose button[type="submit"]')
    application_list = ApplicationList.objects.get()
    assert browser.current_url.endswith(f"/lists/{application_list.pk}/") and "DP-" in browser.title
    press(browser, 'button[value="submit"]')
    assert "diajukan ke Kasi" in messages(browser)

    # step 4: the Kasi returns it with a reason; the admin submits it again; the Kasi verifies
    act_as(browser, server, people["kasi1"])
    go(browser, f"{server}/lists/")
    assert application_list.number in browser.find_element(By.CSS_SELECTOR, "[data-tasks]").text
    go(browser, f"{server}/lists/{application_list.pk}/")
    press(browser, 'button[value="return"]')  # no reason: the error beside the field, nothing changed
    assert "Tuliskan mengapa daftar dikembalikan" in browser.find_element(By.ID, "reason-errors").text
    browser.find_element(By.ID, "id_reason").send_keys("Nama siswa ke-2 tidak sesuai daftar sekolah; mohon dicek.")
    press(browser, 'button[value="return"]')
    act_as(browser, server, people["admin1"])
    go(browser, f"{server}/lists/")
    assert "Dikembalikan: perbaiki lalu ajukan lagi" in browser.find_element(By.CSS_SELECTOR, "[data-tasks]").text
    go(browser, f"{server}/lists/{application_list.pk}/")
    press(browser, 'button[value="submit"]')
    act_as(browser, server, people["kasi1"])
    go(browser, f"{server}/lists/{application_list.pk}/")
    press(browser, 'button[value="verify"]')

    # step 5: the Kabid approves; the timeline tells the whole way
    act_as(browser, server, people["kabid1"])
    go(browser, f"{server}/lists/{application_list.pk}/")
    press(browser, 'button[value="approve"]')
    application_list.refresh_from_db()
    assert application_list.state == "approved"
    steps = [li.get_attribute("data-action") for li in browser.find_elements(By.CSS_SELECTOR, "ol.timeline li")]
    assert steps == ["created", "submitted", "returned", "submitted", "verified", "approved"]
    timeline = browser.find_element(By.CSS_SELECTOR, "ol.timeline").text
    assert "Budi Kasi" in timeline and "Nama siswa ke-2 tidak sesuai daftar sekolah" in timeline
    screenshot(browser, shots, "list-timeline", 1280)
    screenshot(browser, shots, "list-timeline-phone", 390)

    # step 6: the Kasubbag issues the SPT; the PINs are on this page only
    act_as(browser, server, people["kasubbag1"])
    go(browser, f"{server}/lists/{application_list.pk}/")
    press(browser, f'form[action="/lists/{application_list.pk}/spt/"] button')
    browser.execute_script("document.getElementById('id_recording_date').value = arguments[0];",
                           recording_day().isoformat())
    browser.find_element(By.CSS_SELECTOR, f'#id_lead option[value="{people["rina.tim"].pk}"]').click()
    browser.find_element(By.ID, f'op-{people["agus.tim"].pk}').click()
    screenshot(browser, shots, "spt-form", 1280)
    press(browser, 'form.stack button[type="submit"]')
    pins = {e.get_attribute("data-pin"): e.text for e in browser.find_elements(By.CSS_SELECTOR, "[data-pin]")}
    assert set(pins) == {"rina.tim", "agus.tim"} and all(len(p) == 6 and p.isdigit() for p in pins.values())
    screenshot(browser, shots, "spt-pins", 1280)
    spt = Spt.objects.get()
    go(browser, f"{server}/lists/spt/{spt.pk}/")
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-pin]") and "siswa: 5" in browser.page_source

    # step 7: the Kabid PIAK assigns the station; it receives the signed assignment over the broker
    act_as(browser, server, people["piak1"])
    go(browser, f"{server}/lists/spt/{spt.pk}/")
    browser.find_element(By.CSS_SELECTOR, f'input[name="stations"][value="{DEMO_STATION_ID}"]').click()
    press(browser, f'form[action="/lists/spt/{spt.pk}/assign/"] button[type="submit"]')
    assert "penugasan versi 1 terkirim" in messages(browser)
    made = StationAssignment.objects.get()
    message = wait_for(lambda: station.received, what="the desired assignment at the station")[0]
    bundle = parse(Desired, message.payload).bundle.encode()
    verified = verify_bundle(bundle, assignment_key().public_key(), station_id=DEMO_STATION_ID)
    assert verified.content.spt.number == spt.number and len(verified.content.applicants) == 5
    apply_reported(DEMO_STATION_ID, Reported(assignment_version=made.version, ts="2026-11-25T10:00:00+00:00"))
    go(browser, f"{server}/lists/spt/{spt.pk}/")
    applied = browser.find_element(By.CSS_SELECTOR, f'tr[data-station="{DEMO_STATION_ID}"] [data-applied]')
    assert applied.get_attribute("data-applied") == "applied"
    screenshot(browser, shots, "spt-assigned", 1280)
    screenshot(browser, shots, "spt-assigned-phone", 390)

    # the team lead follows the progress on a phone; the office sees every list by state
    act_as(browser, server, people["rina.tim"])
    go(browser, f"{server}/lists/mine/")
    assert browser.find_element(By.CSS_SELECTOR, "[data-applied]").get_attribute("data-applied") == "applied"
    screenshot(browser, shots, "list-mine-phone", 390)
    act_as(browser, server, people["kasi1"])
    go(browser, f"{server}/lists/")
    assert application_list.number in browser.find_element(By.CSS_SELECTOR, '[data-section="approved"]').text
    screenshot(browser, shots, "list-index", 1280)
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert [m for m in errors if "/return/ - " not in m] == []  # only the reasonless return's 400, on purpose
