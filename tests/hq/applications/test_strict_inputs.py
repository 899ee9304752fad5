"""Issue 19 point 3 at HQ: the application form, the registration form, a correction's resolution and the SIAK and
school-list imports take NIK and KK numbers in ASCII digits only and names by the station's rule
(contract/names.py), so HQ never accepts what a station's assignment check would refuse. Refusals are in the
page's language (Bahasa Indonesia), beside the field or the cell (row, column), and show an invisible character
only as its code point."""

import pytest

from hq.applications.account_forms import RegistrationForm
from hq.applications.apply_form import ApplicationForm
from hq.applications.correction_views import ResolveForm
from hq.applications.imports import import_school_list, import_siak_extract
from hq.applications.models import SchoolListEntry, SiakRecord
from hq.applications.tabular import ImportFileError
from tests.hq.applications.conftest import BUDI, PASSWORD

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _errors(form) -> dict[str, list[tuple[str, str]]]:
    assert not form.is_valid()
    return {field: [(e.code, " ".join(e.messages)) for e in errors] for field, errors in form.errors.as_data().items()}


@pytest.mark.parametrize("digits", [FULLWIDTH, ARABIC_INDIC], ids=["fullwidth", "arabic-indic"])
def test_the_application_form_takes_ascii_digits_only(hq, school, digits):
    form = ApplicationForm(data={**BUDI, "nik": BUDI["nik"].translate(digits),
                                 "kk_number": BUDI["kk_number"].translate(digits), "school": school.pk})
    errors = _errors(form)
    for field in ("nik", "kk_number"):
        assert errors[field][0][0] == "digits" and "hanya berisi angka" in errors[field][0][1]


@pytest.mark.parametrize(("name", "code", "shown"), [
    ("Budi\u202eosotnaS", "name.invisible", "U+202E"),
    ("Bu\u200bdi Santoso", "name.invisible", "U+200B"),
    ("Budi\ufeffSantoso", "name.invisible", "U+FEFF"),
    ("Budi\x1bSantoso", "name.invisible", "U+001B"),
    ("Budi Santoso 2", "name.character", "“2”"),
    ("\u0301Budi", "name.mark", "U+0301"),
])
def test_names_by_the_station_rule_in_every_form(hq, school, name, code, shown):
    errors = _errors(ApplicationForm(data={**BUDI, "name": name, "birth_place": name, "school": school.pk}))
    for field in ("name", "birth_place"):
        (got_code, message), = errors[field]
        assert got_code == code and shown in message and "kartu keluarga (KK)" in message
        assert not any(c in message for c in "\u202e\u200b\ufeff\x1b")
    registration = RegistrationForm(data={"full_name": name, "email": "budi@contoh.id", "username": "",
                                          "password1": PASSWORD, "password2": PASSWORD})
    assert _errors(registration)["full_name"][0][0] == code
    resolve = ResolveForm(data={"name": name, "birth_place": "", "kk_number": ""}, application=None)
    assert _errors(resolve) == {"name": [(code, errors["name"][0][1])]}


def test_a_nul_in_a_name_is_refused_and_good_names_are_stored_composed(hq, school):
    assert "name" in _errors(ApplicationForm(data={**BUDI, "name": "Budi\x00Santoso", "school": school.pk}))
    form = ApplicationForm(data={**BUDI, "name": " Nguye\u0302\u0303n\u00a0 Thi\u0323 ", "school": school.pk})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == "Nguyễn Thị"


def test_a_siak_extract_with_foreign_digits_or_hidden_characters_is_refused_by_cell(hq):
    fullwidth_nik = "1471011708080001".translate(FULLWIDTH)
    arabic_kk = "1471020202080004".translate(ARABIC_INDIC)
    rows = ("nik,kk_number,name,birth_place,birth_date,sex\n"
            f"{fullwidth_nik},1471010101080003,Budi Santoso,Pekanbaru,2008-08-17,L\n"
            f"1471024503080002,{arabic_kk},Siti\u202eNurhaliza,Du\u200bmai,05-03-2008,P\n")
    with pytest.raises(ImportFileError) as error:
        import_siak_extract(rows.encode(), "siak.csv")
    found = [(p.row, p.column, p.code) for p in error.value.problems]
    assert found == [(2, "nik", "digits"), (3, "kk_number", "digits"), (3, "name", "name"),
                     (3, "birth_place", "name")]
    text = str(error.value)
    assert "siak.csv" in text and "U+202E" in text and "U+200B" in text and "\u202e" not in text
    assert not SiakRecord.objects.exists()


def test_a_school_list_class_may_have_signs_but_nothing_invisible(hq, school):
    good = b"nik,name,class\n1471011708080001,Budi Santoso,XII IPA-1 (pagi)\n"
    assert import_school_list(school, good, "daftar.csv").rows == 1
    bad = "nik,name,class\n1471011708080001,Budi Santoso,XII\u2066 IPA\n".encode()
    with pytest.raises(ImportFileError) as error:
        import_school_list(school, bad, "daftar-2.csv")
    assert [(p.row, p.column, p.code) for p in error.value.problems] == [(2, "class", "text")]
    assert "U+2066" in error.value.problems[0].message
    assert SchoolListEntry.objects.get().class_name == "XII IPA-1 (pagi)"  # the previous list kept


def test_a_new_schools_npsn_and_name_on_the_import_page(hq):
    from hq.applications.import_views import SchoolListForm

    form = SchoolListForm(data={"npsn": "10404099".translate(FULLWIDTH), "name": "SMA Negeri 1\u202e Pekanbaru"})
    errors = _errors(form)
    assert errors["npsn"][0][0] == "invalid" and "NPSN" in errors["npsn"][0][1]
    assert errors["name"][0][0] == "text.invisible" and "U+202E" in errors["name"][0][1]


@pytest.mark.parametrize("value", ["１２３４５６７８", "١٢٣٤٥٦٧٨", "12345678\n", "1234567"])
def test_the_model_digit_validators_take_ascii_digits_only(value):
    from django.core.exceptions import ValidationError

    from hq.applications.models import DIGITS16, NPSN

    with pytest.raises(ValidationError):
        NPSN(value)
    with pytest.raises(ValidationError):
        DIGITS16(value * 2)
    NPSN("12345678")
    DIGITS16("1471011203090001")
