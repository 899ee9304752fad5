"""NIK parsing and roster rules: century, women's +40 day, age on the recording date, masked messages."""

import contextlib
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract.errors import NikError
from contract.nik import NikInfo, age_on, check_applicant, mask_nik, parse_nik

TODAY = dt.date(2026, 11, 25)


def make_nik(born: dt.date, sex: str, place: str = "147101", serial: str = "0001") -> str:
    day = born.day + (40 if sex == "F" else 0)
    return f"{place}{day:02d}{born.month:02d}{born.year % 100:02d}{serial}"


def test_pekanbaru_male():
    assert parse_nik("1471011005090001", today=TODAY) == NikInfo(
        nik="1471011005090001", province_code="14", regency_code="1471", district_code="147101",
        province_name="Riau", regency_name="PEKANBARU", birth_date=dt.date(2009, 5, 10), sex="M", serial="0001",
    )


def test_pekanbaru_female_typed_with_separators():
    info = parse_nik(" 1471-01-50.0509 0002 ", today=TODAY)
    assert info.nik == "1471015005090002"
    assert (info.regency_name, info.birth_date, info.sex, info.serial) == ("PEKANBARU", dt.date(2009, 5, 10),
                                                                          "F", "0002")


def test_female_day_71_is_the_31st():
    assert parse_nik("1471017101090001", today=TODAY).birth_date == dt.date(2009, 1, 31)


def test_century_is_the_latest_not_in_the_future():
    assert parse_nik("1471010305090001", today=TODAY).birth_date == dt.date(2009, 5, 3)
    assert parse_nik("3171011708450001", today=TODAY).birth_date == dt.date(1945, 8, 17)
    assert parse_nik("1471012511260001", today=TODAY).birth_date == dt.date(2026, 11, 25)
    assert parse_nik("1471012611260001", today=TODAY).birth_date == dt.date(1926, 11, 26)
    # The same NIK read before 2009 can only be a 1909 birth.
    assert parse_nik("1471010305090001", today=dt.date(2008, 1, 1)).birth_date == dt.date(1909, 5, 3)


def test_today_defaults_to_the_system_date():
    assert parse_nik("1471010305090001").birth_date == dt.date(2009, 5, 3)


def test_leap_days():
    assert parse_nik("1471012902080001", today=TODAY).birth_date == dt.date(2008, 2, 29)
    assert parse_nik("1471012902000001", today=TODAY).birth_date == dt.date(2000, 2, 29)
    assert parse_nik("1471016902000001", today=TODAY).birth_date == dt.date(2000, 2, 29)
    # Before 2000-02-29 the only reading left is 1900-02-29, which never existed.
    with pytest.raises(NikError) as err:
        parse_nik("1471012902000001", today=dt.date(1999, 12, 31))
    assert err.value.code == "nik.date"
    with pytest.raises(NikError) as err:
        parse_nik("1471012902090001", today=TODAY)  # 2009 and 1909 are not leap years
    assert err.value.code == "nik.date"


BAD_NIKS = [
    ("14710110O5090001", "nik.format"),  # a letter O for a zero
    ("147101١٠05090001", "nik.format"),  # Arabic-Indic digits are not what the KK shows
    ("1471011005090001x", "nik.format"),
    ("147101100509000", "nik.length"),
    ("14710110050900011", "nik.length"),
    ("", "nik.length"),
    ("9971011005090001", "nik.place"),  # no province 99
    ("1499011005090001", "nik.place"),  # Riau has no regency 99
    ("1400011005090001", "nik.place"),
    ("1471013205090001", "nik.date"),  # day 32
    ("1471014005090001", "nik.date"),  # day 40: neither a man's nor a woman's day
    ("1471017205090001", "nik.date"),  # day 72 = 32 for a woman
    ("1471010005090001", "nik.date"),  # day 0
    ("1471011013090001", "nik.date"),  # month 13
    ("1471011000090001", "nik.date"),  # month 0
    ("1471013104090001", "nik.date"),  # 31 April
]


@pytest.mark.parametrize(("nik", "code"), BAD_NIKS)
def test_bad_niks_have_codes_and_never_echo_the_number(nik, code):
    with pytest.raises(NikError) as err:
        parse_nik(nik, today=TODAY)
    assert err.value.code == code
    message = str(err.value)
    digits = "".join(c for c in nik if c.isdigit())
    if len(digits) > 8:
        assert nik not in message and digits not in message
    if code in ("nik.place", "nik.date"):
        assert mask_nik(nik) in message


def test_non_digit_input_is_not_echoed():
    with pytest.raises(NikError) as err:
        parse_nik("my nik is 1471011005090001", today=TODAY)
    assert err.value.code == "nik.format"
    assert "1471" not in str(err.value) and "my" not in str(err.value)
    assert "16 digits" in str(err.value)


def test_length_error_says_how_many_digits():
    with pytest.raises(NikError, match="16 digits, this one has 14"):
        parse_nik("14710110050900", today=TODAY)


BORN = dt.date(2009, 5, 3)


def test_roster_entry_that_agrees_is_accepted():
    info = check_applicant(make_nik(BORN, "F"), birth_date=BORN, sex="F", recording_date=TODAY)
    assert (info.birth_date, info.sex, info.regency_name) == (BORN, "F", "PEKANBARU")


def test_roster_century_wins():
    """The NIK only has YY; the roster's full date is what the station keeps."""
    born = dt.date(1909, 5, 3)
    info = check_applicant(make_nik(born, "M"), birth_date=born, sex="M", recording_date=TODAY)
    assert info.birth_date == born


def test_roster_birth_date_mismatch_names_both_dates():
    nik = make_nik(BORN, "M")
    with pytest.raises(NikError) as err:
        check_applicant(nik, birth_date=dt.date(2009, 5, 4), sex="M", recording_date=TODAY)
    assert err.value.code == "nik.birth_date_mismatch"
    assert str(err.value) == ("NIK 147101********01: birth date in the NIK is 2009-05-03 but the roster says "
                              "2009-05-04; correct the roster or request a KK correction")
    assert nik not in str(err.value)


@pytest.mark.parametrize("roster_born", [dt.date(2008, 5, 3), dt.date(2009, 6, 3), dt.date(2009, 5, 13)])
def test_any_field_of_the_date_can_disagree(roster_born):
    with pytest.raises(NikError) as err:
        check_applicant(make_nik(BORN, "M"), birth_date=roster_born, sex="M", recording_date=TODAY)
    assert err.value.code == "nik.birth_date_mismatch"


@pytest.mark.parametrize(("nik_sex", "roster_sex"), [("F", "M"), ("M", "F")])
def test_sex_mismatch_explains_the_plus_40_rule(nik_sex, roster_sex):
    nik = make_nik(BORN, nik_sex)
    with pytest.raises(NikError) as err:
        check_applicant(nik, birth_date=BORN, sex=roster_sex, recording_date=TODAY)
    assert err.value.code == "nik.sex_mismatch"
    message = str(err.value)
    assert "40" in message and mask_nik(nik) in message and nik not in message


def test_roster_sex_must_be_m_or_f():
    with pytest.raises(ValueError, match="'L'"):
        check_applicant(make_nik(BORN, "M"), birth_date=BORN, sex="L", recording_date=TODAY)


def test_invalid_nik_in_roster_reports_parse_code():
    with pytest.raises(NikError) as err:
        check_applicant("9971010305090001", birth_date=BORN, sex="M", recording_date=TODAY)
    assert err.value.code == "nik.place"


def test_sixteenth_birthday_counts_on_the_day():
    born = dt.date(2010, 11, 25)
    nik = make_nik(born, "M")
    assert check_applicant(nik, birth_date=born, sex="M", recording_date=TODAY).birth_date == born
    with pytest.raises(NikError) as err:
        check_applicant(nik, birth_date=born, sex="M", recording_date=TODAY - dt.timedelta(days=1))
    assert err.value.code == "nik.too_young"
    message = str(err.value)
    assert nik not in message and mask_nik(nik) in message
    assert "15 years old" in message and "2026-11-25" in message


def test_leap_day_birthday_turns_sixteen_on_first_march():
    born = dt.date(2008, 2, 29)
    nik = make_nik(born, "F")
    with pytest.raises(NikError) as err:
        check_applicant(nik, birth_date=born, sex="F", recording_date=dt.date(2024, 2, 28))
    assert err.value.code == "nik.too_young"
    # 2024 is a leap year: the 16th birthday is 29 February itself.
    assert check_applicant(nik, birth_date=born, sex="F", recording_date=dt.date(2024, 2, 29)).sex == "F"
    with pytest.raises(NikError, match="on or after 2026-03-01"):
        check_applicant(nik, birth_date=born, sex="F", recording_date=dt.date(2026, 2, 28), min_age=18)
    assert check_applicant(nik, birth_date=born, sex="F", recording_date=dt.date(2026, 3, 1), min_age=18)


def test_min_age_is_configurable():
    born = dt.date(2012, 1, 1)
    assert check_applicant(make_nik(born, "M"), birth_date=born, sex="M", recording_date=TODAY, min_age=14)
    with pytest.raises(NikError, match="needs 16"):
        check_applicant(make_nik(born, "M"), birth_date=born, sex="M", recording_date=TODAY)


def test_age_on():
    born = dt.date(2010, 11, 25)
    assert age_on(born, dt.date(2026, 11, 24)) == 15
    assert age_on(born, dt.date(2026, 11, 25)) == 16
    assert age_on(dt.date(2008, 2, 29), dt.date(2025, 2, 28)) == 16
    assert age_on(dt.date(2008, 2, 29), dt.date(2025, 3, 1)) == 17
    assert age_on(dt.date(2008, 2, 29), dt.date(2024, 2, 29)) == 16


def test_mask():
    assert mask_nik("1471011005090001") == "147101********01"
    assert mask_nik("123") == "***"
    assert mask_nik("147101100509") == "************"  # a part of a NIK shows nothing


@given(st.dates(dt.date(1930, 1, 1), dt.date(2010, 12, 31)), st.sampled_from("MF"))
def test_constructed_niks_round_trip(born, sex):
    info = parse_nik(make_nik(born, sex), today=TODAY)
    assert (info.birth_date, info.sex) == (born, sex)


@given(st.one_of(st.text(max_size=30), st.text(alphabet="0123456789 .-", min_size=14, max_size=20)))
def test_arbitrary_text_only_raises_nik_error(text):
    """Anything typed on the keypad either parses or raises NikError; nothing else escapes."""
    with contextlib.suppress(NikError):
        info = parse_nik(text, today=TODAY)
        assert len(info.nik) == 16 and info.nik.isdigit() and info.birth_date <= TODAY
