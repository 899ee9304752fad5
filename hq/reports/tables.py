"""The report as tables, the one shape the CSV, XLSX and PDF exports write (in the active language): the period,
the counts, the SOP steps, the applications per day, the schools visited and the records per station and
assignment (each with the SPT and school it was recorded under)."""

from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from hq.reports.formatting import format_duration, percent
from hq.reports.period import local_zone
from hq.reports.report import ServiceReport

Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    key: str  # a stable name
    title: str
    sheet: str  # a short title (an XLSX sheet's name: at most 31 characters)
    columns: list[str]
    rows: list[list[Cell]]


def step_rows(report: ServiceReport) -> list[list[Cell]]:
    """One row per SOP step: number, title, standard, cases, within, missed, open, share %, median (words, s)."""
    return [[r.step.number, str(r.step.title), format_duration(r.step.standard), r.cases, r.met, r.missed, r.open,
             percent(r.share), format_duration(r.median),
             None if r.median is None else round(r.median.total_seconds(), 1)] for r in report.steps]


def tables(report: ServiceReport) -> list[Table]:
    """Every table of the report, in order."""
    period = report.period
    made = report.made_at.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M")
    note = report.unavailable_text()
    about = [[_("From"), period.start.isoformat()], [_("To"), period.end.isoformat()], [_("Made at"), made]]
    if note:
        about.append([_("Note"), note])
    result = [
        Table("period", _("SINOPSIS service report"), _("Report"), [_("Item"), _("Value")], about),
        Table("counts", _("Counts in the period"), _("Counts"), [_("Item"), _("How many")],
              [[str(row.label), row.value] for row in report.counts]),
        Table("steps", _("SOP steps and their time standards"), _("SOP steps"),
              [_("Step"), _("Name"), _("Time standard"), _("Cases"), _("Within standard"), _("Missed"), _("Still open"),
               _("Share within standard (%)"), _("Median time"), _("Median time (seconds)")], step_rows(report)),
        Table("days", _("Applications per day"), _("Per day"), [_("Date"), _("Applications")],
              [[day.isoformat(), n] for day, n in report.per_day]),
    ]
    if report.details_available:
        result.append(Table("schools", _("Schools visited"), _("Schools"),
                            [_("NPSN"), _("School"), _("Students recorded"), _("Exceptions")],
                            [[s.npsn, s.name, s.students, s.exceptions] for s in report.records.per_school]))
    result.append(Table("stations", _("Records per station"), _("Stations"),
                        [_("Station"), _("Name"), _("SPT"), _("School"), _("Records")],
                        [[s.station_id, s.name, s.spt or _("no assignment known"), s.school, s.records]
                         for s in report.records.per_station]))
    return result


def period_words(report: ServiceReport) -> str:
    """'1 November 2026 – 30 November 2026' in the active language."""
    return f"{date_format(report.period.start, 'j F Y')} – {date_format(report.period.end, 'j F Y')}"

