"""The report as a file on disk, for a command line (`sinopsis hq report` can call `write_report`): the same
CSV / XLSX / PDF the page's links give, in Bahasa Indonesia unless another language is asked for. The report
names applicants, so the file is written 0600 (a folder it makes, 0700)."""

import datetime as dt
from pathlib import Path

from django.utils import translation

from contract.durable import private_dir, write_durably
from hq.reports import exports, pdf
from hq.reports.report import build_report

FORMATS = {"csv": exports.to_csv, "xlsx": exports.to_xlsx, "pdf": pdf.to_pdf}


def write_report(start: dt.date, end: dt.date, fmt: str, folder: Path, language: str = "id") -> Path:
    """Build the report for `start`–`end` and write it into `folder` under its usual name
    (laporan-sinopsis_<start>_<end>.<fmt>); returns the path. ValueError for an unknown format or a period
    that ends before it starts."""
    if fmt not in FORMATS:
        raise ValueError(f"report format {fmt!r} is not one of {', '.join(FORMATS)}")
    with translation.override(language):
        report = build_report(start, end)
        content = FORMATS[fmt](report)
        path = Path(folder) / exports.file_name(report, fmt)
    private_dir(path.parent, tighten=False)  # --out is the user's folder: only a folder made here is 0700
    write_durably(path, content)
    return path
