"""Phone numbers students give at check-in: Indonesian mobile numbers in any common form, stored as E.164."""

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from contract.errors import PhoneError

EXAMPLE = "use a mobile number such as 0812 3456 7890"
MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
# What people put between digits; anything else (letters, "ext", "#") is refused rather than guessed at.
SEPARATORS = frozenset(" \t-.()/+")


def normalize_phone(text: str) -> str:
    """Turn a typed Indonesian mobile number into E.164.

    Takes "0812-3456-7890", "0812 3456 7890", "+62 812 3456 7890", "6281234567890" and the like;
    returns "+6281234567890". Raises PhoneError with code phone.format (letters, too short or long, not a
    number), phone.foreign (another country's number) or phone.not_mobile (a landline or service number).
    """
    raw = text.strip()
    digits = "".join(c for c in raw if c not in SEPARATORS)
    if not digits:
        raise PhoneError(f"no phone number was typed; {EXAMPLE}", code="phone.format")
    if not digits.isdecimal():
        # phonenumbers would read letters as a keypad spelling ("0812-ABCD-…") or drop them silently.
        raise PhoneError(f"a phone number has only digits; {EXAMPLE}", code="phone.format")
    if raw.startswith("62"):
        raw = "+" + raw  # written with the country code but without the plus
    try:
        number = phonenumbers.parse(raw, "ID")
    except NumberParseException:
        raise PhoneError(f"not a phone number; {EXAMPLE}", code="phone.format") from None
    if number.country_code != 62:
        raise PhoneError(f"not an Indonesian number (+{number.country_code}); {EXAMPLE}", code="phone.foreign")
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(f"not a valid Indonesian number (too short, too long or no such prefix); {EXAMPLE}",
                         code="phone.format")
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise PhoneError(f"this is a landline or service number, not a mobile; {EXAMPLE}",
                         code="phone.not_mobile")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def format_phone_local(e164: str) -> str:
    """Format an E.164 number from normalize_phone the way Indonesians write it, for receipts and screens.

    "+6281234567890" → "0812-3456-7890" (the grouping follows the number's length). Raises PhoneError
    (phone.format) when `e164` is not a phone number.
    """
    try:
        number = phonenumbers.parse(e164, "ID")
    except NumberParseException:
        raise PhoneError(f"not a phone number; {EXAMPLE}", code="phone.format") from None
    return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
