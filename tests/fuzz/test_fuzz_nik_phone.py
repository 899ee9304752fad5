"""NIK (contract/nik.py) and phone (contract/phone.py) parsing of whatever is typed at the kiosk or carried in an
assignment: random text, digit-heavy text with separators, non-ASCII digits. Only the documented error escapes
(NikError with a nik.* code; PhoneError with a phone.* code), its message is non-empty and never shows a whole
NIK, and what is accepted is what the docstrings promise (16 ASCII digits; an Indonesian mobile in E.164)."""

import datetime as dt
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from contract.errors import NikError, PhoneError
from contract.nik import check_applicant, parse_nik
from contract.phone import format_phone_local, normalize_phone
from tests.fuzz.profiles import fuzz
from tests.fuzz.strategies import nasty_text

TODAY = dt.date(2026, 11, 25)
NIK_CODES = {"nik.format", "nik.length", "nik.place", "nik.date"}
PHONE_CODES = {"phone.format", "phone.foreign", "phone.not_mobile"}
digits_and_separators = st.text(alphabet="0123456789 .-\u0661\uff11", min_size=10, max_size=24)
pekanbaru_like = st.builds(lambda tail: "1471" + tail, st.text(alphabet="0123456789", min_size=12, max_size=12))


@fuzz(300)
@given(nasty_text | digits_and_separators | pekanbaru_like)
@example("1471\u0661\u0661\u0660\u0665\u0660\u0669\u0660\u0660\u0660\u0661")  # Arabic-Indic digits
@example("1471011005090001\n")
def test_parse_nik_only_raises_nik_error(text: str) -> None:
    try:
        info = parse_nik(text, today=TODAY)
    except NikError as e:
        assert e.code in NIK_CODES and str(e)
        compact = re.sub(r"[\s.\-]", "", text)
        assert not (len(compact) == 16 and compact in str(e)), "a whole NIK must never be in a message"
        return
    assert len(info.nik) == 16 and info.nik.isascii() and info.nik.isdecimal() and info.birth_date <= TODAY


@fuzz(200)
@given(nasty_text | pekanbaru_like, st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31)), st.sampled_from("MF"),
       st.integers(14, 21))
def test_check_applicant_only_raises_nik_error(nik: str, born: dt.date, sex: str, min_age: int) -> None:
    try:
        info = check_applicant(nik, birth_date=born, sex=sex, recording_date=TODAY, min_age=min_age)
    except NikError as e:
        assert e.code.startswith("nik.") and str(e)
        return
    assert info.birth_date == born and info.sex == sex


def test_check_applicant_refuses_a_sex_other_than_m_or_f_with_value_error() -> None:
    """The one documented non-NikError: a caller's bug, not the input's."""
    with pytest.raises(ValueError, match="sex"):
        check_applicant("1471011005090001", birth_date=dt.date(2009, 5, 10), sex="X", recording_date=TODAY)


phone_like = st.text(alphabet="0123456789 -.()+/\t", min_size=1, max_size=25)


@fuzz(300)
@given(nasty_text | phone_like | st.builds(lambda d: "08" + d, st.text("0123456789", min_size=6, max_size=14)))
@example("\u0660\u0668\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660")  # Arabic-Indic 0812…
@example("+" * 300)
@example("62")
def test_normalize_phone_only_raises_phone_error(text: str) -> None:
    try:
        e164 = normalize_phone(text)
    except PhoneError as e:
        assert e.code in PHONE_CODES and str(e)
        return
    assert re.fullmatch(r"\+62[0-9]{8,13}", e164), e164
    assert normalize_phone(e164) == e164, "E.164 out, the same E.164 back"
    assert format_phone_local(e164)


@fuzz(200)
@given(nasty_text | phone_like)
def test_format_phone_local_only_raises_phone_error(text: str) -> None:
    try:
        assert isinstance(format_phone_local(text), str)
    except PhoneError as e:
        assert e.code == "phone.format" and str(e)
