"""The operator's side of the kiosk: login with the team PIN, the queue, call next / not here, the board."""

import pytest

from kiosk.testing import step, tap, wait_until
from station.checkin import check_in_by_application
from tests.kiosk.kiosk_helpers import start_kiosk, stop_kiosk


@pytest.fixture
def kiosk(imported, station_config, applicants):
    for a in applicants[:3]:
        check_in_by_application(imported, a["application_id"], a["phone"])
    app = start_kiosk(imported, station_config)
    yield app
    stop_kiosk(app)


def screen(app, name):
    return app.root.get_screen(name)


def type_pin(app, pin):
    keypad = screen(app, "operator_login").ids.keypad
    buttons = {c.text: c for c in keypad.children}
    for d in pin:
        tap(buttons[d])
    tap(buttons["OK"])


def log_in(app, operator_id, pin):
    tap(screen(app, "welcome").ids.operator)
    wait_until(lambda: len(screen(app, "operator_login").ids.team.children) == 2)
    member = next(b for b in screen(app, "operator_login").ids.team.children if operator_id in b.text)
    tap(member)
    type_pin(app, pin)


def test_wrong_pin_then_login_then_call_next_and_not_here(kiosk):
    log_in(kiosk, "OP-02", "000000")
    wait_until(lambda: screen(kiosk, "operator_login").ids.error.text != "")
    assert "PIN salah" in screen(kiosk, "operator_login").ids.error.text
    type_pin(kiosk, "135790")
    wait_until(lambda: kiosk.root.current == "operator_queue")
    queue = screen(kiosk, "operator_queue")
    wait_until(lambda: len(queue.waiting) == 3)
    assert "Menunggu: 3" in queue.ids.waiting.text
    tap(queue.ids.call_next)
    wait_until(lambda: queue.current is not None and len(queue.waiting) == 2)
    assert queue.ids.current.text.startswith("001")
    tap(queue.ids.not_here)
    wait_until(lambda: queue.current is None and len(queue.waiting) == 2)  # number 1 is passed over
    tap(queue.ids.call_next)
    wait_until(lambda: queue.current is not None)
    assert queue.current.queue_number == 2  # the absent student is passed over, keeps number 1
    tap(queue.ids.logout)
    assert kiosk.root.current == "welcome" and kiosk.operator is None


def test_the_public_board_shows_numbers_and_masked_names(kiosk, applicants):
    from station.queue import call_next

    call_next(kiosk.services.store, "OP-01")
    tap(screen(kiosk, "welcome").ids.board)
    board = screen(kiosk, "board")
    wait_until(lambda: board.serving and len(board.waiting) == 2)
    step(3)
    assert board.ids.serving.text == "001"
    full_names = [a["name"] for a in applicants[1:3]]
    assert not any(name in board.ids.next.text for name in full_names if " " in name)
    assert "002" in board.ids.next.text


def test_passed_over_students_are_called_back_and_the_board_stays_right(kiosk):
    log_in(kiosk, "OP-02", "135790")
    queue = screen(kiosk, "operator_queue")
    wait_until(lambda: kiosk.root.current == "operator_queue" and len(queue.waiting) == 3)
    for _ in range(2):  # numbers 1 and 2 are called and do not come
        tap(queue.ids.call_next)
        wait_until(lambda: queue.current is not None)
        tap(queue.ids.not_here)
        wait_until(lambda: queue.current is None)
    wait_until(lambda: len(queue.ids.passed_box.children) == 2)
    buttons = sorted(queue.ids.passed_box.children, key=lambda b: b.text)
    assert [b.text[:3] for b in buttons] == ["001", "002"] and queue.ids.passed_label.text.startswith("Tidak hadir")
    assert queue.ids.waiting.text == "Menunggu: 1   003"
    tap(queue.ids.call_next)
    wait_until(lambda: queue.current is not None)
    assert queue.current.queue_number == 3 and all(b.disabled for b in queue.ids.passed_box.children)
    tap(queue.ids.not_here)
    wait_until(lambda: len(queue.ids.passed_box.children) == 3 and not queue.ids.passed_box.children[0].disabled)
    tap(next(b for b in queue.ids.passed_box.children if b.text.startswith("001")))
    wait_until(lambda: queue.current is not None)
    assert queue.current.queue_number == 1 and queue.ids.current.text.startswith("001")
    wait_until(lambda: len(queue.passed) == 2)
    actions = [r[0] for r in kiosk.services.store.conn.execute(
        "SELECT action FROM audit WHERE action LIKE 'queue.%' ORDER BY id")]
    assert actions[-1] == "queue.recalled" and actions.count("queue.skipped") == 3
    tap(screen(kiosk, "operator_queue").ids.logout)
    tap(screen(kiosk, "welcome").ids.board)  # the public board: the session ended, so the recalled student (not
    board = screen(kiosk, "board")          # recorded yet) and the ones this operator passed over wait again
    wait_until(lambda: not board.serving and len(board.waiting) == 3)
    assert all(n in board.ids.next.text for n in ("001", "002", "003"))


def test_end_of_day_summary_after_a_day(kiosk, imported, applicants, sealer):
    from tests.station.test_day_summary import a_day

    a_day(imported, applicants, sealer)  # 5 check-ins, 1 saved record, 1 withdrawal, 1 correction, 1 passed over
    log_in(kiosk, "OP-01", "246810")
    wait_until(lambda: kiosk.root.current == "operator_queue")
    tap(screen(kiosk, "operator_queue").ids.end_of_day)
    summary = screen(kiosk, "day_summary")
    wait_until(lambda: kiosk.root.current == "day_summary" and summary.summary is not None)
    rows = {row.ids.name_label.text: row.ids.value_label.text for row in summary.ids.count_rows.children}
    assert rows["Ada di daftar"] == "24" and rows["Sudah mendaftar"] == "5" and rows["Sudah direkam"] == "1"
    assert rows["Masih menunggu"] == "2" and rows["Sedang direkam"] == "0"
    assert rows["Belum terkirim ke HQ"] == "[color=bf1a1a]1[/color]"  # red: HQ does not have it yet
    assert "mnt" in rows["Yang tertua sudah menunggu"]
    details = summary.ids.details.text
    assert "Dibatalkan:[/b] Menolak direkam 1" in details and "Data KK berbeda 1" in details
    assert "Pengecualian sidik jari:[/b] Cedera atau diperban 1" in details
    assert "Diterima di bawah ambang:[/b] 1" in details
    assert "Yuliana Sari: dipanggil 2, direkam 1, batal 0, perbaikan 1" in details
    assert "menyala" in summary.ids.advice.text  # a record is not at HQ yet: keep the kit on
    wait_until(lambda: summary.ids.status.status is not None)  # the status bar is on this screen too
    tap(summary.ids.back)
    assert kiosk.root.current == "operator_queue"
