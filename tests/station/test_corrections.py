"""Correction requests from the kiosk (check-in + request in one transaction) and the list the edge agent sends."""

import sqlite3

import pytest

from contract.errors import CheckInError, PhoneError, RecordStateError
from station import audit
from station.checkin import check_in_by_application
from station.corrections import (
    correction_for,
    mark_reported,
    pending_corrections,
    request_at_checkin,
)
from station.identity_check import request_correction
from station.queue import waiting
from station.records import transition


def counts(store):
    return {t: store.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]  # noqa: S608 - fixed names
            for t in ("checkins", "records", "audit", "counters")}


def test_the_kiosk_request_checks_in_and_requests_in_one_audited_step(imported, applicants):
    a = applicants[3]
    done = request_at_checkin(imported, a["application_id"], "0812-3456-7890", "kk_mismatch", method="nik")
    assert not done.already_requested and done.phone_hint == "…7890" and done.reason_code == "kk_mismatch"
    row = imported.conn.execute("SELECT r.state, r.reason_code, c.phone, c.method FROM records r JOIN checkins c "
                                "ON c.id = r.checkin_ref WHERE r.id = ?", (done.record_id,)).fetchone()
    assert tuple(row) == ("correction_requested", "kk_mismatch", "+6281234567890", "nik")
    trail = imported.conn.execute("SELECT actor, action, to_state, reason FROM audit WHERE record_id = ? "
                                  "ORDER BY id", (done.record_id,)).fetchall()
    assert [tuple(t) for t in trail] == [
        ("kiosk", "checkin", "checked_in", None),
        ("kiosk", "record.transition", "correction_requested", "kk_mismatch: asked by the student at the kiosk")]
    assert audit.verify(imported.conn).ok
    assert waiting(imported) == []  # not in the queue: the office answers first
    assert correction_for(imported, a["application_id"]) == done.__class__(done.record_id, "kk_mismatch", "…7890",
                                                                          True)


def test_asking_twice_writes_nothing_new(imported, applicants):
    a = applicants[3]
    first = request_at_checkin(imported, a["application_id"], "081234567890", "name_mismatch")
    before = counts(imported)
    again = request_at_checkin(imported, a["application_id"], "081298765432", "other")
    assert again.already_requested and again.record_id == first.record_id
    assert again.reason_code == "name_mismatch" and again.phone_hint == "…7890"
    assert counts(imported) == before


@pytest.mark.parametrize(("phone", "code", "error"), [
    ("0761123456", "kk_mismatch", PhoneError),  # a landline
    ("081234567890", "made_up", RecordStateError),
])
def test_bad_input_writes_nothing(imported, applicants, phone, code, error):
    before = counts(imported)
    with pytest.raises(error):
        request_at_checkin(imported, applicants[0]["application_id"], phone, code)
    assert counts(imported) == before


def test_a_student_not_on_the_list_or_already_in_the_queue_or_withdrawn_is_refused(imported, applicants):
    with pytest.raises(CheckInError) as e:
        request_at_checkin(imported, "APL-NOT-HERE", "081234567890", "other")
    assert e.value.code == "checkin.not_on_list"
    queued = check_in_by_application(imported, applicants[0]["application_id"], "081234567890")
    with pytest.raises(CheckInError) as e:
        request_at_checkin(imported, applicants[0]["application_id"], "081234567890", "other")
    assert e.value.code == "checkin.in_queue"
    assert imported.conn.execute("SELECT state FROM records WHERE id = ?", (queued.record_id,)).fetchone()[0] \
        == "checked_in"
    transition(imported, queued.record_id, "withdrawn", actor="OP-01", reason_code="walked_out")
    with pytest.raises(CheckInError) as e:
        request_at_checkin(imported, applicants[0]["application_id"], "081234567890", "other")
    assert e.value.code == "checkin.closed"
    assert correction_for(imported, applicants[0]["application_id"]) is None


def test_a_failure_inside_the_transaction_leaves_no_check_in_behind(imported, applicants):
    # the database itself refuses the second half (the state change): the check-in must roll back with it
    imported.conn.execute("CREATE TRIGGER refuse BEFORE UPDATE OF state ON records "
                          "WHEN NEW.state = 'correction_requested' BEGIN SELECT RAISE(ABORT, 'refused'); END")
    before = counts(imported)
    with pytest.raises(sqlite3.IntegrityError):
        request_at_checkin(imported, applicants[5]["application_id"], "081234567890", "kk_mismatch")
    assert counts(imported) == before
    imported.conn.execute("DROP TRIGGER refuse")
    assert request_at_checkin(imported, applicants[5]["application_id"], "081234567890", "kk_mismatch")


def test_another_writer_holding_the_lock_makes_it_wait_or_fail_whole(imported, applicants):
    other = sqlite3.connect(imported.db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    imported.conn.execute("PRAGMA busy_timeout = 50")  # the kiosk would wait 10 s; the test need not
    before = counts(imported)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        request_at_checkin(imported, applicants[6]["application_id"], "081234567890", "other")
    other.execute("ROLLBACK")
    other.close()
    assert counts(imported) == before
    assert not request_at_checkin(imported, applicants[6]["application_id"], "081234567890", "other").already_requested


def test_pending_lists_kiosk_and_operator_requests_until_reported(imported, applicants):
    kiosk = request_at_checkin(imported, applicants[1]["application_id"], "081234567890", "birth_date_mismatch")
    ticket = check_in_by_application(imported, applicants[2]["application_id"], "+62 812 9876 5432")
    transition(imported, ticket.record_id, "capturing", actor="OP-02")
    request_correction(imported, ticket.record_id, "OP-02", "name_mismatch", note="KK says Putri, list says Putra")
    pending = pending_corrections(imported)
    assert [(p.record_id, p.requested_by, p.reason_code, p.note, p.phone) for p in pending] == [
        (kiosk.record_id, "kiosk", "birth_date_mismatch", "asked by the student at the kiosk", "+6281234567890"),
        (ticket.record_id, "OP-02", "name_mismatch", "KK says Putri, list says Putra", "+6281298765432")]
    message = pending[1].to_message("ST-TEST")
    assert message["format"] == "sinopsis-correction/1" and message["station_id"] == "ST-TEST"
    assert message["application_id"] == applicants[2]["application_id"] and "request_audit_id" not in message
    assert "nik" not in message and message["assignment_id"]

    mark_reported(imported, kiosk.record_id, reference="HQ-COR-1")
    assert [p.record_id for p in pending_corrections(imported)] == [ticket.record_id]
    with pytest.raises(RecordStateError) as e:
        mark_reported(imported, kiosk.record_id)
    assert e.value.code == "correction.not_pending"
    assert audit.verify(imported.conn).ok

    # the office answered (back to the queue), then the operator found another mismatch: pending again
    transition(imported, kiosk.record_id, "checked_in", actor="agent", reason="corrected by the office")
    assert [p.record_id for p in pending_corrections(imported)] == [ticket.record_id]
    request_correction(imported, kiosk.record_id, "OP-01", "other")
    again = [p for p in pending_corrections(imported) if p.record_id == kiosk.record_id]
    assert len(again) == 1 and again[0].requested_by == "OP-01" and again[0].note is None
