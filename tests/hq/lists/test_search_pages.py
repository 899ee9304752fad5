"""The office's lists that grow (issue 21 point 8): search by each key and pagination on the list pages, the
office's own 403/404/500 pages in Bahasa Indonesia (English on the toggle), and no file path shown to users."""

import re
from pathlib import Path

from django.test import Client, RequestFactory
from django.utils import translation

from hq.applications.models import Application, School
from hq.fleet.catalog import HQ_DIR, parse_po


def text(response) -> str:
    return response.content.decode()


def test_the_lists_and_the_queue_find_by_each_key(make_list, school, login):
    """A list by its number, NPSN and an applicant's NIK, name or application number (an older APL- number, by a
    part of it); the verification queue by number, name and school (and not by another applicant's NIK)."""
    application_list = make_list("draft")
    listed = application_list.applications.order_by("number").first()
    admin = login("admin1")
    for key in (application_list.number, school.npsn, listed.nik, listed.name.upper(), listed.number[-5:]):
        found = text(admin.get("/lists/", {"q": key}))
        assert 'data-found="1"' in found and 'data-section="draft"' in found, key
    none = text(admin.get("/lists/", {"q": "tidak-ada-yang-cocok"}))
    assert 'data-found="0"' in none and 'data-section="draft"' not in none
    assert "Periksa draf" in none  # the person's tasks stay complete whatever the search
    waiting = Application.objects.get(state=Application.State.SUBMITTED)
    for key in (waiting.number, waiting.name.split()[0], "SMA Negeri"):
        assert f'data-number="{waiting.number}"' in text(admin.get("/applications/queue/", {"q": key})), key
    assert f'data-number="{waiting.number}"' not in text(admin.get("/applications/queue/", {"q": listed.nik}))


def test_a_long_list_comes_in_pages_that_keep_the_search(people, login):
    """30 schools on the imports page: 25 on page 1, the rest on page 2 (a page past the end shows the last);
    the page links keep the search, and the search narrows the pages."""
    School.objects.bulk_create(School(npsn=f"1040{i:04d}", name=f"SMA Negeri {i} Pekanbaru") for i in range(30))
    admin = login("admin1")
    first = text(admin.get("/applications/imports/"))
    assert first.count('data-npsn="') == 25 and 'data-pages="2"' in first and "Halaman 1 dari 2" in first
    assert text(admin.get("/applications/imports/", {"page": 2})).count('data-npsn="') == 5
    assert text(admin.get("/applications/imports/", {"page": 99})).count('data-npsn="') == 5
    searched = text(admin.get("/applications/imports/", {"q": "negeri 2"}))  # 2, 20-29
    assert searched.count('data-npsn="') == 11 and "data-pages" not in searched
    School.objects.bulk_create(School(npsn=f"1050{i:04d}", name=f"SMK Negeri 2{i} Dumai") for i in range(20))
    paged = text(admin.get("/applications/imports/", {"q": "negeri 2"}))
    assert 'href="?q=negeri+2&amp;page=2"' in paged
    assert text(admin.get("/applications/imports/", {"q": "negeri 2", "page": 2})).count('data-npsn="') == 6


def test_the_error_pages_are_the_offices_in_bahasa_indonesia(people, login):
    from hq import urls
    from hq.office.errors import server_error

    assert urls.handler500 == "hq.office.errors.server_error"  # Django's own would render without the request

    admin, student = login("admin1"), login("student1")
    missing = admin.get("/lists/999999/")
    assert missing.status_code == 404 and "Halaman tidak ditemukan" in text(missing) and 'class="menu"' in text(missing)
    denied = student.get("/lists/")
    assert denied.status_code == 403 and "Akses ditolak" in text(denied) and "minta admin kantor" in text(denied)
    admin.cookies["django_language"] = "en"
    assert "Page not found" in text(admin.get("/nowhere/"))
    request = RequestFactory().get("/lists/")
    request.user = people["admin1"]
    with translation.override("id"):  # as LocaleMiddleware leaves it for the request (the default language)
        failed = server_error(request)
    assert failed.status_code == 500 and "Terjadi kesalahan di server" in failed.content.decode()
    assert "layanan bantuan" in failed.content.decode()
    anonymous = Client(SERVER_NAME="localhost").get("/nowhere/")
    assert anonymous.status_code == 404 and "Halaman tidak ditemukan" in text(anonymous)
    expired = Client(SERVER_NAME="localhost", enforce_csrf_checks=True).post("/login/", {"username": "admin1"})
    assert expired.status_code == 403 and "Formulir sudah kedaluwarsa" in text(expired)
    assert "Tidak ada yang disimpan" in text(expired)


def test_no_page_or_message_shows_a_file_path():
    """Users never read `docs/….md` (or any path of the source tree) on a page or in a translated message."""
    path = re.compile(r"\b(?:docs|hq|station|kiosk|sinopsis)/[\w./-]+\.(?:md|py|toml|txt)\b")
    shown = [p for p in HQ_DIR.glob("*/templates/**/*.html")] + [p for p in HQ_DIR.glob("*/templates/**/*.txt")]
    found = [f"{p.relative_to(HQ_DIR)}: {m.group(0)}" for p in shown for m in path.finditer(p.read_text())]
    for po in [*HQ_DIR.glob("**/locale/*/LC_MESSAGES/django.po"),
               *Path(HQ_DIR.parent, "kiosk").glob("locale/*/LC_MESSAGES/*.po")]:
        for msgid, msgstr in parse_po(po.read_text(encoding="utf-8")).items():
            found += [f"{po}: {m.group(0)}" for m in path.finditer(f"{msgid} {msgstr}")]
    assert found == []


def test_the_demo_numbers_its_applications_in_hqs_one_scheme():
    """One application-number scheme (PMH-<year>-<6 digits>, hq/applications/numbering.py) for HQ and the demo's
    roster, so the demo's applications and those made at HQ read alike; older APL- numbers are only found."""
    import datetime as dt
    import random

    from hq.applications import numbering
    from sinopsis.demo_data import demo_applicants

    numbers = [p["application_id"] for p in demo_applicants(random.Random(1), dt.date(2026, 12, 1), 3)]
    assert numbers == [f"{numbering.PREFIX}-2026-{i:0{numbering.SERIAL_DIGITS}d}" for i in (1, 2, 3)]
