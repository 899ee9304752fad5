"""What the acknowledgement slip says about a saved record: the fields of drivers.receipt.Acknowledgement.

Built from the capture engine's results (in memory, before they are discarded) and the applicant's row; used by
the kiosk after "Tersimpan" and by the headless simulation. The time is the station's local time (WIB on a kit
set to Asia/Jakarta).
"""

import datetime as dt
from collections.abc import Mapping

from contract.nik import mask_nik
from station.capture.policy import FINGERS, IRISES, CaptureResult
from station.checkin import display_name
from station.config import HelpdeskSection


def helpdesk_lines(helpdesk: HelpdeskSection) -> tuple[str, ...]:
    """The help-desk contacts as the slip prints them."""
    return (f"Call centre {helpdesk.call_centre}", f"WhatsApp {helpdesk.whatsapp}", *helpdesk.social)


def acknowledgement_fields(results: Mapping[str, CaptureResult], receipt: str, record_id: str, name: str, nik: str,
                           helpdesk: HelpdeskSection) -> dict:
    """The drivers.receipt.Acknowledgement keyword arguments for a saved record."""
    fingers = [p for p in FINGERS if p in results]
    irises = [p for p in IRISES if p in results]
    return {"receipt_number": receipt, "display_name": display_name(name), "masked_nik": mask_nik(nik),
            "time": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"), "record_id": record_id,
            "helpdesk": helpdesk_lines(helpdesk),
            "fingers_captured": sum(results[p].outcome == "captured" for p in fingers),
            "finger_exceptions": {p: results[p].exception_code for p in fingers if results[p].outcome == "exception"},
            "irises_captured": sum(results[p].outcome == "captured" for p in irises),
            "iris_exceptions": {p: results[p].exception_code for p in irises if results[p].outcome == "exception"},
            "below_threshold": tuple(p for p, r in results.items() if r.below_threshold)}
