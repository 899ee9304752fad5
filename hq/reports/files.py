"""The report as a file on disk, for a command line (`sinopsis hq report` can call `write_report`): the same
CSV / XLSX / PDF the page's links give, in Bahasa Indonesia unless another language is asked for."""

import datetime as dt
from pathlib import Path

from django.utils import translation

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
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(content)
    tmp.replace(path)
    return path
