"""SOP step 9: a correction (from verification, or flagged at a station and arriving over the real broker) is
answered with a problem and a solution the applicant reads in their account, then resolved, fixing the
application's data, which goes back to the verification queue; each step timestamped and attributed."""

import contextlib
from collections.abc import Iterator

import pytest

from contract.wire import Correction as StationCorrection
from hq.applications import decisions
from hq.applications.models import Application, Correction
from hq.fleet.models import Station
from hq.ingest.office_corrections import open_from_station
from tests.hq.applications.conftest import BUDI, client_for, make_user, submitted
from tests.hq.standin import wait_for


@pytest.fixture
def opened(school, student, admin) -> Correction:
    application = submitted(school, student)
    return decisions.request_correction(application, admin, ["kk_number", "birth_date"])


def station_request(application_id: str, record_id: str = "r1", reason: str = "kk_mismatch") -> StationCorrection:
    return StationCorrection(record_id=record_id, application_id=application_id, assignment_id="ASG-1",
                             reason_code=reason, note="KK di tangan siswa berbeda", phone="+6281234567890",
                             requested_at="2026-11-25T08:00:00Z", requested_by="kiosk")


def test_the_admin_answers_the_applicant_reads_it_then_it_is_resolved_with_fixed_data(hq, opened, admin, student):
    browser = client_for(admin)
    listing = browser.get("/applications/corrections/")
    assert [c.pk for c in listing.context["pending"]] == [opened.pk]
    assert "Nomor kartu keluarga (KK), Tanggal lahir" in listing.text
    url = f"/applications/corrections/{opened.pk}/"
    assert browser.get(url).status_code == 200
    early = browser.post(url + "resolve/", {"kk_number": "1471010101080099"})
    assert early.status_code == 400 and "Tulis masalah dan solusinya dulu" in early.text
    assert early.context["resolve_form"]["kk_number"].value() == "1471010101080099"  # kept
    assert browser.post(url + "answer/", {"problem": "Nomor KK beda dengan SIAK.", "solution": ""}).status_code == 400
    browser.post(url + "answer/", {"problem": "Nomor KK beda dengan SIAK.",
                                   "solution": "Kami memakai nomor KK dari SIAK; tidak perlu datang."})
    opened.refresh_from_db()
    assert (opened.state, opened.answered_by) == ("answered", admin) and opened.answered_at >= opened.opened_at
    mine = client_for(student).get("/applications/mine/")
    assert "Nomor KK beda dengan SIAK." in mine.text and "tidak perlu datang" in mine.text
    detail = client_for(student).get(f"/applications/{opened.application.number}/")
    assert "Kami memakai nomor KK dari SIAK" in detail.text

    wrong_day = browser.post(url + "resolve/", {"kk_number": "1471010101080099", "birth_date": "2008-08-18"})
    assert wrong_day.status_code == 400 and "tidak sama dengan yang ada di NIK" in wrong_day.text
    done = browser.post(url + "resolve/", {"kk_number": "1471 0101 0108 0099", "name": "Budi  Santoso",
                                           "birth_date": "17-08-2008"})
    assert done.status_code == 302
    opened.refresh_from_db()
    application = Application.objects.get()
    assert (opened.state, opened.resolved_by) == ("resolved", admin) and opened.resolved_at >= opened.answered_at
    assert (application.kk_number, application.name, application.state) == ("1471010101080099", BUDI["name"],
                                                                             "submitted")
    assert application.review_opened_at is None  # step 2 starts again when the admin opens it
    again = browser.post(url + "answer/", {"problem": "x", "solution": "y"}, follow=True)
    assert "sudah diselesaikan" in again.text
    assert "Selesai" in client_for(student).get("/applications/mine/").text


def test_corrections_are_for_the_admin_only_and_need_csrf(hq, opened, student):
    url = f"/applications/corrections/{opened.pk}/"
    for user in (student, make_user("kasi", "kasi_pendataan")):
        browser = client_for(user)
        assert browser.get("/applications/corrections/").status_code == 403
        assert browser.post(url + "answer/", {"problem": "p", "solution": "s"}).status_code == 403
    admin = make_user("admin-2", "admin")
    assert client_for(admin, enforce_csrf_checks=True).post(url + "answer/", {"problem": "p",
                                                                              "solution": "s"}).status_code == 403
    opened.refresh_from_db()
    assert opened.state == "open"


def test_a_station_request_opens_an_office_correction_once(hq, school, student, station_keys):
    from hq.ingest.corrections import receive_correction
    from hq.ingest.models import CorrectionRequest

    application = submitted(school, student, state=Application.State.VERIFIED)
    ack = receive_correction("st-a", station_request(application.number))
    assert receive_correction("st-a", station_request(application.number)) == ack
    correction = Correction.objects.get()
    assert (correction.application, correction.source, correction.fields, correction.state) == (
        application, "station", ["kk_number"], "open")
    assert correction.station_request == CorrectionRequest.objects.get()
    assert open_from_station(CorrectionRequest.objects.get()) == correction
    application.refresh_from_db()
    assert application.state == "verified"  # the list it is on is not touched until the data changes
    receive_correction("st-a", station_request("PMH-2026-999999", record_id="r2"))  # no such application here
    assert Correction.objects.count() == 1 and CorrectionRequest.objects.count() == 2


@contextlib.contextmanager
def refusing_corrections(application: Application) -> Iterator[None]:
    """HQ's real database refuses any office correction of `application` (a trigger) while inside."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the refusing trigger is written for SQLite")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TRIGGER refuse_correction BEFORE INSERT ON applications_correction "
                       f"WHEN NEW.application_id = {int(application.pk)} "
                       "BEGIN SELECT RAISE(ABORT, 'this application takes no correction'); END")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS refuse_correction")


def test_a_correction_is_acked_only_once_the_office_has_it_and_a_failing_one_ends_as_a_dead_letter(
        hq, school, student, station_keys, start_worker, stand_in):
    """Issue 19 point 5: the request and the office's correction commit together, then the ack; when the office's
    correction cannot be made, nothing is stored, no ack goes out (the station sends it again), and a failure that
    repeats is kept as a dead letter instead of stalling ingest; once the application can take it, the resent
    request is stored and acked."""
    from django.db import IntegrityError

    from contract.wire import CorrectionAck, dump, parse
    from hq.ingest import corrections
    from hq.ingest.models import CorrectionRequest, DeadLetter

    application = submitted(school, student, state=Application.State.VERIFIED)
    request = station_request(application.number)
    with refusing_corrections(application):
        with pytest.raises(IntegrityError):
            corrections.receive_correction("st-a", request)
        assert not CorrectionRequest.objects.exists() and not Correction.objects.exists()
        start_worker()
        station = stand_in("st-a")
        station.listen("correction/ack")
        station.wait_ingest_online()
        station.publish("up/correction", dump(request))
        dead = wait_for(lambda: DeadLetter.objects.filter(topic__endswith="st-a/up/correction").first(),
                        what="the dead letter")
        assert dead.code == "ingest.integrity" and "takes no correction" in dead.reason
        assert dead.station_id == "st-a" and request.record_id in dead.excerpt
        station.publish("status", b'{"state": "online", "epoch": 7}')  # the next message is not held up
        wait_for(lambda: Station.objects.filter(pk="st-a", status_epoch=7).exists(), what="the next message")
        assert not station.received and not CorrectionRequest.objects.exists()
    station.publish("up/correction", dump(request))  # the station sends it again: now the office takes it
    wait_for(lambda: station.received, what="the correction's ack")
    ack = parse(CorrectionAck, station.received[0].payload)
    stored = CorrectionRequest.objects.get()
    assert ack.reference == f"COR-{stored.pk}" and Correction.objects.get().station_request == stored


def test_a_station_correction_over_the_broker_reaches_the_admin_and_resolving_marks_it_handled(
        hq, school, student, admin, station_keys, start_worker, stand_in):
    from contract.wire import dump
    from hq.ingest.models import CorrectionRequest

    application = submitted(school, student, state=Application.State.VERIFIED)
    start_worker()
    station = stand_in("st-a")
    station.listen("correction/ack")
    station.wait_ingest_online()
    station.publish("up/correction", dump(station_request(application.number, reason="name_mismatch")))
    wait_for(lambda: station.received, what="the correction's ack")
    correction = Correction.objects.get()
    assert (correction.source, correction.fields, correction.application) == ("station", ["name"], application)
    browser = client_for(admin)
    page = browser.get(f"/applications/corrections/{correction.pk}/")
    assert "KK di tangan siswa berbeda" in page.text and "st-a" in page.text
    browser.post(f"/applications/corrections/{correction.pk}/answer/",
                 {"problem": "Nama di daftar salah ketik.", "solution": "Nama diperbaiki sesuai KK."})
    browser.post(f"/applications/corrections/{correction.pk}/resolve/", {"name": "Budi Santosa"})
    request = CorrectionRequest.objects.get()
    assert request.handled_by == admin.username and request.handled_at is not None
    application.refresh_from_db()
    assert (application.name, application.state) == ("Budi Santosa", "submitted")  # verified again after a change
    assert application.decided_at is None
