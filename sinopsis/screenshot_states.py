"""Which kiosk states `sinopsis kiosk screenshots` pictures, and how each is reached: (file stem, screen, flow,
attributes) per state, with the hooks that set a state up the way the kiosk gets there (the keypad typed, the
operator chosen, the station's answers). What each picture must show is in sinopsis/screenshot_claims.py; the
rendering is sinopsis/screenshots.py.
"""

import datetime as dt
from collections.abc import Iterator
from typing import Any

from kiosk.screens.flow import CheckInFlow  # no Kivy import: the window size is set first
from sinopsis.screenshots_station import queue_day
from station.checkin import CheckIn, Identity

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
