"""Uploaded tables (a SIAK extract, a school's student list) read safely into rows of values, whatever a school's
office computer saved: CSV in UTF-8, UTF-8 with a BOM (Excel's "CSV UTF-8"), UTF-16 (Excel's "Unicode text") or
Windows-1252 (Excel's plain "CSV"), comma, semicolon or tab separated; or XLSX (first sheet).

Hostile files meet limits before anything is parsed: the size (`MAX_BYTES`), an XLSX's unpacked size, the number
of rows (`MAX_ROWS`) and columns. Cells are data: nothing is evaluated (an XLSX is opened with data_only, so a
formula gives the value Excel last saved, never a calculation here; a CSV cell such as `=cmd|'/c calc'!A0` stays
that text). Every problem names the file, the row (as the spreadsheet numbers it: the header is row 1) and the
column as the file spells it, says what is wrong and what to do.
"""

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 100
MAX_UNPACKED = 200 * 1024 * 1024
MAX_PROBLEMS = 20
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old .xls


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: `code` is stable (tests, logs), `message` is for the person."""

    code: str
    message: str
    row: int | None = None
    column: str | None = None

    def describe(self) -> str:
        where = [f"row {self.row}"] if self.row is not None else []
        where += [f"column {self.column}"] if self.column else []
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ImportFileError(Exception):
    """A file that is not imported (nothing of it is stored): its name and every problem found (at most
    MAX_PROBLEMS)."""

    def __init__(self, filename: str, problems: list[Problem]) -> None:
        super().__init__(f"{filename}: " + "; ".join(p.describe() for p in problems))
        self.filename = filename
        self.problems = problems


@dataclass
class Table:
    """The rows of a file: each row's values by canonical column name, with the row's number in the file."""

    filename: str
    encoding: str  # "UTF-8", "UTF-8 with BOM", "UTF-16", "Windows-1252" or "XLSX"
    headers: dict[str, str]  # canonical name → the header as the file spells it
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def canonical(header: object) -> str:
    """A header compared case- and space-insensitively: ' Tanggal Lahir ' → 'tanggal_lahir'."""
    return re.sub(r"[\s.\-/]+", "_", str(header or "").replace("\ufeff", "").strip().lower()).strip("_")


def read_table(data: bytes, filename: str, columns: dict[str, tuple[str, ...]], required: tuple[str, ...], *,
               max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS) -> Table:
    """The rows of an uploaded CSV or XLSX. `columns` maps each canonical column name to the header names that
    mean it (canonical() form); `required` must all be there. ImportFileError says what is wrong."""
    def fail(code: str, message: str) -> ImportFileError:
        return ImportFileError(filename, [Problem(code, message)])

    if len(data) > max_bytes:
        raise fail("too_big", _("The file is %(size)s MB; at most %(limit)s MB is taken. Split it into smaller "
                                "files.") % {"size": f"{len(data) / 2**20:.1f}", "limit": f"{max_bytes / 2**20:g}"})
    if not data.strip():
        raise fail("empty", _("The file is empty. Choose the file with the data."))
    if data.startswith(OLE_MAGIC):
        raise fail("xls", _("This is an old Excel file (.xls). Open it in Excel and save it as .xlsx or CSV."))
    if data.startswith(XLSX_MAGIC):
        encoding, lines = "XLSX", _xlsx_rows(data, fail)
    else:
        text, encoding = _decode(data, fail)
        lines = _csv_rows(text, filename)

    table = Table(filename, encoding, {})
    positions: dict[str, int] = {}
    for number, cells in lines:
        if all(_blank(c) for c in cells):
            continue
        if not positions:
            positions = _header(cells, columns, required, table, fail)
            continue
        if len(table.rows) >= max_rows:
            raise fail("too_many_rows", _("The file has more than %(limit)s rows of data. Split it into files of "
                                          "at most %(limit)s rows.") % {"limit": f"{max_rows:,}".replace(",", ".")})
        table.rows.append((number, {name: _value(cells[i]) if i < len(cells) else ""
                                    for name, i in positions.items()}))
    if not positions:
        raise fail("empty", _("The file has no header row. The first row names the columns: %(columns)s.")
                   % {"columns": ", ".join(columns)})
    return table


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _value(cell: Any) -> Any:
    """A cell as text, or a date for an XLSX date cell."""
    if cell is None:
        return ""
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _header(cells: list[Any], columns: dict[str, tuple[str, ...]], required: tuple[str, ...], table: Table,
            fail: Any) -> dict[str, int]:
    alias_of = {alias: name for name, aliases in columns.items() for alias in (name, *aliases)}
    positions: dict[str, int] = {}
    for i, cell in enumerate(cells):
        name = alias_of.get(canonical(cell))
        if name is None:
            continue
        if name in positions:
            raise fail("columns", _("The columns “%(first)s” and “%(second)s” both mean %(name)s. Keep one of "
                                    "them.") % {"first": table.headers[name], "second": str(cell).strip(),
                                                "name": name})
        positions[name] = i
        table.headers[name] = str(cell).strip()
    missing = [name for name in required if name not in positions]
    if missing:
        found = ", ".join(str(c).strip() for c in cells if not _blank(c)) or "—"
        wanted = "; ".join(f"{name} ({', '.join(columns[name][:3])})" if columns[name] else name
                           for name in missing)
        raise fail("columns", _("Missing columns: %(missing)s. The first row names the columns; this file has: "
                                "%(found)s.") % {"missing": wanted, "found": found})
    return positions


def _decode(data: bytes, fail: Any) -> tuple[str, str]:
    """The text of a CSV and the encoding it was read in."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8-sig", "UTF-8 with BOM")]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [("utf-16", "UTF-16")]
    else:
        candidates = [("utf-8", "UTF-8"), ("cp1252", "Windows-1252")]
    for codec, label in candidates:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text, label
    raise fail("encoding", _("This is not a CSV text file (UTF-8 or Windows-1252). Save it from Excel as "
                             "“CSV UTF-8” or as .xlsx."))


def _csv_rows(text: str, filename: str) -> Iterator[tuple[int, list[Any]]]:
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise ImportFileError(filename, [Problem("csv", _("This line cannot be read as CSV (%(detail)s). Check "
                                                              "the quotes in it, or save the file again from "
                                                              "Excel.") % {"detail": e},
                                                     row=reader.line_num)]) from None
        yield reader.line_num, cells[:MAX_COLUMNS]


def _xlsx_rows(data: bytes, fail: Any) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError):
        # a damaged directory fails in more ways than BadZipFile: an unknown zip version (NotImplementedError), a
        # name flagged UTF-8 that is not (UnicodeDecodeError), an offset out of the file (OSError, ValueError)
        raise fail("xlsx", _("This file is damaged or is not an Excel file. Save it again as .xlsx or CSV.")) from None
    if unpacked > MAX_UNPACKED:
        raise fail("too_big", _("The file unpacks to more than %(limit)s MB. Split it into smaller files.")
                   % {"limit": MAX_UNPACKED // 2**20})
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - a hostile or damaged file may fail anywhere inside openpyxl
        raise fail("xlsx", _("This file is damaged or is not an Excel file. Save it again as .xlsx or "
                             "CSV.")) from None
    return _sheet_rows(book, fail)


def _sheet_rows(book: Any, fail: Any) -> Iterator[tuple[int, list[Any]]]:
    try:
        sheet = book.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            yield number, list(cells)
    except Exception:  # noqa: BLE001 - as above, while the sheet is streamed
        raise fail("xlsx", _("This file is damaged or is not an Excel file. Save it again as .xlsx or "
                             "CSV.")) from None
    finally:
        book.close()
