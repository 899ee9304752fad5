"""The kiosk tour of `sinopsis demo`: the real kiosk, offscreen, over the demo station and its simulated kit,
driven by real touches — a student checks in (NIK, birth date, phone → queue number), an operator logs in,
calls them and captures the whole record up to "Tersimpan" — with a screenshot of every step.

Kivy makes one window per process, so the demo runs this as `python -m sinopsis.demo_kiosk DEMO_DIR`; the window
size is set before Kivy makes its window. The touch helpers here are shared with sinopsis/bench_ui.py.
"""

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from contract.durable import private_dir
from sinopsis.signals import stop_on_signals

SIZE = (1280, 800)  # the kit's 10" panel
# Frames a second for the tour: unthrottled (0). Offscreen nobody watches, and its waits are counted in frames (the
# touch guard, settling) or bounded in seconds (kiosk/testing.py), so `sinopsis demo` is as quick as the frames
# are drawn; the kiosk itself runs at Kivy's 60.
TOUR_FPS = 0


def offscreen(width: int, height: int, maxfps: int | None = None, render_threads: bool = False) -> None:
    """Before Kivy is imported: an offscreen window of width x height, Kivy's settings in a temporary folder.

    Offscreen on a machine without a GPU, Mesa's llvmpipe draws, and by default it starts a drawing thread per core
    that keeps spinning between frames. For renders nobody watches (the demo's tour, screenshots) one thread draws
    in the caller instead (LP_NUM_THREADS=0, unless the environment says otherwise): measured on a kiosk test, 15.5
    -> 8.9 s of CPU and no slower. `render_threads=True` keeps Mesa's default (the UI bench measures frames)."""
    os.environ["SDL_VIDEODRIVER"] = "offscreen"
    if not render_threads:
        os.environ.setdefault("LP_NUM_THREADS", "0")
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    from kivy.config import Config

    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    if maxfps is not None:
        Config.set("graphics", "maxfps", str(maxfps))


# -- touches ---------------------------------------------------------------------------------------------------
def screen(app: Any, name: str) -> Any:
    return app.root.get_screen(name)


def keypad_key(app: Any, screen_name: str, text: str) -> Any:
    """The on-screen keypad's key labelled `text` on `screen_name`."""
    return next(c for c in screen(app, screen_name).ids.keypad.children if c.text == text)


def type_digits(app: Any, screen_name: str, digits: str, by_touch: bool = True) -> None:
    """Type `digits` on the screen's keypad, key by key; `by_touch=False` sets them at once (the bench, which
    times what follows, not the typing)."""
    from kiosk.testing import step, tap

    if not by_touch:
        screen(app, screen_name).ids.keypad.value = digits
        step(2)
        return
    for digit in digits:
        tap(keypad_key(app, screen_name, digit))


def check_in_up_to_phone(app: Any, nik: str, birth_date: str, shot: Callable[[str], None] = lambda _n: None,
                         by_touch: bool = True) -> None:
    """From the welcome screen: NIK, birth date (YYYY-MM-DD), confirm the name; ends on the phone screen with
    nothing typed. `shot(name)` is called at each screen worth a picture."""
    from kiosk.testing import tap, wait_until

    shot("welcome")
    tap(screen(app, "welcome").ids.start)
    type_digits(app, "nik_entry", nik, by_touch)
    shot("nik")
    tap(keypad_key(app, "nik_entry", "OK"))
    y, m, d = birth_date.split("-")
    type_digits(app, "nik_entry", d + m + y, by_touch)
    shot("birth-date")
    tap(keypad_key(app, "nik_entry", "OK"))
    wait_until(lambda: app.root.current in ("confirm", "problem"))
    if app.root.current != "confirm":
        raise RuntimeError(f"check-in refused: {app.flow.problem_code}")
    shot("confirm")
    tap(screen(app, "confirm").ids.yes)


def log_in(app: Any, operator_id: str, pin: str, shot: Callable[[str], None] = lambda _n: None,
           by_touch: bool = True) -> None:
    """From the welcome screen to the operator's queue."""
    from kiosk.testing import tap, wait_until

    tap(screen(app, "welcome").ids.operator)
    login = screen(app, "operator_login")
    wait_until(lambda: any(operator_id in b.text for b in login.ids.team.children))
    tap(next(b for b in login.ids.team.children if operator_id in b.text))
    type_digits(app, "operator_login", pin, by_touch)
    shot("operator-login")
    tap(keypad_key(app, "operator_login", "OK"))
    wait_until(lambda: app.root.current == "operator_queue")


def call_and_start(app: Any, shot: Callable[[str], None] = lambda _n: None) -> Any:
    """On the queue: call the next student, start recording, confirm the identity; ends on the capture screen."""
    from kiosk.testing import tap, wait_until

    queue = screen(app, "operator_queue")
    tap(queue.ids.call_next)
    wait_until(lambda: queue.current is not None)
    shot("operator-queue")
    tap(queue.ids.record)
    identity = screen(app, "identity")
    wait_until(lambda: identity.details is not None)
    shot("identity")
    tap(identity.ids.confirm)
    return screen(app, "capture")


def capture_everything(app: Any, shot: Callable[..., None] = lambda _n, _f=4: None) -> str:
    """On the capture screen: every position in order (the kit's pad signs), then save on the review;
    returns the receipt number once "Tersimpan" is shown."""
    from kivy.base import EventLoop

    from kiosk.testing import tap, wait_until

    capture = screen(app, "capture")
    shown = {"face": "face", "signature": "signature", "left_index": "fingers", "right_iris": "iris"}
    while app.root.current == "capture" and capture.position:
        position = capture.position
        tap(capture.ids.start)
        if position == "face":  # the live preview with its score, caught before the face is taken
            for _ in range(3000):
                if capture.score >= 0 or capture.position != "face":
                    break
                EventLoop.idle()
            shot("face", 0)
        wait_until(lambda p=position: capture.position != p or capture.below or app.root.current != "capture",
                   timeout_s=100)
        if capture.below:
            raise RuntimeError(f"{position} stayed below its threshold ({capture.state})")
        if capture.position in shown:
            shot(shown[capture.position])
    review = screen(app, "review")
    wait_until(lambda: review.tiles or len(review.ids.grid.children) > 0 or review.message)
    shot("review")
    tap(review.ids.save)
    wait_until(lambda: review.saved or review.message, timeout_s=50)
    if not review.saved:
        raise RuntimeError(f"saving failed: {review.message}")
    wait_until(lambda: review.printed not in ("", "printing") or getattr(app, "printing", None) is None)
    shot("saved")
    return review.saved


# -- the tour --------------------------------------------------------------------------------------------------
def wait_for_slips(kit: Any, count: int) -> int:
    """How many slips the kit's simulated printer rendered, once `count` are (0 without a simulated printer)."""
    from drivers.printer_sim import SimulatedPrinter

    printer = next((s for s in kit.simulators if isinstance(s, SimulatedPrinter)), None)
    return 0 if printer is None else len(printer.wait_for_slips(count))


def next_student(store: Any) -> tuple[str, str, str, str]:
    """(name, NIK, birth date, phone) of the first applicant who has not checked in yet."""
    row = store.conn.execute(
        "SELECT a.name, a.nik, a.birth_date FROM applicants a LEFT JOIN checkins c ON c.applicant_ref = a.id "
        "WHERE c.id IS NULL ORDER BY a.id LIMIT 1").fetchone()
    if row is None:
        raise RuntimeError("every applicant has checked in already")
    return row[0], row[1], row[2], "081234567890"


def tour(root: Path, out: Path, say: Callable[[str], None] = print) -> None:
    """The whole tour over the demo station in `root` (already made by `sinopsis demo`); PNGs into `out`."""
    from kivy.core.window import Window

    from kiosk.testing import screenshot, settle, tap, wait_until
    from sinopsis.demo_data import TEAM, DemoPaths
    from sinopsis.kiosk_wiring import kiosk_app, release_kiosk, wire_kiosk
    from station.config import load_config
    from station.store import StationStore

    private_dir(out, tighten=False)  # screenshots of students: 0700 when made here, each file 0600
    for old in out.glob("[0-9][0-9]-*.png"):
        old.unlink()
    config = load_config(DemoPaths(root).station_config)
    count = 0

    def shot(name: str, frames: int = 4) -> None:
        nonlocal count
        count += 1
        settle(frames)
        screenshot(out / f"{count:02d}-{name}.png")

    with StationStore(config.station.data_dir) as store:
        wiring = wire_kiosk(store, config, out / "slips")
        app = kiosk_app(store, config, wiring)
        Window.size = SIZE
        app._run_prepare()
        settle()
        try:
            name, nik, birth_date, phone = next_student(store)
            check_in_up_to_phone(app, nik, birth_date, shot)
            type_digits(app, "phone", phone)
            shot("phone")
            tap(keypad_key(app, "phone", "OK"))
            wait_until(lambda: app.root.current == "ticket")
            ticket = screen(app, "ticket")
            wait_until(lambda: getattr(ticket, "slip", "") != "printing")  # the queue slip, on the simulated printer
            number = ticket.ids.number.text
            shot("ticket")
            say(f"   {name} checked in by touch (NIK, birth date {birth_date}, phone): queue number {number}")
            tap(screen(app, "ticket").ids.done)
            operator_id, operator_name, _role, pin = TEAM[1]
            log_in(app, operator_id, pin, shot)
            call_and_start(app, shot)
            receipt = capture_everything(app, shot)
            say(f"   {operator_name} ({operator_id}) logged in, called number {number} and captured face, signature "
                f"(simulated pad), ten fingers and both irises: Tersimpan, receipt {receipt}")
            tap(screen(app, "review").ids.save)  # done: back to the queue
            shot("queue-after")
            slips = wait_for_slips(wiring.kit, 2)
            if slips:
                say(f"   queue slip and acknowledgement printed on the simulated printer: {out / 'slips'}/"
                    f"slip-001.png, slip-{slips:03d}.png")
        finally:
            release_kiosk(app, stopped=False)
            wiring.close()
    say(f"   {count} screenshots: {out}/01-welcome.png … {count:02d}-queue-after.png")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sinopsis.demo_kiosk", description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="the demo folder `sinopsis demo` made")
    parser.add_argument("--out", type=Path, default=None, help="screenshots folder (default: ROOT/kiosk)")
    args = parser.parse_args(argv)
    offscreen(*SIZE, maxfps=TOUR_FPS)
    with stop_on_signals():  # stopped with the demo: the kit's simulators and threads close in tour's finally
        tour(args.root, args.out or args.root / "kiosk", lambda line: print(line, flush=True))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
