"""SOP step 2's data: the SIAK extract (CSV) and a school's list (CSV/XLSX) read in every encoding a school's
computer writes, with each kind of bad or hostile file refused whole (file, row, column, what to do) and nothing
stored; a re-import replaces the school's list; the imports page for the admin only."""

import codecs
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from hq.applications.imports import import_school_list, import_siak_extract
from hq.applications.models import School, SchoolListEntry, SiakRecord
from hq.applications.tabular import ImportFileError
from tests.hq.applications.conftest import client_for, make_user

SIAK_CSV = """nik,kk_number,name,birth_place,birth_date,sex
1471011708080001,1471010101080003,Budi Santoso,Pekanbaru,2008-08-17,L
1471024503080002,1471020202080004,Siti Nurhaliza,Dumai,05-03-2008,P
"""


def problems(error: ImportFileError) -> list[tuple[int | None, str | None, str]]:
    return [(p.row, p.column, p.code) for p in error.value.problems]


def test_a_siak_extract_is_imported_and_a_newer_one_updates_it(hq):
    result = import_siak_extract(SIAK_CSV.encode(), "siak-2026-11.csv")
    assert (result.rows, result.created, result.updated, result.encoding) == (2, 2, 0, "UTF-8")
    budi, siti = SiakRecord.objects.get(nik="1471011708080001"), SiakRecord.objects.get(nik="1471024503080002")
    assert (budi.sex, budi.birth_date, budi.kk_number, budi.source) == ("M", dt.date(2008, 8, 17), "1471010101080003",
                                                                        "siak-2026-11.csv")
    assert (siti.sex, siti.birth_date, siti.birth_place) == ("F", dt.date(2008, 3, 5), "Dumai")
    newer = SIAK_CSV.splitlines()[0] + "\n1471011708080001,1471010101080003,Budi Santoso Putra,Pekanbaru,2008-08-17,M\n"
    result = import_siak_extract(newer.encode(), "siak-2026-12.csv")
    assert (result.created, result.updated) == (0, 1)
    assert SiakRecord.objects.get(nik="1471011708080001").name == "Budi Santoso Putra"
    assert SiakRecord.objects.count() == 2


def test_indonesian_headers_semicolons_bom_and_windows_1252_are_read(hq):
    text = ("NO_KK;NIK;Nama Lengkap;Tempat Lahir;Tanggal Lahir;Jenis Kelamin\r\n"
            "1471010101080003;1471011708080001;Budi Santoso;Pekanbaru;17/08/2008;Laki-laki\r\n"
            "1471020202080004;1471024503080002;Siti Nurhaliza;Dumai;2008-03-05;Perempuan\r\n")
    assert import_siak_extract(codecs.BOM_UTF8 + text.encode(), "bom.csv").encoding == "UTF-8 with BOM"
    accented = text.replace("Siti Nurhaliza", "Siti Nurhalizé")
    assert import_siak_extract(accented.encode("cp1252"), "excel.csv").encoding == "Windows-1252"
    assert SiakRecord.objects.get(nik="1471024503080002").name == "Siti Nurhalizé"
    assert import_siak_extract(text.encode("utf-16"), "unicode.txt").encoding == "UTF-16"


def xlsx(rows: list[list[object]], text_cells: tuple[tuple[int, int], ...] = ()) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for r, c in text_cells:  # openpyxl takes a string starting with '=' for a formula; this one is text
        sheet.cell(r, c).data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_school_list_from_xlsx_replaces_the_previous_list(hq, school):
    first = xlsx([["NIK", "Nama", "Tanggal Lahir", "Kelas"],
                  ["1471011708080001", "Budi Santoso", dt.datetime(2008, 8, 17), "XII IPA 1"],
                  [1471024503080002, "Siti Nurhaliza", "05-03-2008", "XII IPS 2"],
                  [None, None, None, None],
                  ["1471010101090005", "Andi", None, ""]])
    result = import_school_list(school, first, "daftar.xlsx")
    assert (result.rows, result.encoding, result.updated) == (3, "XLSX", 0)
    rows = {e.nik: (e.name, e.birth_date, e.class_name) for e in SchoolListEntry.objects.filter(school=school)}
    assert rows == {"1471011708080001": ("Budi Santoso", dt.date(2008, 8, 17), "XII IPA 1"),
                    "1471024503080002": ("Siti Nurhaliza", dt.date(2008, 3, 5), "XII IPS 2"),
                    "1471010101090005": ("Andi", None, "")}
    second = b"nik,name\n1471011708080001,Budi Santoso\n"
    result = import_school_list(school, second, "daftar-baru.csv")
    assert (result.rows, result.updated) == (1, 3)
    assert list(SchoolListEntry.objects.values_list("nik", flat=True)) == ["1471011708080001"]


def test_formula_looking_cells_are_kept_as_text_never_evaluated(hq, school):
    hostile = "=cmd|' /C calc'!A0"
    csv = f'nik,name,class\n1471011708080001,Budi,"{hostile}"\n1471024503080002,Siti,@HYPERLINK("x")\n'
    import_school_list(school, csv.encode(), "formula.csv")
    assert set(SchoolListEntry.objects.values_list("name", "class_name")) == {("Budi", hostile),
                                                                             ("Siti", '@HYPERLINK("x")')}
    book = xlsx([["nik", "name", "class"], ["1471011708080001", "Budi", hostile]], text_cells=((2, 3),))
    import_school_list(school, book, "formula.xlsx")
    assert SchoolListEntry.objects.get().class_name == hostile
    # in a name a formula is refused by the name rule (letters, spaces, ' . -), never evaluated either
    with pytest.raises(ImportFileError) as error:
        import_school_list(school, f'nik,name\n1471011708080001,"{hostile}"\n'.encode(), "formula-name.csv")
    assert problems(error) == [(2, "name", "name")] and "“=”" in error.value.problems[0].message


def test_wrong_or_missing_columns_are_named(hq, school):
    with pytest.raises(ImportFileError) as error:
        import_siak_extract(b"nik,nama,tgl\n1471011708080001,Budi,2008-08-17\n", "kolom.csv")
    message = error.value.problems[0].message
    assert problems(error) == [(None, None, "columns")]
    for named in ("kk_number", "birth_place", "birth_date", "sex", "berkas ini punya: nik, nama, tgl"):
        assert named in message
    with pytest.raises(ImportFileError) as error:
        import_school_list(school, b"nik,nama,name\n1,2,3\n", "dua.csv")
    assert "nama" in error.value.problems[0].message and "name" in error.value.problems[0].message
    with pytest.raises(ImportFileError) as error:
        import_school_list(school, b"\n\n", "kosong.csv")
    assert problems(error) == [(None, None, "empty")]


def test_a_bad_date_in_row_n_names_the_row_and_column_and_stores_nothing(hq):
    bad = SIAK_CSV + "1471015506080003,1471010101080003,Rina,Pekanbaru,31-02-2008,P\n"
    with pytest.raises(ImportFileError) as error:
        import_siak_extract(bad.encode(), "tanggal.csv")
    assert problems(error) == [(4, "birth_date", "date")]
    assert "31-02-2008" in error.value.problems[0].message and "tanggal.csv" in str(error.value)
    assert not SiakRecord.objects.exists()  # the good rows before it are not stored either


def test_every_bad_cell_is_listed_and_a_repeated_nik_names_both_rows(hq, school):
    rows = ("nik,name,birth_date\n"
            "1471011708080001,Budi,2008-08-17\n"
            "14710117080800,Siti,2030-01-01\n"
            ",Tanpa NIK,\n"
            "1471011708080001,Budi lagi,\n")
    before = SchoolListEntry.objects.create(school=school, nik="1471010101090005", name="Andi")
    with pytest.raises(ImportFileError) as error:
        import_school_list(school, rows.encode(), "daftar.csv")
    assert problems(error) == [(3, "nik", "digits"), (3, "birth_date", "date"), (4, "nik", "empty"),
                               (5, "nik", "duplicate")]
    assert "baris 2" in error.value.problems[3].message
    assert list(SchoolListEntry.objects.all()) == [before]  # the old list is kept


def test_sex_and_kk_are_checked_in_a_siak_extract(hq):
    bad = SIAK_CSV.replace(",L\n", ",X\n").replace("1471020202080004", "1.47102E+15")
    with pytest.raises(ImportFileError) as error:
        import_siak_extract(bad.encode(), "siak.csv")
    assert problems(error) == [(2, "sex", "sex"), (3, "kk_number", "digits")]


def test_too_many_rows_too_big_and_not_a_table_are_refused(hq, school):
    many = "nik,name\n" + "".join(f"14710117080{i:05d},Siswa {'ABCDEF'[i]}\n" for i in range(6))
    with pytest.raises(ImportFileError) as error:
        import_school_list(school, many.encode(), "banyak.csv", max_rows=5)
    assert problems(error) == [(None, None, "too_many_rows")] and "5" in error.value.problems[0].message
    assert import_school_list(school, many.encode(), "banyak.csv", max_rows=6).rows == 6
    with pytest.raises(ImportFileError) as error:
        import_school_list(school, many.encode(), "besar.csv", max_bytes=100)
    assert problems(error) == [(None, None, "too_big")]
    for data, code in ((b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "xls"), (b"PK\x03\x04broken", "xlsx"),
                       (b"nik,name\n\x00\x81\x8d\x00", "encoding"),
                       (b'nik,name\n1471011708080001,"Budi\n', "csv")):
        with pytest.raises(ImportFileError) as error:
            import_school_list(school, data, "aneh.bin")
        assert problems(error)[0][2] == code
    assert SchoolListEntry.objects.filter(school=school).count() == 6


def test_the_imports_page_uploads_shows_problems_and_is_for_the_admin_only(hq, school, admin, student):
    browser = client_for(admin)
    page = browser.get("/applications/imports/")
    assert page.status_code == 200 and "SIAK dan daftar siswa sekolah" in page.text
    upload = SimpleUploadedFile("siak.csv", SIAK_CSV.encode(), content_type="text/csv")
    response = browser.post("/applications/imports/siak/", {"file": upload}, follow=True)
    assert "siak.csv: 2 baris diimpor ke data SIAK (dibaca sebagai UTF-8)." in response.text
    bad = SimpleUploadedFile("daftar.csv", b"nik,nama,tanggal_lahir\n1471011708080001,Budi,17-13-2008\n")
    response = browser.post("/applications/imports/school/", {"school": school.pk, "file": bad})
    assert response.status_code == 400
    assert "daftar.csv tidak diimpor" in response.text and "Baris 2, kolom “tanggal_lahir”" in response.text
    new = SimpleUploadedFile("sman5.csv", b"nik,nama\n1471011708080001,Budi\n")
    response = browser.post("/applications/imports/school/", {"npsn": "10404045", "name": "SMA Negeri 5", "file": new},
                            follow=True)
    assert School.objects.get(npsn="10404045").list_entries.count() == 1
    broken = SimpleUploadedFile("sman6.csv", b"nik,nama\n123,Budi\n")
    response = browser.post("/applications/imports/school/", {"npsn": "10404046", "name": "SMA 6", "file": broken})
    assert response.status_code == 400 and not School.objects.filter(npsn="10404046").exists()  # no school alone
    assert client_for(student).get("/applications/imports/").status_code == 403
    kasi = make_user("kasi", "kasi_pendataan")
    upload = SimpleUploadedFile("siak.csv", SIAK_CSV.encode())
    assert client_for(kasi).post("/applications/imports/siak/", {"file": upload}).status_code == 403
    assert client_for(admin, enforce_csrf_checks=True).post("/applications/imports/siak/",
                                                            {"file": upload}).status_code == 403
