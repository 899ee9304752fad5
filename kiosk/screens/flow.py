"""The check-in in progress, and the student-facing wording of every refusal (translated by the catalogue)."""

from dataclasses import dataclass

from station.checkin import CheckIn, Identity
from station.corrections import CorrectionRequest

# Error code (contract.errors) → what the student reads; msgids are English, the catalogue gives Bahasa Indonesia.
MESSAGES = {
    "nik.length": "A NIK has 16 digits. Check the number on your family card (KK).",
    "nik.format": "A NIK has only digits. Check the number on your family card (KK).",
    "nik.place": "This NIK does not start with a known region code. Check the first six digits.",
    "nik.date": "The birth date inside this NIK is impossible. Check the digits 7 to 12.",
    "birth.date": "This birth date does not exist. Type it as day, month, year: 8 digits.",
    "checkin.not_on_list": "You are not on today's list for this school. Please ask the recording team.",
    "checkin.birth_date_mismatch": "The birth date does not match the list. Check it, or ask the recording team.",
    "checkin.no_assignment": "The list for today is not loaded yet. Please ask the recording team.",
    "phone.format": "That is not a phone number. Type a mobile number such as 0812 3456 7890.",
    "phone.not_mobile": "That is not a mobile number. Type a mobile number such as 0812 3456 7890.",
    "phone.foreign": "Type an Indonesian mobile number, such as 0812 3456 7890.",
    "kiosk.internal": "Something went wrong on this kiosk. Please ask the recording team.",
    "checkin.see_team": "Your recording was stopped earlier. Please talk to the recording team.",
    "qr.foreign": "This is not a SINOPSIS application QR. Show the QR from your application page, or type your NIK.",
    "qr.tampered": "This QR is not valid. Type your NIK instead, or ask the recording team.",
    "qr.bad_id": "This QR is not valid. Type your NIK instead, or ask the recording team.",
    "checkin.in_queue": "You are already checked in. Please ask the recording team.",
    "checkin.recorded": "Your recording is done. There is nothing more to do today.",
    "checkin.closed": "Your check-in today was closed by the recording team. Please ask them.",
    "store.busy": "The kiosk is busy for a moment. Nothing is lost: please press OK again.",
    "checkin.no_listed_phone": "The list has no number for you. Type your mobile number.",
}
# What the student may say is wrong on the confirm screen (station.records.CORRECTION_REASONS), in their words.
CORRECTION_CHOICES = {
    "name_mismatch": "My name is written wrong",
    "birth_date_mismatch": "My birth date is wrong",
    "kk_mismatch": "My family card (KK) data is different",
    "other": "Something else is wrong",
}
PROBLEM_TITLES = {
    "recorded": "You are already recorded",
    "in_queue": "You are already in the queue",
    "mismatch": "Your data does not match",
    "default": "We could not check you in",
}


def message_for(code: str) -> str:
    """The English msgid for an error code (unknown codes get the generic message)."""
    return MESSAGES.get(code, MESSAGES["kiosk.internal"])


@dataclass
class CheckInFlow:
    """What the student has entered and what the station answered, screen by screen."""

    nik: str = ""
    birth_digits: str = ""  # DDMMYYYY as typed
    identity: Identity | None = None
    phone: str = ""
    ticket: CheckIn | None = None
    problem: str = "default"  # a PROBLEM_TITLES key
    problem_code: str = ""  # a MESSAGES key
    correction: str = ""  # the CORRECTION_CHOICES key picked: the phone screen then asks for a correction
    correction_sent: CorrectionRequest | None = None  # what the station recorded for that request

    @property
    def method(self) -> str:
        """How the student identified: "nik" (typed) or "qr" (scanned)."""
        return "nik" if self.nik else "qr"
