"""Phone numbers: Indonesian mobiles in any common form become E.164; anything else is refused clearly."""

import pytest

from station.errors import PhoneError
from station.phone import format_phone_local, normalize_phone


@pytest.mark.parametrize("text", ["0812-3456-7890", "0812 3456 7890", "+62 812 3456 7890", "6281234567890",
                                  "+6281234567890", " 081234567890 "])
def test_common_forms_normalise(text):
    assert normalize_phone(text) == "+6281234567890"


@pytest.mark.parametrize(("text", "code"), [
    ("0761 21234", "phone.not_mobile"), ("+1 650 253 0000", "phone.foreign"), ("nomor saya", "phone.format"),
    ("081234567890123", "phone.format"), ("0812", "phone.format"), ("", "phone.format"),
])
def test_refused_with_a_code_and_an_example(text, code):
    with pytest.raises(PhoneError) as err:
        normalize_phone(text)
    assert err.value.code == code and "0812 3456 7890" in str(err.value)


def test_local_format_for_receipts():
    assert format_phone_local("+6281234567890") == "0812-3456-7890"
