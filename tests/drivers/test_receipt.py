"""Slip layouts: widths, wrapping, translated labels, exception summaries, and bad input refused before printing."""

import cv2
import pytest

from drivers.printer_sim import EscPosInterpreter, render
from drivers.receipt import ACK_LABELS, Acknowledgement, QueueSlip, acknowledgement, queue_slip

RECORD = "01a21193-82fb-7128-944f-fa5c3e792098"
LONG_NAME = "Muhammad Rizky Pratama Saputra Wijayakusumaningrat Br. Simanjuntak"


def slip_of(data: bytes):
    interpreter = EscPosInterpreter()
    interpreter.feed(data)
    assert not interpreter.unknown and len(interpreter.slips) == 1
    return interpreter.slips[0]


@pytest.mark.parametrize("columns", [32, 42, 48])
def test_every_line_fits_the_paper_and_long_names_wrap(columns):
    slip = slip_of(queue_slip(QueueSlip("SMA Negeri 1 Pekanbaru", 7, LONG_NAME, "2026-11-25 08:15", RECORD),
                              columns=columns))
    assert all(len(text) * size <= columns for text, size, _, _ in slip.lines)
    assert LONG_NAME.split()[-1] in slip.text() and "Harap menunggu panggilan" in slip.text().replace("\n", " ")
    image = render(slip)
    assert image.shape[1] == (384 if columns == 32 else 576)
    assert cv2.QRCodeDetector().detectAndDecode(image)[0] == RECORD


def test_acknowledgement_summarises_finger_and_iris_exceptions():
    ack = Acknowledgement("ST-PKU-01-000042", "Bayu K.", "147101********0003", "2026-11-25 08:30", RECORD,
                          fingers_captured=8, finger_exceptions={"left_ring": "injured", "left_little": "amputated"},
                          irises_captured=1, iris_exceptions={"left_iris": "other"})
    text = slip_of(acknowledgement(ack, columns=48)).text().replace("\n  ", " ")
    assert "Sidik jari: 8/10 (2 pengecualian: amputasi, luka/diperban)" in text
    assert "Iris: 1/2 (1 pengecualian: lainnya)" in text and "di bawah ambang" not in text
    assert "Pengecualian:\n- manis kiri: luka/diperban\n- kelingking kiri: amputasi\n- iris kiri: lainnya" in text
    assert slip_of(acknowledgement(ack)).qrs == [RECORD]  # no signed QR given: the record id, as before


@pytest.mark.parametrize("columns", [32, 42, 48])
def test_the_acknowledgement_fits_every_width_with_a_long_header_and_signature_exception(columns):
    ack = Acknowledgement("ST-PKU-01-000042", LONG_NAME, "147101********0003", "25-11-2026 08:30 WIB", RECORD,
                          fingers_captured=10, signature_exception="unable_to_sign",
                          agency=("Dinas Kependudukan dan Pencatatan Sipil Kota Pekanbaru",
                                  "Jl. Contoh No. 1, Kelurahan Simpang Baru, Kecamatan Binawidya, Pekanbaru"),
                          operator="Muhammad Rizky Pratama Saputra (OP-02)", verify_qr="SINOPSIS-SLIP1:" + "x" * 200)
    slip = slip_of(acknowledgement(ack, columns=columns))
    assert all(len(text) * size <= columns for text, size, _, _ in slip.lines)
    assert "Tanda tangan: pengecualian: tidak dapat tanda tangan" in slip.text().replace("\n  ", " ")
    assert "Kecamatan Binawidya" in slip.text().replace("\n", " ") and slip.qrs == [ack.verify_qr]
    assert cv2.QRCodeDetector().detectAndDecode(render(slip))[0] == ack.verify_qr


def test_bad_input_is_refused_with_the_reason():
    good = QueueSlip("SMA 1", 7, "Ahmad P.", "08:00", RECORD)
    with pytest.raises(ValueError, match="32, 42, 48 columns, not 40"):
        queue_slip(good, columns=40)
    with pytest.raises(ValueError, match=r"unknown slip label.*titel"):
        queue_slip(good, labels={"titel": "QUEUE NUMBER"})
    with pytest.raises(ValueError, match="queue number -1"):
        queue_slip(QueueSlip("SMA 1", -1, "Ahmad P.", "08:00", RECORD))
    with pytest.raises(ValueError, match="printable ASCII"):
        queue_slip(QueueSlip("SMA 1", 7, "Ahmad P.", "08:00", ""))
    with pytest.raises(ValueError, match="do not fit 10"):
        acknowledgement(Acknowledgement("R", "A.", "1471", "08:00", RECORD, fingers_captured=10,
                                        finger_exceptions={"left_ring": "injured"}))
    with pytest.raises(ValueError, match="do not fit 2"):
        acknowledgement(Acknowledgement("R", "A.", "1471", "08:00", RECORD, fingers_captured=10, irises_captured=3))
    assert set(ACK_LABELS) >= {"title", "fingers", "irises", "injured", "help"}  # what a translation may override
