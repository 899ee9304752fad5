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
