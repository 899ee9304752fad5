"""The fleet dashboard's views with Django's test client on HQ's real (temp) SQLite: login required, Bahasa
Indonesia by default with the English toggle, every number from seeded rows (the station's Health as ingest
applies it, HQ's stored Records), liveness on HQ's clock, each alert rule, the station page's history, and the
translation catalogue. The seed helpers are shared with test_dashboard_browser.py."""

import ast
import datetime as dt
import gettext
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client, override_settings
from django.utils import timezone

from contract.keys import public_pem
from contract.wire import Health, JobState, Status
from hq.fleet import catalog
from hq.fleet.commands import apply_job_state
from hq.fleet.enrolment import enrol_station
from hq.fleet.liveness import apply_health, apply_status
from hq.fleet.models import Job, Station
from hq.ingest.models import Quarantine, Record
from hq.ingest.tallies import count_stored
from hq.users import create_user
from station.config import OfflineSection
from station.offline_limits import evaluate

USER, PASSWORD = "petugas", "sandi-panjang-sekali"
KIT = {"camera": True, "fingerprint": True, "iris": True, "signature_pad": True, "printer": True}
COUNTS = {"checked_in": 3, "capturing": 1, "captured": 2, "sent": 4, "accepted": 10, "duplicate": 1,
          "rejected": 1, "purged": 0, "withdrawn": 2, "correction_requested": 1}


def enrol(station_id: str, school: str = "SMA Negeri 1 Pekanbaru", spt: str = "SPT/001/2026",
          name: str = "") -> None:
    enrol_station(station_id, public_pem(Ed25519PrivateKey.generate().public_key()).encode(), school=school,
                  spt_number=spt, name=name)


def say_status(station_id: str, state: str, epoch: int = 1) -> None:
    """What ingest does with a live status message."""
    apply_status(station_id, Status(state=state, epoch=epoch))


def say_health(station_id: str, epoch: int = 1, **fields: object) -> None:
    """What ingest does with a live Health message (a healthy kit unless `fields` say otherwise)."""
    values: dict[str, object] = {
        "queue_depth": 0, "counts": COUNTS, "devices": KIT, "disk_free_bytes": 40 * 10**9,
        "disk_total_bytes": 64 * 10**9, "battery_percent": 87.0, "charging": True, "software_version": "0.1.0",
        "assignment_version": 3, "certificate_expires": (timezone.now() + dt.timedelta(days=300)).isoformat()}
    values.update(fields)
    apply_health(station_id, Health(epoch=epoch, ts=timezone.now().isoformat(), **values))


def store_records(station_id: str, seqs: range, received_at: dt.datetime | None = None) -> None:
    """Records as HQ's ingest stores them (the rows; the dashboard never opens the files)."""
    count_stored([Record.objects.create(
        record_id=f"{station_id}-r{seq}", station_id=station_id, seq=seq, sha256="0" * 64, size=1000,
        path=f"records/{station_id}/{seq}", sealed_at="2026-11-25T08:00:00Z", received_at=received_at or timezone.now())
        for seq in seqs])


def silence(station_id: str, seconds: float) -> None:
    """HQ last heard from the station `seconds` ago (its clock moved on without a message)."""
    Station.objects.filter(pk=station_id).update(last_seen=timezone.now() - dt.timedelta(seconds=seconds))


@pytest.fixture(autouse=True)
def quick_passwords() -> Iterator[None]:
    """A fast password hash for these in-process tests (the real PBKDF2 takes a second a login on 2 cores)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def client(hq: Path) -> Client:
    """A logged-in browser session (the login made as `sinopsis hq createuser` makes it)."""
    create_user(USER, PASSWORD)
    browser = Client(SERVER_NAME="localhost")
    assert browser.login(username=USER, password=PASSWORD)
    return browser


def cells(client: Client, station_id: str) -> dict[str, str]:
    return {k: c["text"] for k, c in client.get("/fleet.json").json()["cells"][station_id].items()}


def alerts(client: Client, url: str = "/fleet.json") -> set[tuple[str, str]]:
    return {(a["station"], a["kind"]) for a in client.get(url).json()["alerts"]}


def test_every_page_needs_a_login(hq):
    enrol("st-a")
    anonymous = Client(SERVER_NAME="localhost")
    for url in ("/", "/fleet.json", "/stations/st-a/", "/stations/st-a/live.json"):
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/?next="), url
    create_user(USER, PASSWORD)
    wrong = anonymous.post("/login/", {"username": USER, "password": "not-the-password"})
    assert wrong.status_code == 200 and "Nama pengguna atau kata sandi salah" in wrong.content.decode()
    right = anonymous.post("/login/?next=/stations/st-a/", {"username": USER, "password": PASSWORD,
                                                            "next": "/stations/st-a/"})
    assert right.status_code == 302 and right["Location"] == "/stations/st-a/"
    assert anonymous.get("/stations/st-a/").status_code == 200
    anonymous.post("/logout/")
    assert anonymous.get("/").status_code == 302


def test_bahasa_indonesia_by_default_english_on_the_toggle(client):
    enrol("st-a")
    say_status("st-a", "online")
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()  # the browser's wish is ignored
    assert 'lang="id"' in page and "Stasiun perekaman" in page and "Daring" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert 'lang="en"' in page and "Recording stations" in page and ">Online<" in page
    assert client.get("/fleet.json").json()["cells"]["st-a"]["state"]["text"] == "Online"
    client.post("/i18n/setlang/", {"language": "id", "next": "/"})
    assert "Stasiun perekaman" in client.get("/").content.decode()


def test_progress_queue_and_kit_numbers_come_from_the_health_and_hqs_records(client):
    enrol("st-a", name="Kit 1")
    say_status("st-a", "online")
    say_health("st-a", queue_depth=6, oldest_pending_s=754.0, disk_free_bytes=12 * 10**9,
               disk_total_bytes=60 * 10**9, battery_percent=64.0, charging=False, listed=40)
    store_records("st-a", range(1, 12), received_at=timezone.now() - dt.timedelta(minutes=3))
    shown = cells(client, "st-a")
    assert shown["listed"] == "40"  # progress against the station's list
    assert shown["checked_in"] == "25"  # every record on the station started as a check-in
    assert shown["recorded"] == "18"  # captured 2 + sent 4 + accepted 10 + duplicate 1 + rejected 1
    assert shown["sent"] == "16"
    assert shown["accepted"] == "11"  # accepted + duplicate (+ purged)
    assert shown["at_hq"] == "11"
    assert (shown["withdrawn"], shown["corrections"], shown["rejected"]) == ("2", "1", "1")
    assert shown["queue"] == "6" and shown["oldest"] == "12 mnt"
    assert shown["last_ack"] == "#11, 3 mnt lalu"
    assert shown["disk"] == "sisa 12,0 GB (20%)" and shown["battery"] == "64%"
    assert shown["devices"] == "semua 5 ada" and shown["software"] == "0.1.0" and shown["assignment"] == "versi 3"
    assert shown["blocked"] == "belum tercapai" and shown["state"] == "Daring"
    page = client.get("/").content.decode()
    assert "Kit 1" in page and "SMA Negeri 1 Pekanbaru" in page and "SPT/001/2026" in page
    assert 'data-cell="st-a|at_hq" data-level="">11<' in page  # the page renders the very cells the JSON sends
    assert alerts(client) == set()


def test_a_station_never_heard_from_and_one_without_health(client):
    enrol("st-new")
    enrol("st-quiet")
    say_status("st-quiet", "online")
    new, quiet = cells(client, "st-new"), cells(client, "st-quiet")
    assert new["state"] == "Belum terhubung" and new["seen"] == "belum pernah ada kabar"
    assert new["checked_in"] == "—" and new["at_hq"] == "0" and new["queue"] == "—"
    assert quiet["state"] == "Daring" and quiet["health_at"] == "belum ada laporan"
    summary = client.get("/fleet.json").json()["cells"]["_summary"]
    assert (summary["online"]["text"], summary["unknown"]["text"], summary["lost"]["text"]) == ("1", "1", "0")


def test_lost_by_will_and_by_hqs_own_clock(client):
    for sid in ("st-will", "st-silent", "st-ok", "st-bye"):
        enrol(sid)
        say_status(sid, "online")
        say_health(sid)
    say_status("st-will", "lost")  # the broker published the Will
    silence("st-silent", 301)  # no Will ever came, but HQ has not heard from it for longer than 300 s
    silence("st-ok", 200)
    say_status("st-bye", "offline")  # a clean stop is not an alert
    shown = {sid: cells(client, sid) for sid in ("st-will", "st-silent", "st-ok", "st-bye")}
    assert [shown[s]["state"] for s in ("st-will", "st-silent", "st-ok", "st-bye")] == [
        "Terputus", "Terputus", "Daring", "Luring"]
    assert shown["st-silent"]["seen"] == "kabar terakhir 5 mnt lalu"
    found = client.get("/fleet.json").json()["alerts"]
    assert [(a["station"], a["kind"], a["level"]) for a in found] == [
        ("st-silent", "lost", "bad"), ("st-will", "lost", "bad")]
    assert found[0]["text"] == "Terputus: tidak ada kabar selama 5 mnt"
    assert found[1]["text"] == "Terputus: koneksi putus tanpa pamit"
    say_status("st-silent", "online")  # it speaks again (same epoch): HQ's clock is reset
    assert cells(client, "st-silent")["state"] == "Daring"


def test_each_alert_rule(client):
    for sid in ("st-backlog", "st-late", "st-disk", "st-device", "st-blocked", "st-battery", "st-cert", "st-q",
                "st-stolen"):
        enrol(sid)
        say_status(sid, "online")
    from hq.fleet.enrolment import revoke_station

    revoke_station("st-stolen", "dicuri 30 Nov")
    for depth in (2, 5, 5, 9):  # never fell across four reports and rose overall
        say_health("st-backlog", queue_depth=depth)
    for depth in (2, 5, 4, 9):  # fell once: sending works, just slowly
        say_health("st-late", queue_depth=depth, oldest_pending_s=3 * 3600.0 + 60)
    say_health("st-disk", disk_free_bytes=3 * 10**9, disk_total_bytes=64 * 10**9)
    say_health("st-device", devices={**KIT, "iris": False, "signature_pad": False})
    limits = OfflineSection()
    verdict = evaluate(timezone.now() - dt.timedelta(days=limits.block_after_days + 1), 12, timezone.now(), limits)
    say_health("st-blocked", capture_blocked=verdict.reason)
    say_health("st-battery", battery_percent=12.0, charging=False)
    say_health("st-cert", certificate_expires=(timezone.now() + dt.timedelta(days=10, hours=1)).isoformat())
    say_health("st-q")
    store_records("st-q", range(1, 2))
    Quarantine.objects.create(record_id="st-q-r1", station_id="st-q", seq=1, sha256="1" * 64, size=10,
                              path="quarantine/x")
    found = {(a["station"], a["kind"]): a for a in client.get("/fleet.json").json()["alerts"]}
    assert set(found) == {("st-backlog", "backlog_growing"), ("st-late", "oldest_pending"), ("st-disk", "disk_low"),
                          ("st-device", "device_missing"), ("st-blocked", "capture_blocked"),
                          ("st-battery", "battery_low"), ("st-cert", "certificate"), ("st-q", "quarantine"),
                          ("st-stolen", "revoked")}
    assert found["st-stolen", "revoked"]["text"] == (
        "Dicabut: HQ menolak rekamannya dan broker menolak koneksinya (dicuri 30 Nov)")
    assert found["st-backlog", "backlog_growing"]["text"] == "Antrean kiriman bertambah: 2 → 9 menunggu"
    assert found["st-late", "oldest_pending"]["text"] == (
        "9 rekaman menunggu dikirim ke HQ, yang tertua sudah 3 jam 1 mnt")
    assert found["st-disk", "disk_low"]["text"] == "Disk hampir penuh: sisa 3,0 GB"
    assert found["st-device", "device_missing"]["text"] == "Perangkat tidak ada: kamera iris, pad tanda tangan"
    days = f"{limits.block_after_days + 1:.1f}"
    assert found["st-blocked", "capture_blocked"]["text"] == (
        f"Perekaman berhenti: Tidak terhubung ke HQ selama {days} hari (batas {limits.block_after_days:g}): "
        "perekaman baru berhenti sampai stasiun tersinkron.")
    assert found["st-cert", "certificate"]["text"] == "Sertifikat kedaluwarsa dalam 10 hari"
    assert [a["level"] for a in client.get("/fleet.json").json()["alerts"]][:3] == ["bad", "bad", "bad"]
    assert cells(client, "st-device")["devices"] == "tidak ada: kamera iris, pad tanda tangan"
    say_status("st-device", "offline")  # a stopped kit's last device list is not an alert
    assert ("st-device", "device_missing") not in alerts(client)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = {(a["station"], a["kind"]): a["text"] for a in client.get("/fleet.json").json()["alerts"]}
    assert english["st-blocked", "capture_blocked"] == (
        f"Captures stopped: No contact with HQ for {days} days (limit {limits.block_after_days:g}): new captures "
        "are stopped until the station syncs.")
    assert english["st-backlog", "backlog_growing"] == "Backlog growing: 2 → 9 waiting"


def test_the_station_page_shows_its_history(client):
    enrol("st-a", name="Kit 1")
    say_status("st-a", "online", epoch=1)
    say_health("st-a", queue_depth=4, oldest_pending_s=90.0, devices={**KIT, "printer": False})
    say_status("st-a", "lost", epoch=1)
    say_status("st-a", "online", epoch=2)
    store_records("st-a", range(1, 4))
    job = Job.objects.create(id="job-1", station_id="st-a", name="sync_now",
                             expires_at=timezone.now() + dt.timedelta(hours=1))
    apply_job_state("st-a", job.id, JobState(job=job.id, state="succeeded", detail="3 records sent",
                                             ts=timezone.now().isoformat()))
    page = client.get("/stations/st-a/").content.decode()
    assert "Kit 1" in page and "Perubahan status" in page and "3 records sent" in page
    tables = client.get("/stations/st-a/live.json").json()["tables"]
    assert [[c["text"] for c in row][1:3] for row in tables["status"]] == [
        ["Daring", "2"], ["Terputus", "1"], ["Daring", "1"]]
    assert [row[1]["text"] for row in tables["health"]] == ["4"]
    assert tables["health"][0][6] == {"text": "printer", "level": "bad"}
    assert [row[1]["text"] for row in tables["records"]] == ["#3", "#2", "#1"]
    assert [c["text"] for c in tables["jobs"][0]][1:4] == ["sync_now", "berhasil", "3 records sent"]
    assert client.get("/stations/st-nope/").status_code == 404
    assert client.get("/stations/st-nope/live.json").status_code == 404


def test_the_static_files_are_served(client):
    """whitenoise answers /static/ (hq/staticfiles.py); without `collectstatic` from the apps' own folders."""
    assert client.get("/static/fleet/live.js")["Content-Type"].startswith("text/javascript")
    assert client.get("/static/fleet/fleet.css").status_code == 200
    assert client.get("/static/office/office.css").status_code == 200
    assert client.get("/static/fleet/../settings.py").status_code == 404


FLEET = Path(catalog.__file__).parent
TEMPLATE_MSGID = re.compile(r'{% translate ["\'](.+?)["\'] %}|{% blocktranslate %}(.+?){% endblocktranslate %}', re.S)


def used_msgids() -> set[str]:
    """Every text the dashboard's Python (gettext calls) and templates (translate tags) hand to gettext."""
    used = set()
    for path in FLEET.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("_", "gettext_lazy")
                    and node.args and isinstance(node.args[0], ast.Constant)):
                used.add(node.args[0].value)
    for path in FLEET.glob("templates/fleet/*.html"):
        for match in TEMPLATE_MSGID.finditer(path.read_text()):
            text = match.group(1) or match.group(2)
            used.add(re.sub(r"{{ (\w+) }}", r"%(\1)s", text))
    return used


def test_every_text_of_the_dashboard_has_its_bahasa_indonesia_translation():
    entries = {**catalog.parse_po((catalog.SOURCE_DIR / "id/LC_MESSAGES/django.po").read_text()),
               **catalog.parse_po((FLEET / "locale/id/LC_MESSAGES/django.po").read_text())}  # the app's own
    used = used_msgids()
    assert len(used) > 80 and "Recording stations" in used and "Lost" in used
    assert sorted(used - set(entries)) == []
    for msgid, msgstr in entries.items():
        if msgid:
            assert sorted(re.findall(r"%\(\w+\)\w", msgid)) == sorted(re.findall(r"%\(\w+\)\w", msgstr)), msgid


def test_the_catalogue_compiles_to_what_gettext_reads(tmp_path):
    target = catalog.compile_into(tmp_path)
    ours = gettext.GNUTranslations((target / "id/LC_MESSAGES/django.mo").open("rb"))
    entries = catalog.parse_po((catalog.SOURCE_DIR / "id/LC_MESSAGES/django.po").read_text())
    assert all(ours.gettext(k) == v for k, v in entries.items() if k)
    assert ours.info()["plural-forms"] == "nplurals=1; plural=0;"
    if shutil.which("msgfmt"):  # the same catalogue as GNU msgfmt reads it
        subprocess.run(["msgfmt", "-o", str(tmp_path / "ref.mo"), str(catalog.SOURCE_DIR / "id/LC_MESSAGES/django.po")],
                       check=True)
        reference = gettext.GNUTranslations((tmp_path / "ref.mo").open("rb"))
        assert reference._catalog == ours._catalog
    before = (target / "id/LC_MESSAGES/django.mo").stat().st_mtime_ns
    catalog.compile_into(tmp_path)
    assert (target / "id/LC_MESSAGES/django.mo").stat().st_mtime_ns == before  # unchanged: not rewritten


def test_the_station_page_counts_its_dead_letters_with_the_last_reasons(client):
    from hq.ingest.dead_letters import keep

    enrol("st-a")
    enrol("st-b")
    keep("sinopsis/v1/st/st-a/health", b'{"queue_depth": 1e999}', "contract.schema",
         "Health: queue_depth: Input should be a finite number")
    keep("sinopsis/v1/st/st-a/up/correction", b'{"v": 2}', "contract.version", "Correction: v: schema version 2")
    keep("sinopsis/v1/st/st-a/up/correction", b'{"v": 2}', "contract.version", "Correction: v: schema version 2")
    assert cells(client, "st-a")["dead_letters"] == "2" and cells(client, "st-b")["dead_letters"] == "0"
    page = client.get("/stations/st-a/").content.decode()
    assert "Pesan yang tidak dapat disimpan HQ" in page and "versi skema lain" in page
    rows = [[c["text"] for c in row][1:] for row in client.get("/stations/st-a/live.json").json()["tables"]
            ["dead_letters"]]
    assert rows == [["up/correction", "versi skema lain", "Correction: v: schema version 2", "2"],
                    ["health", "ada kolom yang hilang, tidak dikenal, salah jenis, atau di luar batas",
                     "Health: queue_depth: Input should be a finite number", "1"]]


def queries_of(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_dashboards_queries_do_not_grow_with_the_fleet(client):
    """No query per station (N+1): a fleet of 2 and a fleet of 12, each with health history, records, a dead
    letter and quarantine, cost the page and its JSON the same number of queries (issue 21 bench, issue 22)."""
    def grow(first: int, last: int) -> None:
        for n in range(first, last):
            sid = f"st-{n:02d}"
            enrol(sid, school=f"SMA {n}")
            say_status(sid, "online")
            for depth in (1, 2, 3, 4, 5):
                say_health(sid, queue_depth=depth)
            store_records(sid, range(1, 4))

    grow(0, 2)
    for url in ("/", "/fleet.json"):
        queries_of(client, url)  # the first request of a session also caches what later ones reuse
    small = {url: queries_of(client, url) for url in ("/", "/fleet.json")}
    grow(2, 12)
    assert {url: queries_of(client, url) for url in ("/", "/fleet.json")} == small
    assert cells(client, "st-11")["queue"] == "5" and ("st-11", "backlog_growing") in alerts(client)


def test_the_fleet_is_listed_by_choice_and_a_page_at_a_time(client, monkeypatch):
    """Issue 22: at a province's fleet the page lists stations by choice (lost, behind, low disk, with alerts, a
    school) and a page at a time; the JSON the live page polls takes the same choice; the summary still counts
    every station."""
    from hq.fleet import views

    for sid in ("st-a", "st-b", "st-c", "st-d", "st-e"):
        enrol(sid)
        say_status(sid, "online")
        say_health(sid)
    enrol("st-f", school="SMK Negeri 2 Pekanbaru")
    say_status("st-f", "online")
    say_health("st-f")
    silence("st-c", 3600)  # not heard from for an hour: lost
    say_health("st-d", disk_free_bytes=3 * 10**9, disk_total_bytes=64 * 10**9)
    for depth in (2, 5, 5, 9):
        say_health("st-e", queue_depth=depth)

    def listed(query: str) -> list[str]:
        return client.get("/fleet.json" + query).json()["stations"]

    assert listed("?show=lost") == ["st-c"] and listed("?show=disk_low") == ["st-d"]
    assert listed("?show=behind") == ["st-e"] and listed("?show=alerts") == ["st-c", "st-d", "st-e"]
    assert listed("?q=smk+negeri") == ["st-f"] and listed("?show=lost&q=SMK") == []
    assert listed("?show=nonsense") == listed("") == ["st-a", "st-b", "st-c", "st-d", "st-e", "st-f"]
    summary = client.get("/fleet.json?show=lost").json()["cells"]["_summary"]
    assert summary["online"]["text"] == "5" and summary["lost"]["text"] == "1"  # the whole fleet

    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    assert listed("") == ["st-a", "st-b", "st-c", "st-d"] and listed("?page=2") == ["st-e", "st-f"]
    assert listed("?page=99") == ["st-e", "st-f"]  # past the end: the last page, not an error
    page = client.get("/?page=2").content.decode()
    assert 'data-stations="st-e,st-f"' in page and 'data-live="/fleet.json?page=2"' in page
    assert 'rel="prev"' in page and "Halaman 2 dari 2" in page
    page = client.get("/?show=lost").content.decode()
    assert 'data-show="lost" aria-current="page"' in page and 'data-station="st-c"' in page
    assert 'data-station="st-a"' not in page and ">Terputus</a>" in page
    page = client.get("/?show=lost&q=SMK").content.decode()
    assert 'data-none="filter"' in page and "Tidak ada stasiun yang cocok dengan pilihan ini." in page
