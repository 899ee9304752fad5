"""The fleet dashboard for real: `sinopsis hq serve` on a random port, headless Chromium (Debian's chromium and
chromium-driver, driven by selenium) logging in, then HQ's rows changing the way ingest changes them while the
page stays open: a station goes online → lost (HQ's clock, then a Will), progress numbers move, a record
arrives on the station page, all without a reload. No script error in the browser's console. Screenshots at
1280 px and at a phone's width, in both languages: into a temp dir, or into $SINOPSIS_HQ_SCREENSHOTS
(`SINOPSIS_HQ_SCREENSHOTS=docs/screenshots` regenerates docs/screenshots/hq-*.png).

Waits are for the page's own polling (every 300 ms here); their timeouts only bound a failure.
"""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hq.fleet import overview
from hq.users import create_user
from tests.hq.test_dashboard import COUNTS, KIT, enrol, say_health, say_status, silence, store_records

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="Debian's chromium and chromium-driver are not "
                                "installed (setup.sh installs them)")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (the `test` extra has it)")
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

USER, PASSWORD = "admin-hq", "kata-sandi-rahasia"
BOUND_S = 30  # only how long a failing wait takes to give up


@pytest.fixture
def server(hq: Path, tmp_path: Path) -> Iterator[str]:
    """`sinopsis hq serve --port 0` on the test's HQ data dir; yields the URL it printed."""
    env = {**os.environ, "SINOPSIS_HQ_POLL_MS": "300", "SINOPSIS_HQ_LOST_AFTER_S": "300"}
    with (tmp_path / "serve.log").open("w") as log:
        process = subprocess.Popen([sys.executable, "-m", "sinopsis", "hq", "serve", "--port", "0", "--data",
                                    str(hq)], stdout=subprocess.PIPE, stderr=log, text=True, env=env)
    try:
        line = process.stdout.readline()
        assert " on http://127.0.0.1:" in line, (tmp_path / "serve.log").read_text()
        yield line.split(" on ")[1].split()[0]
    finally:
        process.terminate()
        assert process.wait(timeout=BOUND_S) == 0  # SIGTERM is a clean stop


@pytest.fixture
def browser() -> Iterator["webdriver.Chrome"]:
    options = Options()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--hide-scrollbars", "--lang=en-US", "--window-size=1280,900", "--force-device-scale-factor=1"):
        options.add_argument(argument)  # --lang: the browser asks for English; the dashboard still starts in Indonesian
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SINOPSIS_HQ_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(driver: "webdriver.Chrome", folder: Path, name: str, width: int) -> Path:
    """The whole page at `width` px (a phone's when narrow: the viewport meta applies), through Chromium's device
    emulation so nothing below the first screen is cut off."""
    def emulate(height: int) -> None:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})

    emulate(800)
    emulate(max(600, driver.execute_script("return document.documentElement.scrollHeight")))
    path = folder / f"hq-{name}.png"
    assert driver.save_screenshot(str(path)), path
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert path.stat().st_size > 10_000
    return path


def text_of(driver: "webdriver.Chrome", station: str, key: str) -> str:
    """A cell's shown text, read in one script call (no element handle to go stale across a reload)."""
    return driver.execute_script("return document.querySelector(arguments[0]).innerText.trim();",
                                 f'[data-cell="{station}|{key}"]')


def page_language(driver: "webdriver.Chrome") -> str:
    return driver.execute_script("return document.documentElement.lang;")


def wait_for_cell(driver: "webdriver.Chrome", station: str, key: str, text: str) -> None:
    WebDriverWait(driver, BOUND_S, poll_frequency=0.1).until(
        lambda d: text_of(d, station, key) == text, f"{station}|{key} never showed {text!r}")


def shown_alerts(driver: "webdriver.Chrome") -> set[tuple[str, str]]:
    """(station, kind) of every alert on the page, read in one go (the list may be rebuilt between two reads)."""
    pairs = driver.execute_script(
        'return [...document.querySelectorAll("[data-alerts] li[data-kind]")]'
        '.map(li => [li.dataset.station, li.dataset.kind]);')
    return {tuple(p) for p in pairs}


def more_alerts(driver: "webdriver.Chrome") -> str | None:
    """The line after the alerts listed (how many other stations have alerts), or None."""
    return driver.execute_script('const li = document.querySelector("[data-alerts] li[data-kind=more]");'
                                 "return li && li.textContent;")


def seed_fleet() -> None:
    """Six kits on an ordinary morning: recording, a slow link with a device unplugged, one stopped by the
    offline limits, one switched off cleanly, one not yet connected, one revoked (reported lost)."""
    from hq.fleet.enrolment import revoke_station

    enrol("st-01", "SMA Negeri 1 Pekanbaru", "474/014/Disdukcapil/2026", name="Kit 1")
    enrol("st-02", "SMA Negeri 8 Pekanbaru", "474/015/Disdukcapil/2026", name="Kit 2")
    enrol("st-03", "SMK Negeri 2 Pekanbaru", "474/016/Disdukcapil/2026", name="Kit 3")
    enrol("st-04", "MAN 1 Pekanbaru", "474/017/Disdukcapil/2026", name="Kit 4")
    enrol("st-05", "SMA Negeri 5 Pekanbaru", "", name="Kit 5")
    for sid in ("st-01", "st-02", "st-03", "st-04"):
        say_status(sid, "online")
    say_health("st-01", queue_depth=1, oldest_pending_s=40.0)
    store_records("st-01", range(1, 11))
    for depth in (3, 5, 8, 12):
        say_health("st-02", queue_depth=depth, oldest_pending_s=4200.0 + depth * 60,
                   devices={**KIT, "iris": False}, battery_percent=18.0, charging=False,
                   counts={**COUNTS, "captured": 12})
    store_records("st-02", range(1, 6))
    say_health("st-03", queue_depth=120, oldest_pending_s=3.5 * 86400, disk_free_bytes=4 * 10**9,
               capture_blocked="120 records are waiting for HQ (limit 100): new captures are stopped until they "
               "are sent")
    say_status("st-03", "lost")
    say_health("st-04")
    say_status("st-04", "offline")
    enrol("st-06", "SMA Negeri 9 Pekanbaru", "474/018/Disdukcapil/2026", name="Kit 6")
    revoke_station("st-06", "kit reported stolen")


def test_the_dashboard_updates_live_in_chromium(server, browser, shots):
    create_user(USER, PASSWORD, roles=("kabid_piak",), full_name="Dewi Lestari")
    seed_fleet()
    browser.get(server)
    assert browser.current_url.startswith(server + "login/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Masuk ke SINOPSIS"
    screenshot(browser, shots, "login-id", 1280)
    browser.find_element(By.ID, "id_username").send_keys(USER)
    browser.find_element(By.ID, "id_password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, BOUND_S).until(lambda d: d.find_elements(By.CSS_SELECTOR, "table.fleet"))
    assert page_language(browser) == "id"
    assert [text_of(browser, s, "state") for s in ("st-01", "st-02", "st-03", "st-04", "st-05", "st-06")] == [
        "Daring", "Daring", "Terputus", "Luring", "Belum terhubung", "Dicabut"]
    assert text_of(browser, "_summary", "revoked") == "1"
    assert browser.find_element(By.CSS_SELECTOR, "header .who").text == "Dewi Lestari"  # the full name
    menu = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "nav.menu a")]
    assert menu[0] == "Beranda" and "Stasiun perekaman" in menu, menu  # the office's menu on the fleet pages too
    assert (text_of(browser, "st-01", "checked_in"), text_of(browser, "st-01", "at_hq")) == ("25", "10")
    assert shown_alerts(browser) == {
        ("st-02", "backlog_growing"), ("st-02", "oldest_pending"), ("st-02", "device_missing"),
        ("st-02", "battery_low"), ("st-03", "lost"), ("st-03", "capture_blocked"), ("st-03", "oldest_pending"),
        ("st-03", "disk_low"), ("st-06", "revoked")}
    assert more_alerts(browser) is None  # every station with alerts is listed
    screenshot(browser, shots, "fleet-1280-id", 1280)
    browser.execute_script("window.stillTheSamePage = true;")

    silence("st-01", 301)  # HQ has not heard from st-01 for longer than 300 s: lost without any Will
    wait_for_cell(browser, "st-01", "state", "Terputus")
    assert browser.find_element(By.CSS_SELECTOR, '[data-cell="st-01|state"]').get_attribute("data-level") == "bad"
    WebDriverWait(browser, BOUND_S).until(lambda d: ("st-01", "lost") in shown_alerts(d))
    say_status("st-01", "online", epoch=2)  # it reconnects …
    wait_for_cell(browser, "st-01", "state", "Daring")
    say_status("st-01", "lost", epoch=2)  # … and its Will arrives
    wait_for_cell(browser, "st-01", "state", "Terputus")

    say_health("st-02", queue_depth=2, counts={**COUNTS, "accepted": 22, "checked_in": 5},
               devices=KIT)  # the backlog drains, the iris camera is back
    store_records("st-02", range(6, 18))
    wait_for_cell(browser, "st-02", "at_hq", "17")
    assert text_of(browser, "st-02", "checked_in") == "39" and text_of(browser, "st-02", "accepted") == "23"
    assert text_of(browser, "st-02", "devices") == "semua 5 ada"
    assert browser.execute_script("return window.stillTheSamePage === true")  # updated in place, never reloaded
    screenshot(browser, shots, "fleet-phone-id", 390)

    browser.find_element(By.CSS_SELECTOR, 'tr[data-station="st-03"] a').click()
    WebDriverWait(browser, BOUND_S).until(lambda d: d.find_elements(By.CSS_SELECTOR, '[data-table="records"]'))
    browser.execute_script("window.stillTheSamePage = true;")
    store_records("st-03", range(1, 4))
    WebDriverWait(browser, BOUND_S).until(lambda d: d.execute_script(
        'return document.querySelectorAll("[data-table=records] tr:not(.none)").length') == 3)
    wait_for_cell(browser, "st-03", "at_hq", "3")
    assert browser.execute_script("return window.stillTheSamePage === true")
    screenshot(browser, shots, "station-1280-id", 1280)
    screenshot(browser, shots, "station-phone-id", 390)

    browser.get(server)
    browser.find_element(By.CSS_SELECTOR, "form.lang button").click()
    WebDriverWait(browser, BOUND_S).until(lambda d: page_language(d) == "en")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Recording stations"
    assert text_of(browser, "st-02", "state") == "Online" and text_of(browser, "st-01", "state") == "Lost"
    screenshot(browser, shots, "fleet-1280-en", 1280)

    for n in range(overview.ALERT_STATIONS + 1):  # more stations with alerts than the page lists (warnings)
        sid = f"st-z{n:02d}"
        enrol(sid)
        say_status(sid, "online")
        say_health(sid, battery_percent=9.0, charging=False)
    browser.get(server)  # st-01, st-03 and st-06 (bad) and 51 warnings: the first 50 listed, 4 counted
    assert more_alerts(browser) == "Other stations with alerts: 4 (list them all)"
    assert ("st-01", "lost") in shown_alerts(browser) and ("st-z46", "battery_low") in shown_alerts(browser)
    screenshot(browser, shots, "fleet-more-alerts-1280-en", 1280)
    say_health("st-z00", charging=True)  # one fewer: the live page's script rebuilds the line
    WebDriverWait(browser, BOUND_S).until(lambda d: more_alerts(d) == "Other stations with alerts: 3 (list them all)")
    browser.find_element(By.CSS_SELECTOR, '[data-kind="more"] a').click()
    WebDriverWait(browser, BOUND_S).until(lambda d: d.current_url.endswith("/?show=alerts"))
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
