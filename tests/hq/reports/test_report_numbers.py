"""The service report's numbers for a seeded November 2026 (tests/hq/reports/seed.py): every count, every SOP
step's cases, share within the standard and median, exactly as worked out by hand; the period's edges; what the
records say only with HQ's packet key, and the records per station without it."""

import datetime as dt
from pathlib import Path

from django.utils import translation

from hq.applications.models import Application
from hq.reports.models import RecordSummary
from hq.reports.record_index import index_records
from hq.reports.report import build_report
from tests.hq.reports.seed import COUNTS, PER_DAY, STEPS, Seed

NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def test_every_count_and_step_of_the_month(seeded: Seed, packet_key_file: Path):
    report = build_report(*NOVEMBER)
    assert report.details_available and report.unavailable_text() == ""
    assert {row.key: row.value for row in report.counts} == COUNTS
    measured = {r.step.number: (r.cases, r.met, r.missed, r.open, r.share, r.median) for r in report.steps}
    assert measured == STEPS
    assert report.per_day == [(day, PER_DAY.get(day.day, 0)) for day in report.period.days()]
    assert [(s.npsn, s.name, s.students, s.exceptions) for s in report.records.per_school] == [
        ("10000002", '=HYPERLINK("http://x","y")', 1, 1), ("10000001", "SMA Negeri 1 Pekanbaru", 2, 2)]
    # per station and assignment: st-a's unreadable record has none known (never the station's current school)
    assert [(s.station_id, s.spt, s.school, s.records) for s in report.records.per_station] == [
        ("st-a", "474/001/2026", "SMA Negeri 1 Pekanbaru", 2), ("st-a", "", "", 1), ("st-b", "", "", 1)]
    assert report.records.unreadable == 1


def test_each_packet_is_opened_once_and_only_metadata_is_kept(seeded: Seed, packet_key_file: Path):
    first = index_records()
    assert (first.available, first.indexed, first.unreadable) == (True, 5, 1)
    assert index_records().indexed == 0  # indexed once
    r1 = RecordSummary.objects.get(record_id="st-a-r1")
    assert (r1.application_number, r1.assignment_id, r1.school_npsn, r1.outcome, r1.exceptions,
            r1.exception_codes) == ("APP-1", "asg-1", "10000001", "recorded", 2, ["amputated", "other"])
    assert r1.sealed_at == dt.datetime(2026, 11, 9, 1, tzinfo=dt.UTC)
    bad = RecordSummary.objects.get(record_id="st-a-r3")
    assert (bad.outcome, bad.error, bad.application_number) == ("unreadable", "packet.signature", "")
    recorded = dict(Application.objects.values_list("number", "recorded_at"))
    assert recorded["APP-1"] == r1.record.received_at and recorded["APP-5"] is not None
    assert recorded["APP-3"] is None and recorded["APP-7"] is None


def test_without_the_packet_key_only_records_per_station_are_counted(seeded: Seed):
    report = build_report(*NOVEMBER)
    assert not report.details_available
    with translation.override("en"):
        assert report.unavailable_text() == "record details unavailable: HQ's packet key is not configured"
    with translation.override("id"):
        assert report.unavailable_text() == "rincian rekaman tidak tersedia: kunci paket HQ belum dikonfigurasi"
    counts = {row.key: row.value for row in report.counts}
    assert (counts["records"], counts["students_recorded"], counts["schools_visited"], counts["exceptions"]) == (
        4, None, None, None)
    assert counts["withdrawals"] == 6 and counts["registered"] == 6  # from the stations' Health and the office
    assert [(s.station_id, s.records) for s in report.records.per_station] == [("st-a", 3), ("st-b", 1)]
    assert RecordSummary.objects.count() == 0  # nothing indexed without a key
