"""`sinopsis station simulate --day`: a simulated field day on the real kiosk screens (issue 20 point 2).

A fresh demo station (signed assignment, real SQLite store) and the kiosk app over the simulated kit, offscreen.
Simulated people (sinopsis/field_day_people.py) walk up and check in by real touches — the application QR shown
to the kit's (simulated) scanner, or the NIK typed as the fallback; the roster's phone confirmed or another one
typed — then the operator logs in once and, student by student, calls, checks the identity, captures everything
and saves, by real touches. The ledger (sinopsis/field_day_ledger.py) counts what the window received and what
the engine did; the model (sinopsis/field_day_model.py) turns it into time. Kivy makes one window per process:
call `offscreen()` (sinopsis/demo_kiosk.py) before anything imports Kivy.
"""

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sinopsis.demo_kiosk import keypad_key, screen, type_digits
from sinopsis.field_day_ledger import SESSION, Ledger
from sinopsis.field_day_model import Step
from sinopsis.field_day_people import KitPerson, Person, people
from sinopsis.field_day_report import DayRun, StudentEnd

SIZE = (1280, 800)  # the kit's 10" panel
# The station.toml of the day: the kit's defaults (4-4-2 slaps, QR first…), its devices simulated, the QR shown to
# the kit's line scanner (the camera stays free for the capture); not the demo's own settings.
DAY_CONFIG = (
    "# A simulated field day (sinopsis station simulate --day): the kit's defaults, simulated devices.\n"
    '[station]\nid = "{station_id}"\ndata_dir = "data"\n[devices]\nqr_scanner = "sim"\n'
)


def check_in(app: Any, ledger: Ledger, person: Person, nik: str, qr: str, scanner: Any) -> str:
    """One person checks in at the kiosk, from the welcome screen to the ticket and back; their record id."""
    from kiosk.testing import tap, wait_until

    ledger.owner["checkin"] = person.index
    ledger.add("checkin", Step("walk", "walks up"), read_first=False)
    if person.method == "qr":
        ledger.add("checkin", Step("show", "shows the application QR"))
        scanner.scan(qr)
    else:
        tap(screen(app, "welcome").ids.start)
        type_digits(app, "nik_entry", nik)
        tap(keypad_key(app, "nik_entry", "OK"))
        tap(keypad_key(app, "nik_entry", "OK"))  # the birth date read from the NIK, confirmed
    wait_until(lambda: app.root.current in ("confirm", "problem"))
    if app.root.current != "confirm":
        raise RuntimeError(f"check-in refused: {app.flow.problem_code}")
    tap(screen(app, "confirm").ids.yes)
    phone = screen(app, "phone")
    if person.listed_phone and not phone.ids.use_listed.disabled and phone.ids.use_listed.opacity > 0:
        tap(phone.ids.use_listed)
    else:
        type_digits(app, "phone", person.typed_phone)
        tap(keypad_key(app, "phone", "OK"))
    wait_until(lambda: app.root.current == "ticket")
    ticket = screen(app, "ticket")
    wait_until(lambda: ticket.slip != "printing")
    if ticket.slip == "printed":
        ledger.add("checkin", Step("slip", "queue slip"))
    record_id = app.flow.ticket.record_id
    tap(ticket.ids.done)
    return record_id


def log_in(app: Any, ledger: Ledger, operator_id: str, pin: str) -> None:
    """The operator logs in once for the day."""
    from sinopsis.demo_kiosk import log_in as demo_log_in

    ledger.owner["operator"] = SESSION
    demo_log_in(app, operator_id, pin)


def answer_popup(code: str) -> None:
    """In the open reason popup: touch the reason `code`, take the photo when it needs one (an exception), and
    confirm when it asks for that."""
    from kivy.core.window import Window
    from kivy.uix.modalview import ModalView

    from kiosk.testing import tap, wait_until

    dialog = next(w for w in Window.children if isinstance(w, ModalView))
    tap(next(b for b in dialog.ids.reasons.children if getattr(b, "code", "") == code))
    if getattr(dialog, "needs_photo", False):
        tap(dialog.ids.shoot)
        wait_until(lambda: dialog.photo is not None or dialog.message, timeout_s=30)
    confirm = dialog.ids.get("confirm")
    if dialog.parent is not None and confirm is not None and not confirm.disabled and confirm.opacity > 0:
        tap(confirm)
    wait_until(lambda: dialog.parent is None)


def capture_student(app: Any, ledger: Ledger, index: int, called: bool, last: bool, first: bool = False) -> StudentEnd:
    """Call the student (unless `called`: "Panggil berikutnya" after the last one's "Tersimpan" did) and record
    them by touches; saved, or withdrawn when nothing else leads on. After the `last`, back to the queue."""
    from kiosk.testing import tap, wait_until

    queue = screen(app, "operator_queue")
    if not called:  # from the queue: "Panggil" then "Mulai merekam" — once a day (the first student), else after
        # a withdrawal; every later student is called by the last one's "Panggil berikutnya"
        ledger.owner["operator"] = SESSION if first else index
        wait_until(lambda: app.root.current == "operator_queue")
        tap(queue.ids.call_next)
        wait_until(lambda: queue.current is not None)
        tap(queue.ids.record)
    ledger.owner["operator"] = index
    identity = screen(app, "identity")  # after "Panggil berikutnya" the identity check opens by itself
    wait_until(lambda: app.root.current == "identity")
    wait_until(lambda: identity.details is not None)
    tap(identity.ids.confirm)
    capture, decisions = screen(app, "capture"), []
    while app.root.current == "capture" and capture.position:
        position = capture.position
        tap(capture.ids.start)
        wait_for(lambda p=position: app.root.current != "capture" or capture.position != p
                 or (not capture.busy and capture.state in ("below_threshold", "error", "paused")))
        if app.root.current != "capture" or capture.position != position:
            continue
        if capture.below and not capture.ids.keep_best.disabled:
            decisions.append(f"{position}: best kept below the threshold")
            tap(capture.ids.keep_best)
            if _popup_open():
                answer_popup(_first_reason())
            continue
        if not capture.ids.exception.disabled and position != "face":
            decisions.append(f"{', '.join(capture.positions)}: coded exception unable_to_print")
            step = set(capture.positions)
            while app.root.current == "capture" and capture.position in step:
                tap(capture.ids.exception)
                answer_popup("unable_to_print")
            continue
        decisions.append(f"{position}: {capture.state}, no way on but withdrawal")  # a dead end
        tap(capture.ids.withdraw)
        answer_popup("other")
        wait_until(lambda: app.root.current == "operator_queue")
        return StudentEnd(index, "withdrawn", "", tuple(decisions))
    review = screen(app, "review")
    wait_until(lambda: review.tiles or len(review.ids.grid.children) > 0 or review.message)
    tap(review.ids.save)
    wait_until(lambda: review.saved or review.message, timeout_s=60)
    if not review.saved:
        raise RuntimeError(f"saving failed: {review.message}")
    wait_until(lambda: review.printed not in ("", "printing") or app.printing is None)
    if review.printed == "printed":
        ledger.add("operator", Step("slip", "acknowledgement slip"))
    ledger.owner["operator"] = SESSION if last else index + 1  # the next student's call, or the day's end
    tap(review.ids.withdraw if last else review.ids.save)  # back to the queue, or "Panggil berikutnya"
    wait_until(lambda: app.root.current == ("operator_queue" if last else "identity"))
    return StudentEnd(index, "saved", review.saved, tuple(decisions))


def wait_for(condition: Callable[[], bool], timeout_s: float = 300.0, frame_s: float = 0.03) -> None:
    """kiosk.testing.wait_until for the long waits of a capture: a frame every `frame_s` rather than as fast as
    they draw (the capture runs on its own thread; drawing the preview 200 times a second only costs CPU)."""
    from kivy.base import EventLoop

    from kiosk.testing import settle

    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"the kiosk did not reach the expected state within {timeout_s:g} s")
        EventLoop.idle()
        time.sleep(frame_s)
    settle()


def _popup_open() -> bool:
    from kivy.core.window import Window
    from kivy.uix.modalview import ModalView

    return any(isinstance(w, ModalView) for w in Window.children)


def _first_reason() -> str:
    from kivy.core.window import Window
    from kivy.uix.modalview import ModalView

    dialog = next(w for w in Window.children if isinstance(w, ModalView))
    return dialog.ids.reasons.children[-1].code  # the first shown


def run_day(root: Path, students: int, seed: int, recording_date: dt.date,
            say: Callable[[str], None] = lambda _line: None, confirm: bool = True,
            size: tuple[int, int] = SIZE) -> DayRun:
    """Drive `students` simulated people through the kiosk on a fresh demo station in `root`; `confirm` False
    turns NFIQ 2 off (faster; the live finger score decides — nothing the model counts changes)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
    from kivy.core.window import Window

    from contract.application_qr import make_application_qr
    from contract.durable import write_private
    from contract.keys import load_private_key, load_public_key
    from drivers.qr_scanner_sim import SimulatedScanner
    from kiosk.testing import settle
    from sinopsis.demo import prepare
    from sinopsis.demo_data import DEMO_STATION_ID, TEAM
    from sinopsis.kiosk_wiring import kiosk_app, release_kiosk, sim_portrait, wire_kiosk
    from station.capture.policy import face_background_for
    from station.config import load_config
    from station.roster import import_assignment
    from station.store import StationStore

    paths = prepare(root, recording_date, count=max(24, students))
    write_private(paths.station_config, DAY_CONFIG.format(station_id=DEMO_STATION_ID)
                  + ("" if confirm else "[capture]\nconfirm_fingers = false\n"))
    config = load_config(paths.station_config)
    hq_sign = load_private_key(paths.hq_keys / "hq_assignment.pem", Ed25519PrivateKey)
    crowd = people(students, seed)
    ends: list[StudentEnd] = []
    with StationStore(config.station.data_dir) as store:
        hq_key = load_public_key(config.key_path("hq_assignment_public_key"), Ed25519PublicKey)
        import_assignment(store, paths.assignment, hq_key, station_id=config.station.id,
                          min_age=config.roster.min_age, actor="OP-01")
        applicants = store.conn.execute("SELECT application_id, nik, birth_date FROM applicants ORDER BY id LIMIT ?",
                                        (students,)).fetchall()
        wiring = wire_kiosk(store, config, root / "slips")
        slap_mode = config.devices.finger_mode == "slap"
        made = wiring.make_recording
        by_record: dict[str, Person] = {}

        def make_recording(entry: Any, operator: Any, on_frame: Callable, on_state: Callable) -> Any:
            recording = made(entry, operator, on_frame, on_state)
            person = KitPerson(by_record[entry.record_id], wiring.kit, slap_mode, root,
                               sim_portrait(face_background_for(entry.birth_year)))
            recording.engine.bus.subscribe(person.on_event)
            ledger.watch_capture(recording.engine, slap_mode)
            return recording

        wiring.make_recording = make_recording
        app = kiosk_app(store, config, wiring)
        Window.size = size
        app._run_prepare()
        settle()
        ledger = Ledger(app)
        try:
            scanner = next(s for s in wiring.kit.simulators if isinstance(s, SimulatedScanner))
            for person, (application_id, nik, _born) in zip(crowd, applicants, strict=True):
                started = time.monotonic()
                by_record[check_in(app, ledger, person, nik, make_application_qr(application_id, hq_sign),
                                   scanner)] = person
                say(f"  {person.index + 1:>3}. checked in by {person.method.upper()} "
                    f"(wall {time.monotonic() - started:.1f} s)")
            ledger.owner["checkin"] = SESSION
            operator_id, _name, _role, pin = TEAM[1]
            log_in(app, ledger, operator_id, pin)
            for person in crowd:
                started = time.monotonic()
                called = bool(ends) and ends[-1].state == "saved"
                end = capture_student(app, ledger, person.index, called, last=person is crowd[-1],
                                      first=not ends)
                ends.append(end)
                say(f"  {person.index + 1:>3}. {end.state} {end.receipt} (wall {time.monotonic() - started:.1f} s)"
                    + "".join(f"\n       {d}" for d in end.decisions))
            ledger.drop_pending("checkin")
            ledger.drop_pending("operator")
        finally:
            ledger.close()
            release_kiosk(app, stopped=False)
            wiring.close()
    return DayRun(crowd, ends, ledger, slap_mode, config.devices.qr_scanner, seed)

