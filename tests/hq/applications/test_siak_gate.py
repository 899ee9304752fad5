"""Verification gated by SIAK (issue 21 point 1), through the admin's pages: the SIAK match in the queue and on
the review page, a mismatch or a NIK SIAK does not know verified only with a reason, the reason audited (who, when,
SIAK's answer), and a verification undone with a reason and a confirmation, audited. (Undo after the list's
approval: tests/hq/lists/test_approvals_context.py.)"""

import datetime as dt

import pytest

from hq.applications import decisions, siak_gate
from hq.applications.models import Application, SiakRecord, VerificationAudit
from tests.hq.applications.conftest import BUDI, SITI, client_for, submitted


def siak(data: dict, **over: object) -> SiakRecord:
    fields = {k: data[k] for k in ("nik", "kk_number", "name", "birth_place", "sex")}
    return SiakRecord.objects.create(**{**fields, "birth_date": dt.date.fromisoformat(data["birth_date"]), **over})


def test_the_queue_shows_each_applications_siak_match(hq, school, student, admin):
    submitted(school, student)
    submitted(school, student, SITI, number="PMH-2026-000002")
    siak(SITI, kk_number="1471020202080099")
    page = client_for(admin).get("/applications/queue/")
    assert 'data-siak="not_found"' in page.text and "Tidak ada di SIAK" in page.text
    assert 'data-siak="differs"' in page.text and "Berbeda dari SIAK: Nomor kartu keluarga (KK)" in page.text


def test_a_mismatch_is_verified_only_with_a_reason_which_is_audited(hq, school, student, admin):
    application = submitted(school, student)
    siak(BUDI, kk_number="1471010101080099")
    browser = client_for(admin)
    url = f"/applications/queue/{application.number}/decide/"
    refused = browser.post(url, {"action": "verify", "verify_reason": "  "})
    assert refused.status_code == 400
    assert "Berbeda dari SIAK: Nomor kartu keluarga (KK). Untuk tetap memverifikasinya, tulis di" in refused.text
    assert 'id="id_verify_reason"' in refused.text  # the field to fill is on the page
    application.refresh_from_db()
    assert application.state == "submitted" and not VerificationAudit.objects.exists()
    reason = "KK asli diperiksa: nomor di SIAK lama, dilaporkan ke operator SIAK."
    assert browser.post(url, {"action": "verify", "verify_reason": reason}).status_code == 302
    application.refresh_from_db()
    line = VerificationAudit.objects.get()
    assert application.state == "verified"
    assert (line.action, line.by, line.reason, line.siak_status, line.siak_fields) == (
        "verified", admin, reason, "differs", ["kk_number"])
    assert application.decided_at <= line.at
    review = browser.get(f"/applications/queue/{application.number}/")
    assert 'data-audit="verified"' in review.text and reason in review.text and "Rina Admin" in review.text


def test_a_nik_siak_does_not_know_needs_a_reason_and_a_match_does_not(hq, school, student, admin):
    unknown = submitted(school, student)
    with pytest.raises(siak_gate.ReasonRequiredError, match=r"Not in SIAK|Tidak ada di SIAK"):
        decisions.verify(unknown, admin)
    matching = submitted(school, student, SITI, number="PMH-2026-000002")
    siak(SITI, name="SITI  NURHALIZA")  # case and spaces are not a difference
    decisions.verify(matching, admin)
    assert VerificationAudit.objects.get().siak_status == "found"


def test_a_verification_is_undone_with_a_reason_and_a_confirmation_audited(hq, school, student, admin):
    application = submitted(school, student)
    siak(BUDI)
    decisions.verify(application, admin)
    browser = client_for(admin)
    url = f"/applications/queue/{application.number}/undo/"
    page = browser.get(f"/applications/queue/{application.number}/")
    assert "data-undo" in page.text
    unconfirmed = browser.post(url, {"reason": "Salah pilih permohonan."})
    assert unconfirmed.status_code == 400 and "Centang konfirmasi" in unconfirmed.text
    no_reason = browser.post(url, {"confirm": "on"})
    assert no_reason.status_code == 400 and "Tulis mengapa verifikasi dibatalkan" in no_reason.text
    assert Application.objects.get().state == "verified"
    done = browser.post(url, {"reason": "Salah pilih permohonan.", "confirm": "on"}, follow=True)
    assert "Verifikasi PMH-2026-000001 dibatalkan" in done.text
    application.refresh_from_db()
    assert (application.state, application.decided_at, application.decided_by) == ("submitted", None, None)
    assert [(a.action, a.reason) for a in VerificationAudit.objects.all()] == [
        ("verified", ""), ("undone", "Salah pilih permohonan.")]
    again = browser.post(url, {"reason": "dua kali", "confirm": "on"}, follow=True)
    assert "tidak dalam keadaan terverifikasi" in again.text
