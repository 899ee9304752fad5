"""The service report's page and exports through Django's test client: both languages, the period form (default
this month, each bad date explained), staff only (403 for a student), GET only; CSV, XLSX and PDF parse back with
the page's numbers, formula injection escaped, the period in the file names."""

import csv
import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from openpyxl import load_workbook

from hq.reports.files import write_report
from hq.reports.period import this_month
from tests.hq.reports.seed import COUNTS, HOSTILE, STEPS, Seed

NOVEMBER = "start=2026-11-01&end=2026-11-30"


def page(client: Client, query: str = NOVEMBER, status: int = 200) -> str:
    response = client.get(f"/reports/?{query}")
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


def shown_counts(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-count="(\w+)"><span class="count">([^<]*)</span>', html))


def shown_step(html: str, number: int) -> dict[str, str]:
    row = html.split(f'<tr data-step="{number}">')[1].split("</tr>")[0]
    return dict(re.findall(r'data-cell="(\w+)">(?:<span[^>]*>)?([^<]*)<', row))


def test_the_page_in_indonesian_then_english(seeded: Seed, packet_key_file: Path, client_for):
    admin = client_for("admin")
    html = page(admin)
    assert '<html lang="id">' in html and "Laporan pelayanan SINOPSIS" in html and "1 November 2026" in html
    assert shown_counts(html) == {key: str(value) for key, value in COUNTS.items()}
    assert shown_step(html, 1) == {"cases": "4", "met": "3", "missed": "1", "open": "0", "share": "75%",
                                   "median": "40 detik"}
    assert shown_step(html, 5)["median"] == "6 menit 30 detik" and shown_step(html, 8)["median"] == "3 jam 30 menit"
    assert shown_step(html, 9)["share"] == "67%"
    assert 'role="img"' in html and '<title id="chart-days-title">Permohonan per hari</title>' in html
    assert "6 permohonan dalam periode ini; terbanyak pada 2 November 2026 (2)." in html  # the chart in words
    assert "Rekaman periode ini yang tidak dapat dibaca: 1." in html
    assert HOSTILE not in html and "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)" in html  # escaped as text
    assert f'href="/reports/laporan.csv?{NOVEMBER.replace("&", "&amp;")}"' in html

    admin.post("/i18n/setlang/", {"language": "en", "next": "/reports/"})
    english = page(admin)
    assert '<html lang="en">' in english and "SINOPSIS service report" in english
    assert shown_step(english, 1)["median"] == "40 s" and shown_step(english, 8)["median"] == "3 h 30 min"
    assert "Applications registered" in english and "Share within the time standard" in english


def test_the_period_defaults_to_this_month_and_bad_dates_are_explained(hq: Path, client_for):
    admin = client_for("petugas", "admin")
    month = this_month()
    html = page(admin, "")
    assert f'value="{month.start.isoformat()}"' in html and f'value="{month.end.isoformat()}"' in html
    bad = page(admin, "start=2026-13-01&end=2026-11-30", status=400)
    assert "Ini bukan tanggal. Tulis tanggal sebagai TTTT-BB-HH, misalnya 2026-11-01." in bad
    assert 'aria-invalid="true" aria-describedby="id_start_error"' in bad and 'id="id_start_error"' in bad
    assert "data-counts" not in bad  # no report for a bad period
    backwards = page(admin, "start=2026-11-30&end=2026-11-01", status=400)
    assert "Tanggal akhir sebelum tanggal awal; pilih tanggal akhir pada atau setelah 2026-11-30." in backwards
    too_long = page(admin, "start=2025-01-01&end=2026-11-30", status=400)
    assert "Periode ini 699 hari; pilih paling lama 366 hari." in too_long
    assert "Pilih tanggal." in page(admin, "start=2026-11-01", status=400)
    assert admin.get("/reports/laporan.csv?start=x&end=2026-11-30").status_code == 400


def test_staff_only_and_reading_only(hq: Path, client_for):
    anonymous = Client(SERVER_NAME="localhost")
    assert anonymous.get("/reports/")["Location"].startswith("/login/?next=/reports/")
    student = client_for("siswa", "student")
    for path in ("/reports/", "/reports/laporan.csv", "/reports/laporan.xlsx", "/reports/laporan.pdf"):
        assert student.get(path).status_code == 403, path
    assert client_for("sekolah", "school").get("/reports/").status_code == 403
    for role in ("kasi_pendataan", "kabid_dafduk", "kasubbag_umum", "kabid_piak", "team"):
        assert client_for(f"staf-{role}", role).get("/reports/").status_code == 200, role
    strict = Client(SERVER_NAME="localhost", enforce_csrf_checks=True)
    strict.login(username="staf-team", password="kata-sandi-rahasia")
    assert strict.post("/reports/", {"start": "2026-11-01"}).status_code == 403  # no CSRF token
    assert client_for("staf-team").post("/reports/").status_code == 405  # and no POST at all


def csv_tables(data: bytes) -> dict[str, list[list[str]]]:
    """The CSV's tables by their title row (a title, the column names, the rows, an empty line)."""
    result: dict[str, list[list[str]]] = {}
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    while rows:
        end = rows.index([]) if [] in rows else len(rows)
        block, rows = rows[:end], rows[end + 1:]
        result[block[0][0]] = block[1:]
    return result


def test_the_csv_export(seeded: Seed, packet_key_file: Path, client_for):
    response = client_for("admin").get(f"/reports/laporan.csv?{NOVEMBER}")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="laporan-sinopsis_2026-11-01_2026-11-30.csv"'
    tables = csv_tables(response.content)
    assert tables["Laporan pelayanan SINOPSIS"][1:3] == [["Dari", "2026-11-01"], ["Sampai", "2026-11-30"]]
    counts = dict(tables["Jumlah dalam periode"][1:])
    assert (counts["Permohonan terdaftar"], counts["Siswa direkam"], counts["Pengunduran diri"]) == ("6", "3", "6")
    assert [int(v) for v in counts.values()] == list(COUNTS.values())
    steps = tables["Langkah SOP dan standar waktunya"]
    assert steps[0][:4] == ["Langkah", "Nama", "Standar waktu", "Kasus"]
    for row in steps[1:]:
        cases, met, missed, open_, share, median = STEPS[int(row[0])]
        assert [int(v) for v in row[3:7]] == [cases, met, missed, open_]
        assert float(row[7]) == round(share * 100, 1) and float(row[9]) == median.total_seconds()
    assert steps[5][8] == "6 menit 30 detik"
    schools = tables["Sekolah yang dikunjungi"]
    assert schools[1] == ["10000002", "'" + HOSTILE, "1", "1"]  # a formula as text, never run
    assert tables["Rekaman per stasiun"][1] == ["st-a", "", "474/001/2026", "SMA Negeri 1 Pekanbaru", "2"]
    assert tables["Rekaman per stasiun"][3][:3] == ["st-b", "'@Kit B", "penugasan tidak diketahui"]


def test_the_xlsx_export(seeded: Seed, packet_key_file: Path, client_for):
    response = client_for("admin").get(f"/reports/laporan.xlsx?{NOVEMBER}")
    assert response["Content-Disposition"].endswith('filename="laporan-sinopsis_2026-11-01_2026-11-30.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Laporan", "Jumlah", "Langkah SOP", "Per hari", "Sekolah", "Stasiun"]
    counts = [row for row in book["Jumlah"].iter_rows(min_row=2, values_only=True)]
    assert [v for _label, v in counts] == list(COUNTS.values())
    for row in book.worksheets[2].iter_rows(min_row=2, values_only=True):
        cases, met, missed, open_, share, median = STEPS[row[0]]
        assert row[3:8] == (cases, met, missed, open_, round(share * 100, 1)) and row[9] == median.total_seconds()
    schools = book["Sekolah"]
    hostile = schools.cell(row=2, column=2)
    assert hostile.value == "'" + HOSTILE and hostile.data_type == "s"  # a string, not a formula
    station = book["Stasiun"].cell(row=4, column=2)
    assert (station.value, station.data_type) == ("'@Kit B", "s")


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is not installed")
def test_the_pdf_export(seeded: Seed, packet_key_file: Path, client_for, tmp_path: Path):
    response = client_for("admin").get(f"/reports/laporan.pdf?{NOVEMBER}")
    assert response["Content-Disposition"].endswith('filename="laporan-sinopsis_2026-11-01_2026-11-30.pdf"')
    (tmp_path / "r.pdf").write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Laporan pelayanan SINOPSIS" in text and "1 November 2026 - 30 November 2026" in text
    assert re.search(r"Permohonan terdaftar\s+6\b", text) and re.search(r"Siswa direkam\s+3\b", text)
    assert re.search(r"Pengunduran diri\s+6\b", text)
    for number, (cases, met, missed, open_, share, _median) in STEPS.items():
        pct = f"{round(share * 100, 1)}"
        assert re.search(rf"^\s*{number}\s+.*?\s{cases}\s+{met}\s+{missed}\s+{open_}\s+{re.escape(pct)}\s", text,
                         re.MULTILINE), (number, text)
    assert "6 menit 30 detik" in text and "3 jam 30 menit" in text


def test_without_the_key_the_exports_say_why_and_leave_the_unknown_empty(seeded: Seed, client_for):
    tables = csv_tables(client_for("admin").get(f"/reports/laporan.csv?{NOVEMBER}").content)
    assert ["Catatan", "rincian rekaman tidak tersedia: kunci paket HQ belum dikonfigurasi"] in tables[
        "Laporan pelayanan SINOPSIS"]
    counts = dict(tables["Jumlah dalam periode"][1:])
    assert (counts["Siswa direkam"], counts["Rekaman diterima"]) == ("", "4")
    assert "Sekolah yang dikunjungi" not in tables and tables["Rekaman per stasiun"][1][0] == "st-a"


def test_write_report_for_a_command_line(seeded: Seed, packet_key_file: Path, tmp_path: Path):
    path = write_report(dt.date(2026, 11, 1), dt.date(2026, 11, 30), "xlsx", tmp_path / "out")
    assert path == tmp_path / "out" / "laporan-sinopsis_2026-11-01_2026-11-30.xlsx"
    assert (path.stat().st_mode & 0o777, path.parent.stat().st_mode & 0o777) == (0o600, 0o700)  # names applicants
    assert load_workbook(path)["Jumlah"]["B2"].value == COUNTS["registered"]
    english = write_report(dt.date(2026, 11, 1), dt.date(2026, 11, 30), "csv", tmp_path, language="en")
    assert "Applications registered,6" in english.read_text(encoding="utf-8-sig")
    with pytest.raises(ValueError, match="not one of csv, xlsx, pdf"):
        write_report(dt.date(2026, 11, 1), dt.date(2026, 11, 30), "doc", tmp_path)


def test_sinopsis_hq_report_writes_the_file_and_explains_a_bad_period(hq: Path, seeded: Seed, packet_key_file: Path,
                                                                      tmp_path: Path, capsys: pytest.CaptureFixture):
    from sinopsis.cli import main

    data = ["--data", str(hq)]
    args = ["hq", "report", "--from", "2026-11-01", "--to", "2026-11-30", *data]
    assert main([*args, "--format", "csv", "--out", str(tmp_path / "out"), "--language", "en"]) == 0
    written = tmp_path / "out" / "laporan-sinopsis_2026-11-01_2026-11-30.csv"
    assert str(written) in capsys.readouterr().out
    assert f"Applications registered,{COUNTS['registered']}" in written.read_text(encoding="utf-8-sig")
    assert main(["hq", "report", "--from", "2026-11-31", "--to", "2026-11-30", *data]) == 2
    assert "--from '2026-11-31': not a date; write it as YYYY-MM-DD" in capsys.readouterr().err
    assert main(["hq", "report", "--from", "2026-11-30", "--to", "2026-11-01", *data]) == 2
    assert "is before --from" in capsys.readouterr().err
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    assert main([*args, "--out", str(blocked / "sub")]) == 2
    assert "cannot write the report there" in capsys.readouterr().err
