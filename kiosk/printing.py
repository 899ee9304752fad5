"""The kiosk's receipt printer: the queue slip at check-in and the acknowledgement after "Tersimpan".

PrintService owns the drivers.printer.ReceiptPrinter and prints on its own worker thread, one slip after the
other; the result comes back on the UI thread through Clock.schedule_once (`on_done(None)` or
`on_error(PrintError)`). Nothing waits on the printer: a missing, unplugged, jammed or empty printer only
makes the screen say the slip could not be printed. Before a slip is sent the printer's state is asked
(ReceiptPrinter.status, ESC/POS DLE EOT): an empty roll, an open cover or a printer offline is reported without
printing into nothing.

`status(on_done)` reads that state for the operator's status bar on the same worker thread (never on the UI
thread, never in the middle of a slip); a printer that cannot say (a device file) reports "unknown", and the last
slip's failure is remembered so the bar can still show "the last slip failed".
"""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from kivy.clock import Clock

from drivers.base import DeviceError, DeviceNotFoundError
from drivers.receipt import Acknowledgement, QueueSlip, acknowledgement, queue_slip

__all__ = ["FAILURES", "Acknowledgement", "PrintError", "PrintService", "QueueSlip"]  # screens take the
# slips' types from here: they never import drivers themselves

# Why a slip was not printed (PrintError.code); the screens show "could not be printed" for all of them.
FAILURES = ("missing", "unplugged", "paper_out", "cover_open", "offline", "error", "permission", "bad_slip",
            "failed")
# What the status bar can show (PrintService.status): the printer's own states, then why it could not be asked.
STATES = ("ready", "paper_low", "paper_out", "cover_open", "offline", "error", "unknown", "missing", "unplugged",
          "permission", "failed")
STOPPED = ("paper_out", "cover_open", "offline", "error")  # states in which a slip is not sent at all


class PrintError(Exception):
    """A slip that was not printed, with a code from FAILURES and the driver's English detail."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def _failure(exc: BaseException) -> PrintError:
    if isinstance(exc, PrintError):
        return exc
    if isinstance(exc, DeviceNotFoundError):
        return PrintError(str(exc), "missing")
    if isinstance(exc, DeviceError):
        code = "permission" if exc.code == "permission" else "unplugged" if exc.disconnected else "failed"
        return PrintError(str(exc), code)
    if isinstance(exc, ValueError):
        return PrintError(f"the slip could not be laid out: {exc}", "bad_slip")
    return PrintError(f"unexpected printer error: {exc!r}", "failed")


Callback = Callable[..., None] | None


class PrintService:
    """Prints slips on `printer` (a ReceiptPrinter or alike: print_slip(bytes), paper_ok()) on one worker thread.
    `columns` is the paper's width in characters (32 on 58 mm paper, 42/48 on 80 mm)."""

    def __init__(self, printer: object, columns: int = 32) -> None:
        if printer is None:
            raise ValueError("PrintService needs a printer; a kiosk without one has no PrintService (None)")
        self.printer, self.columns = printer, columns
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-print")
        self.last_failure = ""  # the code of the last slip's failure; "" after a slip printed
        self._asking = False  # a status reading is queued (the bar does not pile them up behind a slow slip)

    def print_queue_slip(self, slip: QueueSlip, on_done: Callback = None, on_error: Callback = None,
                         labels: dict[str, str] | None = None) -> None:
        """The queue slip (drivers.receipt.queue_slip) in the student's language (`labels` over QUEUE_LABELS)."""
        self._print(lambda: queue_slip(slip, self.columns, labels), on_done, on_error)

    def print_acknowledgement(self, ack: Acknowledgement, on_done: Callback = None, on_error: Callback = None,
                              labels: dict[str, str] | None = None) -> None:
        """The acknowledgement slip of a saved record (drivers.receipt.acknowledgement)."""
        self._print(lambda: acknowledgement(ack, self.columns, labels), on_done, on_error)

    def _state(self) -> str:
        """The printer's state now (worker thread): ReceiptPrinter.status, or paper_ok for a simpler printer."""
        if hasattr(self.printer, "status"):
            return self.printer.status()
        return {True: "ready", False: "paper_out", None: "unknown"}[self.printer.paper_ok()]

    def status(self, on_done: Callable[[str], None]) -> None:
        """One of STATES to `on_done` on the UI thread, read on the printing thread: the printer's own state, why
        it could not be asked (missing, unplugged, permission), or "failed" when it cannot say and the last slip
        failed."""
        if self._asking:
            return

        def work() -> str:
            try:
                state = self._state()
            except (DeviceError, OSError) as exc:  # a missing or gone printer is a state to show, not an error
                state = _failure(exc).code
            finally:
                self._asking = False
            return "failed" if state == "unknown" and self.last_failure else state

        self._asking = True
        try:
            future = self._pool.submit(work)
        except RuntimeError:  # closed: the kiosk is stopping
            self._asking = False
            return

        def done(f: object) -> None:
            if f.exception() is None:
                Clock.schedule_once(lambda _dt: on_done(f.result()))

        future.add_done_callback(done)

    def _print(self, layout: Callable[[], bytes], on_done: Callback, on_error: Callback) -> None:
        def work() -> None:
            data = layout()  # a ValueError here means nothing was sent
            state = self._state()
            if state in STOPPED:
                raise PrintError(f"the printer reports {state.replace('_', ' ')}; fix it, then print again", state)
            self.printer.print_slip(data)

        def done(future: object) -> None:
            error = future.exception()
            self.last_failure = "" if error is None else _failure(error).code
            if error is None:
                if on_done is not None:
                    Clock.schedule_once(lambda _dt: on_done(None))
            elif on_error is not None:
                failure = _failure(error)
                Clock.schedule_once(lambda _dt: on_error(failure))

        try:
            self._pool.submit(work).add_done_callback(done)
        except RuntimeError:  # closed: the kiosk is stopping
            if on_error is not None:
                failure = PrintError("the kiosk is stopping", "failed")
                Clock.schedule_once(lambda _dt: on_error(failure))

    def close(self) -> None:
        """Stop taking slips; a slip being written finishes (or times out) on its own thread."""
        self._pool.shutdown(wait=False, cancel_futures=True)
