"""The queue: waiting students in order, call next, a student who does not come keeps their number and is passed
over until recalled or until the operator's session ends; every change audited."""

import pytest

from contract.errors import RecordStateError
from station import audit
from station.checkin import check_in_by_application
from station.queue import (
    call_next,
    end_session,
    lock_session,
    not_here,
    now_serving,
    passed_over,
    recall,
    waiting,
)


def checked_in(store, applicants, n):
    return [check_in_by_application(store, a["application_id"], a["phone"]) for a in applicants[:n]]


def queue_state(store, record_id):
    return store.conn.execute("SELECT c.queue_state FROM checkins c JOIN records r ON r.checkin_ref = c.id "
                              "WHERE r.id = ?", (record_id,)).fetchone()[0]


def numbers(entries):
    return [e.queue_number for e in entries]


def test_call_next_serves_in_queue_order(imported, applicants):
    tickets = checked_in(imported, applicants, 3)
    assert numbers(waiting(imported)) == [1, 2, 3]
    first = call_next(imported, "OP-02")
    assert (first.queue_number, first.record_id) == (1, tickets[0].record_id)
    assert numbers(waiting(imported)) == [2, 3]
    assert numbers(now_serving(imported)) == [1]
    assert queue_state(imported, first.record_id) == "called"
    assert "." in first.display_name or " " not in first.display_name  # masked for the public board


def test_a_student_who_does_not_come_is_passed_over_until_recalled(imported, applicants):
    checked_in(imported, applicants, 3)
    absent = call_next(imported, "OP-02")
    not_here(imported, absent.record_id, "OP-02")
    assert queue_state(imported, absent.record_id) == "skipped"
    assert numbers(waiting(imported)) == [2, 3] and numbers(passed_over(imported)) == [1]  # the board's "next"
    assert call_next(imported, "OP-02").queue_number == 2
    assert call_next(imported, "OP-01").queue_number == 3
    assert call_next(imported, "OP-02") is None  # number 1 is not called again by "call next"
    back = recall(imported, absent.record_id, "OP-02")
    assert (back.queue_number, back.state) == (1, "capturing")
    assert passed_over(imported) == [] and numbers(now_serving(imported))[0] == 1
    with pytest.raises(RecordStateError) as err:
        recall(imported, absent.record_id, "OP-01")  # already recalled
    assert err.value.code == "queue.not_passed_over"
    rows = imported.conn.execute("SELECT action, actor, reason, details FROM audit WHERE record_id = ? AND action "
                                 "LIKE 'queue.%' ORDER BY id", (absent.record_id,)).fetchall()
    assert [(r[0], r[1]) for r in rows] == [("queue.called", "OP-02"), ("queue.skipped", "OP-02"),
                                            ("queue.recalled", "OP-02")]
    assert rows[1][2] == "not present when called" and '"queue_number":1' in rows[1][3]
    reasons = [r[0] for r in imported.conn.execute("SELECT reason FROM audit WHERE to_state = 'checked_in' AND "
                                                  "from_state = 'capturing'")]
    assert reasons == ["not present when called"]
    assert audit.verify(imported.conn).ok


def test_the_end_of_a_session_releases_the_students_that_operator_passed_over(imported, applicants):
    checked_in(imported, applicants, 3)
    first, second = call_next(imported, "OP-01"), call_next(imported, "OP-02")
    not_here(imported, first.record_id, "OP-01")
    not_here(imported, second.record_id, "OP-02")
    assert numbers(passed_over(imported)) == [1, 2]
    assert end_session(imported, "OP-02", reason="idle") == 1
    assert numbers(passed_over(imported)) == [1] and numbers(waiting(imported)) == [2, 3]
    assert queue_state(imported, second.record_id) == "waiting"
    assert call_next(imported, "OP-01").queue_number == 2  # waits again in number order
    logout = imported.conn.execute("SELECT actor, reason, details FROM audit WHERE action = 'operator.logout'"
                                   ).fetchall()
    assert [tuple(r) for r in logout] == [("OP-02", "idle", '{"released":1}')]
    # OP-01's passed-over #1, and #2 they called without recording, both wait again.
    assert end_session(imported, "OP-01") == 2 and passed_over(imported) == [] and numbers(waiting(imported)) == [1,
                                                                                                              2, 3]


def test_a_locked_screen_is_audited(imported, applicants):
    ticket = checked_in(imported, applicants, 1)[0]
    lock_session(imported, "OP-02", ticket.record_id)
    row = imported.conn.execute("SELECT actor, record_id, reason FROM audit WHERE action = 'operator.locked'"
                                ).fetchone()
    assert tuple(row) == ("OP-02", ticket.record_id, "idle")


def test_no_assignment_no_queue(store):
    assert waiting(store) == [] and now_serving(store) == [] and passed_over(store) == []
    assert call_next(store, "OP-02") is None


def test_a_student_called_but_not_recorded_waits_again_when_the_operator_logs_out(imported, applicants):
    from station.checkin import check_in_by_application
    from station.queue import call_next, end_session, now_serving, waiting

    for a in applicants[:2]:
        check_in_by_application(imported, a["application_id"], a["phone"])
    called = call_next(imported, "OP-02")
    other = call_next(imported, "OP-03")
    assert end_session(imported, "OP-02") == 1
    assert [e.record_id for e in waiting(imported)] == [called.record_id]  # same number, first in line again
    assert [e.record_id for e in now_serving(imported)] == [other.record_id]  # another operator's call stays
