"""The operator in control (issue 20.4), by real touches over a real store and the simulated ESC/POS printer on a
pty: wrong PINs from the welcome screen (where students are) never lock an operator out and the team leader
unlocks with their PIN; the printer's paper-out is on the status bar from the printer's own status bytes; a failed
slip is red with "Cetak ulang" and prints on the next try; any slip of the day is printed again from the end-of-day
screen, audited."""

import pytest

from drivers.printer import ReceiptPrinter
from kiosk import palette
from kiosk.testing import settle, tap, wait_until
from native.vendor import apply_sim_script
from station.checkin import check_in_by_application
from tests.kiosk.capture_kit import log_in_and_call, popup, recording_factory, screen
from tests.kiosk.kiosk_helpers import start_kiosk, stop_kiosk
from tests.kiosk.test_operator_screens import log_in, type_pin
from tests.station.test_day_summary import captures_with_exceptions


@pytest.fixture
def kiosk(imported, station_config, applicants, sealer, printer_sim):
    apply_sim_script(None)
    for a in applicants[:2]:
        check_in_by_application(imported, a["application_id"], a["phone"])
    app = start_kiosk(imported, station_config, printer=ReceiptPrinter(printer_sim.path, write_timeout_s=1))
    app.make_recording = recording_factory(sealer)
    yield app
    if app.recording is not None:
        app.recording.close()
    stop_kiosk(app)


def reprints(store):
    return [tuple(r) for r in store.conn.execute(
        "SELECT actor, record_id, json_extract(details, '$.first_failed') FROM audit WHERE action = "
        "'slip.reprinted' ORDER BY id")]


def test_wrong_pins_from_the_student_side_never_lock_and_the_team_leader_unlocks(kiosk, imported, station_config):
    session = station_config.session.model_copy(update={"pin_max_attempts": 3})  # the fewest station.toml allows
    kiosk.services.config = station_config.model_copy(update={"session": session})
    login = screen(kiosk, "operator_login")
    log_in(kiosk, "OP-02", "0000")  # the welcome screen's Operator button: anybody at the kiosk can do this
    for _ in range(session.pin_max_attempts - 1):
        wait_until(lambda: not login.busy and login.error)
        type_pin(kiosk, "0000")
    wait_until(lambda: login.can_unlock)
    assert login.error == "Too many wrong PINs on this screen. Wait 30 seconds and try again, or ask the team " \
                          "leader to unlock." and "Tunggu 30 detik" in login.ids.error.text
    screens = {r[0] for r in imported.conn.execute(
        "SELECT json_extract(details, '$.screen') FROM audit WHERE action = 'operator.login_failed'")}
    assert screens == {"shared"}  # nothing counted toward a lockout (station tests: the console's would)
    assert login.ids.back.opacity == 1 and not login.ids.back.disabled  # check-in stays open: Back to welcome

    tap(login.ids.unlock)
    assert login.ids.title.text == "PIN ketua tim" and "Yuliana Sari" in login.ids.hint.text
    type_pin(kiosk, "246810")
    wait_until(lambda: not login.supervisor)
    assert login.ids.error.text.startswith("Dibuka oleh") and list(login.ids.error.color) == list(palette.SUCCESS)
    type_pin(kiosk, "135790")
    wait_until(lambda: kiosk.root.current == "operator_queue")
    unlocked = imported.conn.execute("SELECT actor, details FROM audit WHERE action = 'operator.unlocked'").fetchall()
    assert [tuple(r) for r in unlocked] == [("OP-01", '{"operator":"OP-02"}')]


def test_paper_out_shown_failed_slips_printed_again_and_any_slip_of_the_day(kiosk, imported, applicants,
                                                                            printer_sim):
    printer_sim.paper_out = True
    # a student checks in (the check-in's touches are tests/kiosk/test_checkin_*): their ticket is shown
    third = check_in_by_application(imported, applicants[2]["application_id"], applicants[2]["phone"])
    screen(kiosk, "phone").checked_in(third)
    ticket = screen(kiosk, "ticket")
    wait_until(lambda: ticket.slip == "failed")
    assert list(ticket.ids.slip.color) == list(palette.ERROR) and ticket.ids.print_again.opacity == 1
    assert ticket.ids.print_again.text == "Cetak ulang" and printer_sim.interpreter.slips == []
    printer_sim.paper_out = False
    tap(ticket.ids.print_again)
    wait_until(lambda: ticket.slip == "printed")
    assert ("003", 4, "centre", True) in printer_sim.wait_for_slips(1)[0].lines
    wait_until(lambda: reprints(imported) == [("kiosk", third.record_id, 1)])
    tap(ticket.ids.done)

    printer_sim.paper_out = True  # the roll runs out: the operator's status bar says so, from the printer's bytes
    identity = log_in_and_call(kiosk)
    bar = identity.ids.status
    wait_until(lambda: bar.ids.printer.text == "Printer: kertas habis")
    assert list(bar.ids.printer.color) == list(palette.ERROR)
    tap(identity.ids.confirm)
    # the captures themselves are the capture screen's tests: here the record's results are put in place
    kiosk.recording.engine.results.update({c.position: c for c in captures_with_exceptions()})
    kiosk.go("review")
    review = screen(kiosk, "review")
    wait_until(lambda: len(review.ids.grid.children) > 0)
    tap(review.ids.save)
    wait_until(lambda: review.saved and review.printed == "failed", timeout_s=30)
    assert list(review.ids.hint.color) == list(palette.ERROR) and "tidak tercetak" in review.ids.hint.text
    assert review.ids.print_again.opacity == 1 and review.ids.print_again.text == "Cetak ulang"
    printer_sim.paper_out = False
    tap(review.ids.print_again)
    wait_until(lambda: review.printed == "printed")
    sealed = kiosk.recording.sealed
    first = printer_sim.wait_for_slips(2)[1]
    assert sealed.receipt_number in first.text().replace("\n  ", " ") and first.qrs == [sealed.slip_qr]
    assert list(review.ids.hint.color) == list(palette.SUCCESS) and review.ids.print_again.opacity == 0
    wait_until(lambda: reprints(imported)[1:] == [("OP-02", sealed.record_id, 1)])

    kiosk.end_recording()
    settle()
    tap(screen(kiosk, "operator_queue").ids.end_of_day)
    tap(screen(kiosk, "day_summary").ids.reprint)
    wait_until(lambda: popup() is not None and len(popup().ids.slips.children) == 3)
    rows = {item.row.queue_number: item for item in popup().ids.slips.children}
    assert [rows[n].row.kind for n in (1, 2, 3)] == ["acknowledgement", "queue", "queue"]
    assert sealed.receipt_number in rows[1].text
    tap(rows[1].ids.again)
    wait_until(lambda: rows[1].state == "printed")
    copy = printer_sim.wait_for_slips(3)[2]
    assert copy.text() == first.text() and copy.qrs == [sealed.slip_qr]  # the same slip, the same signed QR
    wait_until(lambda: len(reprints(imported)) == 3)
    assert reprints(imported)[2] == ("OP-02", sealed.record_id, 0)
    tap(popup().ids.close)
