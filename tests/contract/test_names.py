"""contract/names.py, the one name rule of HQ's forms and imports and the station's assignment check: a person's
or place's name is letters, combining marks on letters, spaces (U+0020) and ' . - only; a label any visible text.
The named hostile cases and a property over any text (with the characters that broke parsers before)."""

import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from contract.assignment import Name
from contract.errors import NameTextError
from contract.names import check_name, check_text, clean_name, describe_char, name_problem
from tests.fuzz.profiles import fuzz
from tests.fuzz.strategies import nasty_text

HIDDEN = ["\x00", "\x1b", "\x7f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
          "\u2069", "\u200e", "\u200f", "\u200b", "\u200c", "\u200d", "\ufeff", "\u2028", "\u2029", "\ue000"]


@pytest.mark.parametrize("char", HIDDEN, ids=lambda c: f"U+{ord(c):04X}")
def test_control_bidi_zero_width_and_separators_are_refused_and_never_printed(char):
    for check in (check_name, check_text):
        with pytest.raises(NameTextError) as err:
            check(f"Budi{char}Santoso", what="applicant #3: name")
        assert err.value.code in ("name.invisible", "text.invisible")
        message = str(err.value)
        assert message.startswith("applicant #3: name: has U+") and f"U+{ord(char):04X}" in message
        assert char not in message


@pytest.mark.parametrize(("name", "code", "shown"), [
    ("Budi Santoso 2", "name.character", "“2” (U+0032)"),
    ("Budi \uff12", "name.character", "“２” (U+FF12)"),  # a fullwidth digit is a digit all the same
    ("Budi_Santoso", "name.character", "“_”"),
    ("Siti\u00a0Aminah", "name.character", "U+00A0 (no-break space)"),
    ("\u0301Budi", "name.mark", "U+0301 (a combining accent)"),
    ("Bu- \u0301di", "name.mark", "U+0301"),
    ("a\u0301\u0301\u0301\u0301\u0301", "name.mark", "U+0301"),
    ("' . -", "name.empty", ""),
    ("", "name.empty", ""),
])
def test_what_a_name_never_has(name, code, shown):
    with pytest.raises(NameTextError) as err:
        check_name(name)
    assert err.value.code == code and shown in str(err.value)
    assert "write it as on the family card (KK)" in str(err.value)


@pytest.mark.parametrize("name", ["Budi Santoso", "Nguyễn Thị Minh-Khai", "Muh. Rizky O'Neil", "محمد عبد الله",
                                  "Ni Luh Putu Ayu", "Zoë", "Sri\u0301"])
def test_names_of_every_script_pass(name):
    assert check_name(name) == name


def test_clean_name_composes_and_joins_spaces_but_keeps_controls_for_the_check():
    assert clean_name("  Siti\u00a0\u3000Nur\thaliza\r\n ") == "Siti Nur haliza"
    assert clean_name("Zoe\u0308") == "Zoë"
    assert clean_name("Budi\x1fSantoso") == "Budi\x1fSantoso"  # str.split() would have hidden it as a space
    assert describe_char("\u202e").startswith("U+202E (")


def _allowed(text: str) -> bool:
    """The rule written out directly, as the property's oracle."""
    marks = -1
    for char in text:
        category = unicodedata.category(char)
        if category[0] == "L":
            marks = 0
        elif category[0] == "M" and 0 <= marks < 4:
            marks += 1
        elif char in " '.-":
            marks = -1
        else:
            return False
    return any(unicodedata.category(c)[0] == "L" for c in text)


@fuzz(300)
@given(nasty_text | st.text(st.sampled_from("aZé\u0301 '.-9_\u202e\u200b\x00\uff11\u0661")))
@example("a\u0301\u0301\u0301\u0301")
@example("\u202eBudi")
def test_the_rule_holds_for_any_text_and_the_assignment_applies_the_same(text):
    code, _char = name_problem(text)
    assert (code == "") == _allowed(text)
    if code:
        with pytest.raises(NameTextError) as err:
            check_name(text)
        hidden = [c for c in text if not c.isprintable() and c != " "]
        assert not any(c in str(err.value) for c in hidden)
    else:
        assert check_name(text) == text
    stripped = text.strip()  # the assignment model strips the ends first (str_strip_whitespace)
    try:
        TypeAdapter(Name).validate_python(stripped)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == (name_problem(stripped)[0] == "" and len(stripped) <= 120)
