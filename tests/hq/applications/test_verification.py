"""SOP step 2 for the admin: the queue (oldest first, by school), the review page beside SIAK and the school's
list with the differences marked, and each decision's state, time and author; students and other roles get 403,
and CSRF is enforced."""

import datetime as dt

import pytest
from django.utils import timezone

from hq.applications import decisions
from hq.applications.compare import compare
from hq.applications.models import Application, Correction, School, SchoolListEntry, SiakRecord
from hq.applications.siak import ExtractSiak, SiakPerson, adapter
from tests.hq.applications.conftest import BUDI, SITI, client_for, make_user, submitted


def siak_budi(**over: object) -> SiakRecord:
    fields = {"nik": BUDI["nik"], "kk_number": BUDI["kk_number"], "name": "BUDI  SANTOSO", "birth_place": "pekanbaru",
              "birth_date": dt.date(2008, 8, 17), "sex": "M", **over}
    return SiakRecord.objects.create(**fields)


def test_the_queue_lists_waiting_applications_oldest_first_and_by_school(hq, school, student, admin):
    other_school = School.objects.create(npsn="10404041", name="SMA Negeri 2 Pekanbaru")
    newer = submitted(school, student, number="PMH-2026-000002")
    older = submitted(other_school, student, SITI, number="PMH-2026-000001",
                      submitted_at=timezone.now() - dt.timedelta(hours=2))
    submitted(school, student, {**BUDI, "nik": "1471011708080009"}, number="PMH-2026-000003",
              state=Application.State.VERIFIED)
    browser = client_for(admin)
    page = browser.get("/applications/queue/")
    assert [a.number for a in page.context["page"].object_list] == [older.number, newer.number]
    page = browser.get("/applications/queue/", {"school": school.npsn})
    assert [a.number for a in page.context["page"].object_list] == [newer.number]
    assert "Menunggu: 1, yang paling lama di atas." in page.text


def test_the_review_marks_what_differs_from_siak_and_the_school_list(hq, school, student, admin):
    application = submitted(school, student)
    siak_budi(kk_number="1471010101080099", birth_place="Dumai")  # name differs only in case and spaces
    SchoolListEntry.objects.create(school=school, nik=BUDI["nik"], name="Budi Santosa", birth_date=dt.date(2008, 8, 17))
    page = client_for(admin).get(f"/applications/queue/{application.number}/")
    comparison = page.context["comparison"]
    assert comparison.mismatches == ["name", "kk_number", "birth_place"]
    differs = {(ln.field, ln.siak_differs, ln.school_differs) for ln in comparison.lines}
    assert differs == {("name", False, True), ("kk_number", True, False), ("birth_place", True, False),
                       ("birth_date", False, False), ("sex", False, False)}
    assert page.text.count('class="mismatch" data-mismatch="siak"') == 2
    assert page.text.count('class="mismatch" data-mismatch="school"') == 1
    assert "Berbeda: Nama lengkap, Nomor kartu keluarga (KK), Tempat lahir." in page.text
    assert page.context["form"].initial["to_correct"] == ["name", "kk_number", "birth_place"]  # ticked already


def test_not_in_siak_and_not_on_the_list_are_shown_as_problems(hq, school, student, admin):
    application = submitted(school, student)
    comparison = compare(application)
    assert comparison.siak is None and comparison.school_entry is None and comparison.mismatches == []
    page = client_for(admin).get(f"/applications/queue/{application.number}/")
    assert "Tidak ada di SIAK" in page.text and "Tidak ada di daftar sekolah" in page.text


def test_opening_the_review_starts_step_2_once(hq, school, student, admin):
    application = submitted(school, student)
    browser = client_for(admin)
    browser.get(f"/applications/queue/{application.number}/")
    application.refresh_from_db()
    first = application.review_opened_at
    assert first is not None
    browser.get(f"/applications/queue/{application.number}/")
    application.refresh_from_db()
    assert application.review_opened_at == first


def test_verify_sets_the_state_time_and_author(hq, school, student, admin):
    application = submitted(school, student)
    siak_budi()  # SIAK agrees: no reason needed (tests/hq/applications/test_siak_gate.py: when it does not)
    browser = client_for(admin)
    browser.get(f"/applications/queue/{application.number}/")
    response = browser.post(f"/applications/queue/{application.number}/decide/", {"action": "verify"})
    assert response.status_code == 302 and response["Location"] == "/applications/queue/"
    application.refresh_from_db()
    assert (application.state, application.decided_by) == ("verified", admin)
    assert application.review_opened_at <= application.decided_at <= timezone.now()
    again = browser.post(f"/applications/queue/{application.number}/decide/", {"action": "reject", "reason": "x"},
                         follow=True)
    assert "tidak lagi menunggu verifikasi (sekarang: Terverifikasi)" in again.text
    application.refresh_from_db()
    assert application.state == "verified"


def test_a_rejection_needs_a_reason_and_frees_the_nik(hq, school, student, admin):
    application = submitted(school, student)
    browser = client_for(admin)
    url = f"/applications/queue/{application.number}/decide/"
    response = browser.post(url, {"action": "reject", "reason": "  "})
    assert response.status_code == 400 and "Tulis mengapa permohonan ditolak" in response.text
    assert Application.objects.get().state == "submitted"
    browser.post(url, {"action": "reject", "reason": "NIK tidak terdaftar di SIAK; datang ke kantor dengan KK."})
    application.refresh_from_db()
    assert (application.state, application.decided_by) == ("rejected", admin)
    assert application.decision_note.startswith("NIK tidak terdaftar")
    page = client_for(student).get(f"/applications/{application.number}/")
    assert "NIK tidak terdaftar di SIAK" in page.text and page.context["qr"] is None
    submitted(school, student, number="PMH-2026-000002")  # the NIK may apply again


def test_requesting_a_correction_opens_one_with_the_fields(hq, school, student, admin):
    application = submitted(school, student)
    siak_budi(kk_number="1471010101080099")
    browser = client_for(admin)
    url = f"/applications/queue/{application.number}/decide/"
    response = browser.post(url, {"action": "correction"})
    assert response.status_code == 400 and "Centang data" in response.text
    assert browser.post(url, {"action": "correction", "to_correct": ["kk_number", "nik"]}).status_code == 400
    browser.post(url, {"action": "correction", "to_correct": ["kk_number"], "note": "KK beda"})
    application.refresh_from_db()
    correction = Correction.objects.get()
    assert application.state == "correction" and application.decided_at is None
    assert (correction.source, correction.fields, correction.opened_by, correction.state, correction.problem) == (
        "verification", ["kk_number"], admin, "open", "KK beda")
    assert "Nomor kartu keluarga (KK)" in client_for(student).get("/applications/mine/").text


def test_a_decision_on_an_application_no_longer_waiting_is_refused(hq, school, student, admin):
    application = submitted(school, student, state=Application.State.CORRECTION)
    with pytest.raises(decisions.StateConflictError):
        decisions.verify(application, admin)
    with pytest.raises(decisions.StateConflictError):
        decisions.request_correction(application, admin, ["name"])


def test_the_queue_is_for_those_who_verify_and_needs_csrf(hq, school, student, admin):
    application = submitted(school, student)
    kabid = make_user("kabid", "kabid_dafduk")
    for user in (student, kabid, make_user("tim", "team")):
        browser = client_for(user)
        assert browser.get("/applications/queue/").status_code == 403
        reading = browser.get(f"/applications/queue/{application.number}/")  # the Kabid reads it, no forms
        assert reading.status_code == (200 if user == kabid else 403)
        assert 'data-action="verify"' not in reading.text
        assert browser.post(f"/applications/queue/{application.number}/decide/",
                            {"action": "verify"}).status_code == 403
    strict = client_for(admin, enforce_csrf_checks=True)
    assert strict.post(f"/applications/queue/{application.number}/decide/", {"action": "verify"}).status_code == 403
    assert client_for(admin).get(f"/applications/queue/{application.number}/decide/").status_code == 405
    application.refresh_from_db()
    assert application.state == "submitted"


def test_the_siak_adapter_can_be_swapped(hq, settings_adapter):
    siak_budi()
    assert isinstance(adapter(), ExtractSiak)
    assert adapter().lookup(BUDI["nik"]).name == "BUDI  SANTOSO" and adapter().lookup("0" * 16) is None
    settings_adapter("tests.hq.applications.test_verification.FixedSiak")
    assert adapter().lookup("x").source == "fixed"


class FixedSiak:
    def lookup(self, nik: str) -> SiakPerson | None:
        return SiakPerson(nik, "1" * 16, "Fixed", "Kota", dt.date(2008, 1, 1), "M", source="fixed")


@pytest.fixture
def settings_adapter():
    from django.test import override_settings

    made = []

    def use(path: str) -> None:
        made.append(override_settings(HQ_SIAK_ADAPTER=path))
        made[-1].enable()

    yield use
    for m in made:
        m.disable()
