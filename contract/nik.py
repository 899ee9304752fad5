"""NIK (Nomor Induk Kependudukan) parsing and the roster rules the station applies to every applicant.

A NIK is PPRRSSDDMMYYXXXX: province, regency/city and district codes, the birth date (40 added to the day
for women) and a serial. python-stdnum supplies the separators it strips and the place table; its own
birth-date check guesses the century 1900-first, so the century is resolved here instead: the most recent
year that is not in the future. Error messages never carry a full NIK, because they end up in logs.
"""

import dataclasses
import datetime as dt
from dataclasses import dataclass

from stdnum import numdb
from stdnum.id import nik as stdnum_nik

from contract.errors import NikError

NIK_LENGTH = 16
FEMALE_DAY_OFFSET = 40
# A NIK or KK number as a schema pattern: ASCII digits only. A regex's \d (Python's re and pydantic's alike),
# str.isdigit(), str.isdecimal() and int() also take fullwidth (U+FF10-FF19) and Arabic-Indic (U+0660-0669) digits.
DIGITS16_PATTERN = r"^[0-9]{16}$"


def is_ascii_digits(text: str, length: int | None = None) -> bool:
    """True when `text` is only the ASCII digits 0-9 (exactly `length` of them when given); see DIGITS16_PATTERN
    for why not str.isdigit()."""
    return text.isascii() and text.isdecimal() and (length is None or len(text) == length)


@dataclass(frozen=True)
class NikInfo:
    """What a NIK encodes: place of registration, birth date (century resolved), sex and serial."""

    nik: str
    province_code: str
    regency_code: str
    district_code: str
    province_name: str
    regency_name: str
    birth_date: dt.date
    sex: str
    serial: str


def mask_nik(nik: str) -> str:
    """A NIK fit for logs and screens: the first 6 and last 2 digits kept ("147101********01").

    Anything shorter than a NIK is starred out entirely, so a mask never shows more than 8 digits.
    """
    if len(nik) < NIK_LENGTH:
        return "*" * len(nik)
    return nik[:6] + "*" * (len(nik) - 8) + nik[-2:]


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Completed years on `day`; a birthday on `day` counts, and 29 February is reached on 1 March in
    other years. Negative when `day` is before `birth_date`."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _anniversary(birth_date: dt.date, years: int) -> dt.date:
    """The day someone born on `birth_date` turns `years` old (1 March for 29 February in other years)."""
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:
        return dt.date(birth_date.year + years, 3, 1)


def _place_names(number: str) -> tuple[str, str]:
    """Province and regency names for the first four digits; NikError("nik.place") when either is unknown."""
    parts = numdb.get("id/loc").info(number[:4])
    province = parts[0][1] if len(parts) == 2 else {}
    regency = parts[1][1] if len(parts) == 2 else {}
    if not province or not regency:
        raise NikError(f"NIK {mask_nik(number)}: no province/regency has the code {number[:4]}; check the "
                       "first four digits against the family card (KK)", code="nik.place")
    return province.get("name_id", ""), regency.get("name_id", "")


def _birth_date(number: str, today: dt.date) -> tuple[dt.date, str]:
    """The birth date (latest century not after `today`) and sex from DDMMYY; NikError("nik.date") when
    no such day exists."""
    day_field, month, yy = int(number[6:8]), int(number[8:10]), int(number[10:12])
    sex = "F" if day_field > FEMALE_DAY_OFFSET else "M"
    day = day_field - FEMALE_DAY_OFFSET if sex == "F" else day_field
    for century in (2000, 1900):
        try:
            candidate = dt.date(century + yy, month, day)
        except ValueError:
            continue  # only 29 February differs between the centuries: it existed in 2000, not in 1900
        if candidate <= today:
            return candidate, sex
    raise NikError(f"NIK {mask_nik(number)}: digits 7–12 are not a possible birth date "
                   f"(DDMMYY, {FEMALE_DAY_OFFSET} added to the day for women); check the number against the "
                   "family card (KK)", code="nik.date")


def parse_nik(nik: str, *, today: dt.date | None = None) -> NikInfo:
    """Parse and validate a NIK as typed (spaces, dots and dashes allowed between the digits).

    `today` (default: the system date) decides the birth century: the latest year not after it.
    Returns a NikInfo; raises NikError with code nik.format (not only digits), nik.length (not 16 digits),
    nik.place (unknown province or regency) or nik.date (no such birth date).
    """
    number = stdnum_nik.compact(nik)
    if number and not is_ascii_digits(number):
        raise NikError(f"a NIK is {NIK_LENGTH} digits, but the {len(number)} characters typed include something "
                       f"else; type only the {NIK_LENGTH} digits from the family card (KK)", code="nik.format")
    if len(number) != NIK_LENGTH:
        raise NikError(f"a NIK has {NIK_LENGTH} digits, this one has {len(number)}; check the family card (KK)",
                       code="nik.length")
    province_name, regency_name = _place_names(number)
    birth_date, sex = _birth_date(number, today or dt.date.today())
    return NikInfo(
        nik=number,
        province_code=number[:2],
        regency_code=number[:4],
        district_code=number[:6],
        province_name=province_name,
        regency_name=regency_name,
        birth_date=birth_date,
        sex=sex,
        serial=number[12:],
    )


def _sex_word(sex: str) -> str:
    return "female" if sex == "F" else "male"


def check_applicant(
    nik: str, *, birth_date: dt.date, sex: str, recording_date: dt.date, min_age: int = 16
) -> NikInfo:
    """Check a roster entry against its NIK on the recording date.

    The NIK must be valid (see parse_nik), its DDMMYY must be the roster's `birth_date`, its sex the
    roster's `sex` ("M" or "F"), and the applicant at least `min_age` on `recording_date`.
    Returns the NikInfo carrying the roster's birth date (the roster knows the century).
    Raises NikError (parse_nik's codes, nik.birth_date_mismatch, nik.sex_mismatch, nik.too_young) and
    ValueError when `sex` is not "M" or "F".
    """
    if sex not in ("M", "F"):
        raise ValueError(f"sex must be 'M' or 'F', got {sex!r}")
    info = parse_nik(nik, today=recording_date)
    masked = mask_nik(info.nik)
    coded = info.birth_date
    if (coded.day, coded.month, coded.year % 100) != (birth_date.day, birth_date.month, birth_date.year % 100):
        raise NikError(f"NIK {masked}: birth date in the NIK is {coded.isoformat()} but the roster says "
                       f"{birth_date.isoformat()}; correct the roster or request a KK correction",
                       code="nik.birth_date_mismatch")
    if info.sex != sex:
        raise NikError(f"NIK {masked}: the NIK says {_sex_word(info.sex)} but the roster says {_sex_word(sex)} "
                       f"(for women {FEMALE_DAY_OFFSET} is added to the birth day, so digits 7–8 are 41–71); "
                       "correct the roster or request a KK correction", code="nik.sex_mismatch")
    age = age_on(birth_date, recording_date)
    if age < min_age:
        raise NikError(f"NIK {masked}: {age} years old on the recording date {recording_date.isoformat()}, "
                       f"e-KTP recording needs {min_age}; record on or after "
                       f"{_anniversary(birth_date, min_age).isoformat()}", code="nik.too_young")
    return dataclasses.replace(info, birth_date=birth_date)
