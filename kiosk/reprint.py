"""Printing a slip again: the queue slip of a student still waiting or the acknowledgement of a saved record, from
the station's records (station/reprint.py through app.services), in the kiosk's current language, and the audit
of the reprint once the printer took it.

The screens call `reprint(app, row, actor, on_state)`; `on_state` hears "printing", then "printed" or "failed"
(the PrintError's code in `failure`). Used by the day summary's list; the ticket and review screens print their
own slip again with `again(...)` (the first print had failed: the slip they keep is the same).
"""

from collections.abc import Callable
from typing import Any

from kiosk.printing import PrintError, QueueSlip

# The queue slip's labels (drivers.receipt.QUEUE_LABELS keys) as msgids: printed in the kiosk's language.
QUEUE_SLIP_LABELS = {"title": "QUEUE NUMBER", "school": "School", "name": "Name", "time": "Time",
                     "wait": "Please wait until the team calls you.", "scan": "Scan for your recording status"}


def queue_labels(app: Any) -> dict[str, str]:
    """The queue slip's labels in the kiosk's current language."""
    return {key: app.t(msgid) for key, msgid in QUEUE_SLIP_LABELS.items()}


def again(app: Any, kind: str, slip: Any, record_id: str, actor: str, on_state: Callable[[str], None],
          first_failed: bool = True) -> None:
    """Send `slip` (a QueueSlip or an Acknowledgement, `kind` "queue" or "acknowledgement") to the printer once
    more; audited as a reprint by `actor` when the printer took it."""
    printing = app.printing
    if printing is None:
        on_state("failed")
        return

    def printed(_result: object) -> None:
        app.services.record_reprint(record_id, kind, actor, first_failed, lambda _r: None, lambda _e: None)
        on_state("printed")

    def failed(_error: PrintError) -> None:
        on_state("failed")

    on_state("printing")
    if kind == "queue":
        printing.print_queue_slip(slip, printed, failed, labels=queue_labels(app))
    else:
        from kiosk.slip import slip_labels

        printing.print_acknowledgement(slip, printed, failed, labels=slip_labels(app.t))


def reprint(app: Any, row: Any, actor: str, on_state: Callable[[str], None]) -> None:
    """Print `row`'s slip (station.reprint.SlipRow) again from the station's records, audited by `actor`."""
    if app.printing is None:
        on_state("failed")
        return
    on_state("printing")

    def refused(_error: object) -> None:
        on_state("failed")

    if row.kind == "queue":
        app.services.queue_slip_fields(
            row.record_id, lambda fields: again(app, "queue", QueueSlip(**fields), row.record_id, actor, on_state,
                                                first_failed=False), refused)
        return

    def got(saved: tuple) -> None:
        from kiosk.slip import acknowledgement_of

        record, results, name, nik, operator = saved
        ack = acknowledgement_of(results, record, name, nik, operator, app.services.config)
        again(app, "acknowledgement", ack, row.record_id, actor, on_state, first_failed=False)

    app.services.saved_record(row.record_id, got, refused)
