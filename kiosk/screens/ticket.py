"""The queue number, big, and the queue slip printed for it (kiosk/printing.py, on the printer's own thread).

The number is shown at once; the slip's state follows: "printing…", then "take your slip", or — no printer,
printer missing, unplugged, out of paper — "remember your number" in red with a "Print again" button (the same
slip once more, audited as a reprint; the operator sees why on their status bar). The check-in never waits on the
printer. The kiosk goes back to welcome by itself after a while.
"""

import datetime as dt

from kivy.clock import Clock
from kivy.properties import StringProperty

from kiosk.printing import QueueSlip
from kiosk.reprint import again, queue_labels
from kiosk.screens.base import KioskScreen

BACK_TO_WELCOME_S = 20


class TicketScreen(KioskScreen):
    slip = StringProperty("")  # "" no printer, "printing", "printed", "failed"
    _event = None
    _printing = 0  # which slip the printer's answer is for (a late answer must not touch the next ticket)
    _slip: QueueSlip | None = None  # the slip sent, kept to print it again

    def shown_now(self) -> None:
        if self._event is not None:
            self._event.cancel()
        self._event = Clock.schedule_once(lambda _dt: self.done(), BACK_TO_WELCOME_S)
        self.print_slip()

    def print_slip(self) -> None:
        """Send the queue slip to the printer (if the kiosk has one); the answer updates `slip`."""
        printing, flow = self.app.printing, self.app.flow
        self._printing += 1
        if printing is None or flow is None or flow.ticket is None:
            self.slip = ""
            return
        ticket, token = flow.ticket, self._printing
        school = flow.identity.school if flow.identity is not None else ""
        slip = QueueSlip(school, ticket.queue_number, ticket.display_name,
                         dt.datetime.now().astimezone().strftime("%d-%m-%Y %H:%M"), ticket.record_id)
        self._slip, self.slip = slip, "printing"
        printing.print_queue_slip(slip, lambda _r: self._printed(token, "printed"),
                                  lambda _e: self._printed(token, "failed"), labels=queue_labels(self.app))

    def print_again(self) -> None:
        """"Print again" after a failed slip: the same slip once more (audited as a reprint by the kiosk); the
        return to welcome waits its full time again."""
        if self.slip != "failed" or self._slip is None:
            return
        if self._event is not None:
            self._event.cancel()
            self._event = Clock.schedule_once(lambda _dt: self.done(), BACK_TO_WELCOME_S)
        token = self._printing
        again(self.app, "queue", self._slip, self._slip.record_id, "kiosk",
              lambda state: self._printed(token, state))

    def _printed(self, token: int, state: str) -> None:
        if token == self._printing:
            self.slip = state

    def on_leave(self, *_args: object) -> None:
        """No return to welcome pending once the ticket is gone (nor after the app stopped: a later app's
        student must not be sent away by this one's timer)."""
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def number(self, _flow: object = None) -> str:
        flow = self.app.flow
        return f"{flow.ticket.queue_number:03d}" if flow and flow.ticket else ""

    def done(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
        if self.manager.current == self.name:
            self.app.restart()


SCREEN = TicketScreen
