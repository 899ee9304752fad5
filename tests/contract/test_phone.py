"""Phone numbers: Indonesian mobiles in any common form become E.164; anything else is refused clearly."""

import pytest

from contract.errors import PhoneError
from contract.phone import format_phone_local, normalize_phone


@pytest.mark.parametrize("text", [
    "0812-3456-7890", "0812 3456 7890", "+62 812 3456 7890", "6281234567890", "+6281234567890",
    " 081234567890 ", "(0812) 3456 7890", "0812.3456.7890", "+62 0812 3456 7890", "62 812-3456-7890",
])
def test_common_forms_normalise_to_one_e164(text):
    assert normalize_phone(text) == "+6281234567890"


@pytest.mark.parametrize(("text", "e164", "local"), [
    ("0811 234 567", "+62811234567", "0811-234-567"),
    ("0856 1234 567", "+628561234567", "0856-1234-567"),
    ("0896-1234-5678", "+6289612345678", "0896-1234-5678"),
])
def test_other_lengths_and_operators(text, e164, local):
    assert normalize_phone(text) == e164
    assert format_phone_local(e164) == local


@pytest.mark.parametrize(("text", "code"), [
    ("0761 123456", "phone.not_mobile"),  # a Pekanbaru landline
    ("(0761) 21234", "phone.not_mobile"),
    ("021 1234 5678", "phone.not_mobile"),  # Jakarta landline
    ("+1 650 253 0000", "phone.foreign"),
    ("+44 7911 123456", "phone.foreign"),
    ("+65 8123 4567", "phone.foreign"),
    ("nomor saya", "phone.format"),
    ("0812-ABCD-EFGH", "phone.format"),  # would otherwise be read as a keypad spelling
    ("0812 3456 789O", "phone.format"),  # letter O for a zero would otherwise be dropped
    ("0812 3456 7890 ext 12", "phone.format"),
    ("081234567890123", "phone.format"),  # 15 digits
    ("0812", "phone.format"),
    ("", "phone.format"),
    ("   ", "phone.format"),
    ("+", "phone.format"),
])
def test_refused_with_a_code_and_an_example(text, code):
    with pytest.raises(PhoneError) as err:
        normalize_phone(text)
    assert err.value.code == code
    assert "use a mobile number such as 0812 3456 7890" in str(err.value)


def test_local_format_for_receipts():
    assert format_phone_local("+6281234567890") == "0812-3456-7890"
    assert format_phone_local(normalize_phone("+62 812 3456 7890")) == "0812-3456-7890"


def test_local_format_refuses_what_is_not_a_number():
    with pytest.raises(PhoneError) as err:
        format_phone_local("not a number")
    assert err.value.code == "phone.format"
