"""What the screens ask of the station, run off the UI thread: each call runs on a worker thread and its
result (or its SinopsisError) comes back on the UI thread through Clock.schedule_once. Screens never touch the
database or a device themselves."""

import datetime as dt
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kivy.clock import Clock

from contract.application_qr import parse_application_qr
from contract.errors import SinopsisError
from contract.nik import parse_nik
from contract.phone import normalize_phone
from station.checkin import CheckIn, Identity, check_in_by_application, identify_by_application, identify_by_nik
from station.config import StationConfig
from station.store import StationStore


class CheckInService:
    """The check-in steps against the station store, on one worker thread (SQLite writes are serial anyway)."""

    def __init__(self, store: StationStore, config: StationConfig, hq_key: object | None = None) -> None:
        self.store, self.config, self.hq_key = store, config, hq_key  # hq_key: HQ's pinned assignment key
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-service")
        self._closed = False

    def _later(self, callback: Callable[[Any], None], value: Any) -> None:
        """Hand `value` to `callback` on the UI thread, unless the service was closed meanwhile (the app stopped:
        its screens must not be touched by an answer that arrives after it)."""
        Clock.schedule_once(lambda _dt: None if self._closed else callback(value))

    def _run(self, work: Callable[[], Any], on_done: Callable[[Any], None],
             on_error: Callable[[SinopsisError], None]) -> None:
        def done(future: Any) -> None:
            error = future.exception()
            if error is None:
                result = future.result()
                self._later(on_done, result)
            elif isinstance(error, SinopsisError):
                self._later(on_error, error)
            elif isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
                # another process held the write lock past busy_timeout: the transaction rolled back whole
                busy = SinopsisError("the station database is busy; nothing was written, try again", "store.busy")
                self._later(on_error, busy)
            else:
                self._later(on_error, SinopsisError(f"unexpected error: {error}", "kiosk.internal"))

        self._pool.submit(work).add_done_callback(done)

    def identify_nik(self, nik: str, birth_date: dt.date, on_done: Callable[[Identity], None],
                     on_error: Callable[[SinopsisError], None]) -> None:
        self._run(lambda: identify_by_nik(self.store, nik, birth_date), on_done, on_error)

    def identify_application(self, application_id: str, on_done: Callable[[Identity], None],
                             on_error: Callable[[SinopsisError], None]) -> None:
        self._run(lambda: identify_by_application(self.store, application_id), on_done, on_error)

    def identify_qr(self, text: str, on_done: Callable[[Identity], None],
                    on_error: Callable[[SinopsisError], None]) -> None:
        """A scanned application QR: HQ's signature checked, then the student looked up."""
        self._run(lambda: identify_by_application(self.store, parse_application_qr(text, self.hq_key)), on_done,
                  on_error)

    def check_in(self, identity: Identity, phone: str | None, on_done: Callable[[CheckIn], None],
                 on_error: Callable[[SinopsisError], None]) -> None:
        self._run(lambda: check_in_by_application(self.store, identity.application_id, phone), on_done, on_error)

    # -- the operator's side ------------------------------------------------------------------------------
    def team(self, on_done: Callable[[list], None], on_error: Callable[[SinopsisError], None]) -> None:
        """[(operator_id, name)] of today's team, for the login screen."""
        def work() -> list:
            from station.roster import current_assignment

            assignment = current_assignment(self.store.conn)
            if assignment is None:
                return []
            return [tuple(r) for r in self.store.conn.execute(
                "SELECT operator_id, name FROM operators WHERE assignment_ref = ? ORDER BY operator_id",
                (assignment["id"],))]

        self._run(work, on_done, on_error)

    @property
    def shared_display(self) -> bool:
        """True unless this kiosk is the operator's own console (config [kiosk] role "operator"): students can
        reach its PIN screen, so wrong PINs typed on it never lock an operator out (station.operators)."""
        return getattr(getattr(self.config, "kiosk", None), "role", "all") != "operator"

    def login(self, operator_id: str, pin: str, on_done: Callable[[Any], None],
              on_error: Callable[[SinopsisError], None]) -> None:
        from station.operators import login

        shared = self.shared_display
        self._run(lambda: login(self.store, operator_id, pin, self.config.session, shared=shared), on_done,
                  on_error)

    def unlock_operator(self, operator_id: str, supervisor_pin: str, on_done: Callable[[Any], None],
                        on_error: Callable[[SinopsisError], None]) -> None:
        """The team leader ends `operator_id`'s PIN lockout with their own PIN (audited); the leader back."""
        from station.operators import unlock_operator

        self._run(lambda: unlock_operator(self.store, operator_id, supervisor_pin, self.config.session), on_done,
                  on_error)

    def queue(self, on_done: Callable[[tuple], None], on_error: Callable[[SinopsisError], None]) -> None:
        """(waiting, now serving) lists of station.queue.QueueEntry."""
        from station.queue import now_serving, waiting

        self._run(lambda: (waiting(self.store), now_serving(self.store)), on_done, on_error)

    def call_next(self, operator_id: str, passed_over: set[str], on_done: Callable[[Any], None],
                  on_error: Callable[[SinopsisError], None]) -> None:
        from station.queue import call_next

        self._run(lambda: call_next(self.store, operator_id, set(passed_over)), on_done, on_error)

    def not_here(self, record_id: str, operator_id: str, on_done: Callable[[Any], None],
                 on_error: Callable[[SinopsisError], None]) -> None:
        from station.queue import not_here

        self._run(lambda: not_here(self.store, record_id, operator_id), on_done, on_error)

    def offline_verdict(self, on_done: Callable[[Any], None], on_error: Callable[[SinopsisError], None]) -> None:
        """station.offline_limits.OfflineVerdict now: warn, or block new captures (too long without HQ, or too many
        records unsent)."""
        from station.offline_limits import check_station

        self._run(lambda: check_station(self.store.conn, self.config.offline), on_done, on_error)

    # -- the operator's identity check (station/identity_check.py) ------------------------------------------
    def student_details(self, record_id: str, on_done: Callable[[Any], None],
                        on_error: Callable[[SinopsisError], None]) -> None:
        from station.identity_check import student_details

        self._run(lambda: student_details(self.store, record_id), on_done, on_error)

    def request_correction(self, record_id: str, operator_id: str, code: str, on_done: Callable[[Any], None],
                           on_error: Callable[[SinopsisError], None]) -> None:
        from station.identity_check import request_correction

        self._run(lambda: request_correction(self.store, record_id, operator_id, code), on_done, on_error)

    def withdraw(self, record_id: str, operator_id: str, code: str, on_done: Callable[[Any], None],
                 on_error: Callable[[SinopsisError], None]) -> None:
        from station.identity_check import withdraw

        self._run(lambda: withdraw(self.store, record_id, operator_id, code), on_done, on_error)

    def undo_withdrawal(self, record_id: str, operator_id: str, on_done: Callable[[Any], None],
                        on_error: Callable[[SinopsisError], None]) -> None:
        """Take the withdrawal back (station.identity_check.undo_withdrawal); `on_done(entry)` with the student
        as now serving again (a station.queue.QueueEntry), or None when they went back to waiting."""
        from station.identity_check import undo_withdrawal
        from station.queue import now_serving

        def work() -> Any:
            undo_withdrawal(self.store, record_id, operator_id)
            return next((e for e in now_serving(self.store) if e.record_id == record_id), None)

        self._run(work, on_done, on_error)

    def verify_supervisor(self, pin: str, purpose: str, asked_by: str, record_id: str | None,
                          on_done: Callable[[Any], None], on_error: Callable[[SinopsisError], None]) -> None:
        """The team leader's approval by PIN (station.operators.verify_supervisor, audited); `on_done(lead)`."""
        from station.operators import verify_supervisor

        self._run(lambda: verify_supervisor(self.store, pin, self.config.session, purpose=purpose,
                                            asked_by=asked_by, record_id=record_id), on_done, on_error)

    def help_desk(self, on_done: Callable[[Any], None], on_error: Callable[[SinopsisError], None]) -> None:
        """station.helpdesk.HelpDesk: the current assignment's help-desk contacts over the config's."""
        from station.helpdesk import help_desk_for

        self._run(lambda: help_desk_for(self.store, self.config), on_done, on_error)

    def close(self) -> None:
        """Finish the call in progress and drop every answer not yet delivered (the app is stopping)."""
        self._pool.shutdown(wait=True)
        self._closed = True

    # -- status bar, skip / recall, session end, end of day (station/station_status.py, queue.py, day_summary.py)
    # Set by the composition root: drivers.presence.kit_presence(kit); None = devices not reported.
    device_presence: Callable[[], dict[str, bool]] | None = None
    power_supply_dir: Any = None  # the kernel's power-supply folder; None = /sys/class/power_supply

    def status(self, on_done: Callable[[Any], None], on_error: Callable[[SinopsisError], None]) -> None:
        """station.station_status.StationStatus now (HQ link, outbox, devices, disk, battery)."""
        from station.station_status import POWER_SUPPLY, read_status

        self._run(lambda: read_status(self.store, self.config.station.data_dir, self.power_supply_dir or POWER_SUPPLY,
                                      self.device_presence), on_done, on_error)

    def passed_over(self, on_done: Callable[[list], None], on_error: Callable[[SinopsisError], None]) -> None:
        """Students called who did not come (station.queue.QueueEntry), in number order."""
        from station.queue import passed_over

        self._run(lambda: passed_over(self.store), on_done, on_error)

    def recall(self, record_id: str, operator_id: str, on_done: Callable[[Any], None],
               on_error: Callable[[SinopsisError], None]) -> None:
        from station.queue import recall

        self._run(lambda: recall(self.store, record_id, operator_id), on_done, on_error)

    def log_out(self, operator_id: str, reason: str, on_done: Callable[[Any], None],
                on_error: Callable[[SinopsisError], None]) -> None:
        """End the operator's session (audited; the students they passed over wait again)."""
        from station.queue import end_session

        self._run(lambda: end_session(self.store, operator_id, reason), on_done, on_error)

    def lock(self, operator_id: str, record_id: str | None, on_done: Callable[[Any], None],
             on_error: Callable[[SinopsisError], None], reason: str = "idle") -> None:
        """Audit that the operator's screen locked: idle with a recording open, or lent to check-in ("check-in")."""
        from station.queue import lock_session

        self._run(lambda: lock_session(self.store, operator_id, record_id, reason), on_done, on_error)

    def day_summary(self, on_done: Callable[[Any], None], on_error: Callable[[SinopsisError], None]) -> None:
        """station.day_summary.DaySummary of the current assignment (None without one)."""
        from station.day_summary import day_summary

        self._run(lambda: day_summary(self.store), on_done, on_error)

    # -- slips printed again (station/reprint.py): the day's list, a slip's data, the audit of each reprint -------
    def todays_slips(self, on_done: Callable[[list], None], on_error: Callable[[SinopsisError], None]) -> None:
        """station.reprint.SlipRow of every student of the current assignment with a slip to print again."""
        from station.reprint import todays_slips

        self._run(lambda: todays_slips(self.store), on_done, on_error)

    def queue_slip_fields(self, record_id: str, on_done: Callable[[dict], None],
                          on_error: Callable[[SinopsisError], None]) -> None:
        """The QueueSlip fields of a student still waiting."""
        from station.reprint import queue_slip_fields

        self._run(lambda: queue_slip_fields(self.store, record_id), on_done, on_error)

    def saved_record(self, record_id: str, on_done: Callable[[tuple], None],
                     on_error: Callable[[SinopsisError], None]) -> None:
        """(SavedRecord, results, name, NIK, operator) of a saved record, its slip QR signed again
        (station.reprint.saved_record)."""
        from station.reprint import saved_record

        self._run(lambda: saved_record(self.store, self.config, record_id), on_done, on_error)

    def record_reprint(self, record_id: str, kind: str, actor: str, first_failed: bool,
                       on_done: Callable[[Any], None], on_error: Callable[[SinopsisError], None]) -> None:
        """Audit a slip printed again (`kind` "queue" or "acknowledgement", by `actor`)."""
        from station.reprint import record_reprint

        self._run(lambda: record_reprint(self.store, record_id, kind, actor, first_failed), on_done, on_error)

    # -- the student's check-in extras: NIK check-in, correction request (station/corrections.py) ---------------
    def check_in_nik(self, nik: str, birth_date: dt.date, phone: str | None, on_done: Callable[[CheckIn], None],
                     on_error: Callable[[SinopsisError], None]) -> None:
        """Check in a student who typed NIK + birth date (recorded as method "nik"; both checked again)."""
        from station.checkin import check_in_by_nik

        self._run(lambda: check_in_by_nik(self.store, nik, birth_date, phone), on_done, on_error)

    def request_correction_at_checkin(self, identity: Identity, phone: str, code: str, method: str,
                                      on_done: Callable[[Any], None],
                                      on_error: Callable[[SinopsisError], None]) -> None:
        """The student says the list's data is wrong: checked in and the correction requested in one transaction
        (station.corrections.CorrectionRequest back)."""
        from station.corrections import request_at_checkin

        self._run(lambda: request_at_checkin(self.store, identity.application_id, phone, code, method), on_done,
                  on_error)

    def open_correction(self, application_id: str, on_done: Callable[[Any], None],
                        on_error: Callable[[SinopsisError], None]) -> None:
        """The student's correction request waiting for the office (CorrectionRequest), or None."""
        from station.corrections import correction_for

        self._run(lambda: correction_for(self.store, application_id), on_done, on_error)


def check_nik_format(nik: str) -> dt.date:
    """The birth date the NIK carries; NikError for a NIK that cannot be right, before asking the database (pure,
    on the UI thread)."""
    return parse_nik(nik).birth_date


def check_phone(phone: str) -> str:
    """The phone in E.164, or PhoneError (pure)."""
    return normalize_phone(phone)


class QrListener:
    """Reads a QR line scanner (drivers.qr_scanner.LineScanner or alike) on its own thread and hands every scan
    to the UI thread; a scanner that goes away is retried every few seconds (hotplug), never fatal."""

    def __init__(self, scanner: Any, on_scan: Callable[[str], None]) -> None:
        import threading

        self.scanner, self.on_scan = scanner, on_scan
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kiosk-qr", daemon=True)

    def start(self) -> "QrListener":
        self._thread.start()
        return self

    def _run(self) -> None:
        opened = False
        while not self._stop.is_set():
            try:
                if not opened:
                    self.scanner.open()
                    opened = True
                text = self.scanner.read_scan(0.2)
            except Exception as exc:  # a gone scanner: close, wait, reopen (it may be replugged)
                if not getattr(exc, "disconnected", False) and not isinstance(exc, OSError):
                    raise
                opened = False
                self.scanner.close()
                self._stop.wait(2.0)
                continue
            if text:
                Clock.schedule_once(lambda _dt, scanned=text: self.on_scan(scanned))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.scanner.close()
