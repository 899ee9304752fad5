"""Student self check-in on the kiosk, with real touches on the real screens over a real station store."""

import pytest

from kiosk.testing import overflowing_labels, settle, step, tap, wait_until
from tests.kiosk.kiosk_helpers import start_kiosk, stop_kiosk


@pytest.fixture
def kiosk(imported, station_config):
    app = start_kiosk(imported, station_config)
    yield app
    stop_kiosk(app)


def screen(app, name):
    return app.root.get_screen(name)


def type_digits(app, screen_name, digits):
    keypad = screen(app, screen_name).ids.keypad
    buttons = {child.text: child for child in keypad.children}
    for d in digits:
        tap(buttons[d])


def clear_keypad(app, screen_name):
    keypad = screen(app, screen_name).ids.keypad
    delete = next(c for c in keypad.children if c.text in ("Hapus", "Delete"))
    while keypad.value:
        tap(delete)


def press_ok(app, screen_name, settle_after=True):
    keypad = screen(app, screen_name).ids.keypad
    tap(next(c for c in keypad.children if c.text == "OK"), settle_after)


def test_a_whole_check_in_by_nik(kiosk, applicants):
    a = applicants[0]
    assert kiosk.root.current == "welcome"
    assert screen(kiosk, "welcome").ids.start.text == "Daftar dengan NIK saya"  # Bahasa Indonesia first
    tap(screen(kiosk, "welcome").ids.start)
    assert kiosk.root.current == "nik_entry"
    type_digits(kiosk, "nik_entry", a["nik"])
    press_ok(kiosk, "nik_entry")
    assert screen(kiosk, "nik_entry").step == "birth"
    y, m, d = a["birth_date"].split("-")
    assert screen(kiosk, "nik_entry").ids.keypad.value == d + m + y  # read from the NIK: only confirmed
    press_ok(kiosk, "nik_entry")
    wait_until(lambda: kiosk.root.current == "confirm")
    assert screen(kiosk, "confirm").ids.name.text == a["name"].split()[0] + " " + " ".join(
        f"{p[0]}." for p in a["name"].split()[1:])
    tap(screen(kiosk, "confirm").ids.yes)
    assert kiosk.root.current == "phone"
    type_digits(kiosk, "phone", "081234567890")
    press_ok(kiosk, "phone")
    wait_until(lambda: kiosk.root.current == "ticket")
    assert screen(kiosk, "ticket").ids.number.text == "001"
    row = kiosk.services.store.conn.execute("SELECT phone, method FROM checkins").fetchone()
    assert tuple(row) == ("+6281234567890", "nik")  # typed, so recorded as a NIK check-in
    tap(screen(kiosk, "ticket").ids.done)
    assert kiosk.root.current == "welcome"


@pytest.mark.parametrize(("digits", "message"), [("147101500509000", "16 angka"), ("9999995005090001",
                                                                                      "kode wilayah")])
def test_a_wrong_nik_is_explained_on_the_keypad_screen(kiosk, digits, message):
    tap(screen(kiosk, "welcome").ids.start)
    type_digits(kiosk, "nik_entry", digits)
    press_ok(kiosk, "nik_entry")
    assert screen(kiosk, "nik_entry").step == "nik"
    assert message in screen(kiosk, "nik_entry").ids.error.text


def test_impossible_birth_date_and_not_on_the_list(kiosk, applicants):
    a = applicants[0]
    tap(screen(kiosk, "welcome").ids.start)
    type_digits(kiosk, "nik_entry", a["nik"])
    press_ok(kiosk, "nik_entry")
    clear_keypad(kiosk, "nik_entry")
    type_digits(kiosk, "nik_entry", "31022009")
    press_ok(kiosk, "nik_entry")
    assert "tidak ada" in screen(kiosk, "nik_entry").ids.error.text
    clear_keypad(kiosk, "nik_entry")
    type_digits(kiosk, "nik_entry", "01012009")
    press_ok(kiosk, "nik_entry")
    wait_until(lambda: kiosk.root.current == "problem")
    assert "tidak cocok" in screen(kiosk, "problem").ids.message.text


def test_language_switch_mid_flow_keeps_what_was_typed(kiosk, applicants):
    tap(screen(kiosk, "welcome").ids.start)
    type_digits(kiosk, "nik_entry", "1471")
    kiosk.toggle_language()
    step(3)
    assert screen(kiosk, "nik_entry").ids.keypad.value == "1471"
    assert "Type your NIK" in [w.text for w in screen(kiosk, "nik_entry").walk() if hasattr(w, "text")]
    assert not overflowing_labels(kiosk.root)


def test_a_bad_phone_is_refused_and_double_taps_check_in_once(kiosk, applicants):
    a = applicants[1]
    tap(screen(kiosk, "welcome").ids.start)
    type_digits(kiosk, "nik_entry", a["nik"])
    press_ok(kiosk, "nik_entry")
    y, m, d = a["birth_date"].split("-")
    type_digits(kiosk, "nik_entry", d + m + y)
    press_ok(kiosk, "nik_entry")
    wait_until(lambda: kiosk.root.current == "confirm")
    tap(screen(kiosk, "confirm").ids.yes)
    type_digits(kiosk, "phone", "0761123456")  # a Pekanbaru landline
    press_ok(kiosk, "phone")
    assert "bukan nomor HP" in screen(kiosk, "phone").ids.error.text
    keypad = screen(kiosk, "phone").ids.keypad
    keypad.value = "+6281298765432".replace("+", "")
    press_ok(kiosk, "phone", settle_after=False)
    press_ok(kiosk, "phone", settle_after=False)  # a double tap: lands while saving, or on the next screen
    wait_until(lambda: kiosk.root.current != "phone")
    assert kiosk.root.current == "ticket", (kiosk.flow.problem_code, screen(kiosk, "phone").ids.error.text)
    assert kiosk.services.store.conn.execute("SELECT count(*) FROM checkins").fetchone()[0] == 1


def test_a_student_withdrawn_earlier_is_sent_to_the_team(kiosk, imported, applicants):
    from station.checkin import check_in_by_application
    from station.identity_check import withdraw
    from station.queue import call_next

    a = applicants[0]
    check_in_by_application(imported, a["application_id"], a["phone"])
    withdraw(imported, call_next(imported, "OP-02").record_id, "OP-02", "walked_out")
    tap(screen(kiosk, "welcome").ids.start)
    type_digits(kiosk, "nik_entry", a["nik"])
    press_ok(kiosk, "nik_entry")
    d = a["birth_date"]
    type_digits(kiosk, "nik_entry", d[8:10] + d[5:7] + d[:4])
    press_ok(kiosk, "nik_entry")
    wait_until(lambda: kiosk.root.current == "problem")
    assert "dihentikan" in screen(kiosk, "problem").ids.message.text  # not "wait to be called"


def test_the_number_on_the_list_is_offered_by_its_last_digits_only(kiosk, applicants):
    a = next(x for x in applicants if x.get("phone"))
    tap(screen(kiosk, "welcome").ids.start)
    type_digits(kiosk, "nik_entry", a["nik"])
    press_ok(kiosk, "nik_entry")
    press_ok(kiosk, "nik_entry")  # the birth date from the NIK, confirmed
    wait_until(lambda: kiosk.root.current == "confirm")
    tap(screen(kiosk, "confirm").ids.yes)
    button = screen(kiosk, "phone").ids.use_listed
    digits = "".join(ch for ch in a["phone"] if ch.isdigit())
    assert digits[-4:] in button.text and digits[:-4] not in button.text and button.opacity == 1
    tap(button)
    wait_until(lambda: kiosk.root.current == "ticket")
    stored = kiosk.services.store.conn.execute("SELECT phone FROM checkins").fetchone()[0]
    assert stored.endswith(digits[-9:])  # the list's own number, normalised


def test_a_student_screen_left_alone_goes_back_to_welcome_with_nothing_kept(kiosk, applicants):
    clock = [1000.0]
    kiosk.idle.set_clock(lambda: clock[0])
    tap(screen(kiosk, "welcome").ids.start)
    type_digits(kiosk, "nik_entry", applicants[0]["nik"][:10])
    clock[0] += 25
    step(3)
    assert kiosk.root.current == "nik_entry"  # not yet
    type_digits(kiosk, "nik_entry", applicants[0]["nik"][10:])  # a touch starts the 30 s again
    clock[0] += 25
    step(3)
    assert kiosk.root.current == "nik_entry"
    clock[0] += 10
    settle()  # past the touch guard of the screen change
    assert kiosk.root.current == "welcome" and kiosk.flow.nik == ""
    tap(screen(kiosk, "welcome").ids.start)
    assert screen(kiosk, "nik_entry").ids.keypad.value == ""  # the next student sees nothing of the last one
