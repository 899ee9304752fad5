"""The operator's identity check: roster data in full, correction requests and withdrawals, audited."""

import pytest

from contract.errors import RecordStateError
from station.audit import verify
from station.checkin import check_in_by_application
from station.identity_check import request_correction, student_details, withdraw
from station.queue import call_next


@pytest.fixture
def called(imported, applicants):
    check_in_by_application(imported, applicants[0]["application_id"], applicants[0]["phone"])
    return call_next(imported, "OP-02")


def test_the_operator_sees_the_roster_data_in_full(imported, applicants, called):
    details = student_details(imported, called.record_id)
    first = applicants[0]
    assert (details.nik, details.name, details.birth_date, details.kk_number) == (
        first["nik"], first["name"], first["birth_date"], first["kk_number"])
    assert details.queue_number == called.queue_number and details.state == "capturing"
    assert details.school.startswith("SMA")
    with pytest.raises(RecordStateError) as unknown:
        student_details(imported, "no-such-record")
    assert unknown.value.code == "record.unknown"


def test_a_correction_request_is_coded_and_audited(imported, called):
    with pytest.raises(RecordStateError) as bad:
        request_correction(imported, called.record_id, "OP-02", "looks_odd")
    assert bad.value.code == "record.reason"
    request_correction(imported, called.record_id, "OP-02", "kk_mismatch", "KK shows another birth date")
    row = imported.conn.execute("SELECT state, reason_code FROM records WHERE id = ?", (called.record_id,)).fetchone()
    assert tuple(row) == ("correction_requested", "kk_mismatch")
    audit = imported.conn.execute("SELECT actor, to_state, reason FROM audit WHERE record_id = ? ORDER BY id DESC",
                                  (called.record_id,)).fetchone()
    assert tuple(audit) == ("OP-02", "correction_requested", "kk_mismatch: KK shows another birth date")
    assert verify(imported.conn).ok


def test_a_withdrawal_is_final(imported, called):
    with pytest.raises(RecordStateError):
        withdraw(imported, called.record_id, "OP-02", "bored")
    withdraw(imported, called.record_id, "OP-02", "unwell")
    assert imported.conn.execute("SELECT state FROM records WHERE id = ?", (called.record_id,)).fetchone()[0] == \
        "withdrawn"
    with pytest.raises(RecordStateError) as again:
        withdraw(imported, called.record_id, "OP-02", "refused")
    assert again.value.code == "record.transition"
