"""The applicant's timeline (issue 21 point 6): every state change of an application on its page with date, role
and note in Bahasa Indonesia; an e-mail for each change that concerns the applicant (after the commit); the
WhatsApp text for the office; the applicant's answer to a correction with an attachment checked by content, size
and emptiness, stored 0600 and served only to the applicant and the office."""

import datetime as dt
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hq.applications import decisions, notify
from hq.applications.models import Application, Correction, CorrectionReply, SiakRecord
from tests.hq.applications.conftest import BUDI, client_for, make_user

PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)
ATTACHMENTS = Path(settings.HQ_DATA_DIR) / "attachments"


@pytest.fixture
def office(hq: Path) -> Iterator[dict[str, Any]]:
    """The Kasi, the Kabid, the Kasubbag and two team members; their lists and SPTs removed afterwards."""
    from hq.lists.models import ApplicationList, Spt

    people = {role: make_user(f"{role}-1", role, f"Nama {role}") for role in
              ("kasi_pendataan", "kabid_dafduk", "kasubbag_umum")}
    people["lead"], people["operator"] = make_user("tim-1", "team", "Rina Tim"), make_user("tim-2", "team", "Agus")
    yield people
    Spt.objects.all().delete()
    ApplicationList.objects.all().delete()
    shutil.rmtree(ATTACHMENTS, ignore_errors=True)


def kinds(application: Application) -> list[str]:
    return list(application.events.values_list("kind", flat=True))


def corrected(school: Any, student: Any, admin: Any, apply_as: Any) -> tuple[Application, Correction]:
    """Budi applies through the form (HQ reached on port 8123); the admin asks for a correction of the KK number
    and answers it."""
    browser = client_for(student, HTTP_HOST="localhost:8123")
    assert apply_as(browser, school, **BUDI).status_code == 302
    application = Application.objects.get()
    correction = decisions.request_correction(application, admin, ["kk_number"], "KK tidak sama dengan SIAK.")
    decisions.answer(correction, admin, "Nomor KK berbeda dengan SIAK.", "Kirim foto KK Anda.")
    return application, correction


def test_a_full_path_on_the_timeline_with_a_mail_for_each_step_and_the_whatsapp_text(
        hq, school, student, admin, office, outbox, apply_as):
    from hq.ingest.models import Record
    from hq.lists import workflow
    from hq.lists.spt import issue_spt
    from hq.reports.models import RecordSummary
    from hq.reports.record_index import _mark_recorded

    application, correction = corrected(school, student, admin, apply_as)
    browser = client_for(student)
    url = f"/applications/{application.number}/"
    sent = browser.post(f"{url}corrections/{correction.pk}/reply/",
                        {"text": "Foto KK terlampir.", "attachment": SimpleUploadedFile("kk.png", PNG)})
    assert sent.status_code == 302
    reply = CorrectionReply.objects.get()
    correction.refresh_from_db()
    assert correction.state == "replied" and reply.attachment_type == "image/png"
    stored = Path(reply.attachment.path)
    assert stored.parent.is_relative_to(ATTACHMENTS) and stored.read_bytes() == PNG
    assert stored.stat().st_mode & 0o777 == 0o600 and ATTACHMENTS.stat().st_mode & 0o777 == 0o700
    assert client_for(admin).get("/applications/corrections/").context["pending"][0].state == "replied"
    office_page = client_for(admin).get(f"/applications/corrections/{correction.pk}/").text
    assert "Dijawab pemohon" in office_page and "Foto KK terlampir." in office_page
    assert f"/applications/replies/{reply.pk}/attachment/" in office_page

    decisions.resolve(correction, admin, {"kk_number": "1471010101080099"})
    application.refresh_from_db()
    SiakRecord.objects.create(nik=application.nik, kk_number=application.kk_number, name=application.name,
                              birth_place=application.birth_place, birth_date=application.birth_date, sex="M")
    decisions.verify(application, admin)  # SIAK agrees: no reason needed
    made = workflow.create_list(school, [application.pk], admin)
    workflow.transition(made, "submit", admin, "draft")
    workflow.transition(made, "verify", office["kasi_pendataan"], "submitted")
    workflow.transition(made, "approve", office["kabid_dafduk"], "verified")
    day = timezone.localdate() + dt.timedelta(days=7)
    issue_spt(made, day, office["lead"], [office["operator"]], office["kasubbag_umum"])
    _mark_recorded([RecordSummary(record=Record(received_at=timezone.now()), outcome=RecordSummary.RECORDED,
                                  application_number=application.number)])

    assert kinds(application) == [
        "submitted", "correction_requested", "correction_answered", "correction_replied", "correction_resolved",
        "verified", "listed", "list_submitted", "list_verified", "list_approved", "spt_issued", "recorded"]
    roles = dict(application.events.values_list("kind", "role"))
    assert roles["submitted"] == "student" and roles["list_verified"] == "kasi_pendataan"
    assert roles["spt_issued"] == "kasubbag_umum" and roles["recorded"] == "station"

    page = browser.get(url)
    shown = [(e.kind, e.title, e.role) for e in page.context["timeline"]]
    assert shown[0] == ("submitted", "Permohonan diterima", "Pemohon")
    assert ("list_approved", "Disetujui Kabid Dafduk", "Kabid Dafduk") in shown
    assert "Riwayat permohonan" in page.text and "Foto KK terlampir." in page.text
    assert "Nama kabid_dafduk" not in page.text and "Rina Admin" not in page.text  # roles, never the person
    assert "wa.me" not in page.text  # the WhatsApp text is the office's
    assert browser.get(f"/applications/replies/{reply.pk}/attachment/").getvalue() == PNG
    assert "Perekaman di sekolah selesai" in browser.get("/applications/mine/").text  # the latest step

    notify.flush()
    subjects = [m.subject for m in outbox]
    assert len(outbox) == 8 and all(m.to == ["budi@contoh.id"] for m in outbox)  # the 8 kinds that concern Budi
    assert subjects[0] == f"SINOPSIS: Permohonan diterima — permohonan {application.number}"
    spt_mail = next(m for m in outbox if "SPT terbit" in m.subject)
    assert "Perekaman di sekolah Anda pada" in spt_mail.body and f"{url}" in spt_mail.body
    assert f"http://localhost:8123{url}" in outbox[0].body  # the address the request reached HQ at

    staff = client_for(admin).get(url)
    link = staff.context["whatsapp"]
    assert link.startswith("https://wa.me/6281234567890?text=")
    text = unquote(link.split("text=", 1)[1])
    assert text.startswith("Halo Budi Santoso,") and "Perekaman di sekolah selesai" in text
    assert client_for(admin).get(f"/applications/replies/{reply.pk}/attachment/").status_code == 200


@pytest.mark.parametrize(("name", "content", "says"), [
    ("kk.pdf", b"MZ\x90\x00 not a document", "bukan PDF, JPEG atau PNG"),  # the name says PDF, the bytes do not
    ("kk.pdf", b"%PDF-1.7\n" + bytes(5 * 1024 * 1024), "paling besar 5 MB"),
    ("kk.jpg", b"", "Lampiran kosong"),
])
def test_a_bad_attachment_is_refused_and_nothing_is_kept(hq, school, student, admin, office, outbox, apply_as,
                                                          name, content, says):
    application, correction = corrected(school, student, admin, apply_as)
    page = client_for(student).post(f"/applications/{application.number}/corrections/{correction.pk}/reply/",
                                    {"text": "Ini KK saya.", "attachment": SimpleUploadedFile(name, content)})
    assert page.status_code == 400 and says in page.text
    assert "Ini KK saya." in page.text  # what was typed is kept
    correction.refresh_from_db()
    assert correction.state == "answered" and not CorrectionReply.objects.exists()
    assert not any(p.is_file() for p in ATTACHMENTS.rglob("*"))


def test_only_the_applicant_answers_and_only_they_and_the_office_read_the_attachment(
        hq, school, student, admin, office, apply_as):
    application, correction = corrected(school, student, admin, apply_as)
    reply = client_for(student).post(f"/applications/{application.number}/corrections/{correction.pk}/reply/",
                                     {"text": "Lihat lampiran.", "attachment": io.BytesIO(b"%PDF-1.4 kk")})
    assert reply.status_code == 302
    made = CorrectionReply.objects.get()
    other = make_user("siswa-lain", "student")
    attachment = f"/applications/replies/{made.pk}/attachment/"
    assert client_for(other).get(attachment).status_code == 404
    assert client_for(office["kasubbag_umum"]).get(attachment).status_code == 404  # staff without applications
    assert client_for(other).post(f"/applications/{application.number}/corrections/{correction.pk}/reply/",
                                  {"text": "bukan saya"}).status_code == 404
    decisions.resolve(correction, admin, {})
    late = client_for(student).post(f"/applications/{application.number}/corrections/{correction.pk}/reply/",
                                    {"text": "lagi"}, follow=True)
    assert "sudah ditutup" in late.text and CorrectionReply.objects.count() == 1


def test_an_undone_verification_and_a_rejection_are_on_the_timeline_with_the_reason_the_applicant_reads(
        hq, school, student, admin, outbox):
    from hq.applications import siak_gate
    from tests.hq.applications.conftest import SITI, submitted

    budi = submitted(school, student)
    decisions.verify(budi, admin, reason="KK asli sudah dilihat di loket.")  # not in SIAK: verified with a reason
    siak_gate.undo_verification(budi, admin, "NIK salah ketik di SIAK.")
    decisions.reject(budi, admin, "Data tidak dapat dipastikan; datang ke kantor dengan KK asli.")
    assert kinds(budi) == ["submitted", "verified", "verification_undone", "rejected"]
    assert budi.events.get(kind="rejected").note.startswith("Data tidak dapat dipastikan")
    assert budi.events.get(kind="verified").note == ""  # the office's reasons stay in its audit
    page = client_for(student).get(f"/applications/{budi.number}/")
    assert "Verifikasi dibatalkan" in page.text and "datang ke kantor dengan KK asli" in page.text
    # made verified (the demo's way), and with no address anywhere: its steps, no mail
    siti = submitted(school, make_user("siti", "student"), SITI, number="PMH-2026-000002", state="verified",
                     submitted_at=timezone.now() - dt.timedelta(days=1), decided_at=timezone.now())
    notify.flush()
    assert [m.to for m in outbox] == [["budi@contoh.id"]] * 4 and kinds(siti) == ["submitted", "verified"]


def test_the_applications_made_before_the_timeline_get_theirs_from_their_rows(hq, school, student, admin):
    import importlib

    from django.apps import apps

    from tests.hq.applications.conftest import submitted

    backfill = importlib.import_module("hq.applications.migrations.0006_timeline_backfill").backfill
    application = submitted(school, student)
    correction = decisions.request_correction(application, admin, ["name"], "Nama beda.")
    decisions.answer(correction, admin, "Nama beda dengan SIAK.", "Nama dari SIAK dipakai.")
    decisions.resolve(correction, admin, {})
    decisions.reject(application, admin, "Bukan siswa sekolah ini.")
    made = kinds(application)
    application.events.all().delete()
    backfill(apps, None)
    assert kinds(application) == made
    backfill(apps, None)  # once only
    assert kinds(application) == made
