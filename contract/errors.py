"""The exceptions the station core raises for bad input, each with a message a person can act on.

Every message says which input, what is wrong and what to do; the CLI prints it and exits 2.
"""


class SinopsisError(Exception):
    """Base of every error the core reports to a person instead of crashing.

    `code` is a stable dotted identifier (e.g. "nik.length") that a screen maps to a translated message;
    the exception text is the English detail for logs and the CLI.
    """

    exit_code = 2

    def __init__(self, message: str, code: str = "error") -> None:
        super().__init__(message)
        self.code = code


class ConfigError(SinopsisError):
    """A station.toml that cannot be used: names the file, the key and the reason."""


class KeyFileError(SinopsisError):
    """A key file that is missing, unreadable or of the wrong kind."""


class NikError(SinopsisError):
    """A NIK that is malformed or disagrees with the roster (birth date, sex, age)."""


class NameTextError(SinopsisError):
    """A person's name, place name or label with a character such text never has (contract/names.py)."""


class AssignmentError(SinopsisError):
    """An assignment bundle that is refused: bad signature, bad applicant, wrong version."""


class PacketError(SinopsisError):
    """A sealed record that fails verification or cannot be opened."""


class PhoneError(SinopsisError):
    """A phone number that is not a usable Indonesian mobile number."""


class CheckInError(SinopsisError):
    """A check-in that cannot be done (unknown student, wrong birth date, no assignment)."""


class RecordStateError(SinopsisError):
    """A record asked to move to a state its lifecycle does not allow from where it is."""


class ImageFileError(SinopsisError):
    """An image file that is missing or cannot be decoded."""


class QrError(SinopsisError):
    """A QR code shown at the kiosk that is not a valid SINOPSIS application QR."""


class AuthError(SinopsisError):
    """An operator login that is refused (wrong id or PIN, or locked out for a while)."""
