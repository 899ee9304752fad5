"""The service report's reader of stored records (hq/reports/record_index.py `summarize`): it opens each accepted
packet at HQ and reads record.json's metadata. A packet signed with a station's real key (a stolen kit, or a
station bug) can carry any record.json, so it is fed random JSON, JSON shaped like a record with random values in
every field it reads, and bytes that are not JSON. It always returns a RecordSummary (an unreadable one with a
code when the document is unusable), never raises, and keeps only bounded text."""

import json
from pathlib import Path
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from contract.packets import seal_record
from tests.fuzz.profiles import fuzz
from tests.fuzz.strategies import dumps, json_values, nasty_text

_ids = iter(range(1, 10**9))
field_values = json_values | st.sampled_from([5, True, "abc", [], {}, [1, "x", None], [{"outcome": "exception"}]])
documents = st.fixed_dictionaries({}, optional={
    "format": st.sampled_from(["sinopsis-record/1", "other/1"]) | field_values,
    "applicant": st.fixed_dictionaries({}, optional={"application_id": field_values}) | field_values,
    "assignment": st.fixed_dictionaries({}, optional={"assignment_id": field_values,
                                                      "school_npsn": field_values}) | field_values,
    "captures": st.lists(st.fixed_dictionaries({}, optional={"outcome": st.sampled_from(["exception", "ok"])
                                                             | field_values, "exception_code": field_values})
                         | field_values, max_size=3) | field_values,
    "outcome": field_values})


@fuzz(60)
@given(st.builds(dumps, documents) | st.builds(dumps, json_values) | st.binary(max_size=60)
       | st.builds(lambda t: t.encode("utf-8", "surrogatepass"), nasty_text))
@example(json.dumps({"format": "sinopsis-record/1", "captures": 5}).encode())
@example(json.dumps({"format": "sinopsis-record/1", "captures": True}).encode())
def test_any_record_json_in_a_signed_packet_gives_a_summary(hq: Path, station_keys: dict, hq_key: Any,
                                                             record_json: bytes) -> None:
    from hq.fleet.models import Station
    from hq.ingest.models import Record
    from hq.ingest.storage import ACCEPTED, receive_packet
    from hq.reports.record_index import RecordSummary, summarize

    record_id = f"rep-{next(_ids):06d}"
    sealed = seal_record(record_id=record_id, station_id="st-a", seq=1, created_at="2026-11-25T03:04:05+00:00",
                         files={"record.json": record_json}, station_key=station_keys["st-a"],
                         hq_public_key=hq_key.public_key())
    assert receive_packet(Station.objects.get(pk="st-a"), sealed, claimed_station="st-a").result == ACCEPTED
    summary = summarize(Record.objects.get(pk=record_id), hq_key)
    assert isinstance(summary, RecordSummary)
    for text, limit in ((summary.application_number, 64), (summary.assignment_id, 128), (summary.school_npsn, 16)):
        assert isinstance(text, str) and len(text) <= limit
    assert all(isinstance(c, str) and len(c) <= 32 for c in summary.exception_codes)


def test_regression_captures_that_is_not_a_list_is_no_captures(hq: Path, station_keys: dict, hq_key: Any) -> None:
    """Found by fuzzing: record.json with "captures": 5 (or true) crashed summarize with TypeError ('int' object
    is not iterable), and with it the whole service report; it now counts as a record without captures."""
    from hq.fleet.models import Station
    from hq.ingest.models import Record
    from hq.ingest.storage import receive_packet
    from hq.reports.record_index import summarize

    document = {"format": "sinopsis-record/1", "captures": 5, "applicant": {"application_id": "APL-1"}}
    sealed = seal_record(record_id="rep-int-captures", station_id="st-a", seq=1,
                         created_at="2026-11-25T03:04:05+00:00", files={"record.json": json.dumps(document).encode()},
                         station_key=station_keys["st-a"], hq_public_key=hq_key.public_key())
    receive_packet(Station.objects.get(pk="st-a"), sealed, claimed_station="st-a")
    summary = summarize(Record.objects.get(pk="rep-int-captures"), hq_key)
    assert (summary.application_number, summary.exceptions, summary.exception_codes) == ("APL-1", 0, [])
