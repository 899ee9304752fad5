"""NIK parsing and roster rules: century, women's +40 day, age on the recording date, masked messages."""

import contextlib
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from station.errors import NikError
from station.nik import age_on, check_applicant, mask_nik, parse_nik

TODAY = dt.date(2026, 11, 25)


def make_nik(born: dt.date, sex: str, place: str = "147101", serial: str = "0001") -> str:
    day = born.day + (40 if sex == "F" else 0)
    return f"{place}{day:02d}{born.month:02d}{born.year % 100:02d}{serial}"


def test_pekanbaru_nik_male_and_female():
    male = parse_nik("1471011005090001", today=TODAY)
    assert (male.province_name, male.regency_name, male.district_code) == ("Riau", "PEKANBARU", "147101")
    assert (male.birth_date, male.sex, male.serial) == (dt.date(2009, 5, 10), "M", "0001")
    female = parse_nik("1471-01-50.0509-0001", today=TODAY)
    assert (female.birth_date, female.sex) == (dt.date(2009, 5, 10), "F")


def test_century_is_the_latest_not_in_the_future():
    assert parse_nik("3171011708450001", today=TODAY).birth_date == dt.date(1945, 8, 17)
    assert parse_nik("1471012511260001", today=TODAY).birth_date == dt.date(2026, 11, 25)
    assert parse_nik("1471012611260001", today=TODAY).birth_date == dt.date(1926, 11, 26)


def test_leap_days():
    assert parse_nik("1471012902080001", today=TODAY).birth_date == dt.date(2008, 2, 29)
    assert parse_nik("1471012902000001", today=TODAY).birth_date == dt.date(2000, 2, 29)
    with pytest.raises(NikError) as err:
        parse_nik("1471012902090001", today=TODAY)  # 2009 and 1909 are not leap years
    assert err.value.code == "nik.date"


@pytest.mark.parametrize(("nik", "code"), [
    ("14710110O5090001", "nik.format"), ("147101100509000", "nik.length"), ("14710110050900011", "nik.length"),
    ("9971011005090001", "nik.place"), ("1471013205090001", "nik.date"), ("1471011013090001", "nik.date"),
    ("", "nik.length"),
])
def test_bad_niks_have_codes_and_never_echo_the_number(nik, code):
    with pytest.raises(NikError) as err:
        parse_nik(nik, today=TODAY)
    assert err.value.code == code
    if len(nik) > 8:
        assert nik not in str(err.value)


def test_roster_rules():
    born = dt.date(2009, 5, 10)
    info = check_applicant(make_nik(born, "F"), birth_date=born, sex="F", recording_date=TODAY)
    assert info.birth_date == born
    with pytest.raises(NikError) as err:
        check_applicant(make_nik(born, "F"), birth_date=born + dt.timedelta(days=1), sex="F", recording_date=TODAY)
    assert err.value.code == "nik.birth_date_mismatch" and "2009-05-11" in str(err.value)
    with pytest.raises(NikError) as err:
        check_applicant(make_nik(born, "F"), birth_date=born, sex="M", recording_date=TODAY)
    assert err.value.code == "nik.sex_mismatch" and "40" in str(err.value)


def test_sixteenth_birthday_boundary():
    born = dt.date(2010, 11, 25)
    nik = make_nik(born, "M")
    assert check_applicant(nik, birth_date=born, sex="M", recording_date=TODAY).birth_date == born
    with pytest.raises(NikError) as err:
        check_applicant(nik, birth_date=born, sex="M", recording_date=TODAY - dt.timedelta(days=1))
    assert err.value.code == "nik.too_young" and nik not in str(err.value)


def test_age_on_leap_birthday():
    born = dt.date(2008, 2, 29)
    assert age_on(born, dt.date(2025, 2, 28)) == 16
    assert age_on(born, dt.date(2025, 3, 1)) == 17


def test_mask():
    assert mask_nik("1471011005090001") == "147101********01"
    assert mask_nik("123") == "***"


@given(st.dates(dt.date(1930, 1, 1), dt.date(2010, 12, 31)), st.sampled_from("MF"))
def test_constructed_niks_round_trip(born, sex):
    info = parse_nik(make_nik(born, sex), today=TODAY)
    assert (info.birth_date, info.sex) == (born, sex)


@given(st.text(max_size=30))
def test_arbitrary_text_only_raises_nik_error(text):
    """Anything typed on the keypad either parses or raises NikError; nothing else escapes."""
    with contextlib.suppress(NikError):
        info = parse_nik(text, today=TODAY)
        assert len(info.nik) == 16 and info.nik.isdigit()
