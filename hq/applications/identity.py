"""The applicant's identity checks with messages a student can act on, in the page's language: the NIK (through
the station's own rules, `contract.nik`, so HQ never accepts what a station would refuse), the KK number, names of
people and places (`contract.names`, the station's name rule: letters, accents, spaces and ' . -) and the phone
number (`contract.phone`).

Age: the station records anyone at least `MIN_AGE` years old on the recording day (station.toml
`[roster] min_age`, default 16). The application is checked against the same age on the day it is made, and a
younger student is told the day they may apply; the e-KTP card itself is printed once they turn 17.
"""

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from contract.errors import NikError, PhoneError
from contract.names import clean_name, name_problem
from contract.nik import check_applicant, is_ascii_digits, parse_nik
from contract.phone import normalize_phone

MIN_AGE = 16  # station.config RosterSection.min_age's default
SEPARATORS = re.compile(r"[\s.\-]")


def birthday(birth_date: dt.date, years: int) -> dt.date:
    """The day someone born on `birth_date` turns `years` (1 March for 29 February in other years)."""
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:
        return dt.date(birth_date.year + years, 3, 1)


def digits16(value: str, what: str) -> str:
    """`value` without spaces, dots and dashes; ValidationError unless exactly 16 digits remain."""
    number = SEPARATORS.sub("", value or "")
    if not is_ascii_digits(number):
        raise ValidationError(_("The %(what)s has only digits; type the 16 digits as printed on the family card "
                                "(KK).") % {"what": what}, code="digits")
    if len(number) != 16:
        raise ValidationError(_("The %(what)s has 16 digits, this one has %(count)d; check it against the family "
                                "card (KK).") % {"what": what, "count": len(number)}, code="length")
    return number


def shown_char(char: str) -> str:
    """A character as a page may show it: “x” when visible, else only its code point (an invisible direction
    override printed on the page would reverse the text after it)."""
    if char.isprintable() and not unicodedata.category(char).startswith(("M", "Z")):
        return f"“{char}”"
    return f"U+{ord(char):04X}"


def person_name(text: str) -> str:
    """A typed name of a person or a place as it is stored (composed, one space between words), or
    ValidationError saying which character a name never has and what to type: the station refuses an assignment
    with such a name, so HQ never takes one."""
    name = clean_name(text or "")
    code, char = name_problem(name)
    if not code:
        return name
    shown = shown_char(char) if char else ""
    if code == "name.invisible":
        message = _("This has an invisible or control character (%(char)s), which a name never has. Type it again "
                    "as on the family card (KK).") % {"char": shown}
    elif code == "name.character":
        message = _("A name has only letters, spaces and ' . - (no digits or other signs); this one has %(char)s. "
                    "Type it as on the family card (KK).") % {"char": shown}
    elif code == "name.mark":
        message = _("This has an accent (%(char)s) that is not on a letter. Type it again as on the family card "
                    "(KK).") % {"char": shown}
    else:
        message = _("A name has letters. Type it as on the family card (KK).")
    raise ValidationError(message, code=code)


def nik_problems(nik: str, birth_date: dt.date | None, sex: str | None,
                 today: dt.date) -> dict[str, ValidationError]:
    """What is wrong with a NIK and the birth date and sex typed beside it: field name → error (empty: all
    right). The NIK's digits 7-12 are the birth date (40 added to the day for women)."""
    if birth_date is None or sex not in ("M", "F"):
        try:
            parse_nik(nik, today=today)
        except NikError as e:
            return {"nik": _nik_error(e, None)}
        return {}
    try:
        check_applicant(nik, birth_date=birth_date, sex=sex, recording_date=today, min_age=MIN_AGE)
    except NikError as e:
        field = {"nik.birth_date_mismatch": "birth_date", "nik.sex_mismatch": "sex",
                 "nik.too_young": "birth_date"}.get(e.code, "nik")
        return {field: _nik_error(e, birth_date)}
    return {}


def _nik_error(error: NikError, birth_date: dt.date | None) -> ValidationError:
    if error.code == "nik.format":
        text = _("A NIK has only digits. Type the 16 digits of your NIK from the family card (KK).")
    elif error.code == "nik.length":
        text = _("A NIK has 16 digits. Check the number on your family card (KK) and type all 16 digits.")
    elif error.code == "nik.place":
        text = _("The first four digits of this NIK are not a known province and city. Check the number on your "
                 "family card (KK).")
    elif error.code == "nik.date":
        text = _("Digits 7 to 12 of this NIK are not a possible birth date. Check the number on your family card "
                 "(KK).")
    elif error.code == "nik.birth_date_mismatch":
        text = _("This date of birth is not the one in your NIK (digits 7 to 12). Type the date as on your family "
                 "card (KK), or check the NIK.")
    elif error.code == "nik.sex_mismatch":
        text = _("The NIK says otherwise: for women 40 is added to the day of birth (digits 7 and 8 are 41 to 71). "
                 "Check the sex and the NIK against your family card (KK).")
    elif error.code == "nik.too_young" and birth_date is not None:
        text = _("You must be at least %(age)d years old to apply. You may apply from %(day)s.") % {
            "age": MIN_AGE, "day": date_format(birthday(birth_date, MIN_AGE), "j F Y")}
    else:
        text = _("This NIK cannot be used. Check it against your family card (KK).")
    return ValidationError(text, code=error.code)


def phone_e164(text: str) -> str:
    """A typed Indonesian mobile number (08…, +62…, 62…) as E.164; ValidationError saying what to type."""
    try:
        return normalize_phone(text)
    except PhoneError as e:
        if e.code == "phone.foreign":
            message = _("This is not an Indonesian number. Type your mobile number, such as 0812 3456 7890.")
        elif e.code == "phone.not_mobile":
            message = _("This is a landline or service number. Type your mobile number, such as 0812 3456 7890.")
        else:
            message = _("This is not a mobile number. Type it with 08, +62 or 62 at the start, such as "
                        "0812 3456 7890.")
        raise ValidationError(message, code=e.code) from None
