"""Reprinting a slip of the day from the station's records: the list, the queue slip of a student still waiting,
the acknowledgement of a saved record rebuilt with the very QR of the first print, and the audit of each reprint."""

import pytest

from station import audit
from station.acknowledgement import acknowledgement_fields
from station.checkin import check_in_by_application
from station.queue import call_next
from station.reprint import queue_slip_fields, record_reprint, saved_record, todays_slips
from tests.station.test_day_summary import captures_with_exceptions


def test_todays_slips_and_a_saved_record_rebuilt_as_it_was_printed(imported, applicants, sealer, station_config):
    for a in applicants[:3]:
        check_in_by_application(imported, a["application_id"], a["phone"])
    first = call_next(imported, "OP-02")
    captures = captures_with_exceptions()
    sealed = sealer.seal_and_commit(first.record_id, captures, operator_id="OP-02")
    rows = todays_slips(imported)
    assert [(r.queue_number, r.kind) for r in rows] == [(1, "acknowledgement"), (2, "queue"), (3, "queue")]
    assert rows[0].receipt_number == sealed.receipt_number and "." in rows[1].display_name

    again, results, name, nik, operator = saved_record(imported, station_config, first.record_id)
    assert again.slip_qr == sealed.slip_qr  # re-signed with the station's key from its file: the same QR
    assert (again.receipt_number, again.seq, again.sealed_at) == (sealed.receipt_number, sealed.seq, sealed.sealed_at)
    assert (operator.operator_id, name, nik) == ("OP-02", applicants[0]["name"], applicants[0]["nik"])
    kept = {c.position: c for c in captures}
    fields = acknowledgement_fields(results, again.receipt_number, first.record_id, name, nik, station_config.helpdesk,
                                    sealed_at=again.sealed_at)
    original = acknowledgement_fields(kept, sealed.receipt_number, first.record_id, name, nik,
                                      station_config.helpdesk, sealed_at=sealed.sealed_at)
    assert fields == original  # the counts, exceptions, below-threshold positions and time, all as printed
    assert fields["finger_exceptions"] == {"left_ring": "injured"} and fields["below_threshold"] == ("right_thumb",)

    queue = queue_slip_fields(imported, rows[1].record_id)
    assert queue["queue_number"] == 2 and queue["school"]
    with pytest.raises(ValueError, match="no queue slip"):
        queue_slip_fields(imported, first.record_id)
    with pytest.raises(ValueError, match="no acknowledgement"):
        saved_record(imported, station_config, rows[1].record_id)
    with pytest.raises(LookupError, match="today's list"):
        queue_slip_fields(imported, "no-such-record")

    record_reprint(imported, first.record_id, "acknowledgement", "OP-01")
    row = imported.conn.execute("SELECT actor, record_id, details FROM audit WHERE action = ?",
                                ("slip.reprinted",)).fetchone()
    assert tuple(row) == ("OP-01", first.record_id, '{"first_failed":false,"slip":"acknowledgement"}')
    assert audit.verify(imported.conn).ok
