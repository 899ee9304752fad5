"""Receipt printer: real ESC/POS bytes through the driver to a simulated printer that renders the slip."""

import threading
from pathlib import Path

import cv2
import pytest

from drivers.base import DeviceError, DeviceNotFoundError
from drivers.escpos import EscPos, ascii_text
from drivers.printer import ReceiptPrinter
from drivers.printer_sim import EscPosInterpreter, SimulatedPrinter, interpret_file
from drivers.receipt import Acknowledgement, QueueSlip, acknowledgement, queue_slip

RECORD = "01a21193-82fb-7128-944f-fa5c3e792098"


def test_queue_slip_through_a_pty_printer_renders_a_readable_qr(tmp_path):
    sim = SimulatedPrinter(tmp_path)
    try:
        ReceiptPrinter(sim.path).print_slip(queue_slip(QueueSlip("SMA Negeri 1 Pekanbaru", 42, "Siti K.",
                                                                 "2026-11-25 08:15", RECORD)))
        slip = sim.wait_for_slips(1)[0]
    finally:
        sim.unplug()
    assert ("042", 4, "centre", True) in slip.lines
    assert "NOMOR ANTREAN" in slip.text() and "Nama: Siti K." in slip.text()
    assert slip.qrs == [RECORD]
    assert not sim.interpreter.unknown
    png = cv2.imread(str(tmp_path / "slip-001.png"), cv2.IMREAD_GRAYSCALE)
    assert cv2.QRCodeDetector().detectAndDecode(png)[0] == RECORD


def test_acknowledgement_lists_exceptions_flags_and_help(tmp_path):
    qr = f"SINOPSIS-SLIP1:st-pku-01:42:{RECORD}:20261125T013000Z:912001:" + "A" * 86
    ack = Acknowledgement("ST-PKU-01-000042", "Bayu K.", "147101********0003", "25-11-2026 08:30 WIB", RECORD,
                          fingers_captured=9, finger_exceptions={"left_ring": "injured"},
                          below_threshold=("right_iris",), helpdesk=("Call centre 0761-000000",),
                          agency=("Dinas Kependudukan dan Pencatatan Sipil Kota Pekanbaru", "Pekanbaru, Riau"),
                          station_id="st-pku-01", operator="Rina Lestari (OP-02)", verify_qr=qr)
    sim = SimulatedPrinter(tmp_path)
    try:
        ReceiptPrinter(sim.path).print_slip(acknowledgement(ack))
        slip = sim.wait_for_slips(1)[0]
    finally:
        sim.unplug()
    assert not sim.interpreter.unknown and all(len(line) <= 32 for line, *_ in slip.lines)
    text = slip.text()
    assert text.startswith("DINAS KEPENDUDUKAN DAN\nPENCATATAN SIPIL KOTA PEKANBARU\nPekanbaru, Riau\n")
    assert ("DINAS KEPENDUDUKAN DAN", 1, "centre", True) in slip.lines  # the agency's header, bold and centred
    assert "No. tanda terima:\n  ST-PKU-01-000042" in text  # 32 columns: the number goes on its own line
    text = text.replace("\n  ", " ")  # wrapped continuation lines
    for line in ("Waktu: 25-11-2026 08:30 WIB", "Stasiun: st-pku-01", "Petugas: Rina Lestari (OP-02)",
                 "Foto wajah: direkam", "Tanda tangan: direkam", "Sidik jari: 9/10 (1 pengecualian: luka/diperban)",
                 "Iris: 2/2", "Pengecualian:\n- manis kiri: luka/diperban", "Diterima di bawah ambang: iris kanan",
                 "Bantuan: Call centre 0761-000000", "Pindai untuk memeriksa keaslian"):
        assert line in text
    png = cv2.imread(str(tmp_path / "slip-001.png"), cv2.IMREAD_GRAYSCALE)
    assert png.shape[1] == 384 and cv2.QRCodeDetector().detectAndDecode(png)[0] == qr
    english = EscPosInterpreter()
    english.feed(acknowledgement(ack, columns=48, labels={"fingers": "Fingerprints", "exception": "exception",
                                                                         "injured": "injured"}))
    assert "Fingerprints: 9/10 (1 exception: injured)" in english.slips[0].text()
    assert "No. tanda terima: ST-PKU-01-000042" in english.slips[0].text()


def test_bytes_split_anywhere_give_the_same_slip():
    data = queue_slip(QueueSlip("SMA 1", 7, "Ahmad P.", "08:00", RECORD))
    whole, pieces = EscPosInterpreter(), EscPosInterpreter()
    whole.feed(data)
    for i in range(len(data)):
        pieces.feed(data[i:i + 1])
    assert whole.slips[0].lines == pieces.slips[0].lines and pieces.slips[0].qrs == [RECORD]


def test_unknown_and_garbled_commands_are_reported_not_fatal():
    interpreter = EscPosInterpreter()
    bogus_qr = b"\x1d(k\xff\xff1P0"  # a QR store claiming 65535 bytes
    interpreter.feed(b"\x1b@\x1b!\x08hel\x00lo\r\n" + bogus_qr + b"\x1dV\x42\x03")
    interpreter.feed(queue_slip(QueueSlip("SMA 1", 7, "Ahmad P.", "08:00", RECORD)))
    assert interpreter.slips[0].text().startswith("hello")
    assert interpreter.unknown[:3] == ["1b2108", "00", "1d286bffff"]
    assert interpreter.slips[1].qrs == [RECORD] and ("007", 4, "centre", True) in interpreter.slips[1].lines


def test_a_device_file_printer_and_a_captured_stream(tmp_path):
    device = tmp_path / "lp0"
    device.write_bytes(b"")
    ReceiptPrinter(str(device)).print_slip(EscPos().line("Tersimpan").cut())
    slip = interpret_file(device).slips[0]
    assert slip.text() == "Tersimpan" and slip.cut
    assert ReceiptPrinter(str(device)).paper_ok() is None  # a device file cannot answer


def test_missing_unplugged_refusing_and_misconfigured_printers(tmp_path):
    with pytest.raises(DeviceNotFoundError, match="receipt printer") as missing:
        ReceiptPrinter(str(tmp_path / "lp9")).print_slip(b"x")
    assert missing.value.disconnected
    with pytest.raises(DeviceNotFoundError, match="folder") as folder:
        ReceiptPrinter(str(tmp_path)).print_slip(b"x")
    assert folder.value.code == "not_a_device"
    sim = SimulatedPrinter()
    path = sim.path
    sim.unplug()
    with pytest.raises(DeviceNotFoundError):
        ReceiptPrinter(path).print_slip(b"x" * 10)
    if Path("/dev/full").exists():  # a real device that refuses every write (ENOSPC)
        with pytest.raises(DeviceError, match="print the slip again") as full:
            ReceiptPrinter("/dev/full").print_slip(b"x")
        assert full.value.disconnected and full.value.code == "write_failed"
    for bad in ({"path": ""}, {"path": "/dev/ttyUSB0", "baudrate": 12345},
                {"path": "/dev/ttyUSB0", "write_timeout_s": 0}):
        with pytest.raises(ValueError):
            ReceiptPrinter(**bad)
    with pytest.raises(ValueError, match="empty"):
        ReceiptPrinter(str(tmp_path / "lp0")).print_slip(b"")


def test_a_printer_that_stops_mid_slip_and_the_same_slip_printed_again(tmp_path):
    sim = SimulatedPrinter(tmp_path)
    long_slip = QueueSlip("SMA Negeri 1 Pekanbaru " * 6000, 3, "Siti K.", "08:15", RECORD)  # > the pty's buffer
    data = queue_slip(long_slip)
    printer = ReceiptPrinter(sim.path, write_timeout_s=0.3)
    try:
        sim.hold()
        with pytest.raises(DeviceError, match="print the slip again") as stopped:
            printer.print_slip(data)
        assert stopped.value.disconnected and stopped.value.code == "write_failed"
        sim.release()
        printer.print_slip(data)  # the caller kept the slip: the same bytes again
        slips = sim.wait_for_slips(2)
    finally:
        sim.unplug()
    assert [s.cut for s in slips] == [False, True]  # the broken one is visible, the reprint is whole
    assert slips[1].qrs == [RECORD] and ("003", 4, "centre", True) in slips[1].lines


def test_paper_status_over_dle_eot():
    sim = SimulatedPrinter()
    try:
        printer = ReceiptPrinter(sim.path)
        assert printer.paper_ok() is True
        sim.paper_out = True
        assert printer.paper_ok() is False
    finally:
        sim.unplug()


def test_text_is_ascii_for_any_code_page():
    assert ascii_text("Désa Ñusantara – ✓") == b"Desa Nusantara ? ?"
    for payload in ("", "x" * 701, "rekam-é", "a\nb"):
        with pytest.raises(ValueError, match=r"1\.\.700 printable ASCII"):
            EscPos().qr(payload)
    with pytest.raises(ValueError, match="centre"):
        EscPos().align("middle")


def test_a_printer_unplugged_while_a_slip_is_being_written():
    sim = SimulatedPrinter()
    sim.hold()  # the slip cannot drain, so the unplug lands mid-write
    data = queue_slip(QueueSlip("SMA Negeri 1 Pekanbaru " * 6000, 3, "Siti K.", "08:15", RECORD))
    failures: list[BaseException] = []

    def print_it():
        try:
            ReceiptPrinter(sim.path, write_timeout_s=5).print_slip(data)
        except DeviceError as exc:
            failures.append(exc)

    writer = threading.Thread(target=print_it)
    writer.start()
    while sim.pty.read_nowait() == b"" and writer.is_alive():  # wait for the first bytes: the write has begun
        writer.join(0.01)
    sim.unplug()
    writer.join(10)
    assert not writer.is_alive() and len(failures) == 1
    assert failures[0].disconnected and failures[0].code == "write_failed"
