"""The report's counts for a period, each from the model field that says when it happened (docs/service-report.md):
applications registered / verified / rejected, corrections requested / resolved, lists approved, SPTs issued,
and what the records say — schools visited, students recorded, exceptions, withdrawals.

Records are placed in the period by the time they were sealed (the station's clock, from the signed header).
Without HQ's packet key only the records per station can be counted; the rest of the record counts are None.

Every record counts for the assignment (SPT, school) it was recorded under, never the station's current one
(issue 21): the assignment its signed header names, checked at ingest against the assignments HQ issued to that
station; for a packet sealed before the header carried it, the assignment in its record.json (with the packet
key). A station reassigned mid-way therefore shows one row per assignment, each with its own school.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, Sum

from hq.applications.models import Application, Correction, School
from hq.fleet.models import HealthSample, Station
from hq.ingest.models import CorrectionRequest, Record
from hq.lists.models import ListEvent, Spt, StationAssignment
from hq.reports.models import RecordSummary
from hq.reports.period import Period

WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class StationRecords:
    """A station's records of one assignment (`assignment_id` '' when none is known) and that assignment's SPT
    and school as HQ issued it."""

    station_id: str
    name: str
    school: str
    records: int
    spt: str = ""
    assignment_id: str = ""
    school_npsn: str = ""


@dataclass(frozen=True)
class Issued:
    """What HQ issued under one assignment id: the SPT number and the school (npsn, name)."""

    spt: str
    npsn: str
    school: str


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
    in_period = HealthSample.objects.filter(received_at__gte=period.start_at, received_at__lt=period.end_at)
    return in_period.aggregate(n=Sum("withdrawn_rise"))["n"] or 0  # each rise worked out when ingest stored it


def issued(keys: set[tuple[str, str]]) -> dict[tuple[str, str], Issued]:
    """{(station id, assignment id): Issued} for the assignments HQ issued among `keys`."""
    ids = {assignment_id for _station, assignment_id in keys if assignment_id}
    rows = StationAssignment.objects.filter(assignment_id__in=ids).values_list(
        "station_id", "assignment_id", "spt__number", "spt__application_list__school__npsn",
        "spt__application_list__school__name")
    return {(station, assignment): Issued(spt, npsn, name) for station, assignment, spt, npsn, name in rows}


def attributed(records, details: bool) -> dict[str, str]:
    """{record id: assignment id} for the records: the signed header's (checked at ingest), else with `details`
    the record.json's (packets sealed before the header carried it); '' when neither says."""
    found = dict(records.values_list("record_id", "assignment_id"))
    if details:
        missing = [record_id for record_id, assignment_id in found.items() if not assignment_id]
        for chunk in range(0, len(missing), 500):
            found.update(RecordSummary.objects.filter(record_id__in=missing[chunk:chunk + 500])
                         .exclude(assignment_id="").values_list("record_id", "assignment_id"))
    return found


def _per_station(records, details: bool) -> list[StationRecords]:
    """Records per station and assignment, each with the SPT and school HQ issued it under."""
    stations = {s.id: s for s in Station.objects.filter(records__in=records).distinct()}
    of_record = attributed(records, details)
    per: Counter[tuple[str, str]] = Counter(
        (station_id, of_record.get(record_id, "")) for record_id, station_id in records.values_list(
            "record_id", "station_id"))
    known = issued(set(per))
    rows = []
    for (station_id, assignment_id), n in per.items():
        what = known.get((station_id, assignment_id), Issued("", "", ""))
        rows.append(StationRecords(station_id, stations[station_id].name, what.school, n, what.spt, assignment_id,
                                   what.npsn))
    return sorted(rows, key=lambda r: (r.station_id, r.assignment_id == "", r.spt, r.assignment_id))


def record_counts(period: Period, details: bool) -> RecordCounts:
    """The period's records per station and assignment, and with `details` (the packets were indexed) what their
    summaries say."""
    records = records_in(period)
    per_station = _per_station(records, details)
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
    result.per_school = _per_school(recorded, attributed(records, details))
    result.schools_visited = len(result.per_school)
    numbered = set(recorded.exclude(application_number="").values_list("application_number", flat=True))
    result.students_recorded = len(numbered) + recorded.filter(application_number="").count()
    return result


def _per_school(recorded, of_record: dict[str, str]) -> list[SchoolRecords]:
    """Students recorded and exceptions per school: the school of the assignment HQ issued that the record was
    made under (a header naming one HQ did not issue that station credits none: "?"); for a packet sealed before
    headers named it, the school its record.json names, else the application's — never the station's current
    one (a reassigned station would credit its earlier records to the new school)."""
    schools_of_apps = dict(Application.objects.filter(
        number__in=recorded.values("application_number")).values_list("number", "school_id"))
    rows = list(recorded.values_list("application_number", "school_npsn", "record__station_id", "exceptions",
                                     "record_id", "record__assignment_id"))
    known = issued({(station_id, of_record.get(record_id, "")) for _n, _s, station_id, _e, record_id, _h in rows})
    students: dict[str, set[str]] = defaultdict(set)
    exceptions: dict[str, int] = defaultdict(int)
    for number, npsn, station_id, n_exceptions, record_id, signed in rows:
        by_assignment = known.get((station_id, of_record.get(record_id, "")))
        if signed:  # the header named it: only an assignment HQ issued that station credits a school
            school = by_assignment.npsn if by_assignment else "?"
        else:  # sealed before headers named it: its record.json, else the application
            school = (by_assignment.npsn if by_assignment else "") or npsn or schools_of_apps.get(number) or "?"
        students[school].add(number or f"record:{record_id}")
        exceptions[school] += n_exceptions
    names = dict(School.objects.filter(npsn__in=students).values_list("npsn", "name"))
    rows = [SchoolRecords(key if key in names else "", names.get(key, key), len(students[key]), exceptions[key])
            for key in students]
    return sorted(rows, key=lambda r: (r.name.casefold(), r.npsn))
