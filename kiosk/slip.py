"""The acknowledgement slip of a record just saved, as the review screen prints it: its fields
(station/acknowledgement.py) with the sealer's signed QR, the operator and the agency, and its labels in the kiosk's
current language (the student's, as for the queue slip) from the gettext catalogues.

Pure data, no widgets: the review screen (and a reprint) call `acknowledgement_of` and hand the result to
PrintService.print_acknowledgement.
"""

from collections.abc import Callable, Mapping
from typing import Any

from kiosk.printing import Acknowledgement
from station.acknowledgement import acknowledgement_fields
from station.capture.policy import BIOMETRIC_EXCEPTIONS, FINGERS, IRISES, SIGNATURE_EXCEPTIONS

# drivers.receipt.ACK_LABELS keys → msgids of the kiosk's catalogues (Bahasa Indonesia in id, English in en)
SLIP_LABELS = {"title": "E-KTP RECORDING ACKNOWLEDGEMENT", "receipt": "Receipt no.", "name": "Name", "nik": "NIK",
               "time": "Time", "station": "Station", "operator": "Operator", "recorded": "recorded",
               "face": "face", "signature": "signature", "fingers": "Fingerprints", "irises": "Irises",
               "exception": "exception", "exceptions": "Exceptions", "below": "Accepted below threshold",
               "help": "Help", "keep": "Keep this receipt until your e-KTP is ready.",
               "verify": "Scan to check it is genuine",
               # the positions and the coded reasons, named as the screens name them
               **{position: position for position in (*FINGERS, *IRISES)},
               **{code: f"reason.{code}" for code in BIOMETRIC_EXCEPTIONS | SIGNATURE_EXCEPTIONS}}


def slip_labels(translate: Callable[[str], str]) -> dict[str, str]:
    """The slip's labels through `translate` (the app's `t`: the current language)."""
    return {key: translate(msgid) for key, msgid in SLIP_LABELS.items()}


def acknowledgement_of(results: Mapping[str, Any], sealed: Any, name: str, nik: str, operator: Any,
                       config: Any) -> Acknowledgement:
    """The slip of `sealed` (station.sealing.SealedRecord) for the student `name`/`nik`, recorded by `operator`
    (station.operators.Operator, or None) on the station of `config` (its [agency] and [helpdesk])."""
    who = f"{operator.name} ({operator.operator_id})" if operator is not None else ""
    return Acknowledgement(**acknowledgement_fields(
        results, sealed.receipt_number, sealed.record_id, name, nik, config.helpdesk, sealed_at=sealed.sealed_at,
        qr=sealed.slip_qr, station_id=config.station.id, operator=who, agency=config.agency))
