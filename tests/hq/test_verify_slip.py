"""The acknowledgement slip end to end: a record sealed at the station with a finger exception and an iris kept
below its threshold, its slip printed on the simulated ESC/POS printer (real bytes over a pty), the QR decoded
from the rendered slip with OpenCV and checked on HQ's verification page (Django test client): genuine and not
yet received, then received; a forged or altered QR, an unknown station and a revoked one refused; staff only."""

import dataclasses

import cv2
import pytest
from django.contrib.auth.models import User
from django.test import Client

from contract.keys import public_pem
from drivers.printer import ReceiptPrinter
from drivers.printer_sim import SimulatedPrinter
from drivers.qr_scanner import QrReader
from drivers.receipt import Acknowledgement, acknowledgement
from hq.fleet.enrolment import enrol_station, revoke_station
from hq.ingest.models import Record
from hq.office.roles import grant_roles
from sinopsis.demo import demo_captures
from station.acknowledgement import acknowledgement_fields


@pytest.fixture
def sealed_slip(imported, capturing, sealer, station_config, applicants, tmp_path):
    """(SealedRecord, the printed slip's text, the QR decoded from its PNG) for a record with an exception and a
    below-threshold acceptance."""
    captures = [dataclasses.replace(c, score=30, below_threshold=True, reason="eye condition: best kept")
                if c.position == "right_iris" else c for c in demo_captures(exception_finger="left_ring")]
    sealed = sealer.seal_and_commit(capturing, captures, operator_id="OP-02")
    fields = acknowledgement_fields({c.position: c for c in captures}, sealed.receipt_number, capturing,
                                    applicants[0]["name"], applicants[0]["nik"], station_config.helpdesk,
                                    sealed_at=sealed.sealed_at, qr=sealed.slip_qr,
                                    station_id=station_config.station.id, operator="Rina Lestari (OP-02)",
                                    agency=station_config.agency)
    printer = SimulatedPrinter(tmp_path)
    try:
        ReceiptPrinter(printer.path).print_slip(acknowledgement(Acknowledgement(**fields)))
        slip = printer.wait_for_slips(1)[0]
    finally:
        printer.unplug()
    png = cv2.imread(str(tmp_path / "slip-001.png"), cv2.IMREAD_GRAYSCALE)
    # read as the kiosk's camera reads QR codes: OpenCV's classic detector alone misses some signed payloads
    return sealed, slip.text().replace("\n  ", " "), QrReader().decode(png)


@pytest.fixture
def office(hq) -> Client:
    user = User.objects.create_user("kasi1", first_name="Siti")
    grant_roles(user, "kasi_pendataan")
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    return client


def page(client: Client, path: str) -> str:
    answer = client.get(path)
    assert answer.status_code == 200
    return answer.content.decode()


def test_the_printed_slip_is_verified_by_hq_and_a_forged_one_refused(sealed_slip, office, keys, applicants):
    sealed, text, qr = sealed_slip
    for line in ("DINAS KEPENDUDUKAN DAN", "PENCATATAN SIPIL KOTA PEKANBARU", "TANDA TERIMA PEREKAMAN KTP-el",
                 f"No. tanda terima: {sealed.receipt_number}", "Stasiun: st-pku-01", "Petugas: Rina Lestari (OP-02)",
                 "Sidik jari: 9/10 (1 pengecualian: luka/diperban)", "- manis kiri: luka/diperban",
                 "Diterima di bawah ambang: iris kanan"):
        assert line in text
    assert applicants[0]["nik"] not in text and applicants[0]["name"] not in text  # masked on the slip
    assert qr == sealed.slip_qr

    station, _ = enrol_station("st-pku-01", public_pem(keys.station_sign.public_key()).encode(), name="Kit 1")
    shown = page(office, f"/verify/{qr}")
    assert "Tanda terima asli" in shown and sealed.receipt_number in shown and "Kit 1" in shown
    assert "Rekaman belum sampai di kantor" in shown and "9 dari 10 direkam, 1 pengecualian" in shown
    assert "2 dari 2 direkam, 0 pengecualian" in shown
    assert applicants[0]["nik"] not in shown and applicants[0]["name"] not in shown  # nothing the slip does not say

    Record.objects.create(record_id=sealed.record_id, station=station, seq=sealed.seq, sha256=sealed.packet_sha256,
                          size=1, path="records/x", sealed_at=sealed.sealed_at)
    assert "Rekaman sudah sampai di kantor dan tersimpan" in page(office, f"/verify/?q={qr}")  # the scanner form

    parts = qr.split(":")
    forged = ":".join([*parts[:2], str(sealed.seq + 1), *parts[3:]])  # another record number, same signature
    refused = page(office, f"/verify/{forged}")
    assert "Tidak dapat dipastikan" in refused and "tidak cocok dengan stasiun st-pku-01" in refused
    assert "Tanda terima asli" not in refused
    other_key = enrol_station("st-a", public_pem(keys.hq_sign.public_key()).encode())[0]
    assert "tidak cocok dengan stasiun st-a" in page(office, f"/verify/{qr.replace('st-pku-01', other_key.pk)}")
    assert "tidak pernah didaftarkan" in page(office, f"/verify/{qr.replace('st-pku-01', 'st-zz')}")
    assert "bukan QR tanda terima perekaman" in page(office, f"/verify/?q={sealed.record_id}")  # queue slip's QR
    assert "rusak atau telah diubah" in page(office, f"/verify/?q={qr[:-5]}")

    Record.objects.all().delete()
    revoke_station("st-pku-01", "stolen")
    revoked = page(office, f"/verify/{qr}")
    assert "sudah dicabut" in revoked and "Tanda tangan asli, tetapi jangan dipercaya" in revoked


def test_the_page_is_for_office_staff_only(hq):
    anonymous = Client(SERVER_NAME="localhost").get("/verify/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    student = User.objects.create_user("siswa1")
    grant_roles(student, "student")
    client = Client(SERVER_NAME="localhost")
    client.force_login(student)
    assert client.get("/verify/?q=x").status_code == 403
