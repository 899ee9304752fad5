"""What the acknowledgement slip says about a saved record: the fields of drivers.receipt.Acknowledgement, and the
claim its QR signs (contract/slip_qr.py).

Built from the capture engine's results (in memory, before they are discarded) and the applicant's row; used by
the kiosk after "Tersimpan" and by the headless simulation. The sealer signs the QR from the same results with
`slip_claim`, so what the slip prints and what HQ verifies are counted by one function. The time is the sealing
time in the station's local time (WIB on a kit set to Asia/Jakarta).
"""

import datetime as dt
from collections.abc import Mapping

from contract.nik import mask_nik
from contract.slip_qr import SlipClaim, sealing_time
from station.capture.policy import FINGERS, IRISES, CaptureResult
from station.checkin import display_name
from station.config import AgencySection, HelpdeskSection


def helpdesk_lines(helpdesk: HelpdeskSection) -> tuple[str, ...]:
    """The help-desk contacts as the slip prints them."""
    return (f"Call centre {helpdesk.call_centre}", f"WhatsApp {helpdesk.whatsapp}", *helpdesk.social)


def _exceptions(results: Mapping[str, CaptureResult], positions: tuple[str, ...]) -> dict[str, str]:
    return {p: results[p].exception_code or "other" for p in positions
            if p in results and results[p].outcome == "exception"}


def _captured(results: Mapping[str, CaptureResult], positions: tuple[str, ...]) -> int:
    return sum(results[p].outcome == "captured" for p in positions if p in results)


def below_threshold(results: Mapping[str, CaptureResult]) -> tuple[str, ...]:
    """The positions kept below their threshold (the operator's "keep the best"), in the results' order."""
    return tuple(p for p, r in results.items() if r.below_threshold)


def slip_claim(results: Mapping[str, CaptureResult], station_id: str, record_id: str, seq: int,
               sealed_at: str) -> SlipClaim:
    """What the slip's QR asserts about this record: ids, sealing time and the capture counts the slip prints."""
    signature = results.get("signature")
    return SlipClaim(station_id, record_id, seq, sealing_time(sealed_at),
                     _captured(results, FINGERS), len(_exceptions(results, FINGERS)),
                     _captured(results, IRISES), len(_exceptions(results, IRISES)),
                     signature is not None and signature.outcome == "exception", len(below_threshold(results)))


def slip_time(sealed_at: str = "") -> str:
    """The slip's date and time: the sealing time (or now) in the station's zone, e.g. 25-11-2026 08:30 WIB."""
    when = dt.datetime.fromisoformat(sealed_at) if sealed_at else dt.datetime.now(dt.UTC)
    return when.astimezone().strftime("%d-%m-%Y %H:%M %Z").strip()


def acknowledgement_fields(results: Mapping[str, CaptureResult], receipt: str, record_id: str, name: str, nik: str,
                           helpdesk: HelpdeskSection, *, sealed_at: str = "", qr: str = "", station_id: str = "",
                           operator: str = "", agency: AgencySection | None = None) -> dict:
    """The drivers.receipt.Acknowledgement keyword arguments for a saved record. `sealed_at` and `qr` come from
    the sealer (SealedRecord), `operator` is who recorded it ("Rina Lestari (OP-02)"), `agency` the config's
    [agency] (its name and address head the slip)."""
    signature = results.get("signature")
    agency_lines = (agency.name, agency.address) if agency is not None else ()
    return {"receipt_number": receipt, "display_name": display_name(name), "masked_nik": mask_nik(nik),
            "time": slip_time(sealed_at), "record_id": record_id,
            "helpdesk": helpdesk_lines(helpdesk),
            "fingers_captured": _captured(results, FINGERS), "finger_exceptions": _exceptions(results, FINGERS),
            "irises_captured": _captured(results, IRISES), "iris_exceptions": _exceptions(results, IRISES),
            "below_threshold": below_threshold(results),
            "signature_exception": (signature.exception_code or "other")
            if signature is not None and signature.outcome == "exception" else "",
            "agency": tuple(line for line in agency_lines if line), "station_id": station_id,
            "operator": operator, "verify_qr": qr}
