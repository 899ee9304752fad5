"""NIK (Nomor Induk Kependudukan) parsing and the roster rules the station applies to every applicant.

python-stdnum checks the format and the place code; its birth-date century guess tries 1900 first, so the
century is resolved here: the most recent year that is not in the future. Messages never carry a full NIK.
"""

import datetime as dt
from dataclasses import dataclass

from stdnum import numdb
from stdnum.exceptions import ValidationError
from stdnum.id import nik as stdnum_nik

from station.errors import NikError


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
    """A NIK fit for logs and screens: first 6 and last 2 digits kept ("147101********01")."""
    return nik[:6] + "*" * max(0, len(nik) - 8) + nik[-2:] if len(nik) > 8 else "*" * len(nik)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Completed years on `day` (a 29 February birthday is reached on 1 March in other years)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _birth_date(day: int, month: int, yy: int, today: dt.date) -> dt.date | None:
    for century in (2000, 1900):
        try:
            candidate = dt.date(century + yy, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return None


def parse_nik(nik: str, *, today: dt.date | None = None) -> NikInfo:
    """Parse and validate a NIK; raises NikError with a code (nik.format, nik.length, nik.place, nik.date)."""
    number = stdnum_nik.compact(nik)
    if number and not (number.isdigit() and number.isascii()):
        raise NikError(f"a NIK has only digits (got {len(number)} characters with other signs); type the 16 "
                       "digits from the family card (KK)", code="nik.format")
    if len(number) != 16:
        raise NikError(f"a NIK has 16 digits, this one has {len(number)}; check the family card (KK)",
                       code="nik.length")
    masked = mask_nik(number)
    day_field, month, yy = int(number[6:8]), int(number[8:10]), int(number[10:12])
    sex = "F" if day_field > 40 else "M"
    birth = _birth_date(day_field - 40 if sex == "F" else day_field, month, yy, today or dt.date.today())
    if birth is None:
        raise NikError(f"NIK {masked}: digits 7–12 are not a possible birth date (DDMMYY, +40 on the day for "
                       "women); check the number", code="nik.date")
    try:
        stdnum_nik.validate(number)
    except ValidationError:
        raise NikError(f"NIK {masked}: the province/regency code {number[:4]} does not exist; check the number",
                       code="nik.place") from None
    place = numdb.get("id/loc").info(number[:4])
    return NikInfo(
        nik=number, province_code=number[:2], regency_code=number[:4], district_code=number[:6],
        province_name=place[0][1].get("name_id", ""), regency_name=place[1][1].get("name_id", "") if len(place) > 1
        else "", birth_date=birth, sex=sex, serial=number[12:],
    )


def check_applicant(nik: str, *, birth_date: dt.date, sex: str, recording_date: dt.date, min_age: int = 16) -> NikInfo:
    """Check a roster entry: NIK valid, its birth date and sex agree with the roster, old enough on the
    recording date. Returns the NikInfo with the roster's birth date; raises NikError otherwise."""
    info = parse_nik(nik, today=recording_date)
    masked = mask_nik(info.nik)
    coded = (info.birth_date.day, info.birth_date.month, info.birth_date.year % 100)
    if coded != (birth_date.day, birth_date.month, birth_date.year % 100):
        raise NikError(f"NIK {masked}: birth date in the NIK is {coded[0]:02d}-{coded[1]:02d}-..{coded[2]:02d} but "
                       f"the roster says {birth_date.isoformat()}; correct the roster or request a KK correction",
                       code="nik.birth_date_mismatch")
    if info.sex != sex:
        raise NikError(f"NIK {masked}: the NIK says {'female' if info.sex == 'F' else 'male'} (women have 40 added "
                       f"to the birth day) but the roster says {'female' if sex == 'F' else 'male'}",
                       code="nik.sex_mismatch")
    age = age_on(birth_date, recording_date)
    if age < min_age:
        raise NikError(f"NIK {masked}: {age} years old on the recording date {recording_date.isoformat()}; "
                       f"e-KTP recording needs at least {min_age}", code="nik.too_young")
    return NikInfo(**{**info.__dict__, "birth_date": birth_date})
