"""HQ's table imports (hq/applications/tabular.py `read_table`, imports.py `import_siak_extract` and
`import_school_list`) against hostile uploads: random bytes, real files with bytes changed (CSV and XLSX),
random CSV text in every encoding and separator a school's computer writes with formula-looking and otherwise
nasty cells, and random small XLSX workbooks made with openpyxl (text, numbers, dates, booleans, formulas). Only
ImportFileError escapes, naming the file, with problems that each have a code and a message, and for a bad cell
its row (as the spreadsheet numbers it) and column (as the file spells it). A refused file stores nothing: the
Application, SiakRecord and SchoolListEntry tables are exactly as before (a school's previous list is kept)."""

import codecs
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from openpyxl import Workbook

from tests.fuzz.profiles import fuzz
from tests.fuzz.strategies import mutated, nasty_text, zip_directory_mutated

CELL_CODES = {"empty", "digits", "long", "date", "sex", "duplicate", "name", "text"}  # "empty": also the file's
FILE_CODES = {"too_big", "empty", "xls", "xlsx", "encoding", "csv", "columns", "too_many_rows"}
SIAK_HEADERS = ["nik", "no_kk", "Nama Lengkap", "Tempat Lahir", "Tanggal Lahir", "Jenis Kelamin"]
SCHOOL_HEADERS = ["NIK", "nama", "tgl_lahir", "kelas"]
NIKS = ["1471011708080001", "1471024503080002", "1471010101090005"]


@pytest.fixture
def school(hq: Path) -> Iterator[Any]:
    """A school whose list already has two students, and one SIAK resident: what a refused file must keep."""
    from hq.applications.models import School, SchoolListEntry, SiakRecord

    school = School.objects.create(npsn="10404099", name="SMA Fuzz")
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    for nik, name in (("1471011708080001", "Budi"), ("1471024503080002", "Siti")):
        SchoolListEntry.objects.create(school=school, nik=nik, name=name, imported_at=now, source="old.csv")
    SiakRecord.objects.create(nik="1471011708080001", kk_number="1471010101080003", name="Budi",
                              birth_date=dt.date(2008, 8, 17), sex="M", imported_at=now, source="siak-old.csv")
    yield school
    SchoolListEntry.objects.all().delete()
    school.delete()


def snapshot() -> dict[str, list[tuple]]:
    from hq.applications.models import Application, SchoolListEntry, SiakRecord

    return {model.__name__: sorted(map(tuple, model.objects.values_list()), key=repr)
            for model in (Application, SiakRecord, SchoolListEntry)}


def attempt(school: Any, data: bytes, filename: str) -> None:
    """Both imports of `data`: accepted, or refused clearly with nothing stored."""
    from hq.applications.imports import import_school_list, import_siak_extract
    from hq.applications.tabular import ImportFileError

    for run in (lambda: import_siak_extract(data, filename), lambda: import_school_list(school, data, filename)):
        before = snapshot()
        try:
            result = run()
        except ImportFileError as e:
            assert snapshot() == before, "a refused file changed the database"
            assert str(e).startswith(f"{filename}: ") and e.filename == filename and e.problems
            for problem in e.problems:
                assert problem.code in CELL_CODES | FILE_CODES and problem.message.strip(), problem
                if problem.code in CELL_CODES and (problem.code != "empty" or problem.row is not None):
                    assert isinstance(problem.row, int) and problem.row >= 2 and problem.column, problem
                elif problem.code == "csv":
                    assert isinstance(problem.row, int) and problem.row >= 1, problem
            continue
        assert result.rows >= 0 and result.filename == filename


@fuzz(100)
@given(st.binary(max_size=300) | st.sampled_from([b"PK\x03\x04" + bytes(40), b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
                                                  codecs.BOM_UTF16_LE + b"\x00", b"\xef\xbb\xbf", b"nik\x00,x"]))
def test_random_bytes_are_refused_and_store_nothing(school: Any, data: bytes) -> None:
    attempt(school, data, "acak.csv")


FORMULAS = ["=cmd|' /C calc'!A0", "+SUM(1+1)", "-2+3", '@HYPERLINK("http://x")', "=1+1", "\t=1", "'0123"]
cells = (st.sampled_from(NIKS + FORMULAS + ["L", "P", "perempuan", "2008-08-17", "17/08/2008", "31-02-2008",
                                            "1899-12-31", "2999-01-01", "", " ", "1471 0117 0808 0001",
                                            "1.471011708080001E+15", '"', '""', "a\nb", "x" * 130])
         | nasty_text)


def csv_text(header: list[str], rows: list[list[str]], sep: str) -> str:
    def quote(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in f'{sep}"\r\n') else cell
    return "\r\n".join(sep.join(quote(c) for c in row) for row in [header, *rows]) + "\r\n"


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    header = draw(st.sampled_from([SIAK_HEADERS, SCHOOL_HEADERS, [*SIAK_HEADERS, "kelas"], ["nik", "nik", "nama"]]))
    header = [draw(st.sampled_from([h, h.upper(), f" {h} ", h.replace("_", " ")])) for h in header]
    rows = draw(st.lists(st.lists(cells, min_size=len(header) - 1, max_size=len(header) + 1), max_size=5))
    sep = draw(st.sampled_from([",", ";", "\t"]))
    text = csv_text(header, rows, sep)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        assume(False)
        raise


@fuzz(100)
@given(csv_files())
def test_random_csv_is_imported_or_refused_by_row_and_column(school: Any, data: bytes) -> None:
    attempt(school, data, "daftar.csv")


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


xlsx_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)  # what openpyxl can write
xlsx_cells = (st.sampled_from(NIKS + FORMULAS + ["L", "P", None, 1471011708080001, 1.471011708080001e15])
              | st.integers(-(2 ** 60), 2 ** 60) | st.floats(allow_nan=False, allow_infinity=False) | st.booleans()
              | st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2999, 1, 1)) | st.dates(dt.date(1900, 3, 1))
              | xlsx_text)


@st.composite
def xlsx_files(draw: st.DrawFn) -> bytes:
    header = draw(st.sampled_from([SIAK_HEADERS, SCHOOL_HEADERS, [None, "nik", "nama"]]))
    rows = draw(st.lists(st.lists(xlsx_cells, min_size=1, max_size=len(header) + 1), max_size=4))
    return xlsx_bytes([header, *rows])


@fuzz(60)
@given(xlsx_files())
def test_random_xlsx_is_imported_or_refused_by_row_and_column(school: Any, data: bytes) -> None:
    attempt(school, data, "daftar.xlsx")


GOOD_XLSX = xlsx_bytes([SCHOOL_HEADERS, [NIKS[0], "Budi", dt.datetime(2008, 8, 17), "XII"],
                        [NIKS[1], "Siti", "05-03-2008", "XII"]])
GOOD_CSV = csv_text(SIAK_HEADERS, [[NIKS[0], "1471010101080003", "Budi", "Pekanbaru", "2008-08-17", "L"]],
                    ";").encode()


@fuzz(100)
@given(mutated(GOOD_XLSX) | zip_directory_mutated(GOOD_XLSX) | mutated(GOOD_CSV))
def test_a_damaged_real_file_is_refused_or_imported_whole(school: Any, data: bytes) -> None:
    attempt(school, data, "rusak.xlsx")


def _directory_edit(version: int | None = None, utf8_name: bool = False) -> bytes:
    """GOOD_XLSX with its first central directory record changed: the version needed to extract, or its name
    flagged UTF-8 and given a byte that is not UTF-8."""
    data = bytearray(GOOD_XLSX)
    at = data.index(b"PK\x01\x02")
    if version is not None:
        data[at + 6:at + 8] = version.to_bytes(2, "little")
    if utf8_name:
        data[at + 9] |= 0x08  # general purpose flag bit 11 (bit 3 of its second byte): the name is UTF-8
        data[at + 46] = 0xFF
    return bytes(data)


@pytest.mark.parametrize("data", [_directory_edit(version=64), _directory_edit(utf8_name=True)],
                         ids=["zip-version-6.4", "name-not-utf8"])
def test_regression_a_damaged_zip_directory_is_an_import_file_error(school: Any, data: bytes) -> None:
    """Found by fuzzing: an XLSX whose central directory names an unknown zip version (NotImplementedError) or a
    name flagged UTF-8 that is not (UnicodeDecodeError) crashed read_table instead of ImportFileError "xlsx"."""
    from hq.applications.imports import import_school_list
    from hq.applications.tabular import ImportFileError

    before = snapshot()
    with pytest.raises(ImportFileError) as err:
        import_school_list(school, data, "rusak.xlsx")
    assert [p.code for p in err.value.problems] == ["xlsx"] and snapshot() == before
