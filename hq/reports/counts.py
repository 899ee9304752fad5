"""The report's counts for a period, each from the model field that says when it happened (docs/service-report.md):
applications registered / verified / rejected, corrections requested / resolved, lists approved, SPTs issued,
and what the records say — schools visited, students recorded, exceptions, withdrawals.

Records are placed in the period by the time they were sealed (the station's clock, from the signed header).
Without HQ's packet key only the records per station can be counted; the rest of the record counts are None.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum

from hq.applications.models import Application, Correction, School
from hq.fleet.models import HealthSample, Station
from hq.ingest.models import CorrectionRequest, Record
from hq.lists.models import ListEvent, Spt
from hq.reports.models import RecordSummary
from hq.reports.period import Period

WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class StationRecords:
    station_id: str
    name: str
    school: str
    records: int


@dataclass(frozen=True)
class SchoolRecords:
    npsn: str
    name: str
    students: int
    exceptions: int


@dataclass
class RecordCounts:
    """What the records of the period say; None where the packets could not be read (no key)."""

    records: int = 0
    unreadable: int | None = None
    schools_visited: int | None = None
    students_recorded: int | None = None
    exceptions: int | None = None
    withdrawals: int = 0
    withdrawals_from_records: int | None = None
    per_station: list[StationRecords] = field(default_factory=list)
    per_school: list[SchoolRecords] = field(default_factory=list)


def _utc_text(moment: dt.datetime) -> str:
    """A moment as the prefix of the ISO UTC text stations write (the header's created_at)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def records_in(period: Period):
    """The stored records sealed in the period (their header's created_at, compared as UTC text)."""
    return Record.objects.filter(sealed_at__gte=_utc_text(period.start_at), sealed_at__lt=_utc_text(period.end_at))


def application_counts(period: Period) -> dict[str, int]:
    """Registered (submitted in the period), verified and rejected (decided in the period)."""
    apps = Application.objects
    decided = apps.filter(decided_at__gte=period.start_at, decided_at__lt=period.end_at)
    return {"registered": apps.filter(submitted_at__gte=period.start_at, submitted_at__lt=period.end_at).count(),
            "verified": decided.filter(state=Application.State.VERIFIED).count(),
            "rejected": decided.filter(state=Application.State.REJECTED).count()}


def correction_counts(period: Period) -> dict[str, int]:
    """Corrections opened / resolved in the period: the office's, and a station's request the office has not
    turned into one (received / handled)."""
    unlinked = CorrectionRequest.objects.filter(office_correction__isnull=True)
    within = {"gte": period.start_at, "lt": period.end_at}
    def between(name: str) -> dict[str, dt.datetime]:
        return {f"{name}__{op}": value for op, value in within.items()}
    return {"corrections_requested": Correction.objects.filter(**between("opened_at")).count()
            + unlinked.filter(**between("received_at")).count(),
            "corrections_resolved": Correction.objects.filter(**between("resolved_at")).count()
            + unlinked.filter(**between("handled_at")).count()}


def list_counts(period: Period) -> dict[str, int]:
    """Lists approved (distinct lists with an approval in the period) and SPTs issued in the period."""
    approvals = ListEvent.objects.filter(Q(action=ListEvent.Action.APPROVED) | Q(to_state="approved"),
                                         at__gte=period.start_at, at__lt=period.end_at)
    return {"lists_approved": approvals.values("application_list").distinct().count(),
            "spts_issued": Spt.objects.filter(issued_at__gte=period.start_at, issued_at__lt=period.end_at).count()}


def withdrawals_reported(period: Period) -> int:
    """Withdrawals the stations reported in the period: the rises of `counts.withdrawn` between their Health
    reports (received in the period, against the last one before it). A withdrawn record is never sealed, so
    this is the only place HQ learns of it; a station whose counter falls (re-provisioned) counts on from there."""
    total = 0
    in_period = HealthSample.objects.filter(received_at__gte=period.start_at, received_at__lt=period.end_at)
    for station_id in in_period.values_list("station_id", flat=True).distinct().order_by("station_id"):
        before = (HealthSample.objects.filter(station_id=station_id, received_at__lt=period.start_at)
                  .order_by("-received_at", "-id").values_list("data", flat=True).first())
        previous = _withdrawn(before)
        for data in in_period.filter(station_id=station_id).order_by("received_at", "id").values_list("data",
                                                                                                      flat=True):
            value = _withdrawn(data)
            total += max(0, value - previous)
            previous = value
    return total


def _withdrawn(data: object) -> int:
    counts = data.get("counts") if isinstance(data, dict) else None
    value = counts.get(WITHDRAWN, 0) if isinstance(counts, dict) else 0
    return value if isinstance(value, int) and value >= 0 else 0


def record_counts(period: Period, details: bool) -> RecordCounts:
    """The period's records per station, and with `details` (the packets were indexed) what their summaries say."""
    records = records_in(period)
    stations = {s.id: s for s in Station.objects.filter(records__in=records).distinct()}
    per_station = [StationRecords(row["station_id"], stations[row["station_id"]].name,
                                  stations[row["station_id"]].school, row["n"])
                   for row in records.values("station_id").annotate(n=Count("pk")).order_by("station_id")]
    result = RecordCounts(records=sum(s.records for s in per_station), per_station=per_station,
                          withdrawals=withdrawals_reported(period))
    if not details:
        return result
    summaries = RecordSummary.objects.filter(record__in=records)
    recorded = summaries.filter(outcome=RecordSummary.RECORDED)
    result.unreadable = summaries.filter(outcome=RecordSummary.UNREADABLE).count()
    result.withdrawals_from_records = summaries.filter(outcome=WITHDRAWN).count()
    result.withdrawals += result.withdrawals_from_records
    result.exceptions = recorded.aggregate(n=Sum("exceptions"))["n"] or 0
    result.per_school = _per_school(recorded)
    result.schools_visited = len(result.per_school)
    numbered = set(recorded.exclude(application_number="").values_list("application_number", flat=True))
    result.students_recorded = len(numbered) + recorded.filter(application_number="").count()
    return result


def _per_school(recorded) -> list[SchoolRecords]:
    """Students recorded and exceptions per school: the school in the record's assignment, else the application's,
    else the station's (as enrolled)."""
    schools_of_apps = dict(Application.objects.filter(
        number__in=recorded.values("application_number")).values_list("number", "school_id"))
    students: dict[str, set[str]] = defaultdict(set)
    exceptions: dict[str, int] = defaultdict(int)
    for number, npsn, station_school, n_exceptions, record_id in recorded.values_list(
            "application_number", "school_npsn", "record__station__school", "exceptions", "record_id"):
        school = npsn or schools_of_apps.get(number) or station_school or "?"
        students[school].add(number or f"record:{record_id}")
        exceptions[school] += n_exceptions
    names = dict(School.objects.filter(npsn__in=students).values_list("npsn", "name"))
    rows = [SchoolRecords(key if key in names else "", names.get(key, key), len(students[key]), exceptions[key])
            for key in students]
    return sorted(rows, key=lambda r: (r.name.casefold(), r.npsn))
