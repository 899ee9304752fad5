"""Issue 19 point 3, assignments: a signed bundle is still refused when a NIK or KK number has digits other than
ASCII 0-9, a name or place of birth carries a control, direction or zero-width character (or a digit, symbol, a
stray accent), a label carries an invisible one, or the version is not a JSON integer. Every refusal names the
source, the applicant (index, application id) and field, and the rule; the name as shown is escaped."""

import copy
import datetime as dt
import random

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contract.assignment import bundle_to_bytes, sign_assignment, verify_bundle
from contract.errors import AssignmentError
from sinopsis.demo_data import DEMO_STATION_ID, build_assignment_content, demo_applicants

KEY = Ed25519PrivateKey.generate()
DAY = dt.date(2026, 11, 25)
CONTENT = build_assignment_content(DAY, demo_applicants(random.Random(7), DAY, 3), version=1)  # PIN hashes: once
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _verify(content: dict) -> object:
    data = bundle_to_bytes(sign_assignment(content, KEY))
    return verify_bundle(data, KEY.public_key(), station_id=DEMO_STATION_ID, source="assignment-7.json")


@pytest.fixture
def content():
    return copy.deepcopy(CONTENT)


def _refused(content: dict, *expected: str) -> str:
    with pytest.raises(AssignmentError) as err:
        _verify(content)
    message = str(err.value)
    assert message.startswith("assignment-7.json: refused, nothing was imported")
    for part in expected:
        assert part in message, (part, message)
    return message


def test_the_unchanged_content_verifies(content):
    assert _verify(content).content.applicants[0].name == content["applicants"][0]["name"]


@pytest.mark.parametrize("digits", [FULLWIDTH, ARABIC_INDIC], ids=["fullwidth", "arabic-indic"])
@pytest.mark.parametrize("field", ["nik", "kk_number"])
def test_nik_and_kk_need_ascii_digits(content, digits, field):
    assert content["applicants"][1][field].translate(digits).isdigit()  # what str.isdigit() and int() would take
    content["applicants"][1][field] = content["applicants"][1][field].translate(digits)
    app = content["applicants"][1]["application_id"]
    _refused(content, f"applicant #2 (application {app}", f"{field}: must be 16 ASCII digits 0-9")


@pytest.mark.parametrize(("bad", "shown"), [
    ("Budi\x00Santoso", "U+0000 (a control character)"),
    ("Budi\u202eosotnaS", "U+202E (an invisible direction or zero-width character)"),
    ("Budi\u2066Santoso", "U+2066"),
    ("Budi\u200fSantoso", "U+200F"),
    ("Bu\u200bdi Santoso", "U+200B"),
    ("Budi\ufeffSantoso", "U+FEFF"),
    ("Budi\nSantoso", "U+000A"),
    ("Budi Santoso 2", "“2” (U+0032)"),
    ("Budi <Santoso>", "“<” (U+003C)"),
    ("\u0301Budi", "U+0301 (a combining accent)"),
])
def test_names_refuse_controls_bidi_zero_width_digits_and_stray_marks(content, bad, shown):
    content["applicants"][2]["name"] = bad
    message = _refused(content, "applicant #3 (application ", f"name: has {shown}")
    assert "\u202e" not in message and "\x00" not in message and "\u2066" not in message  # shown escaped
    content["applicants"][2]["name"] = "Budi Santoso"
    content["applicants"][2]["birth_place"] = bad
    _refused(content, "applicant #3", f"birth_place: has {shown}")


def test_names_of_every_script_with_their_accents_and_punctuation_pass(content):
    for i, name in enumerate(("Nguyễn Thị Minh-Khai", "Muh. Rizky O'Neil", "محمد عبد الله")):
        content["applicants"][i]["name"] = name
    assert [a.name for a in _verify(content).content.applicants] == [
        "Nguyễn Thị Minh-Khai", "Muh. Rizky O'Neil", "محمد عبد الله"]


def test_labels_may_have_digits_but_nothing_invisible(content):
    content["school"]["name"] = "SMA Negeri 1 Pekanbaru"
    content["team"][0]["name"] = "OP-01"  # HQ's user name when the login has no full name
    _verify(content)
    content["school"]["name"] = "SMA Negeri 1\u202e Pekanbaru"
    content["spt"]["number"] = "SPT/001\x1b[2J"
    _refused(content, "assignment: school.name: has U+202E", "assignment: spt.number: has U+001B")


@pytest.mark.parametrize("version", ["1", 1.0, True, "3", 3.0], ids=repr)
def test_version_is_a_json_integer(content, version):
    content["version"] = version
    _refused(content, "assignment: version: must be a whole number: a JSON integer, not " + repr(version)[:40])
