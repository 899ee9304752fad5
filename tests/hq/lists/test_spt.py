"""SOP step 6: the SPT of an approved list — numbering per year (with the race for a number), the team from the
`team` group, PINs shown once and stored only hashed, refusals (a list not approved, changed after approval, a
date in the past, someone outside the team, outside the role), and the printable PDF looked at as an image."""

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from contract.pins import verify_pin
from hq.applications.models import Application
from hq.lists import spt as spt_module
from hq.lists import workflow
from hq.lists.errors import ListError
from hq.lists.models import Officer, Spt, SptMember
from hq.lists.spt import issue_spt
from hq.lists.spt_pdf import latin1, verify_url
from hq.users import create_user
from sinopsis.cli import main
from tests.hq.lists.conftest import add_applicants, recording_day, walk
from tests.hq.test_dashboard_browser import shots  # noqa: F401

YEAR = timezone.localdate().year


def form(people, day: dt.date | None = None, lead: str = "rina.tim", operators: tuple[str, ...] = ("agus.tim",)):
    return {"recording_date": (day or recording_day()).isoformat(), "lead": people[lead].pk,
            "operators": [people[o].pk for o in operators]}


def test_issuing_shows_the_pins_once_and_keeps_only_their_hashes(login, make_list, people):
    application_list = make_list("approved")
    kasubbag = login("kasubbag1")
    assert kasubbag.get(f"/lists/{application_list.pk}/spt/").status_code == 200
    response = kasubbag.post(f"/lists/{application_list.pk}/spt/", form(people))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    shown = response.content.decode()
    pins = dict(re.findall(r'data-pin="([^"]+)"><strong>(\d{6})</strong>', shown))
    assert set(pins) == {"rina.tim", "agus.tim"}
    spt = Spt.objects.get()
    assert spt.number == f"800/001/SPT/DISDUKCAPIL/{YEAR}" and (spt.year, spt.serial) == (YEAR, 1)
    assert spt.issued_by == people["kasubbag1"] and spt.recording_date == recording_day()
    members = {m.operator_id: m for m in spt.members.all()}
    assert members["rina.tim"].role == "lead" and members["agus.tim"].role == "operator"
    assert members["rina.tim"].name == "Rina Lestari" and members["rina.tim"].user == people["rina.tim"]
    for operator, pin in pins.items():
        stored = members[operator].pin_hash
        assert pin not in stored and verify_pin(pin, stored) and not verify_pin("000000" if pin != "000000"
                                                                               else "111111", stored)
    again = kasubbag.get(f"/lists/spt/{spt.pk}/").content.decode()
    assert "Rina Lestari" in again and not any(pin in again for pin in pins.values()) and "data-pin" not in again
    assert application_list.events.filter(action="spt_issued", by=people["kasubbag1"], reason=spt.number).exists()
    twice = kasubbag.post(f"/lists/{application_list.pk}/spt/", form(people), follow=True)
    assert "sudah memiliki SPT" in twice.content.decode() and Spt.objects.count() == 1

    renewed = kasubbag.post(f"/lists/spt/{spt.pk}/pins/")
    new = dict(re.findall(r'data-pin="([^"]+)"><strong>(\d{6})</strong>', renewed.content.decode()))
    member = SptMember.objects.get(operator_id="rina.tim")
    assert verify_pin(new["rina.tim"], member.pin_hash) and member.pin_hash != members["rina.tim"].pin_hash


def test_spt_numbers_count_per_year_and_a_lost_race_takes_the_next(make_list, people, school, monkeypatch):
    first = make_list("approved")
    spt1, _ = issue_spt(first, recording_day(), people["rina.tim"], [], people["kasubbag1"])
    add_applicants(school, people["student1"], 1, seed=5, first=30)
    second = walk(workflow.create_list(school, [a.pk for a in workflow.available_applicants(school)],
                                       people["admin1"]), people, "approved")
    real = spt_module.next_spt_serial
    calls = []

    def racing(year: int) -> int:  # the first count is what another person took a moment ago
        calls.append(year)
        return 1 if len(calls) == 1 else real(year)

    monkeypatch.setattr(spt_module, "next_spt_serial", racing)
    spt2, pins = issue_spt(second, recording_day(), people["agus.tim"], [people["rina.tim"]], people["kasubbag1"])
    assert len(calls) == 2 and spt2.number == f"800/002/SPT/DISDUKCAPIL/{YEAR}" and spt1.serial == 1
    assert set(pins) == {"agus.tim", "rina.tim"} and all(re.fullmatch(r"\d{6}", p) for p in pins.values())
    assert Spt.objects.count() == 2 and SptMember.objects.filter(spt=spt2).count() == 2
    Spt.objects.filter(pk=spt1.pk).update(year=YEAR - 1)  # last year's serials do not count this year
    assert spt_module.next_spt_serial(YEAR) == 3 and spt_module.next_spt_serial(YEAR - 1) == 2


@pytest.mark.parametrize("state", ["draft", "submitted", "verified"])
def test_an_spt_for_a_list_not_approved_is_refused(login, make_list, people, state):
    application_list = make_list(state)
    kasubbag = login("kasubbag1")
    refused = kasubbag.post(f"/lists/{application_list.pk}/spt/", form(people), follow=True)
    assert refused.redirect_chain[-1][0] == f"/lists/{application_list.pk}/"
    assert "SPT hanya diterbitkan untuk daftar yang sudah disetujui" in refused.content.decode()
    with pytest.raises(ListError) as error:
        issue_spt(application_list, recording_day(), people["rina.tim"], [], people["kasubbag1"])
    assert error.value.code == "lists.not_approved" and not Spt.objects.exists()


def test_an_spt_for_a_list_changed_after_approval_is_refused(make_list, people):
    application_list = make_list("approved")
    Application.objects.filter(pk=application_list.applications.first().pk).update(kk_number="1471010101010001")
    with pytest.raises(ListError) as error:
        issue_spt(application_list, recording_day(), people["rina.tim"], [], people["kasubbag1"])
    assert error.value.code == "lists.changed" and not Spt.objects.exists()


def test_bad_spt_forms_say_what_is_wrong_beside_the_field(login, make_list, people):
    application_list = make_list("approved")
    url = f"/lists/{application_list.pk}/spt/"
    kasubbag = login("kasubbag1")
    past = kasubbag.post(url, form(people, day=timezone.localdate() - dt.timedelta(days=1)))
    assert past.status_code == 400 and "Tanggal ini sudah lewat" in past.content.decode()
    garbled = kasubbag.post(url, {**form(people), "recording_date": "kemarin"})
    assert garbled.status_code == 400 and "hari-bulan-tahun" in garbled.content.decode()
    outsider = kasubbag.post(url, form(people, lead="kasi1"))
    assert outsider.status_code == 400 and "tidak lagi menjadi anggota tim perekaman" in outsider.content.decode()
    no_lead = kasubbag.post(url, {**form(people), "lead": ""})
    assert no_lead.status_code == 400 and "Pilih ketua tim" in no_lead.content.decode()
    assert not Spt.objects.exists()
    with pytest.raises(ListError) as error:
        issue_spt(application_list, recording_day(), people["kasi1"], [], people["kasubbag1"])
    assert error.value.code == "lists.not_team"


def test_a_login_that_cannot_be_an_operator_id_is_refused(make_list, people):
    create_user("tim@kantor", "kata-sandi-panjang-sekali", roles=("team",), full_name="Tim Kantor")
    odd = get_user_model().objects.get(username="tim@kantor")
    with pytest.raises(ListError) as error:
        issue_spt(make_list("approved"), recording_day(), odd, [], people["kasubbag1"])
    assert error.value.code == "lists.operator_id" and "tim@kantor" in str(error.value)


def test_only_the_kasubbag_issues(login, make_list, people):
    application_list = make_list("approved")
    for who in ("admin1", "kasi1", "kabid1", "piak1", "rina.tim"):
        client = login(who)
        assert client.get(f"/lists/{application_list.pk}/spt/").status_code == 403, who
        assert client.post(f"/lists/{application_list.pk}/spt/", form(people)).status_code == 403, who
    assert login("kasubbag1", csrf=True).post(f"/lists/{application_list.pk}/spt/", form(people)).status_code == 403
    assert not Spt.objects.exists()


def test_latin1_keeps_indonesian_names_and_replaces_the_rest():
    assert latin1("Nurul ‘Aini — Şahin Ñoño 王") == "Nurul 'Aini - Sahin Ñoño ?"


def test_the_spt_pdf_is_an_official_letter_with_its_attachment_and_no_pins(hq, login, make_list, people, capsys,
                                                                           shots):  # noqa: F811
    officer = ["hq", "officer", "--data", str(hq)]
    assert main([*officer[:2], "rina.tim", "--nip", "19850312 201001 2 004", "--rank", "Penata Muda, III/a",
                 "--position", "Pengadministrasi Kependudukan", *officer[2:]]) == 0
    assert main([*officer[:2], "kasubbag1", "--nip", "197601011998031003", "--rank", "Penata Tingkat I, III/d",
                 *officer[2:]]) == 0
    assert main([*officer[:2], "kasubbag1", "--nip", "1976-01-01", *officer[2:]]) == 2
    assert main([*officer[:2], "nobody", "--nip", "197601011998031003", *officer[2:]]) == 2
    err = capsys.readouterr().err
    assert "a NIP is 18 digits" in err and "make it first with `sinopsis hq createuser`" in err
    application_list = make_list("approved")
    spt, pins = issue_spt(application_list, recording_day(), people["rina.tim"], [people["agus.tim"]],
                          people["kasubbag1"])
    Officer.objects.filter(user=people["kasubbag1"]).update(nip="199901012020011001")  # a later change: not copied
    response = login("rina.tim").get(f"/lists/spt/{spt.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pdf = Path(shots) / "hq-spt.pdf"
    pdf.write_bytes(response.content)
    if not (shutil.which("pdftoppm") and shutil.which("pdftotext")):
        pytest.skip("poppler-utils (pdftoppm, pdftotext) is not installed: the PDF cannot be looked at")
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(pdf), str(Path(shots) / "hq-spt")], check=True)
    pages = sorted(p for p in Path(shots).glob("hq-spt-*.png") if re.fullmatch(r"hq-spt-\d+", p.stem))
    assert len(pages) == 2 and all(p.stat().st_size > 10_000 for p in pages)  # the letter, the Lampiran
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    letter, attachment = text.split("\f")[:2]
    for expected in ("PEMERINTAH KOTA PEKANBARU", "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL", "Pos-el",
                     "disdukcapil@pekanbaru.go.id", "SURAT PERINTAH TUGAS", f"Nomor: 800/001/SPT/DISDUKCAPIL/{YEAR}",
                     "Dasar", "060/Dukcapil-PDIP/1246/2021", "Undang-Undang Nomor 24 Tahun 2013", "MEMERINTAHKAN",
                     "Rina Lestari", "NIP. 198503122010012004", "Penata Muda, III/a", "Ketua Tim", "Agus Pratama",
                     "Operator", "SMA Negeri", "NPSN 10404001", "5 orang siswa", "a.n. Kepala Dinas Kependudukan dan",
                     "Kepala Sub Bagian Umum", "Hendra Kasubbag", "NIP. 197601011998031003", "Pindai kode QR",
                     application_list.number):
        assert expected in letter, expected
    assert "199901012020011001" not in text  # the signer as at issue
    day = recording_day()
    assert f"{day.day} " in letter and str(day.year) in letter
    assert "LAMPIRAN" in attachment.upper() and "DAFTAR SISWA" in attachment
    for student in application_list.applications.all():  # the team's copy: full names and NIKs
        assert student.nik in attachment and student.number in attachment
    assert "NIP. 197601011998031003" in attachment  # signed again
    assert not any(pin in text for pin in pins.values())


def test_the_letters_qr_opens_a_public_check_without_personal_data(make_list, people):
    application_list = make_list("approved")
    spt, _pins = issue_spt(application_list, recording_day(), people["rina.tim"], [], people["kasubbag1"])
    path = urlsplit(verify_url(spt, "http://testserver")).path
    assert path.startswith("/verify/spt/") and path == urlsplit(verify_url(spt)).path
    anyone = Client(SERVER_NAME="localhost")
    page = anyone.get(path)
    shown = page.content.decode()
    assert page.status_code == 200 and "Surat asli, berlaku" in shown and spt.number in shown
    assert "SMA Negeri 1 Pekanbaru" in shown
    assert not any(a.nik in shown or a.name in shown for a in application_list.applications.all())
    assert "Rina Lestari" not in shown
    token = path.rsplit("/", 1)[1]
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    for bad in (forged, token.replace(f"{YEAR}-001.", f"{YEAR}-002."), "2026-001.x", "SINOPSIS-SLIP"):
        refused = anyone.get(f"/verify/spt/{bad}")
        assert refused.status_code == 404 and "Tidak dapat dipastikan" in refused.content.decode(), bad
    Spt.objects.filter(pk=spt.pk).update(recording_date=timezone.localdate() - dt.timedelta(days=1))
    assert "hari perekamannya sudah lewat" in anyone.get(path).content.decode()
    Application.objects.filter(pk=application_list.applications.first().pk).update(kk_number="1471010101010001")
    assert "ditangguhkan" in anyone.get(path).content.decode()
