"""SOP steps 3–5 through the pages (Django's test client on HQ's real SQLite): grouping a school's verified
applicants, the list's way admin → Kasi → Kabid with a ListEvent for every step (who, when, from → to, why),
returns with and without a reason, stale forms, every transition refused (403) outside its role, CSRF, and
an approved list frozen: changes refused, data changed after approval detected until the Kabid approves again."""

import re
from pathlib import Path

import pytest
from django.utils import timezone

from hq.applications.models import Application
from hq.fleet.catalog import parse_po
from hq.lists import workflow
from hq.lists.content import changed_after_approval, content_sha256
from hq.lists.errors import ListError
from hq.lists.forms import started_token
from hq.lists.models import ApplicationList, ListEvent
from tests.hq.lists.conftest import NPSN, add_applicants


def events(application_list: ApplicationList) -> list[tuple[str, str, str, str, str]]:
    return [(e.action, e.from_state, e.to_state, e.by.username if e.by else "", e.reason)
            for e in application_list.events.order_by("at", "id")]


def page(response) -> str:
    return response.content.decode()


def test_grouping_offers_the_schools_free_verified_applicants_ticked_and_keeps_the_start_time(login, school):
    admin = login("admin1")
    schools = page(admin.get("/lists/new/"))
    assert "SMA Negeri 1 Pekanbaru" in schools and f"/lists/new/{NPSN}/" in schools
    form = page(admin.get(f"/lists/new/{NPSN}/"))
    verified = list(Application.objects.filter(state="verified").order_by("number"))
    waiting = Application.objects.get(state="submitted")
    for a in verified:
        assert re.search(rf'value="{a.pk}" id="app-{a.pk}"\s*checked', form), a.number
    assert waiting.number not in form  # not verified: not offered
    token = re.search(r'name="started" value="([^"]+)"', form).group(1)
    opened = timezone.now()

    response = admin.post(f"/lists/new/{NPSN}/", {"started": token, "applications": [a.pk for a in verified[:4]]})
    made = ApplicationList.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/lists/{made.pk}/"
    assert made.number == f"DP-{timezone.localdate().year}-0001" and made.state == "draft"
    assert made.grouping_started_at <= opened <= made.created_at  # the page's time, not the button's
    assert sorted(made.applications.values_list("number", flat=True)) == [a.number for a in verified[:4]]
    assert events(made) == [("created", "", "draft", "admin1", "4 pemohon dari SMA Negeri 1 Pekanbaru")]

    second = page(admin.get(f"/lists/new/{NPSN}/"))  # only the one left is offered now
    assert verified[4].number in second and verified[0].number not in second
    admin.post(f"/lists/new/{NPSN}/", {"started": "forged", "applications": [verified[4].pk]})
    later = ApplicationList.objects.get(number__endswith="-0002")
    assert later.grouping_started_at >= made.created_at  # a forged start time is not believed
    assert "SMA Negeri 1 Pekanbaru" not in page(admin.get("/lists/new/"))  # no free applicant left there


def test_grouping_refuses_an_applicant_someone_else_listed_meanwhile(login, school, people):
    admin = login("admin1")
    ids = [a.pk for a in workflow.available_applicants(school)]
    workflow.create_list(school, ids[:1], people["admin1"])
    response = admin.post(f"/lists/new/{NPSN}/", {"started": started_token(NPSN), "applications": ids})
    assert response.status_code == 400 and ApplicationList.objects.count() == 1
    assert "tidak dapat dipilih lagi" in page(response)  # the form says the page was out of date
    nothing = admin.post(f"/lists/new/{NPSN}/", {"started": started_token(NPSN)})
    assert nothing.status_code == 400 and "Pilih paling sedikit satu pemohon" in page(nothing)


def test_the_whole_way_with_events_and_attributions(login, make_list):
    application_list = make_list()
    pk = application_list.pk
    admin, kasi, kabid = login("admin1"), login("kasi1"), login("kabid1")
    assert admin.post(f"/lists/{pk}/submit/", {"state": "draft"}).status_code == 302
    returned = kasi.post(f"/lists/{pk}/return/", {"state": "submitted", "reason": "NIK siswa ke-3 tidak cocok KK"})
    assert returned.status_code == 302
    application_list.refresh_from_db()
    assert application_list.state == "draft"

    keep = list(application_list.applications.order_by("number"))[:-1]
    edit = page(admin.get(f"/lists/{pk}/edit/"))
    seen = re.search(r'name="seen_event" value="(\d+)"', edit).group(1)
    assert admin.post(f"/lists/{pk}/edit/", {"applications": [a.pk for a in keep],
                                             "seen_event": seen}).status_code == 302
    for who, url, state in ((admin, "submit", "draft"), (kasi, "verify", "submitted"), (kabid, "approve", "verified")):
        response = who.post(f"/lists/{pk}/{url}/", {"state": state})
        assert response.status_code == 302, url
    application_list.refresh_from_db()
    assert application_list.state == "approved"
    assert application_list.approved_sha256 == content_sha256(application_list)
    removed = Application.objects.filter(state="verified").order_by("number").last()
    assert events(application_list) == [
        ("created", "", "draft", "admin1", "5 pemohon dari SMA Negeri 1 Pekanbaru"),
        ("submitted", "draft", "submitted", "admin1", ""),
        ("returned", "submitted", "draft", "kasi1", "NIK siswa ke-3 tidak cocok KK"),
        ("changed", "draft", "draft", "admin1", f"dihapus: {removed.number} {removed.name}"),
        ("submitted", "draft", "submitted", "admin1", ""),
        ("verified", "submitted", "verified", "kasi1", ""),
        ("approved", "verified", "approved", "kabid1", ""),
    ]
    times = [e.at for e in application_list.events.order_by("at", "id")]
    assert times == sorted(times)
    shown = page(kabid.get(f"/lists/{pk}/"))
    timeline = shown[shown.index('<ol class="timeline"'):shown.index("</ol>")]
    assert timeline.count("<li") == 7 and "Budi Kasi" in timeline and "NIK siswa ke-3 tidak cocok KK" in timeline
    assert "Dikembalikan" in timeline and "Disetujui Kabid" in timeline


def kasi_user(application_list: ApplicationList):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="kasi1")


def test_return_needs_a_reason_and_the_kabid_returns_a_verified_list(login, make_list):
    application_list = make_list("submitted")
    pk = application_list.pk
    kasi = login("kasi1")
    blank = kasi.post(f"/lists/{pk}/return/", {"state": "submitted", "reason": "   "})
    assert blank.status_code == 400
    assert "Tuliskan mengapa daftar dikembalikan" in page(blank) and 'aria-invalid="true"' in page(blank)
    application_list.refresh_from_db()
    assert application_list.state == "submitted" and application_list.events.count() == 2
    with pytest.raises(ListError) as no_reason:
        workflow.return_list(application_list, kasi_user(application_list), "submitted", "  ")
    assert no_reason.value.code == "lists.reason"

    kasi.post(f"/lists/{pk}/verify/", {"state": "submitted"})
    kabid = login("kabid1")
    assert kabid.post(f"/lists/{pk}/return/", {"state": "verified", "reason": "Tanggal perekaman bentrok"}
                      ).status_code == 302
    application_list.refresh_from_db()
    assert application_list.state == "draft"
    assert events(application_list)[-1] == ("returned", "verified", "draft", "kabid1", "Tanggal perekaman bentrok")


def test_a_stale_form_changes_nothing_and_says_what_happened(login, make_list):
    application_list = make_list("submitted")
    pk = application_list.pk
    first, second = login("kasi1"), login("kasi1")  # two tabs with the same page
    assert first.post(f"/lists/{pk}/verify/", {"state": "submitted"}).status_code == 302
    before = events(application_list)
    late = second.post(f"/lists/{pk}/verify/", {"state": "submitted"}, follow=True)
    assert "Daftar ini sudah berubah sejak halaman Anda dibuat" in page(late)
    assert "Diverifikasi Kasi oleh Budi Kasi" in page(late)
    late_return = second.post(f"/lists/{pk}/return/", {"state": "submitted", "reason": "terlambat"}, follow=True)
    assert "Daftar ini sudah berubah" in page(late_return)
    application_list.refresh_from_db()
    assert application_list.state == "verified" and events(application_list) == before

    kabid = login("kabid1")
    kabid.post(f"/lists/{pk}/return/", {"state": "verified", "reason": "Periksa lagi"})
    admin = login("admin1")
    seen = application_list.events.order_by("-id").values_list("pk", flat=True)[1]  # the page before the return
    ids = list(application_list.applications.values_list("pk", flat=True))
    stale_edit = admin.post(f"/lists/{pk}/edit/", {"applications": ids[:1], "seen_event": seen}, follow=True)
    assert "Daftar ini sudah berubah" in page(stale_edit)
    assert application_list.applications.count() == len(ids)


@pytest.mark.parametrize(("who", "url", "state"), [
    ("admin1", "verify", "submitted"), ("admin1", "approve", "verified"), ("admin1", "return", "submitted"),
    ("kasi1", "submit", "draft"), ("kasi1", "approve", "verified"), ("kabid1", "submit", "draft"),
    ("kabid1", "verify", "submitted"), ("kasubbag1", "approve", "verified"), ("piak1", "return", "verified"),
    ("rina.tim", "submit", "draft"), ("kasi1", "return", "verified"), ("kabid1", "return", "submitted"),
])
def test_a_transition_outside_the_role_is_403_and_changes_nothing(login, make_list, who, url, state):
    application_list = make_list(state)
    before = events(application_list)
    response = login(who).post(f"/lists/{application_list.pk}/{url}/", {"state": state, "reason": "x"})
    assert response.status_code == 403
    application_list.refresh_from_db()
    assert application_list.state == state and events(application_list) == before


def test_pages_outside_the_role(login, make_list):
    application_list = make_list()
    student = login("student1")
    for url in ("/lists/", "/lists/spt/", f"/lists/{application_list.pk}/", "/lists/new/", f"/lists/new/{NPSN}/"):
        assert student.get(url).status_code == 403, url
    kasi = login("kasi1")
    assert kasi.get(f"/lists/{application_list.pk}/").status_code == 200
    for url in ("/lists/new/", f"/lists/new/{NPSN}/", f"/lists/{application_list.pk}/edit/",
                f"/lists/{application_list.pk}/spt/"):
        assert kasi.get(url).status_code == 403, url
    assert login("admin1").get(f"/lists/{application_list.pk}/submit/").status_code == 405  # GET changes nothing


def test_csrf_is_required(login, make_list):
    application_list = make_list()
    admin = login("admin1", csrf=True)
    assert admin.post(f"/lists/{application_list.pk}/submit/", {"state": "draft"}).status_code == 403
    assert admin.post(f"/lists/new/{NPSN}/", {"applications": []}).status_code == 403
    application_list.refresh_from_db()
    assert application_list.state == "draft"
    form = page(admin.get(f"/lists/{application_list.pk}/"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    ok = admin.post(f"/lists/{application_list.pk}/submit/", {"state": "draft", "csrfmiddlewaretoken": token})
    assert ok.status_code == 302


def test_an_approved_list_is_frozen_and_a_change_after_approval_needs_the_kabid(login, make_list, people):
    application_list = make_list("approved")
    pk = application_list.pk
    admin = login("admin1")
    refused = admin.get(f"/lists/{pk}/edit/", follow=True)
    assert "disetujui dan dibekukan" in page(refused)
    with pytest.raises(ListError) as frozen:
        workflow.change_list(application_list, [], people["admin1"])
    assert frozen.value.code == "lists.frozen"
    extra = add_applicants(application_list.school, people["student1"], 1, seed=9, first=20)[0]
    with pytest.raises(ListError):
        workflow.change_list(application_list, [extra.pk], people["admin1"])
    assert not changed_after_approval(application_list)

    first = application_list.applications.order_by("number").first()
    Application.objects.filter(pk=first.pk).update(name=first.name + " Putri")  # a correction resolved
    assert changed_after_approval(application_list)
    kabid = login("kabid1")
    shown = page(kabid.get(f"/lists/{pk}/"))
    assert "Berubah setelah disetujui — perlu persetujuan ulang" in shown and "/reapprove/" in shown
    tasks = page(kabid.get("/lists/"))
    assert "Berubah setelah disetujui: setujui data baru" in tasks
    assert login("kasubbag1").get(f"/lists/{pk}/spt/", follow=True).redirect_chain[-1][0] == f"/lists/{pk}/"

    assert kabid.post(f"/lists/{pk}/reapprove/", {"state": "approved"}).status_code == 302
    application_list.refresh_from_db()
    assert not changed_after_approval(application_list)
    assert events(application_list)[-1][:4] == ("approved", "approved", "approved", "kabid1")
    again = kabid.post(f"/lists/{pk}/reapprove/", {"state": "approved"}, follow=True)
    assert "tidak ada yang perlu disetujui lagi" in page(again)


def test_a_list_with_an_unverified_applicant_does_not_move_on(login, make_list):
    application_list = make_list()
    Application.objects.filter(pk=application_list.applications.first().pk).update(state="correction")
    response = login("admin1").post(f"/lists/{application_list.pk}/submit/", {"state": "draft"}, follow=True)
    assert "tidak terverifikasi lagi" in page(response)
    application_list.refresh_from_db()
    assert application_list.state == "draft"


def test_each_role_sees_what_to_act_on_first(login, make_list):
    draft, submitted, verified = make_list(), None, None
    assert "Periksa draf dan ajukan ke Kasi" in page(login("admin1").get("/lists/"))
    workflow.transition(draft, "submit", draft.created_by, "draft")
    submitted = draft
    kasi = page(login("kasi1").get("/lists/"))
    assert "Verifikasi atau kembalikan" in kasi and submitted.number in kasi
    assert "Tidak ada yang menunggu Anda" in page(login("kabid1").get("/lists/"))
    verified = submitted
    login("kasi1").post(f"/lists/{verified.pk}/verify/", {"state": "submitted"})
    assert "Setujui atau kembalikan" in page(login("kabid1").get("/lists/"))
    login("kabid1").post(f"/lists/{verified.pk}/approve/", {"state": "verified"})
    assert "Terbitkan SPT" in page(login("kasubbag1").get("/lists/"))


def test_bahasa_indonesia_first_english_on_the_toggle(login, make_list):
    application_list = make_list("submitted")
    kasi = login("kasi1")
    shown = page(kasi.get(f"/lists/{application_list.pk}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert 'lang="id"' in shown and "Di Kasi untuk verifikasi" in shown and "Kembalikan ke admin" in shown
    kasi.post("/i18n/setlang/", {"language": "en", "next": "/lists/"})
    shown = page(kasi.get(f"/lists/{application_list.pk}/"))
    assert 'lang="en"' in shown and "With the Kasi for verification" in shown and "Return to the admin" in shown
    assert ">Submitted to the Kasi<" in shown.replace("<strong>", ">").replace("</strong>", "<")


def test_event_attribution_is_the_person_not_the_session(make_list, people):
    application_list = make_list()
    event = workflow.transition(application_list, "submit", people["admin1"], "draft")
    assert isinstance(event, ListEvent) and event.by == people["admin1"] and event.at <= timezone.now()


def test_every_text_of_the_lists_has_its_indonesian_translation():
    po = Path(__file__).resolve().parents[3] / "hq" / "lists" / "locale" / "id" / "LC_MESSAGES" / "django.po"
    text = po.read_text(encoding="utf-8")
    assert "fuzzy" not in text  # a fuzzy entry is skipped when compiled: the page would be in English
    ids = re.findall(r"^msgid ", text, re.M)
    assert len(parse_po(text)) == len(ids)  # every msgid (and the header) has its msgstr


def test_an_applicant_listed_by_someone_else_at_the_same_moment_is_not_listed_twice(school, people, monkeypatch):
    ids = [a.pk for a in workflow.available_applicants(school)]
    workflow.create_list(school, ids[:2], people["admin1"])
    every = Application.objects.filter(school=school, state="verified").order_by("number")
    monkeypatch.setattr(workflow, "available_applicants", lambda *_a, **_k: every)  # the other's list not seen yet
    with pytest.raises(ListError) as twice:
        workflow.create_list(school, ids, people["admin1"])
    assert twice.value.code == "lists.not_available" and "pada saat yang sama" in str(twice.value)
    assert ApplicationList.objects.count() == 1 and ListEvent.objects.count() == 1
