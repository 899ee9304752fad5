"""Screenshots of every kiosk screen, in both languages, at both supported sizes (800×480 and 1280×800).

`sinopsis kiosk screenshots` regenerates docs/screenshots/; the tests render the same states and check that
each image is not blank and that no label's text overflows its widget. One process per window size: SDL's
offscreen window cannot be resized once created, so `python -m sinopsis.screenshots WIDTHxHEIGHT OUT` sets the size
before Kivy makes its window, and prints {png: [overflowing labels]} as JSON.
"""

import dataclasses
import datetime as dt
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from contract.durable import private_dir
from kiosk.screens.flow import CheckInFlow  # no Kivy import: the window size is set first
from sinopsis.signals import run_child, stop_on_signals
from station.checkin import CheckIn, Identity

SIZES = ((800, 480), (1280, 800))
IDENTITY = Identity("APL-2026-00001", "Siti R. P.", "SMA Negeri 1 Pekanbaru", "…7890", "new", None)


def states() -> Iterator[tuple[str, str, CheckInFlow, dict]]:
    """(file stem, screen, flow, screen attributes) for every state worth a screenshot."""
    yield "welcome", "welcome", CheckInFlow(), {}
    yield "nik", "nik_entry", CheckInFlow(), {"step": "nik", "keypad": "1471015005"}
    yield "nik-error", "nik_entry", CheckInFlow(), {"step": "nik", "keypad": "147101500509000",
                                                    "error": "A NIK has 16 digits. Check the number on your "
                                                             "family card (KK)."}
    yield "birth-date", "nik_entry", CheckInFlow(nik="1471015005090001"), {"step": "birth", "keypad": "1005"}
    yield "confirm", "confirm", CheckInFlow(identity=IDENTITY), {}
    yield "phone", "phone", CheckInFlow(identity=IDENTITY), {"keypad": "08123456"}
    yield "phone-error", "phone", CheckInFlow(identity=IDENTITY), {
        "keypad": "0761123456", "error": "That is not a mobile number. Type a mobile number such as 0812 3456 7890."}
    yield "ticket", "ticket", CheckInFlow(identity=IDENTITY, ticket=CheckIn(42, "rec", "Siti R. P.", False)), {}
    yield "not-on-list", "problem", CheckInFlow(problem="default", problem_code="checkin.not_on_list"), {}
    yield "already-recorded", "problem", CheckInFlow(identity=IDENTITY, problem="recorded"), {}
    queued = Identity(IDENTITY.application_id, IDENTITY.display_name, IDENTITY.school, IDENTITY.phone_hint,
                      "in_queue", 7)
    yield "already-in-queue", "problem", CheckInFlow(identity=queued, problem="in_queue"), {}
    yield "mismatch", "problem", CheckInFlow(identity=IDENTITY, problem="mismatch"), {}
    yield "help", "help", CheckInFlow(), {}
    from station.queue import QueueEntry

    waiting = [QueueEntry(n, name, f"r{n}", "checked_in") for n, name in ((8, "Bayu K."), (9, "Putri W."),
                                                                          (10, "Rizky T."))]
    serving = QueueEntry(7, "Siti R. P.", "r7", "capturing")
    yield "operator-login", "operator_login", CheckInFlow(), {"chosen": "OP-02", "keypad": "1357"}
    yield "operator-queue", "operator_queue", CheckInFlow(), {"waiting": waiting, "serving": [serving],
                                                              "current": serving}
    yield "queue-board", "board", CheckInFlow(), {"waiting": waiting, "serving": [serving]}
    from sinopsis.screenshots_capture import capture_states

    yield from capture_states()  # they check a student in and start a recording
    yield from operator_day_states()
    yield from checkin_extras_states()


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
    from station.queue import QueueEntry
    from station.station_status import StationStatus

    now = dt.datetime.now(dt.UTC)
    status = StationStatus("offline", now - dt.timedelta(minutes=40), 3, 12 * 60, 85 * 2**30, 100 * 2**30, 45, True,
                           {"camera": True, "fingerprint": True, "iris": False, "signature_pad": True, "printer": True})

    def fixed_status(_app: object, screen: object) -> None:
        screen.ids.status.stop()  # this reading, not the demo station's
        screen.ids.status.show(status)

    waiting = [QueueEntry(n, name, f"r{n}", "checked_in") for n, name in ((11, "Bayu K."), (12, "Putri W."))]
    passed = [QueueEntry(n, name, f"p{n}", "checked_in") for n, name in ((8, "Dewi A."), (9, "Rizky T. S."))]
    yield "operator-queue-passed", "operator_queue", CheckInFlow(), {"waiting": waiting, "passed": passed,
                                                                     "_after": fixed_status}
    locker = Operator("OP-02", "Yuliana Sari", "operator")

    def lock(app: object, operator: object = locker, back_to: str = "capture") -> None:
        app.root.get_screen("operator_login").lock(operator, back_to)

    yield "operator-locked", "operator_login", CheckInFlow(), {"_prepare": lock, "keypad": "13",
                                                               "_cleanup": lambda app: lock(app, None, "")}
    summary = DaySummary("SMA Negeri 1 Pekanbaru", "2026-11-25", "800/123/SPT/2026", 120, 87, 79,
                         {"captured": 12, "sent": 5, "accepted": 62}, 4, 1, {"refused": 1, "unwell": 1},
                         {"kk_mismatch": 2}, {"finger": {"injured": 2, "amputated": 1}, "iris": {"other": 1}}, 3, 17,
                         95 * 60, [OperatorDay("OP-01", "Hendra Gunawan", 44, 40, 1, 1),
                                   OperatorDay("OP-02", "Yuliana Sari", 43, 39, 1, 1)])
    yield "day-summary", "day_summary", CheckInFlow(), {"summary": summary, "_after": fixed_status}


def render_all(app: object, out_dir: Path, width: int, height: int) -> dict[str, list[str]]:
    """Render every state in both languages at the window's size; returns {png path: overflowing labels}."""
    from kiosk.i18n import LANGUAGES
    from kiosk.testing import overflowing_labels, screenshot, settle, small_targets, stencil_lines

    private_dir(out_dir, tighten=False)
    results = {}
    settle(5)
    for lang in LANGUAGES:
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
            settle(10)  # let on_pre_enter's station calls come back before the state is set
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
            settle(4)
            path = out_dir / f"{width}x{height}-{lang}-{stem}.png"
            results[str(screenshot(path))] = overflowing_labels(screen) + small_targets(screen) + stencil_lines(screen)
            if "_cleanup" in hooks:
                hooks["_cleanup"](app)
    return results


# A kit's disk and battery for the status bar, not this machine's: the pictures in docs/ stay the same from one
# machine to the next (the link and the outbox are the demo station's own).
KIT_POWER = {"disk_free": 40 * 2**30, "disk_total": 64 * 2**30, "battery_percent": 87, "charging": True}


def render_size(out_dir: Path, width: int, height: int) -> dict[str, list[str]]:
    """In this process (whose Kivy window is not made yet): start the kiosk offscreen at width x height over a
    fresh demo station and render everything into `out_dir`."""
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
            read = service.status
            service.status = lambda done, failed: read(lambda s: done(dataclasses.replace(s, **KIT_POWER)), failed)
            app = KioskApp(service, helpdesk=config.helpdesk)
            app._run_prepare()
            app.idle.stop()  # rendering takes its time: no idle logout meanwhile
            try:
                return render_all(app, out_dir, width, height)
            finally:
                if app.recording is not None:
                    app.recording.close()
                app.services.close()
                app.stop()


def render_everything(out_dir: Path) -> dict[str, list[str]]:
    """Both sizes, each in its own process; {png path: overflowing labels} over all of them."""
    results: dict[str, list[str]] = {}
    for width, height in SIZES:
        done = run_child([sys.executable, "-m", "sinopsis.screenshots", f"{width}x{height}", str(out_dir)],
                         timeout=600, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"rendering {width}x{height} failed:\n{done.stderr[-2000:]}")
        results.update(json.loads(done.stdout.strip().splitlines()[-1]))
    return results


if __name__ == "__main__":
    size, out = sys.argv[1], Path(sys.argv[2])
    w, h = (int(v) for v in size.split("x"))
    with stop_on_signals():
        print(json.dumps(render_size(out, w, h)))
