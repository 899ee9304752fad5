"""Screenshots of every kiosk screen, in both languages, at both supported sizes (800×480 and 1280×800).

`sinopsis kiosk screenshots` regenerates docs/screenshots/. Each state is made the way the kiosk gets there (the
station's own queue, a real recording over the simulated kit, the screen's own methods), and before its picture
is saved the live widget tree must show what the name claims (sinopsis/screenshot_claims.py): a state that does
not is not saved and is reported, as are labels whose text overflows, small touch targets and stencil lines. One
process per window size: SDL's offscreen window cannot be resized once created, so `python -m sinopsis.screenshots
WIDTHxHEIGHT OUT [LANGS]` sets the size before Kivy makes its window, and prints {png: [problems]} as JSON.
"""

import dataclasses
import datetime as dt
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from contract.durable import private_dir
from kiosk.i18n import LANGUAGES
from kiosk.screens.flow import CheckInFlow  # no Kivy import: the window size is set first
from sinopsis.screenshots_station import kit_printer_and_scanner, queue_day, recording
from sinopsis.signals import run_child, stop_on_signals
from station.checkin import CheckIn, Identity

SIZES = ((800, 480), (1280, 800))
IDENTITY = Identity("PMH-2026-000001", "Siti R. P.", "SMA Negeri 1 Pekanbaru", "…7890", "new", None)


def states() -> Iterator[tuple[str, str, CheckInFlow, dict]]:
    """(file stem, screen, flow, screen attributes) for every state worth a screenshot; what each must show is in
    sinopsis/screenshot_claims.py. `_prepare(app)` runs before the screen is shown, `_after(app, screen)` once it
    is, `_cleanup(app)` after the picture."""
    yield "welcome", "welcome", CheckInFlow(), {}
    yield "nik", "nik_entry", CheckInFlow(), {"_after": typed("1471015005")}
    yield "nik-error", "nik_entry", CheckInFlow(), {"_after": typed("147101500509000", ok=True)}
    yield "birth-date", "nik_entry", CheckInFlow(), {"_after": typed("1471015005090001", ok=True)}  # from the NIK
    yield "confirm", "confirm", CheckInFlow(identity=IDENTITY), {}
    yield "phone", "phone", CheckInFlow(identity=IDENTITY), {"keypad": "08123456", "error": ""}
    yield "phone-error", "phone", CheckInFlow(identity=IDENTITY), {
        "keypad": "0761123456", "error": "That is not a mobile number. Type a mobile number such as 0812 3456 7890."}
    yield "ticket", "ticket", CheckInFlow(identity=IDENTITY, ticket=CheckIn(42, "rec", "Siti R. P.", False)), {
        "slip": ""}  # a kit without a printer
    yield "not-on-list", "problem", CheckInFlow(problem="default", problem_code="checkin.not_on_list"), {}
    yield "already-recorded", "problem", CheckInFlow(identity=IDENTITY, problem="recorded"), {}
    queued = Identity(IDENTITY.application_id, IDENTITY.display_name, IDENTITY.school, IDENTITY.phone_hint,
                      "in_queue", 7)
    yield "already-in-queue", "problem", CheckInFlow(identity=queued, problem="in_queue"), {}
    yield "mismatch", "problem", CheckInFlow(identity=IDENTITY, problem="mismatch"), {}
    yield "help", "help", CheckInFlow(), {}
    # the board and the queue read the station's queue (sinopsis/screenshots_station.py): nothing is set on them
    yield "queue-board", "board", CheckInFlow(), {"_prepare": queue_day}
    yield "checkin-board", "board", CheckInFlow(), {"_prepare": as_role("checkin"), "_cleanup": as_role("all")}
    yield "operator-login", "operator_login", CheckInFlow(), {"_after": chose("OP-02", "1357")}
    yield "operator-login-leader", "operator_login", CheckInFlow(), {"_after": chose("OP-02", "", "auth.wait")}
    yield "operator-queue", "operator_queue", CheckInFlow(), {"_after": serving_called}
    from sinopsis.screenshots_capture import capture_states

    yield from capture_states()  # they record the student being served
    yield from operator_day_states()
    yield from checkin_extras_states()


def typed(digits: str, ok: bool = False) -> Any:
    """_after for the NIK keypad: `digits` typed from a fresh start, then OK pressed when `ok` (the screen's own
    check answers: an error, or the birth date taken from the NIK)."""
    def after(_app: object, screen: Any) -> None:
        screen.begin()
        screen.ids.keypad.value = digits
        if ok:
            screen.ok()
    return after


def serving_called(app: Any, screen: Any) -> None:
    """_after for the operator's queue: the operator has just called the student being served (call next's answer
    sets `current` so)."""
    screen.current = queue_day(app)


def as_role(role: str) -> Any:
    """_prepare/_cleanup: the kiosk as the display of `role` (checkin: the two-display kit's student display)."""
    def switch(app: Any) -> None:
        app.role = role
    return switch


def chose(operator_id: str, pin: str, refusal: str = "") -> Any:
    """_after for the login: `operator_id` chosen, `pin` typed; with `refusal`, the station's answer to wrong PINs
    (auth.wait: the 30 s wait on a display students use, with the team leader's unlock offered)."""
    def after(_app: object, screen: Any) -> None:
        screen.choose(operator_id)
        screen.ids.keypad.value = pin
        if refusal:
            from contract.errors import SinopsisError

            screen._failed(SinopsisError("too many wrong PINs", code=refusal))
    return after


def checkin_extras_states() -> Iterator[tuple[str, str, CheckInFlow, dict]]:
    """The correction request (reason, phone, the final screen), the queue slip's states, the database busy."""
    from station.corrections import CorrectionRequest

    yield "correction", "correction", CheckInFlow(identity=IDENTITY), {}
    yield "correction-phone", "phone", CheckInFlow(identity=IDENTITY, correction="kk_mismatch"), {"keypad": "0812",
                                                                                               "error": ""}
    sent = CorrectionRequest("rec", "kk_mismatch", "…7890", already_requested=False)
    yield "correction-sent", "correction_sent", CheckInFlow(identity=IDENTITY, correction_sent=sent), {}
    again = CorrectionRequest("rec", "name_mismatch", "…7890", already_requested=True)
    yield "correction-already", "correction_sent", CheckInFlow(identity=IDENTITY, correction_sent=again), {}
    ticket = CheckInFlow(identity=IDENTITY, ticket=CheckIn(42, "rec", "Siti R. P.", False))
    for slip in ("printing", "printed", "failed"):
        yield f"ticket-{slip}", "ticket", ticket, {"slip": slip}
    yield "phone-busy", "phone", CheckInFlow(identity=IDENTITY), {
        "keypad": "081234567890", "error": "The kiosk is busy for a moment. Nothing is lost: please press OK again."}


def operator_day_states() -> Iterator[tuple[str, str, CheckInFlow, dict]]:
    """The status bar with things to act on, students passed over, the idle lock, and the end-of-day summary."""
    from station.day_summary import DaySummary, OperatorDay
    from station.operators import Operator
    from station.station_status import StationStatus

    # offline since 09.20 today, whenever the pictures are made: the bar shows the clock time, and a time taken
    # from now made the picture differ from one run to the next
    since = dt.datetime.now().astimezone().replace(hour=9, minute=20, second=0, microsecond=0).astimezone(dt.UTC)
    status = StationStatus("offline", since, 3, 12 * 60, 85 * 2**30, 100 * 2**30, 45, True,
                           {"camera": True, "fingerprint": True, "iris": False, "signature_pad": True, "printer": True})

    def fixed_status(app: Any) -> None:
        app._shots_status[:] = [status]  # what the station reads: HQ offline, records waiting, the iris camera out
        app._shots_printer.paper_low = True  # the roll near its end: the printer says so in its status bytes

    def status_back(app: Any) -> None:
        app._shots_status.clear()
        app._shots_printer.paper_low = False

    # the operator's queue after the student served was saved: two passed over to call back, three waiting
    yield "operator-queue-passed", "operator_queue", CheckInFlow(), {"_prepare": fixed_status,
                                                                     "_cleanup": status_back}
    locker = Operator("OP-02", "Yuliana Sari", "operator")

    def lock(app: object, operator: object = locker, back_to: str = "capture") -> None:
        app.root.get_screen("operator_login").lock(operator, back_to)

    yield "operator-locked", "operator_login", CheckInFlow(), {"_prepare": lock, "keypad": "13",
                                                               "_cleanup": lambda app: lock(app, None, "")}
    # a day further on than the screenshot station's (its numbers agree with the status bar's: 3 records unsent,
    # the oldest for 12 min), read by the screen as the station's answer
    summary = DaySummary("SMA Negeri 1 Pekanbaru", "2026-11-25", "800/123/SPT/2026", 120, 87, 79,
                         {"captured": 1, "sent": 2, "accepted": 76}, 4, 1, {"refused": 1, "unwell": 1},
                         {"kk_mismatch": 2}, {"finger": {"injured": 2, "amputated": 1}, "iris": {"other": 1}}, 3, 3,
                         12 * 60, [OperatorDay("OP-01", "Hendra Gunawan", 44, 40, 1, 1),
                                   OperatorDay("OP-02", "Yuliana Sari", 43, 39, 1, 1)])

    def later_day(app: Any) -> None:
        fixed_status(app)
        app._shots_day, app.services.day_summary = app.services.day_summary, lambda done, _failed: done(summary)

    def day_back(app: Any) -> None:
        status_back(app)
        app.services.day_summary = app._shots_day

    yield "day-summary", "day_summary", CheckInFlow(), {"_prepare": later_day, "_cleanup": day_back}


def render_all(app: object, out_dir: Path, width: int, height: int,
               languages: tuple[str, ...] = LANGUAGES) -> dict[str, list[str]]:
    """Render every state in `languages` at the window's size; returns {png path: what is wrong with it} (a
    picture not shown as claimed is not saved). Every frame is drawn meanwhile, even where the kiosk's tests step
    frames without drawing (kiosk.testing.draw_frames): the flow's frame counts assume a kiosk's frame pace."""
    from kiosk.testing import draw_frames

    drawing = draw_frames(True)
    try:
        return _render_states(app, out_dir, width, height, languages)
    finally:
        draw_frames(drawing)


def _render_states(app: object, out_dir: Path, width: int, height: int,
                   languages: tuple[str, ...]) -> dict[str, list[str]]:
    from kiosk.testing import (
        broken_words,
        overflowing_labels,
        popups_opened,
        screenshot,
        settle,
        small_targets,
        stencil_lines,
    )

    private_dir(out_dir, tighten=False)
    results = {}
    settle(5)
    for lang in languages:
        for stem, name, flow, attributes in states():
            app.lang = lang
            app.flow = flow
            if name.startswith("operator"):
                from station.operators import Operator

                app.operator = Operator("OP-02", "Yuliana Sari", "operator")
            hooks = {k: attributes[k] for k in ("_prepare", "_after", "_cleanup") if k in attributes}
            if "_prepare" in hooks:
                hooks["_prepare"](app)
            app.go(name)
            settle(6)  # let on_pre_enter's station calls come back before the state is set
            screen = app.root.get_screen(name)
            for key, value in attributes.items():
                if key in hooks:
                    continue
                if key == "keypad":
                    screen.ids.keypad.value = value
                else:
                    setattr(screen, key, value)
            if "_after" in hooks:
                hooks["_after"](app, screen)
            settle(2)
            popups_opened()
            path = out_dir / f"{width}x{height}-{lang}-{stem}.png"
            wrong = shown_as_claimed(stem, app)
            if wrong:  # never a picture of a state other than its name says
                path.unlink(missing_ok=True)
                results[str(path)] = wrong
            else:
                results[str(screenshot(path))] = (overflowing_labels(screen) + broken_words(screen)
                                                  + small_targets(screen) + stencil_lines(screen))
            if "_cleanup" in hooks:
                hooks["_cleanup"](app)
    return results


CLAIM_WAIT_S = 10.0  # how long a state may take to show (the station's answers come back through the Clock)


def shown_as_claimed(stem: str, app: object) -> list[str]:
    """Step frames until the window shows what `stem` claims (sinopsis/screenshot_claims.py), at most
    CLAIM_WAIT_S; then what it still does not show ([] when all is there)."""
    import time

    from kiosk.testing import settle, step
    from sinopsis.screenshot_claims import problems

    deadline = time.monotonic() + CLAIM_WAIT_S
    while (wrong := problems(stem, app) + bar_pending(app)) and time.monotonic() < deadline:
        step(1)
        time.sleep(0.002)
    if wrong:
        return wrong
    settle(2)  # what arrived last is laid out and drawn
    return problems(stem, app) + bar_pending(app)


def bar_pending(app: Any) -> list[str]:
    """What the current screen's status bar has not shown yet: the station's status, and the printer's answer
    on a kit with a printer (both come back through the Clock; a picture taken before them lacked a segment)."""
    from kiosk.widgets.status_bar import StatusBar

    bar = app.root.current_screen.ids.get("status")
    if not isinstance(bar, StatusBar):
        return []
    pending = []
    if bar.status is None and getattr(app.services, "status", None) is not None:
        pending.append("the status bar has not had the station's status yet")
    if getattr(app, "printing", None) is not None and not bar.printer_state:
        pending.append("the status bar has not had the printer's answer yet")
    return pending


# A kit's disk and battery for the status bar, not this machine's: the pictures in docs/ stay the same from one
# machine to the next (the link and the outbox are the demo station's own).
KIT_POWER = {"disk_free": 40 * 2**30, "disk_total": 64 * 2**30, "battery_percent": 87, "charging": True}


def render_size(out_dir: Path, width: int, height: int,
                languages: tuple[str, ...] = LANGUAGES) -> dict[str, list[str]]:
    """In this process (whose Kivy window is not made yet): start the kiosk offscreen at width x height over a
    fresh demo station and render every state in `languages` into `out_dir`."""
    from sinopsis.demo_kiosk import offscreen

    offscreen(width, height, maxfps=0)  # unthrottled: the renders step frames, nobody watches them
    from kiosk.app import KioskApp
    from kiosk.services import CheckInService
    from sinopsis.demo import prepare
    from station.config import load_config
    from station.store import StationStore

    with tempfile.TemporaryDirectory(prefix="sinopsis-shots-") as tmp:
        paths = prepare(Path(tmp) / "demo", dt.date(2026, 11, 25))
        config = load_config(paths.station_config)
        with StationStore(config.station.data_dir) as store:
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

            from contract.keys import load_public_key
            from station.roster import import_assignment

            hq_key = load_public_key(config.key_path("hq_assignment_public_key"), Ed25519PublicKey)
            import_assignment(store, paths.assignment, hq_key, station_id=config.station.id,
                              min_age=config.roster.min_age, actor="OP-01")
            service = CheckInService(store, config, hq_key)
            read, fixed = service.status, []  # fixed: a reading a state shows instead of the demo station's

            def status(done: Any, failed: Any) -> None:
                read(lambda s: done(fixed[0] if fixed else dataclasses.replace(s, **KIT_POWER)), failed)

            service.status = status
            with kit_printer_and_scanner() as (printer, scanner, printer_sim):
                app = KioskApp(service, helpdesk=config.helpdesk, printer=printer, qr_scanner=scanner)
                app.make_recording = lambda *_args: recording(app)  # the kit records: "Start recording" is on
                app._shots_printer, app._shots_status = printer_sim, fixed
                app._run_prepare()
                app.idle.stop()  # rendering takes its time: no idle logout meanwhile
                try:
                    return render_all(app, out_dir, width, height, languages)
                finally:
                    if app.recording is not None:
                        app.recording.close()
                    app.dispatch("on_stop")  # the QR listener and the printing thread
                    app.services.close()
                    app.stop()


def render_everything(out_dir: Path, plan: dict[tuple[int, int], tuple[str, ...]] | None = None
                      ) -> dict[str, list[str]]:
    """Each size of `plan` (default: both sizes, both languages) in its own process; {png path: what is wrong
    with it} over all of them."""
    results: dict[str, list[str]] = {}
    for (width, height), languages in (plan or {size: LANGUAGES for size in SIZES}).items():
        done = run_child([sys.executable, "-m", "sinopsis.screenshots", f"{width}x{height}", str(out_dir),
                          ",".join(languages)],
                         timeout=600, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"rendering {width}x{height} failed:\n{done.stderr[-2000:]}")
        results.update(json.loads(done.stdout.strip().splitlines()[-1]))
    return results


if __name__ == "__main__":
    size, out = sys.argv[1], Path(sys.argv[2])
    w, h = (int(v) for v in size.split("x"))
    langs = tuple(sys.argv[3].split(",")) if len(sys.argv) > 3 else LANGUAGES
    with stop_on_signals():
        print(json.dumps(render_size(out, w, h, langs)))
