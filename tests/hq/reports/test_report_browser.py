"""The service report in headless Chromium (the `sinopsis hq serve` of test_dashboard_browser.py, logged in as
the admin): November 2026's report at 1280 px and at a phone's 390 px, and its PDF rendered as an image —
hq-report-1280.png, hq-report-390.png, hq-report-pdf.png in the screenshot folder, to look at."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings

from tests.hq.reports.seed import PASSWORD, Seed
from tests.hq.test_dashboard_browser import (  # noqa: F401 (fixtures)
    BOUND_S,
    CHROMIUM,
    DRIVER,
    By,
    WebDriverWait,
    browser,
    screenshot,
    server,
    shots,
)


@pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="Debian's chromium and chromium-driver are not installed")
def test_the_report_page_in_chromium(seeded: Seed, packet_key_file: Path, server, browser, shots):  # noqa: F811
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        admin = User.objects.get(username="admin")  # the server knows only the real hasher
        admin.set_password(PASSWORD)
        admin.save()
    browser.get(server + "login/")
    browser.find_element(By.ID, "id_username").send_keys("admin")
    browser.find_element(By.ID, "id_password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, BOUND_S).until(lambda d: "/office/" in d.current_url)
    browser.get(server + "reports/?start=2026-11-01&end=2026-11-30")
    WebDriverWait(browser, BOUND_S).until(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-table=steps]"))
    assert browser.find_element(By.CSS_SELECTOR, '[data-count="students_recorded"] .count').text == "3"
    assert browser.find_element(By.CSS_SELECTOR, 'tr[data-step="8"] [data-cell="median"]').text == "3 jam 30 menit"
    widths = browser.execute_script("return [...document.querySelectorAll('svg.chart')]"
                                    ".map(svg => svg.getBoundingClientRect().width);")
    assert len(widths) == 2 and min(widths) > 200
    screenshot(browser, shots, "report-1280", 1280)
    screenshot(browser, shots, "report-390", 390)
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 1280
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="pdftoppm (poppler-utils) is not installed")
def test_the_pdf_as_an_image(seeded: Seed, packet_key_file: Path, shots, tmp_path: Path):  # noqa: F811
    client = Client(SERVER_NAME="localhost")
    assert client.login(username="admin", password=PASSWORD)
    pdf = tmp_path / "laporan.pdf"
    pdf.write_bytes(client.get("/reports/laporan.pdf?start=2026-11-01&end=2026-11-30").content)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(shots / "hq-report-pdf")],
                   check=True)
    assert (shots / "hq-report-pdf.png").stat().st_size > 10_000
