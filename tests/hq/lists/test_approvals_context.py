"""Approvals with context (issue 21 point 5) and the undo's limit (point 1): the Kasi and the Kabid see each
applicant's SIAK match on a list's page with a link to the application, their home page counts what waits for
them, bulk check/approval skips a list with open problems and says why; a verification is undone while the list
is in progress, and refused once it is approved."""

from typing import Any

import pytest

from hq.applications.models import Application, Correction, SiakRecord
from hq.lists import problems, workflow
from hq.lists.models import ApplicationList
from tests.hq.lists.conftest import walk


@pytest.fixture
def in_siak(school) -> list[SiakRecord]:
    """SIAK holds every applicant of the school as they applied (the normal case: no reason needed)."""
    return [SiakRecord.objects.create(nik=a.nik, kk_number=a.kk_number, name=a.name, birth_place=a.birth_place,
                                      birth_date=a.birth_date, sex=a.sex)
            for a in Application.objects.filter(school=school)]


@pytest.fixture
def two_lists(school, people, in_siak) -> tuple[ApplicationList, ApplicationList]:
    """Two lists of the school (2 and 3 applicants), both drafts."""
    ids = [a.pk for a in workflow.available_applicants(school)]
    return (workflow.create_list(school, ids[:2], people["admin1"]),
            workflow.create_list(school, ids[2:], people["admin1"]))


def count(page: Any, step: str) -> int:
    import re

    found = re.search(rf'data-waiting-step="{step}" data-count="(\d+)"', page.content.decode())
    return int(found.group(1)) if found else -1


def test_the_home_page_counts_what_waits_for_the_kasi_and_the_kabid(two_lists, people, login):
    first, second = two_lists
    walk(first, people, "submitted")
    walk(second, people, "verified")
    kasi, kabid, admin = (login(who).get("/office/") for who in ("kasi1", "kabid1", "admin1"))
    assert (count(kasi, "check"), count(kasi, "approve")) == (1, -1)
    assert (count(kabid, "check"), count(kabid, "approve")) == (-1, 1)
    assert "Daftar untuk disetujui: <strong>1</strong>" in kabid.content.decode()
    assert "data-waiting" not in admin.content.decode()


def test_the_list_page_shows_each_applicants_siak_match_with_a_link(two_lists, people, login, in_siak):
    first, _second = two_lists
    applicant = first.applications.order_by("number").first()
    record = next(r for r in in_siak if r.nik == applicant.nik)
    record.name = "Nama Lain"
    record.save()
    walk(first, people, "verified")
    kabid = login("kabid1")
    page = kabid.get(f"/lists/{first.pk}/").content.decode()
    assert page.count('data-siak="found"') == 1 and page.count('data-siak="differs"') == 1
    assert f'href="/applications/queue/{applicant.number}/"' in page
    assert "Berbeda dari SIAK: Nama lengkap, diverifikasi tanpa alasan" in page and "data-list-problems" in page
    review = kabid.get(f"/applications/queue/{applicant.number}/").content.decode()
    assert 'data-siak="differs"' in review and 'data-action="verify"' not in review  # read, not decided


def test_bulk_approval_skips_a_list_with_a_problem_and_says_why(two_lists, people, login, in_siak):
    clean, troubled = two_lists
    walk(clean, people, "verified")
    walk(troubled, people, "verified")
    mismatched = troubled.applications.order_by("number").first()
    SiakRecord.objects.filter(nik=mismatched.nik).update(kk_number="1471999999999999")  # a newer extract differs
    kabid = login("kabid1")
    page = kabid.get("/lists/bulk/approve/").content.decode()
    assert f'value="{clean.pk}" id="list-{clean.pk}">' in page  # can be ticked
    assert f'value="{troubled.pk}" id="list-{troubled.pk}" disabled' in page  # cannot, with the reason
    assert f"{mismatched.number} {mismatched.name}: Berbeda dari SIAK: Nomor kartu keluarga (KK)" in page
    done = kabid.post("/lists/bulk/approve/", {"lists": [clean.pk, troubled.pk]}, follow=True).content.decode()
    clean.refresh_from_db()
    troubled.refresh_from_db()
    assert (clean.state, troubled.state) == ("approved", "verified")
    assert f"Disetujui: {clean.number}." in done and f"{troubled.number} dilewati: {mismatched.number}" in done
    assert clean.events.last().by == people["kabid1"]  # the same transition as one by one
    assert login("kasi1").post("/lists/bulk/approve/", {"lists": [troubled.pk]}).status_code == 403


def test_an_open_correction_and_an_unverified_applicant_are_problems(two_lists, people):
    first, _second = two_lists
    assert problems.list_problems(first) == []
    one, two = first.applications.order_by("number")
    Correction.objects.create(application=one, source=Correction.Source.STATION, fields=["name"])
    two.state = Application.State.SUBMITTED
    two.save()
    found = problems.list_problems(first)
    assert found == [f"{one.number} {one.name}: ada permintaan perbaikan yang belum selesai",
                     f"{two.number} {two.name}: belum terverifikasi (Menunggu verifikasi)"]


def test_a_verification_is_undone_before_the_approval_and_refused_after(two_lists, people, login):
    in_progress, approved = two_lists
    walk(in_progress, people, "submitted")
    walk(approved, people, "approved")
    admin = login("admin1")
    first = in_progress.applications.order_by("number").first()
    undone = admin.post(f"/applications/queue/{first.number}/undo/", {"reason": "KK perlu dicek", "confirm": "on"})
    assert undone.status_code == 302
    first.refresh_from_db()
    assert first.state == "submitted"
    assert "belum terverifikasi" in login("kasi1").get(f"/lists/{in_progress.pk}/").content.decode()
    frozen = approved.applications.order_by("number").first()
    refused = admin.post(f"/applications/queue/{frozen.number}/undo/", {"reason": "salah", "confirm": "on"},
                         follow=True).content.decode()
    assert f"tidak dapat dibatalkan: daftar {approved.number} sekolahnya sudah disetujui" in refused
    assert "buka permintaan perbaikan" in refused and "data-undo>" not in refused
    frozen.refresh_from_db()
    assert frozen.state == "verified"
