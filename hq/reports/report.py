"""The SINOPSIS service report for a period (laporan pelayanan SINOPSIS): the counts, each SOP step's share
within its time standard and median time, the applications per day, and what the records say per school and
station. `build_report(start, end)` is the one entry (the page, the exports, and a CLI later)."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from hq.applications.models import Application
from hq.reports import counts as counting
from hq.reports.period import Period, local_zone
from hq.reports.record_index import NOT_CONFIGURED, IndexResult, index_records
from hq.reports.steps import StepResult, measure_steps

COUNTS = (("registered", _("Applications registered")), ("verified", _("Applications verified")),
          ("rejected", _("Applications rejected")), ("corrections_requested", _("Corrections requested")),
          ("corrections_resolved", _("Corrections resolved")), ("lists_approved", _("Lists approved")),
          ("spts_issued", _("SPTs issued")), ("schools_visited", _("Schools visited")),
          ("students_recorded", _("Students recorded")), ("exceptions", _("Exceptions")),
          ("withdrawals", _("Withdrawals")), ("records", _("Records received")))


@dataclass(frozen=True)
class CountRow:
    key: str
    label: Promise | str
    value: int | None  # None: unknown without the records' details


@dataclass(frozen=True)
class ServiceReport:
    period: Period
    made_at: dt.datetime
    counts: list[CountRow]
    steps: list[StepResult]
    per_day: list[tuple[dt.date, int]]
    records: counting.RecordCounts
    index: IndexResult

    @property
    def details_available(self) -> bool:
        return self.index.available

    def count(self, key: str) -> int | None:
        return next(row.value for row in self.counts if row.key == key)

    def unavailable_text(self) -> str:
        """Why the records' details are missing, for people (in the active language); '' when they are there."""
        if self.index.available:
            return ""
        if self.index.problem == NOT_CONFIGURED:
            return _g("record details unavailable: HQ's packet key is not configured")
        return _g("record details unavailable: HQ's packet key cannot be read")


def applications_per_day(period: Period) -> list[tuple[dt.date, int]]:
    """Applications submitted on each day of the period (HQ's time zone), zeros included."""
    zone = local_zone()
    per_day = Counter(at.astimezone(zone).date() for at in Application.objects.filter(
        submitted_at__gte=period.start_at, submitted_at__lt=period.end_at).values_list("submitted_at", flat=True))
    return [(day, per_day.get(day, 0)) for day in period.days()]


def build_report(start: dt.date, end: dt.date) -> ServiceReport:
    """Index the records not yet summarized, then count and measure the period from `start` to `end` (both
    days included). ValueError when `end` is before `start`."""
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    period = Period(start, end)
    index = index_records()
    records = counting.record_counts(period, details=index.available)
    values: dict[str, int | None] = {
        **counting.application_counts(period), **counting.correction_counts(period),
        **counting.list_counts(period), "schools_visited": records.schools_visited,
        "students_recorded": records.students_recorded, "exceptions": records.exceptions,
        "withdrawals": records.withdrawals, "records": records.records}
    return ServiceReport(period, timezone.now(), [CountRow(key, label, values[key]) for key, label in COUNTS],
                         measure_steps(period), applications_per_day(period), records, index)
