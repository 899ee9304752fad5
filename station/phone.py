"""Phone numbers students give at check-in: Indonesian mobile numbers in any common form, stored as E.164."""

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

from station.errors import PhoneError

EXAMPLE = "use a mobile number such as 0812 3456 7890"
MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


def normalize_phone(text: str) -> str:
    """"0812-3456-7890", "+62 812 3456 7890" or "6281234567890" → "+6281234567890".

    Raises PhoneError (phone.format, phone.foreign, phone.not_mobile) saying what to type instead.
    """
    raw = text.strip()
    if raw.startswith("62") and not raw.startswith("620"):
        raw = "+" + raw
    try:
        number = phonenumbers.parse(raw, "ID")
    except NumberParseException:
        raise PhoneError(f"not a phone number; {EXAMPLE}", code="phone.format") from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(f"not a valid phone number; {EXAMPLE}", code="phone.format")
    if number.country_code != 62:
        raise PhoneError(f"not an Indonesian number; {EXAMPLE}", code="phone.foreign")
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise PhoneError(f"this is a landline; {EXAMPLE}", code="phone.not_mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone_local(e164: str) -> str:
    """"+6281234567890" → "0812-3456-7890" for receipts and screens."""
    national = "0" + e164.removeprefix("+62")
    return f"{national[:4]}-{national[4:8]}-{national[8:]}"
