"""SOP step 2's data: a SIAK extract (CSV) and each school's student list (CSV or XLSX), checked row by row and
stored all or nothing. Formats, with example rows: docs/hq-imports.md.

A SIAK extract adds its residents and updates those already known (an extract may cover one district). A school's
list replaces that school's previous list in one transaction (a school sends its whole list each time).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contract.names import clean_name, hidden_char
from contract.nik import is_ascii_digits
from hq.applications.identity import person_name, shown_char
from hq.applications.models import School, SchoolListEntry, SiakRecord
from hq.applications.tabular import MAX_BYTES, MAX_PROBLEMS, MAX_ROWS, ImportFileError, Problem, read_table

NIK_ALIASES = ("no_nik", "nomor_nik")
NAME_ALIASES = ("nama", "nama_lengkap", "nama_siswa")
BIRTH_DATE_ALIASES = ("tanggal_lahir", "tgl_lahir", "tanggal_lahir_siswa")
SIAK_COLUMNS = {"nik": NIK_ALIASES, "kk_number": ("no_kk", "nomor_kk", "nkk", "kk"), "name": NAME_ALIASES,
                "birth_place": ("tempat_lahir", "tmp_lahir"), "birth_date": BIRTH_DATE_ALIASES,
                "sex": ("jenis_kelamin", "jk", "kelamin", "gender")}
SCHOOL_COLUMNS = {"nik": NIK_ALIASES, "name": NAME_ALIASES, "birth_date": BIRTH_DATE_ALIASES,
                  "class": ("kelas", "rombel", "class_name")}
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")
SEXES = {"l": "M", "m": "M", "laki_laki": "M", "laki-laki": "M", "lk": "M", "pria": "M", "male": "M",
         "p": "F", "f": "F", "perempuan": "F", "pr": "F", "wanita": "F", "female": "F"}
BATCH = 500


@dataclass(frozen=True)
class ImportResult:
    filename: str
    encoding: str
    rows: int
    created: int
    updated: int  # SIAK: residents already known, now updated; school list: entries of the list it replaced


class CellError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def shown(value: Any) -> str:
    """A cell's value as a problem may quote it: every invisible or control character as its code point (a
    direction override quoted on the page would reverse the message after it)."""
    return "".join(c if c.isprintable() else shown_char(c) for c in str(value))


def nik_cell(value: Any) -> str:
    text = str(value).strip().lstrip("'").replace(" ", "").replace(".", "").replace("-", "")
    if not text:
        raise CellError("empty", _("The NIK is empty. Every row needs the student's 16-digit NIK."))
    if not is_ascii_digits(text, 16):  # str.isdigit() would take fullwidth and Arabic-Indic digits
        raise CellError("digits", _("“%(value)s” is not 16 digits. Type the NIK as on the family card (KK); in "
                                    "Excel, format the column as Text so no digit is lost.") % {"value": shown(value)})
    return text


def text_cell(limit: int, required: bool, name: bool = False) -> Callable[[Any], str]:
    """A cell of text (a class), or with `name` a person's or place's name (contract.names: letters, accents,
    spaces and ' . -, what the station takes); nothing invisible in either."""
    def parse(value: Any) -> str:
        text = clean_name(str(value))
        if required and not text:
            raise CellError("empty", _("This cell is empty. Fill it in."))
        if len(text) > limit:
            raise CellError("long", _("This is %(length)d characters; at most %(limit)d fit. Shorten it.")
                            % {"length": len(text), "limit": limit})
        if name and text:
            try:
                return person_name(text)
            except ValidationError as e:
                raise CellError("name", e.messages[0]) from None
        bad = hidden_char(text)
        if bad is not None:
            raise CellError("text", _("This has an invisible or control character (%(char)s). Type it again "
                                      "without it.") % {"char": shown_char(bad)})
        return text

    return parse


def date_cell(required: bool) -> Callable[[Any], dt.date | None]:
    def parse(value: Any) -> dt.date | None:
        if isinstance(value, dt.date):
            day = value
        elif not str(value).strip():
            if required:
                raise CellError("empty", _("The date of birth is empty. Type it as YYYY-MM-DD or DD-MM-YYYY."))
            return None
        else:
            day = _parse_date(str(value).strip())
        if not dt.date(1900, 1, 1) <= day <= timezone.localdate():
            raise CellError("date", _("%(date)s is not a possible date of birth. Check the year.")
                            % {"date": day.isoformat()})
        return day

    return parse


def _parse_date(text: str) -> dt.date:
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellError("date", _("“%(value)s” is not a date. Write dates as YYYY-MM-DD (2008-08-17) or DD-MM-YYYY "
                              "(17-08-2008).") % {"value": shown(text)})


def sex_cell(value: Any) -> str:
    sex = SEXES.get(str(value).strip().lower().replace(" ", "_"))
    if sex is None:
        raise CellError("sex", _("“%(value)s” is not a sex. Write L or P (laki-laki, perempuan), or M or F.")
                        % {"value": shown(value)})
    return sex


def _rows(table: Any, parsers: dict[str, Callable[[Any], Any]]) -> list[tuple[int, dict[str, Any]]]:
    """Every row parsed; ImportFileError with the problems (row, column) if any cell is wrong or a NIK repeats."""
    problems: list[Problem] = []
    parsed: list[tuple[int, dict[str, Any]]] = []
    first_row_of: dict[str, int] = {}
    for number, values in table.rows:
        row: dict[str, Any] = {}
        for name, parse in parsers.items():
            if name not in table.headers:
                continue
            try:
                row[name] = parse(values[name])
            except CellError as e:
                problems.append(Problem(e.code, str(e), row=number, column=table.headers[name]))
        nik = row.get("nik")
        if nik and nik in first_row_of:
            problems.append(Problem("duplicate", _("This NIK is also in row %(row)d. Keep one row per student.")
                                    % {"row": first_row_of[nik]}, row=number, column=table.headers["nik"]))
        elif nik:
            first_row_of[nik] = number
        parsed.append((number, row))
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise ImportFileError(table.filename, problems[:MAX_PROBLEMS])
    return parsed


def import_siak_extract(data: bytes, filename: str, *, max_rows: int = MAX_ROWS,
                        max_bytes: int = MAX_BYTES) -> ImportResult:
    """Store a SIAK extract (columns nik, kk_number, name, birth_place, birth_date, sex): new residents added,
    known ones updated, all in one transaction. ImportFileError (nothing stored) for any bad row."""
    table = read_table(data, filename, SIAK_COLUMNS, tuple(SIAK_COLUMNS), max_rows=max_rows, max_bytes=max_bytes)
    rows = _rows(table, {"nik": nik_cell, "kk_number": _kk_cell, "name": text_cell(120, True, name=True),
                         "birth_place": text_cell(120, False, name=True), "birth_date": date_cell(True),
                         "sex": sex_cell})
    now, source = timezone.now(), filename[-200:]
    records = [SiakRecord(imported_at=now, source=source, **row) for _number, row in rows]
    niks = [r.nik for r in records]
    with transaction.atomic():
        known: set[str] = set()
        for start in range(0, len(niks), BATCH):
            known.update(SiakRecord.objects.filter(nik__in=niks[start:start + BATCH]).values_list("nik", flat=True))
        SiakRecord.objects.bulk_create([r for r in records if r.nik not in known], batch_size=BATCH)
        SiakRecord.objects.bulk_update([r for r in records if r.nik in known], ["kk_number", "name", "birth_place",
                                       "birth_date", "sex", "imported_at", "source"], batch_size=BATCH)
    return ImportResult(filename, table.encoding, len(records), len(records) - len(known), len(known))


def _kk_cell(value: Any) -> str:
    try:
        return nik_cell(value)
    except CellError as e:
        message = (_("The KK number is empty. Every row needs the 16-digit family card number.") if e.code == "empty"
                   else _("“%(value)s” is not 16 digits. Type the KK number as on the family card; in Excel, "
                          "format the column as Text so no digit is lost.") % {"value": shown(value)})
        raise CellError(e.code, message) from None


def import_school_list(school: School, data: bytes, filename: str, *, max_rows: int = MAX_ROWS,
                       max_bytes: int = MAX_BYTES) -> ImportResult:
    """Replace `school`'s student list with the file's (columns nik, name; optional birth_date, class), in one
    transaction. ImportFileError (the old list kept) for any bad row."""
    table = read_table(data, filename, SCHOOL_COLUMNS, ("nik", "name"), max_rows=max_rows, max_bytes=max_bytes)
    rows = _rows(table, {"nik": nik_cell, "name": text_cell(120, True, name=True), "birth_date": date_cell(False),
                         "class": text_cell(40, False)})
    now, source = timezone.now(), filename[-200:]
    entries = [SchoolListEntry(school=school, nik=row["nik"], name=row["name"], birth_date=row.get("birth_date"),
                               class_name=row.get("class", ""), imported_at=now, source=source)
               for _number, row in rows]
    with transaction.atomic():
        replaced, _kinds = SchoolListEntry.objects.filter(school=school).delete()
        SchoolListEntry.objects.bulk_create(entries, batch_size=BATCH)
    return ImportResult(filename, table.encoding, len(entries), len(entries), replaced)
