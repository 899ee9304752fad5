"""Help-desk tickets (SOP step 10) through the Django test client on HQ's real SQLite: a student asks, the help
desk answers, the student reads the answer; the response time against the 10-minute standard; a ticket the staff
log for a phone call; who may see and do what (404 for another student's ticket, 403 for a student answering,
the login page for anonymous, CSRF); the page in Bahasa Indonesia and in English."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from hq.helpdesk import tickets as desk
from hq.helpdesk.models import Ticket


def make_application(owner: str, number: str = "APL-2026-00001", nik: str = "1471015005090001"):
    """An application of the student `owner` (the applications app's model, filled directly)."""
    from hq.applications.models import Application, School

    school, _ = School.objects.get_or_create(npsn="10404001", defaults={"name": "SMA Negeri 1 Pekanbaru"})
    return Application.objects.create(
        number=number, nik=nik, kk_number="1471010101090001", name="Siti Rahmawati",
        birth_place="Pekanbaru", birth_date=dt.date(2009, 5, 10), sex="F", school=school, phone="+6281234567890",
        applicant=get_user_model().objects.get(username=owner))


def ask(client: Client, subject: str = "QR saya", question: str = "Kode QR saya tidak terbaca di kios.",
        **extra: object) -> Ticket:
    response = client.post("/helpdesk/", {"subject": subject, "question": question, **extra})
    assert response.status_code == 302, response.content.decode()[-3000:]
    return Ticket.objects.get(subject=subject)


def test_a_student_asks_the_help_desk_answers_and_the_student_reads_the_answer(student, admin):
    page = student.get("/helpdesk/")
    assert page.status_code == 200 and "Anda belum mengajukan pertanyaan" in page.content.decode()
    ticket = ask(student)
    year = timezone.localtime(ticket.opened_at).year
    assert ticket.number == f"TKT-{year}-00001" and ticket.channel == "web" and ticket.state == "open"
    assert ticket.asked_by.username == "siti"
    mine = student.get("/helpdesk/").content.decode()
    assert ticket.number in mine and "Belum dijawab." in mine

    queue = admin.get("/helpdesk/").content.decode()
    waiting = queue.split('data-table="waiting"')[1].split("</table>")[0]
    assert ticket.number in waiting and "Siti Rahmawati" in waiting and "menunggu" in waiting
    assert admin.get(f"/helpdesk/tickets/{ticket.number}/").status_code == 200
    answered = admin.post(f"/helpdesk/tickets/{ticket.number}/answer/",
                          {"answer": "Perbesar kecerahan layar HP Anda, lalu tunjukkan lagi."})
    assert answered.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == "answered" and ticket.answered_by.username == "admin1"
    assert ticket.answered_at is not None and desk.response_time(ticket) >= dt.timedelta(0)

    mine = student.get("/helpdesk/").content.decode()
    assert "Perbesar kecerahan layar HP Anda" in mine
    detail = student.get(f"/helpdesk/tickets/{ticket.number}/").content.decode()
    assert "Perbesar kecerahan layar HP Anda" in detail and "Jawaban pertama" in detail
    assert 'action="/helpdesk/tickets/' not in detail  # the asker reads; no answer or close form


def test_the_first_answer_sets_the_response_time_later_edits_keep_it(student, admin, login):
    ticket = ask(student)
    Ticket.objects.filter(pk=ticket.pk).update(opened_at=timezone.now() - dt.timedelta(minutes=12, seconds=5))
    admin.post(f"/helpdesk/tickets/{ticket.number}/answer/", {"answer": "Jawaban pertama."})
    ticket.refresh_from_db()
    first_at = ticket.answered_at
    assert dt.timedelta(minutes=12) <= desk.response_time(ticket) < dt.timedelta(minutes=13)
    assert desk.within_standard(ticket) is False
    other_admin = login("admin2", "admin")
    other_admin.post(f"/helpdesk/tickets/{ticket.number}/answer/", {"answer": "Jawaban yang diperbaiki."})
    ticket.refresh_from_db()
    assert ticket.answer == "Jawaban yang diperbaiki."
    assert (ticket.answered_at, ticket.answered_by.username) == (first_at, "admin1")
    row = admin.get("/helpdesk/").content.decode().split(f'data-ticket="{ticket.number}"')[1].split("</tr>")[0]
    assert re.search(r'data-level="bad">dijawab dalam 12 menit</span><br><span class="hint">melebihi standar 10 menit',
                     row), row


def test_response_times_against_the_standard():
    opened = timezone.now()
    fast = Ticket(opened_at=opened, answered_at=opened + dt.timedelta(minutes=3, seconds=20))
    exact = Ticket(opened_at=opened, answered_at=opened + dt.timedelta(minutes=10))
    slow = Ticket(opened_at=opened, answered_at=opened + dt.timedelta(hours=2, minutes=5))
    waiting = Ticket(opened_at=opened)
    assert [desk.within_standard(t) for t in (fast, exact, slow, waiting)] == [True, True, False, None]
    assert desk.response_time(waiting) is None
    assert desk.timing(waiting, opened + dt.timedelta(minutes=4)).level == "warn"
    assert desk.timing(waiting, opened + dt.timedelta(minutes=11)).level == "bad"
    assert [desk.duration_text(dt.timedelta(seconds=s)) for s in (42, 200, 7500, 3 * 86400 + 4 * 3600)] == [
        "42 detik", "3 menit", "2 jam 5 menit", "3 hari 4 jam"]
    summary = desk.summary([fast, exact, slow, waiting])
    assert (summary.open, summary.answered, summary.in_time, summary.median) == (1, 3, 2, "10 menit")


def test_numbers_count_on_within_the_year_and_start_again_in_the_next(hq):
    first = desk.open_ticket(subject="a", question="a", now=dt.datetime(2026, 12, 31, 10, tzinfo=dt.UTC))
    second = desk.open_ticket(subject="b", question="b", now=dt.datetime(2026, 12, 31, 11, tzinfo=dt.UTC))
    Ticket.objects.filter(pk=first.pk).delete()  # a gap stays a gap: numbers never go back
    third = desk.open_ticket(subject="c", question="c", now=dt.datetime(2026, 12, 31, 12, tzinfo=dt.UTC))
    new_year = desk.open_ticket(subject="d", question="d", now=dt.datetime(2026, 12, 31, 17, 30, tzinfo=dt.UTC))
    assert [second.number, third.number] == ["TKT-2026-00002", "TKT-2026-00003"]
    assert new_year.number == "TKT-2027-00001"  # 00.30 on 1 January in Pekanbaru (UTC+7)


def test_a_student_asks_about_their_own_application_only(student, other_student):
    own = make_application("siti")
    theirs = make_application("bayu", "APL-2026-00002", "1471011203090002")
    refused = student.post("/helpdesk/", {"subject": "x", "question": "y", "application": theirs.pk})
    assert refused.status_code == 200
    assert "Itu bukan permohonan Anda" in refused.content.decode() and not Ticket.objects.exists()
    ticket = ask(student, application=own.pk)
    assert ticket.application == own
    assert "APL-2026-00001" in student.get("/helpdesk/").content.decode()


def test_an_empty_or_overlong_question_is_refused_and_kept(student):
    response = student.post("/helpdesk/", {"subject": "", "question": "q" * 4001})
    html = response.content.decode()
    assert response.status_code == 200 and not Ticket.objects.exists()
    assert "tidak boleh kosong" in html.split('<label for="id_subject">')[1].split("</label>")[0]
    question = html.split('<label for="id_question">')[1].split("</label>")[0]
    assert "paling banyak 4000 karakter (sekarang 4001)" in question and "q" * 4001 in question  # nothing lost


def test_the_help_desk_logs_a_phone_call_on_the_students_behalf(student, admin):
    make_application("siti")
    logged = admin.post("/helpdesk/", {
        "channel": "phone", "contact": "Ibu Siti, 0812-3456-7890", "application_number": "apl-2026-00001",
        "subject": "Jadwal perekaman", "question": "Kapan tim datang ke sekolah?",
        "answer": "Tanggal 25 November, pukul 08.00."})
    assert logged.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.contact, ticket.asked_by.username) == ("phone", "Ibu Siti, 0812-3456-7890", "siti")
    assert ticket.state == "answered" and desk.within_standard(ticket)
    assert "Tanggal 25 November" in student.get("/helpdesk/").content.decode()  # in the student's account too
    walk_in = admin.post("/helpdesk/", {"channel": "whatsapp", "contact": "Budi, 0813-1111-2222",
                                        "subject": "Syarat", "question": "Apa yang dibawa?"})
    assert walk_in.status_code == 302
    budi = Ticket.objects.get(subject="Syarat")
    assert budi.asked_by is None and budi.state == "open" and budi.number.endswith("-00002")


def test_a_logged_ticket_with_an_unknown_application_number_is_refused(admin):
    response = admin.post("/helpdesk/", {"channel": "social", "contact": "@budi", "application_number": "APL-9",
                                         "subject": "s", "question": "q"})
    html = response.content.decode()
    assert response.status_code == 200 and not Ticket.objects.exists()
    assert "Tidak ada permohonan bernomor APL-9" in html.split('<label for="id_application_number">')[1]
    assert "<details class=\"card\" open>" in html  # the form stays open with what was typed
    web = admin.post("/helpdesk/", {"channel": "web", "contact": "x", "subject": "s", "question": "q"})
    assert web.status_code == 200 and "Pilih dari mana pertanyaan datang" in web.content.decode()  # web: students
    assert Ticket.objects.count() == 0


def test_the_queue_shows_open_tickets_first_oldest_on_top(admin, student):
    now = timezone.now()
    for minutes, subject in ((3, "baru"), (25, "lama"), (8, "tengah"), (60, "dijawab")):
        desk.open_ticket(subject=subject, question="?", now=now - dt.timedelta(minutes=minutes))
    desk.answer_ticket(Ticket.objects.get(subject="dijawab"), "ok", None, now - dt.timedelta(minutes=55))
    html = admin.get("/helpdesk/").content.decode()
    waiting, done = html.split('data-table="waiting"')[1].split('data-table="done"')
    assert [s for s in re.findall(r"<strong>(\w+)</strong>", waiting)] == ["lama", "tengah", "baru"]
    assert "dijawab" in done and "dijawab dalam 5 menit" in done
    assert re.search(r'data-count="open">3<', html) and re.search(r'data-count="in_time">1/1<', html)
    assert 'data-level="bad">menunggu 25 menit' in waiting and 'data-level="warn">menunggu 3 menit' in waiting


def test_a_closed_ticket_takes_no_more_answers(admin, student):
    ticket = ask(student)
    assert admin.post(f"/helpdesk/tickets/{ticket.number}/close/").status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == "closed" and ticket.closed_at is not None
    refused = admin.post(f"/helpdesk/tickets/{ticket.number}/answer/", {"answer": "terlambat"}, follow=True)
    assert "sudah ditutup dan tidak menerima jawaban lagi" in refused.content.decode()
    ticket.refresh_from_db()
    assert ticket.answer == "" and ticket.answered_at is None
    empty = admin.post(f"/helpdesk/tickets/{ticket.number}/answer/", {"answer": ""}, follow=True)
    assert "sudah ditutup" in empty.content.decode()  # closed comes first, whatever the answer


def test_an_empty_answer_is_refused_beside_the_field(admin, student):
    ticket = ask(student)
    empty = admin.post(f"/helpdesk/tickets/{ticket.number}/answer/", {"answer": "   "})
    html = empty.content.decode()
    assert empty.status_code == 200 and "tidak boleh kosong" in html.split('<label for="id_answer">')[1]
    ticket.refresh_from_db()
    assert ticket.state == "open" and ticket.answered_at is None


def test_who_may_see_and_do_what(student, other_student, admin, login):
    ticket = ask(student)
    assert student.get(f"/helpdesk/tickets/{ticket.number}/").status_code == 200
    assert other_student.get(f"/helpdesk/tickets/{ticket.number}/").status_code == 404
    assert other_student.get("/helpdesk/tickets/TKT-2026-99999/").status_code == 404
    assert ticket.number not in other_student.get("/helpdesk/").content.decode()
    assert student.post(f"/helpdesk/tickets/{ticket.number}/answer/", {"answer": "x"}).status_code == 403
    assert student.post(f"/helpdesk/tickets/{ticket.number}/close/").status_code == 403
    kasi = login("kasi1", "kasi_pendataan")  # staff without helpdesk.answer_ticket: an asker like anyone
    assert kasi.post(f"/helpdesk/tickets/{ticket.number}/answer/", {"answer": "x"}).status_code == 403
    assert kasi.get(f"/helpdesk/tickets/{ticket.number}/").status_code == 404
    assert admin.get(f"/helpdesk/tickets/{ticket.number}/answer/").status_code == 405  # GET changes nothing
    anonymous = Client(SERVER_NAME="localhost")
    for url in ("/helpdesk/", f"/helpdesk/tickets/{ticket.number}/"):
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/?next="), url
    assert anonymous.post("/helpdesk/", {"subject": "s", "question": "q"}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == "open" and Ticket.objects.count() == 1


def test_posts_without_the_csrf_token_are_refused(login):
    student = login("siti", "student", client=Client(SERVER_NAME="localhost", enforce_csrf_checks=True))
    assert student.post("/helpdesk/", {"subject": "s", "question": "q"}).status_code == 403
    admin = login("admin1", "admin", client=Client(SERVER_NAME="localhost", enforce_csrf_checks=True))
    ticket = desk.open_ticket(subject="s", question="q")
    assert admin.post(f"/helpdesk/tickets/{ticket.number}/answer/", {"answer": "a"}).status_code == 403
    assert admin.post(f"/helpdesk/tickets/{ticket.number}/close/").status_code == 403
    ticket.refresh_from_db()
    assert Ticket.objects.count() == 1 and ticket.state == "open"


@pytest.mark.parametrize(("language", "texts"), [
    ("id", ("<h1>Layanan bantuan</h1>", "Pertanyaan Anda", "Kirim pertanyaan", "Perihal", "Butuh bantuan?")),
    ("en", ("<h1>Help desk</h1>", "Your questions", "Send the question", "Subject", "Need help?")),
])
def test_the_students_page_in_both_languages(student, language, texts):
    if language == "en":
        student.post("/i18n/setlang/", {"language": "en", "next": "/helpdesk/"})
    html = student.get("/helpdesk/").content.decode()
    assert f'<html lang="{language}">' in html
    for text in texts:
        assert text in html
