"""The student check-in's extras, by real touches over a real store: the correction request, the queue slip on
the simulated ESC/POS printer (and without one), the help screen's WhatsApp QR, and the database busy."""

import sqlite3

import cv2
import numpy as np
import pytest

from drivers.printer import ReceiptPrinter
from drivers.qr_scanner import QrReader
from kiosk.screens.flow import CORRECTION_CHOICES
from kiosk.testing import step, tap, wait_until
from station import audit
from station.corrections import pending_corrections
from station.records import CORRECTION_REASONS
from tests.kiosk.kiosk_helpers import start_kiosk, stop_kiosk
from tests.kiosk.test_checkin_screens import press_ok, screen, type_digits


@pytest.fixture
def kiosk(imported, station_config):
    app = start_kiosk(imported, station_config)
    yield app
    stop_kiosk(app)


@pytest.fixture
def printing_kiosk(imported, station_config, printer_sim):
    app = start_kiosk(imported, station_config, printer=ReceiptPrinter(printer_sim.path, write_timeout_s=1))
    yield app
    stop_kiosk(app)


def to_confirm(app, student):
    tap(screen(app, "welcome").ids.start)
    type_digits(app, "nik_entry", student["nik"])
    press_ok(app, "nik_entry")
    y, m, d = student["birth_date"].split("-")
    type_digits(app, "nik_entry", d + m + y)
    press_ok(app, "nik_entry")
    wait_until(lambda: app.root.current == "confirm")


def check_in(app, student, phone="081234567890"):
    to_confirm(app, student)
    tap(screen(app, "confirm").ids.yes)
    type_digits(app, "phone", phone)
    press_ok(app, "phone")
    wait_until(lambda: app.root.current == "ticket")


def rows(store):
    return {t: store.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]  # noqa: S608 - fixed names
            for t in ("checkins", "records", "audit", "counters")}


def test_every_correction_reason_has_the_students_words():
    assert set(CORRECTION_CHOICES) == CORRECTION_REASONS


def test_a_correction_request_from_the_confirm_screen(kiosk, applicants):
    a = applicants[4]
    to_confirm(kiosk, a)
    assert screen(kiosk, "confirm").ids.no.text == "Bukan, data saya salah"
    tap(screen(kiosk, "confirm").ids.no)
    assert kiosk.root.current == "correction"
    tap(screen(kiosk, "correction").ids.back)  # changed their mind: the same student, confirm again
    assert kiosk.root.current == "confirm" and kiosk.flow.identity.application_id == a["application_id"]
    tap(screen(kiosk, "confirm").ids.no)
    assert screen(kiosk, "correction").ids.kk_mismatch.text == "Data kartu keluarga (KK) saya berbeda"
    tap(screen(kiosk, "correction").ids.kk_mismatch)
    assert kiosk.root.current == "phone"
    assert screen(kiosk, "phone").ids.hint.text.startswith("Disdukcapil akan menghubungi nomor ini")
    type_digits(kiosk, "phone", "0761123456")  # a landline: refused here, as in a check-in
    press_ok(kiosk, "phone")
    assert "bukan nomor HP" in screen(kiosk, "phone").ids.error.text
    screen(kiosk, "phone").ids.keypad.value = "6281377778888"
    press_ok(kiosk, "phone")
    wait_until(lambda: kiosk.root.current == "correction_sent")
    sent = screen(kiosk, "correction_sent")
    assert sent.ids.title.text == "Permintaan perbaikan data Anda sudah dicatat"
    assert "berakhiran 8888" in sent.ids.message.text and "kartu keluarga" in sent.ids.message.text
    assert sent.ids.reason.text == "Yang salah: Data kartu keluarga (KK) saya berbeda"
    assert "tidak perlu antre" in sent.ids.next.text
    assert not [w for w in sent.walk() if getattr(w, "text", "").isdigit()]  # no queue number anywhere

    store = kiosk.services.store
    row = store.conn.execute("SELECT r.state, r.reason_code, c.phone, c.method FROM records r JOIN checkins c "
                             "ON c.id = r.checkin_ref").fetchone()
    assert tuple(row) == ("correction_requested", "kk_mismatch", "+6281377778888", "nik")
    assert [p.requested_by for p in pending_corrections(store)] == ["kiosk"] and audit.verify(store.conn).ok
    tap(sent.ids.done)
    assert kiosk.root.current == "welcome"

    # the same student again: told the request is already with the office, nothing new written
    before = rows(store)
    tap(screen(kiosk, "welcome").ids.start)
    type_digits(kiosk, "nik_entry", a["nik"])
    press_ok(kiosk, "nik_entry")
    y, m, d = a["birth_date"].split("-")
    type_digits(kiosk, "nik_entry", d + m + y)
    press_ok(kiosk, "nik_entry")
    wait_until(lambda: kiosk.root.current == "correction_sent")
    assert sent.ids.title.text == "Anda sudah meminta perbaikan data" and "8888" in sent.ids.message.text
    assert rows(store) == before


def test_a_student_already_in_the_queue_still_gets_the_queue_screen(kiosk, applicants):
    check_in(kiosk, applicants[0])
    tap(screen(kiosk, "ticket").ids.done)
    tap(screen(kiosk, "welcome").ids.start)  # the same student again
    type_digits(kiosk, "nik_entry", applicants[0]["nik"])
    press_ok(kiosk, "nik_entry")
    y, m, d = applicants[0]["birth_date"].split("-")
    type_digits(kiosk, "nik_entry", d + m + y)
    press_ok(kiosk, "nik_entry")
    wait_until(lambda: kiosk.root.current == "problem")
    assert "001" in screen(kiosk, "problem").ids.message.text


def test_the_queue_slip_is_printed_with_the_number_and_school(printing_kiosk, printer_sim, applicants, tmp_path):
    app = printing_kiosk
    check_in(app, applicants[0])
    slip_label = screen(app, "ticket").ids.slip
    wait_until(lambda: screen(app, "ticket").slip == "printed")
    assert slip_label.text == "Ambil slip antrean Anda di printer."
    slip = printer_sim.wait_for_slips(1)[0]
    record_id = app.flow.ticket.record_id
    assert ("001", 4, "centre", True) in slip.lines and slip.cut
    text = slip.text().replace("\n  ", " ")
    assert "NOMOR ANTREAN" in text and "Sekolah: SMA Negeri 1 Pekanbaru" in text
    assert app.flow.ticket.display_name in text and slip.qrs == [record_id]
    png = cv2.imread(str(tmp_path / "slip-001.png"), cv2.IMREAD_GRAYSCALE)
    assert QrReader().decode(png) == record_id  # as the camera reads it (a random id: either detector may miss)

    tap(screen(app, "ticket").ids.done)
    app.toggle_language()  # an English-speaking student: the slip follows the screen's language
    step(3)
    check_in(app, applicants[1])
    wait_until(lambda: screen(app, "ticket").slip == "printed")
    english = printer_sim.wait_for_slips(2)[1].text()
    assert "QUEUE NUMBER" in english and "School: SMA Negeri 1 Pekanbaru" in english.replace("\n  ", " ")


def test_a_printer_unplugged_mid_way_never_stops_the_check_in(printing_kiosk, printer_sim, applicants):
    app = printing_kiosk
    check_in(app, applicants[0])
    wait_until(lambda: screen(app, "ticket").slip == "printed")
    tap(screen(app, "ticket").ids.done)
    to_confirm(app, applicants[1])
    tap(screen(app, "confirm").ids.yes)
    type_digits(app, "phone", "0812")
    printer_sim.unplug()  # while the next student types their number
    type_digits(app, "phone", "98765432")
    press_ok(app, "phone")
    wait_until(lambda: app.root.current == "ticket")
    assert screen(app, "ticket").ids.number.text == "002"  # the number is there before the printer answers
    wait_until(lambda: screen(app, "ticket").slip == "failed")
    assert screen(app, "ticket").ids.slip.text == "Slip tidak bisa dicetak. Ingat nomor antrean Anda: 002."
    assert app.services.store.conn.execute("SELECT COUNT(*) FROM checkins").fetchone()[0] == 2
    assert len(printer_sim.interpreter.slips) == 1


def test_a_printer_out_of_paper_prints_nothing_and_says_so(printing_kiosk, printer_sim, applicants):
    printer_sim.paper_out = True
    check_in(printing_kiosk, applicants[0])
    wait_until(lambda: screen(printing_kiosk, "ticket").slip == "failed")
    assert "Ingat nomor antrean Anda: 001" in screen(printing_kiosk, "ticket").ids.slip.text
    step(20)
    assert printer_sim.interpreter.slips == []


def test_without_a_printer_the_ticket_asks_to_remember_the_number(kiosk, applicants):
    assert kiosk.printing is None
    check_in(kiosk, applicants[0])
    assert screen(kiosk, "ticket").ids.slip.text == "Ingat nomor antrean Anda: 001."


def rendered_pixels(widget):
    """What the widget draws, as a grey image (Kivy's own FBO export of the widget)."""
    texture = widget.export_as_image().texture
    rgba = np.frombuffer(texture.pixels, np.uint8).reshape(texture.height, texture.width, 4)
    return cv2.cvtColor(np.ascontiguousarray(rgba[::-1]), cv2.COLOR_RGBA2GRAY)


def test_the_help_screen_shows_a_whatsapp_qr_a_phone_can_read(kiosk, station_config):
    tap(screen(kiosk, "welcome").ids.help)
    help_screen = screen(kiosk, "help")
    assert station_config.helpdesk.whatsapp in help_screen.ids.contacts.text
    qr = help_screen.ids.qr
    pixels = rendered_pixels(qr)
    text, points, _ = cv2.QRCodeDetector().detectAndDecode(pixels)
    assert text == "https://wa.me/6281100000000"  # 0811-0000-0000 from the default config
    assert qr.side >= 200 and qr.side / qr.modules >= 5  # a few centimetres, 5+ pixels a module
    assert points is not None and cv2.contourArea(points.reshape(-1, 2)) >= 150 * 150
    assert help_screen.ids.qr_caption.text == "Pindai dengan HP Anda untuk chat WhatsApp dengan kami"


@pytest.mark.parametrize(("number", "link"), [("0811-0000-0000", "https://wa.me/6281100000000"),
                                              ("+62 812 3456 7890", "https://wa.me/6281234567890"),
                                              ("6281234567890", "https://wa.me/6281234567890"),
                                              ("812-3456-7890", "https://wa.me/6281234567890"),
                                              ("call us", ""), ("0811", "")])
def test_whatsapp_links(number, link):
    from kiosk.screens.help import whatsapp_link

    assert whatsapp_link(number) == link


def hold_write_lock(store):
    other = sqlite3.connect(store.db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_a_check_in_while_another_process_writes_waits_and_completes(kiosk, applicants):
    to_confirm(kiosk, applicants[0])
    tap(screen(kiosk, "confirm").ids.yes)
    type_digits(kiosk, "phone", "081234567890")
    other = hold_write_lock(kiosk.services.store)
    try:
        press_ok(kiosk, "phone")
        phone = screen(kiosk, "phone")
        for _ in range(10):  # the UI keeps running while the worker waits for the lock
            step(2)
            assert kiosk.root.current == "phone" and phone.busy and phone.ids.error.text == "Menyimpan…"
        language = next(w for w in phone.walk() if getattr(w, "text", "") == "English")
        tap(language)  # a touch is handled while the save waits
        assert phone.ids.error.text == "Saving…" and phone.ids.keypad.value == "081234567890"
    finally:
        other.execute("ROLLBACK")
        other.close()
    wait_until(lambda: kiosk.root.current == "ticket")
    assert screen(kiosk, "ticket").ids.number.text == "001"
    assert kiosk.services.store.conn.execute("SELECT COUNT(*) FROM checkins").fetchone()[0] == 1


@pytest.mark.parametrize("correction", [False, True])
def test_a_lock_held_past_the_timeout_asks_to_try_again_and_loses_nothing(kiosk, applicants, correction):
    store = kiosk.services.store
    to_confirm(kiosk, applicants[0])
    if correction:
        tap(screen(kiosk, "confirm").ids.no)
        tap(screen(kiosk, "correction").ids.name_mismatch)
    else:
        tap(screen(kiosk, "confirm").ids.yes)
    type_digits(kiosk, "phone", "081234567890")
    store.conn.execute("PRAGMA busy_timeout = 200")  # the kiosk waits 10 s; the test need not
    before = rows(store)
    other = hold_write_lock(store)
    try:
        press_ok(kiosk, "phone")
        phone = screen(kiosk, "phone")
        wait_until(lambda: not phone.busy)
        assert kiosk.root.current == "phone"
        assert phone.ids.error.text == "Mesin ini sedang sibuk sebentar. Data Anda aman, silakan tekan OK lagi."
        assert phone.ids.keypad.value == "081234567890"
        assert rows(store) == before  # nothing half-written
    finally:
        other.execute("ROLLBACK")
        other.close()
    press_ok(kiosk, "phone")
    wait_until(lambda: kiosk.root.current != "phone")
    assert kiosk.root.current == ("correction_sent" if correction else "ticket")
    state = store.conn.execute("SELECT state FROM records").fetchone()[0]
    assert state == ("correction_requested" if correction else "checked_in") and audit.verify(store.conn).ok
