"""SOP step 1 through Django's test client on HQ's real SQLite: a student registers, applies, gets a numbered
application with a QR the station accepts; every bad input (NIK, KK, phone, date, age, a duplicate, a tampered
form) comes back beside its field with the data kept; others' applications are 404, and CSRF is enforced."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from hq.applications import form_clock
from hq.applications.models import Application, SchoolAccount
from hq.applications.numbering import next_number
from tests.hq.applications.conftest import BUDI, PASSWORD, SITI, activation_link, client_for, make_user, submitted


def errors_of(response) -> dict[str, list[str]]:
    return {name: list(errs) for name, errs in response.context["form"].errors.items()}


def test_a_student_registers_applies_and_sees_the_application_with_its_qr(hq, school, apply_as, outbox):
    browser = Client(SERVER_NAME="localhost")
    page = browser.get("/applications/register/")
    assert page.status_code == 200 and "Buat akun siswa" in page.text  # Bahasa Indonesia first
    response = browser.post("/applications/register/", {
        "full_name": "Budi Santoso", "email": "Budi@Contoh.id", "username": "", "password1": PASSWORD,
        "password2": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/applications/register/sent/"
    from django.contrib.auth.models import User

    user = User.objects.get(username="budi@contoh.id")
    assert not user.is_active  # until the link in the mail is opened with the password
    response = browser.post(activation_link(outbox[-1]), {"password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/applications/apply/"
    assert user.get_full_name() == "Budi Santoso" and list(user.groups.values_list("name", flat=True)) == ["student"]
    form = browser.get("/applications/apply/")
    assert form.context["form"]["name"].value() == "Budi Santoso"  # taken from the account
    before = timezone.now()
    response = apply_as(browser, school, **BUDI)
    assert response.status_code == 302
    application = Application.objects.get()
    assert response["Location"] == f"/applications/{application.number}/"
    assert re.fullmatch(rf"PMH-{timezone.localtime().year}-000001", application.number)
    assert (application.nik, application.phone, application.sex, application.state) == (
        BUDI["nik"], "+6281234567890", "M", "submitted")
    assert application.birth_date == dt.date(2008, 8, 17) and application.applicant == user
    assert before <= application.form_opened_at <= application.submitted_at
    page = browser.get(response["Location"])
    assert page.status_code == 200
    assert "Menunggu verifikasi" in page.text and "0812-3456-7890" in page.text
    assert 'src="data:image/svg+xml' in page.text and page.context["qr"].text in page.text
    mine = browser.get("/applications/mine/")
    assert application.number in mine.text
    assert browser.get("/applications/register/")["Location"] == "/office/"  # registered already


def test_the_application_qr_verifies_with_hq_public_key(hq, school, student):
    from cryptography.exceptions import InvalidSignature  # noqa: F401 - parse_application_qr raises QrError

    from contract.application_qr import parse_application_qr
    from contract.errors import QrError
    from hq.applications.qr import application_qr
    from hq.keys import assignment_key

    application = submitted(school, student)
    page = client_for(student).get(f"/applications/{application.number}/")
    text = page.context["qr"].text
    assert parse_application_qr(text, assignment_key().public_key()) == application.number
    forged = text.replace(application.number, "PMH-2026-000002")
    with pytest.raises(QrError):
        parse_application_qr(forged, assignment_key().public_key())
    assert application_qr(application.number).data_uri.startswith("data:image/svg+xml")


def test_numbers_run_on_within_the_year(hq, school, student):
    now = timezone.now()
    year = timezone.localtime(now).year
    assert next_number(now) == f"PMH-{year}-000001"
    submitted(school, student, number=f"PMH-{year}-000041")
    submitted(school, student, SITI, number=f"PMH-{year - 1}-000900")
    assert next_number(now) == f"PMH-{year}-000042"


@pytest.mark.parametrize(("change", "field", "says"), [
    ({"nik": "1471 0117 0808 00"}, "nik", "16 angka"),
    ({"nik": "14710117080800AB"}, "nik", "hanya berisi angka"),
    ({"nik": "9971011708080001"}, "nik", "provinsi dan kota"),
    ({"nik": "1471013213080001"}, "nik", "bukan tanggal lahir"),
    ({"birth_date": "2008-08-18"}, "birth_date", "tidak sama dengan yang ada di NIK"),
    ({"sex": "F"}, "sex", "untuk perempuan tanggal lahir ditambah 40"),
    ({"birth_date": "31-02-2008"}, "birth_date", "tanggal-bulan-tahun"),
    ({"kk_number": "12345"}, "kk_number", "16 angka"),
    ({"kk_number": BUDI["nik"]}, "kk_number", "Ini NIK Anda"),
    ({"phone": "0812-ABCD-7890"}, "phone", "bukan nomor HP"),
    ({"phone": "+65 8123 4567"}, "phone", "bukan nomor Indonesia"),
    ({"phone": "0761 123456"}, "phone", "telepon rumah"),
    ({"phone": ""}, "phone", "Ketik nomor HP Anda"),
    ({"email": "budi at contoh"}, "email", "bukan alamat email"),
])
def test_each_bad_input_is_named_beside_its_field_and_nothing_typed_is_lost(hq, school, student, apply_as, change,
                                                                            field, says):
    response = apply_as(client_for(student), school, **{**BUDI, **change})
    assert response.status_code == 400
    errors = errors_of(response)
    assert list(errors) == [field], errors
    assert says in errors[field][0]
    assert f'id="id_{field}_error"' in response.text and 'aria-invalid="true"' in response.text
    form = response.context["form"]
    assert form["name"].value() == BUDI["name"] and form[field].value() == {**BUDI, **change}[field]
    assert not Application.objects.exists()


def test_a_student_too_young_is_told_when_they_may_apply(hq, school, student, apply_as):
    born = timezone.localdate() - dt.timedelta(days=15 * 365)
    nik = f"147101{born:%d%m%y}0001"
    response = apply_as(client_for(student), school, **{**BUDI, "nik": nik, "birth_date": born.isoformat()})
    assert response.status_code == 400
    turns_16 = born.replace(year=born.year + 16)
    from django.utils import translation
    from django.utils.formats import date_format

    with translation.override("id"):
        day = date_format(turns_16, "j F Y")
    assert errors_of(response)["birth_date"] == [f"Pemohon harus berusia paling sedikit 16 tahun. Anda bisa "
                                                 f"mendaftar mulai {day}."]


def test_the_form_speaks_english_after_the_toggle(hq, school, student, apply_as):
    browser = client_for(student)
    browser.post("/i18n/setlang/", {"language": "en", "next": "/applications/apply/"})
    response = apply_as(browser, school, **{**BUDI, "phone": "12"})
    assert response.status_code == 400 and response["Content-Language"] == "en"
    assert "Apply for e-KTP recording at school" in response.text
    assert errors_of(response)["phone"] == ["This is not a mobile number. Type it with 08, +62 or 62 at the start, "
                                            "such as 0812 3456 7890."]
    browser.post("/i18n/setlang/", {"language": "id", "next": "/"})
    response = apply_as(browser, school, **{**BUDI, "phone": "12"})
    assert "Daftar perekaman KTP-el di sekolah" in response.text
    assert errors_of(response)["phone"] == ["Ini bukan nomor HP. Ketik dengan awalan 08, +62 atau 62, misalnya "
                                            "0812 3456 7890."]


def test_a_double_submit_makes_one_application(hq, school, student, apply_as):
    browser = client_for(student)
    token = browser.get("/applications/apply/").context["form"]["opened"].value()
    posted = {**BUDI, "school": school.pk, "opened": token}
    first, second = browser.post("/applications/apply/", posted), browser.post("/applications/apply/", posted)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert Application.objects.count() == 1
    assert "sudah terdaftar sebelumnya" in browser.get(second["Location"]).text


def neutral_answer(response) -> list[str]:
    """The messages of the page a second claim on a NIK lands on (followed redirect)."""
    return [str(m) for m in response.context["messages"]]


def test_a_second_account_claiming_a_nik_goes_to_the_admin_and_learns_nothing(hq, school, student, admin,
                                                                              apply_as):
    """One NIK, one applicant account (issue 19 point 6): another login applying with Budi's NIK neither blocks
    Budi nor sees his application's number or state; the admin gets a conflict with both sides and closes it."""
    from hq.applications.models import NikConflict

    budi = client_for(student)
    assert apply_as(budi, school, **BUDI).status_code == 302
    existing = Application.objects.get()
    other = client_for(make_user("adik", "student", "Bukan Budi"))
    answer = apply_as(other, school, **{**BUDI, "name": "Bukan Budi", "phone": "0813 9999 8888"})
    assert answer.status_code == 302 and answer["Location"] == "/applications/mine/"
    page = other.get(answer["Location"])
    told = neutral_answer(page)
    assert told == ["NIK ini harus diperiksa kantor dulu sebelum dapat dipakai untuk permohonan. Data Anda sudah "
                    "dikirim ke admin kantor, yang akan menghubungi Anda di nomor HP yang Anda isi. Anda tidak perlu "
                    "mengajukan lagi; tanyakan ke layanan bantuan bila ada pertanyaan."]
    for secret in (existing.number, "Menunggu verifikasi", "Budi Santoso"):
        assert secret not in page.text
    assert other.get(f"/applications/{existing.number}/").status_code == 404
    conflict = NikConflict.objects.get()
    assert (conflict.nik, conflict.application, conflict.claimant.username, conflict.attempts) == (
        BUDI["nik"], existing, "adik", 1)
    assert conflict.claimed["name"] == "Bukan Budi" and conflict.claimed["phone"] == "+6281399998888"
    existing.state = Application.State.VERIFIED  # whatever the state, the same answer; a retry counts
    existing.save()
    again = apply_as(other, school, **{**BUDI, "name": "Bukan Budi", "phone": "0813 9999 8888"})
    assert neutral_answer(other.get(again["Location"])) == told
    conflict.refresh_from_db()
    assert NikConflict.objects.count() == 1 and conflict.attempts == 2
    existing.refresh_from_db()  # Budi is not blocked: his application is untouched and his again
    assert (existing.applicant, existing.state, Application.objects.count()) == (student, "verified", 1)
    assert apply_as(budi, school, **BUDI)["Location"] == f"/applications/{existing.number}/"

    office = client_for(admin)
    listing = office.get("/applications/conflicts/")
    assert listing.status_code == 200 and "Konflik NIK" in listing.text
    assert f'data-conflict="{conflict.pk}"' in listing.text and existing.number in listing.text
    assert "Bukan Budi" in listing.text and "0813-9999-8888" in listing.text and "adik" in listing.text
    url = f"/applications/conflicts/{conflict.pk}/resolve/"
    refused = office.post(url, {"resolution": ""}, follow=True)
    assert "Tulis cara konflik diselesaikan" in refused.text
    office.post(url, {"resolution": "NIK milik Budi (SIAK, sekolah); adik salah ketik."})
    conflict.refresh_from_db()
    assert conflict.state == "resolved" and conflict.resolved_by == admin and conflict.resolved_at
    assert f'data-conflict="{conflict.pk}"' not in office.get("/applications/conflicts/").text
    assert "adik salah ketik" in office.get("/applications/conflicts/?state=resolved").text
    assert office.post(url, {"resolution": "lagi"}).status_code == 404  # closed once
    existing.state = Application.State.REJECTED  # a rejected application no longer holds the NIK
    existing.save()
    assert apply_as(other, school, **{**BUDI, "name": "Bukan Budi"}).status_code == 302
    assert Application.objects.count() == 2


def test_the_same_login_with_another_name_is_told_its_own_application(hq, school, student, apply_as):
    existing = submitted(school, student)
    response = apply_as(client_for(student), school, **{**BUDI, "name": "Budi S"})
    assert response.status_code == 400
    assert errors_of(response)["nik"] == [f"NIK ini sudah punya permohonan: {existing.number} (Menunggu verifikasi). "
                                          "Satu NIK hanya boleh punya satu permohonan yang berjalan; hubungi layanan "
                                          "bantuan jika itu bukan milik Anda."]


def test_two_requests_racing_for_one_nik_meet_the_database_constraint(hq, school, student, monkeypatch):
    """The second request's check ran before the first stored: its insert hits one_open_application_per_nik and
    it then records the conflict (no 500, no second row)."""
    from hq.applications import submit

    first = submitted(school, student)
    other = make_user("adik", "student")
    real, calls = submit.open_application, []

    def late_check(nik):
        calls.append(nik)
        return None if len(calls) == 1 else real(nik)

    monkeypatch.setattr(submit, "open_application", late_check)
    data = {**BUDI, "birth_date": dt.date(2008, 8, 17), "school": school, "phone": "+6281234567890"}
    with pytest.raises(submit.NikClaimedError) as refused:
        submit.submit_application(other, data, timezone.now())
    assert refused.value.conflict.application == first and len(calls) == 2
    assert Application.objects.count() == 1


def test_a_tampered_opening_time_is_refused_and_an_old_form_counts_one_hour(hq, school, student):
    browser = client_for(student)
    token = browser.get("/applications/apply/").context["form"]["opened"].value()
    response = browser.post("/applications/apply/", {**BUDI, "school": school.pk, "opened": token[:-2] + "xx"})
    assert response.status_code == 400 and not Application.objects.exists()
    assert "berubah di perjalanan" in response.text
    fresh = response.context["form"]["opened"].value()
    assert fresh != token[:-2] + "xx" and form_clock.opened_at(fresh, student.pk)  # a new, trusted token
    assert response.context["form"]["nik"].value() == BUDI["nik"]  # the data is kept
    someone_elses = form_clock.issue(student.pk + 1)
    with pytest.raises(form_clock.TamperedTokenError):
        form_clock.opened_at(someone_elses, student.pk)
    now = timezone.now()
    overnight = form_clock.issue(student.pk, now - dt.timedelta(hours=9))
    assert form_clock.opened_at(overnight, student.pk, now) == now - form_clock.CAP
    response = browser.post("/applications/apply/", {**BUDI, "school": school.pk, "opened": overnight})
    application = Application.objects.get()
    assert application.submitted_at - application.form_opened_at == form_clock.CAP


def test_a_school_applies_for_its_own_students_only(hq, school, apply_as):
    from hq.applications.models import School

    other_school = School.objects.create(npsn="10404041", name="SMA Negeri 2 Pekanbaru")
    account = make_user("sman1", "school", "SMA Negeri 1")
    SchoolAccount.objects.create(user=account, school=school)
    browser = client_for(account)
    form = browser.get("/applications/apply/").context["form"]
    assert list(form.fields["school"].queryset) == [school]
    assert not form["email"].value() and not form["name"].value()  # the school types each student's own
    assert apply_as(browser, other_school, **SITI).status_code == 400
    assert apply_as(browser, school, **SITI).status_code == 302
    assert apply_as(browser, school, **BUDI).status_code == 302
    assert Application.objects.filter(applicant=account).count() == 2
    mine = browser.get("/applications/mine/")
    assert SITI["name"] in mine.text and BUDI["name"] in mine.text


def test_nobody_sees_another_applicants_application(hq, school, student, admin):
    application = submitted(school, student)
    url = f"/applications/{application.number}/"
    assert client_for(student).get(url).status_code == 200
    assert client_for(make_user("orang-lain", "student")).get(url).status_code == 404
    assert client_for(make_user("sekolah-lain", "school")).get(url).status_code == 404
    assert client_for(admin).get(url).status_code == 200  # office staff may
    assert client_for(student).get("/applications/PMH-2026-999999/").status_code == 404
    anonymous = Client(SERVER_NAME="localhost").get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    assert client_for(admin).get("/applications/apply/").status_code == 403  # staff do not apply


def test_csrf_is_enforced_on_the_application_and_the_registration(hq, school, student):
    browser = client_for(student, enforce_csrf_checks=True)
    token = browser.get("/applications/apply/").context["form"]["opened"].value()
    assert browser.post("/applications/apply/", {**BUDI, "school": school.pk, "opened": token}).status_code == 403
    anonymous = Client(SERVER_NAME="localhost", enforce_csrf_checks=True)
    assert anonymous.post("/applications/register/", {"full_name": "X", "email": "x@contoh.id",
                                                      "password1": PASSWORD, "password2": PASSWORD}).status_code == 403
    assert not Application.objects.exists()


@pytest.mark.parametrize(("data", "field", "says"), [
    ({"password2": "lain-sekali-1234"}, "password2", "tidak sama"),
    ({"password1": "pendek", "password2": "pendek"}, "password1", "10"),
    ({"username": "budi@contoh.id"}, "username", "tanpa @"),
    ({"username": "budi"}, "username", "sudah dipakai"),
    ({"username": "nama dengan spasi"}, "username", "tanpa spasi"),
])
def test_registration_errors_are_named(hq, student, data, field, says):
    base = {"full_name": "Budi Dua", "email": "budi2@contoh.id", "username": "", "password1": PASSWORD,
            "password2": PASSWORD}
    response = Client(SERVER_NAME="localhost").post("/applications/register/", {**base, **data})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and says in " ".join(errors[field]), errors
