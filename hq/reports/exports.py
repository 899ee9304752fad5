"""The report as CSV and XLSX files (the tables of hq/reports/tables.py), safe to open in a spreadsheet: a text
cell starting with = + - @, a tab or a carriage return is written with a leading ' (CSV) and as an explicit
string with the same prefix (XLSX, data type "s"), so a school or student name is never run as a formula."""

import csv
import io
import re

from openpyxl import Workbook
from openpyxl.styles import Font

from hq.reports.formatting import safe_text
from hq.reports.report import ServiceReport
from hq.reports.tables import Cell, tables

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def file_name(report: ServiceReport, extension: str) -> str:
    """laporan-sinopsis_2026-11-01_2026-11-30.csv"""
    return f"laporan-sinopsis_{report.period.slug()}.{extension}"


def _csv_cell(value: Cell) -> str | int | float:
    if value is None:
        return ""
    return safe_text(value) if isinstance(value, str) else value


def to_csv(report: ServiceReport) -> bytes:
    """Every table one after the other: its title, its column names, its rows, an empty line (UTF-8 with a BOM,
    so spreadsheets read the Indonesian text right)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for table in tables(report):
        writer.writerow([_csv_cell(table.title)])
        writer.writerow([_csv_cell(c) for c in table.columns])
        writer.writerows([_csv_cell(c) for c in row] for row in table.rows)
        writer.writerow([])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _sheet_title(title: str, used: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub(" ", title)[:28].strip() or "Sheet"
    name, n = base, 2
    while name in used:
        name, n = f"{base[:26]} {n}", n + 1
    used.add(name)
    return name


def to_xlsx(report: ServiceReport) -> bytes:
    """One sheet per table: the column names in bold on row 1, the rows below; text written as strings."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in tables(report):
        sheet = book.create_sheet(_sheet_title(table.sheet, used))
        for row_number, row in enumerate([table.columns, *table.rows], start=1):
            for column, value in enumerate(row, start=1):
                cell = sheet.cell(row=row_number, column=column)
                if isinstance(value, str):
                    cell.value = safe_text(value)
                    cell.data_type = "s"  # never a formula, whatever the text
                else:
                    cell.value = value
                if row_number == 1:
                    cell.font = Font(bold=True)
        for column, values in enumerate(zip(*[table.columns, *table.rows], strict=True), start=1):
            width = max(len(str(v)) if v is not None else 0 for v in values)
            sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = min(60, width + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
