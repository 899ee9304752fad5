"""The acknowledgement slip as the review screen builds it (kiosk/slip.py): the sealer's signed QR, the operator,
the agency's header, and every label in the kiosk's language from its catalogues — Bahasa Indonesia, and English
on the toggle (positions and reasons named as the screens name them)."""

import dataclasses

import pytest

from contract.slip_qr import parse_slip_qr
from drivers.printer_sim import EscPosInterpreter
from drivers.receipt import ACK_LABELS, acknowledgement
from kiosk.i18n import translations
from kiosk.slip import SLIP_LABELS, acknowledgement_of, slip_labels
from sinopsis.demo import demo_captures
from station.operators import Operator


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_slip_label_is_known_to_the_slip_and_in_the_catalogue(lang):
    assert set(SLIP_LABELS) <= set(ACK_LABELS)
    catalogue = translations(lang)
    missing = [m for m in SLIP_LABELS.values() if lang == "id" and catalogue.gettext(m) == m and m != "NIK"]
    assert not missing


def test_the_review_screens_slip_in_both_languages(capturing, sealer, station_config, applicants, keys):
    captures = [dataclasses.replace(c, score=30, below_threshold=True, reason="eye condition: best kept")
                if c.position == "left_iris" else c for c in demo_captures(exception_finger="right_thumb")]
    sealed = sealer.seal_and_commit(capturing, captures, operator_id="OP-02")
    results = {c.position: c for c in captures}
    ack = acknowledgement_of(results, sealed, applicants[0]["name"], applicants[0]["nik"],
                             Operator("OP-02", "Rina Lestari", "operator"), station_config)
    assert ack.verify_qr == sealed.slip_qr and ack.station_id == "st-pku-01"
    claim = parse_slip_qr(ack.verify_qr).verify(keys.station_sign.public_key())
    assert (claim.receipt_number, claim.fingers_captured, claim.finger_exceptions, claim.below_threshold) == (
        sealed.receipt_number, 9, 1, 1)
    texts = {}
    for lang in ("id", "en"):
        printed = EscPosInterpreter()
        printed.feed(acknowledgement(ack, 42, slip_labels(translations(lang).gettext)))
        assert not printed.unknown and printed.slips[0].qrs == [sealed.slip_qr]
        texts[lang] = printed.slips[0].text().replace("\n  ", " ")
    assert texts["id"].startswith("DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL\nKOTA PEKANBARU\nPekanbaru, Riau\n")
    for line in ("TANDA TERIMA PEREKAMAN KTP-el", "Petugas: Rina Lestari (OP-02)", "Sidik jari: 9/10",
                 "- Ibu jari kanan: Cedera atau diperban", "Diterima di bawah ambang: Iris kiri",
                 "Pindai untuk memeriksa keaslian"):
        assert line in texts["id"]
    for line in ("E-KTP RECORDING ACKNOWLEDGEMENT", "Operator: Rina Lestari (OP-02)", "Fingerprints: 9/10",
                 "- Right thumb: Injured or bandaged", "Accepted below threshold: Left iris",
                 "Scan to check it is genuine", "DINAS KEPENDUDUKAN"):  # the agency's name stays as it is
        assert line in texts["en"]
