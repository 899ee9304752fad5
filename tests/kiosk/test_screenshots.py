"""The docs' kiosk screenshots: every state shows what its name claims (sinopsis/screenshot_claims.py, checked on
the live widgets before a picture is saved), renders (not blank), no label's text overflows, no touch target is
small (kiosk.testing.small_targets). The test renders each state once per size, one language at each (the
small layout in Bahasa Indonesia, whose words run longest; the large one in English); `sinopsis kiosk
screenshots` renders all four and refuses the same way."""

from pathlib import Path

import cv2

from kiosk.testing import popups_opened, settle, step, wait_until
from sinopsis.screenshot_claims import CLAIMS, problems
from sinopsis.screenshot_states import states
from sinopsis.screenshots import render_everything
from station.checkin import check_in_by_application
from station.queue import call_next
from tests.kiosk.kiosk_helpers import start_kiosk, stop_kiosk

PLAN = {(800, 480): ("id",), (1280, 800): ("en",)}


def test_every_state_is_shown_as_claimed_renders_and_nothing_overflows_or_is_small(tmp_path):
    stems = [stem for stem, *_ in states()]
    assert sorted(stems) == sorted(CLAIMS), "every screenshot states what it shows, and only those"
    results = render_everything(tmp_path, PLAN)
    assert len(results) == len(PLAN) * len(stems)
    wrong = {png: labels for png, labels in results.items() if labels}
    assert not wrong
    for png in results:
        image = cv2.imread(png)
        width, height = (int(v) for v in png.rsplit("/", 1)[1].split("-")[0].split("x"))
        assert image.shape[:2] == (height, width), png
        assert image.std() > 10, f"{png} looks blank"
        assert (image < 80).mean() > 0.002, f"{png} has (almost) no dark text"
        assert Path(png).stat().st_mode & 0o777 == 0o600, f"{png}: a kiosk screenshot can show a student: 0600"


def test_a_claim_reads_the_window_an_empty_board_is_not_a_queue_board(imported, station_config, applicants):
    app = start_kiosk(imported, station_config)
    try:
        app.go("board")
        settle(5)
        wrong = problems("queue-board", app)
        assert any("serving" in p for p in wrong) and any("next" in p for p in wrong), wrong
        assert problems("review", app) == ["review: the screen shown is board, not review"]
        for a in applicants[:3]:
            check_in_by_application(imported, a["application_id"], a["phone"])
        call_next(imported, "OP-01")
        board = app.root.get_screen("board")
        board.refresh()  # what its 2 s refresh does
        wait_until(lambda: not problems("queue-board", app))
        assert board.ids.serving.text == "001" and board.ids.next.text.splitlines()[0].startswith("002")
    finally:
        stop_kiosk(app)


def test_a_picture_waits_until_a_popup_has_faded_in():
    """A popup's dimmed screen fades in over Kivy's clock: the screenshot flow waits for it, and says so when it
    never finishes rather than saving a picture caught part way."""
    from kivy.uix.modalview import ModalView

    view = ModalView()
    view.open()
    try:
        assert not popups_opened(timeout_s=0)  # just opened: still fading in
        assert popups_opened()
        assert view._anim_alpha == 1.0
    finally:
        view.dismiss(animation=False)
        step(2)
