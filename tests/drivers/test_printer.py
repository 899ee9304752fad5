"""Receipt printer: real ESC/POS bytes through the driver to a simulated printer that renders the slip."""

import cv2
import pytest

from drivers.base import DeviceError, DeviceNotFoundError
from drivers.escpos import EscPos, ascii_text
from drivers.printer import ReceiptPrinter
from drivers.printer_sim import EscPosInterpreter, SimulatedPrinter, render
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
    ack = Acknowledgement("ST-PKU-01-000042", "Bayu K.", "147101********0003", "2026-11-25 08:30", RECORD,
                          fingers_captured=9, finger_exceptions={"left_ring": "injured"},
                          below_threshold=("right_iris",), helpdesk=("Call centre 0761-000000",))
    interpreter = EscPosInterpreter()
    interpreter.feed(acknowledgement(ack))
    text = interpreter.slips[0].text()
    assert "No. tanda terima:\n  ST-PKU-01-000042" in text  # 32 columns: the number goes on its own line
    text = text.replace("\n  ", " ")  # wrapped continuation lines
    assert "Sidik jari: 9/10 (1 pengecualian: luka/diperban)" in text
    assert "di bawah ambang: iris kanan" in text and "Bantuan: Call centre 0761-000000" in text
    english = EscPosInterpreter()
    english.feed(acknowledgement(ack, columns=48, labels={"fingers": "Fingerprints", "exception": "exception",
                                                                         "injured": "injured"}))
    assert "Fingerprints: 9/10 (1 exception: injured)" in english.slips[0].text()
    assert "No. tanda terima: ST-PKU-01-000042" in english.slips[0].text()
    assert render(interpreter.slips[0]).shape[1] == 384


def test_bytes_split_anywhere_give_the_same_slip():
    data = queue_slip(QueueSlip("SMA 1", 7, "Ahmad P.", "08:00", RECORD))
    whole, pieces = EscPosInterpreter(), EscPosInterpreter()
    whole.feed(data)
    for i in range(len(data)):
        pieces.feed(data[i:i + 1])
    assert whole.slips[0].lines == pieces.slips[0].lines and pieces.slips[0].qrs == [RECORD]


def test_unknown_commands_are_reported_not_fatal():
    interpreter = EscPosInterpreter()
    interpreter.feed(b"\x1b@\x1bt\x10hello\n\x1dV\x42\x03")
    assert interpreter.slips[0].text() == "hello" and interpreter.unknown == ["1b7410"]


def test_a_device_file_printer_and_missing_or_unplugged_printers(tmp_path):
    device = tmp_path / "lp0"
    device.write_bytes(b"")
    ReceiptPrinter(str(device)).print_slip(EscPos().line("Tersimpan").cut())
    interpreter = EscPosInterpreter()
    interpreter.feed(device.read_bytes())
    assert interpreter.slips[0].text() == "Tersimpan"
    with pytest.raises(DeviceNotFoundError, match="receipt printer"):
        ReceiptPrinter(str(tmp_path / "lp9")).print_slip(b"x")
    sim = SimulatedPrinter()
    path = sim.path
    sim.unplug()
    with pytest.raises((DeviceError, DeviceNotFoundError)):
        ReceiptPrinter(path).print_slip(b"x" * 10)


def test_text_is_ascii_for_any_code_page():
    assert ascii_text("Désa Ñusantara – ✓") == b"Desa Nusantara ? ?"
    with pytest.raises(ValueError, match=r"1\.\.700"):
        EscPos().qr("")
