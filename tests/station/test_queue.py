"""The queue: waiting students in order, call next, a student who does not come keeps their number."""

from station.checkin import check_in_by_application
from station.queue import call_next, not_here, now_serving, waiting


def checked_in(store, applicants, n):
    return [check_in_by_application(store, a["application_id"], a["phone"]) for a in applicants[:n]]


def test_call_next_serves_in_queue_order(imported, applicants):
    tickets = checked_in(imported, applicants, 3)
    assert [e.queue_number for e in waiting(imported)] == [1, 2, 3]
    first = call_next(imported, "OP-02")
    assert (first.queue_number, first.record_id) == (1, tickets[0].record_id)
    assert [e.queue_number for e in waiting(imported)] == [2, 3]
    assert [e.queue_number for e in now_serving(imported)] == [1]
    assert "." in first.display_name or " " not in first.display_name  # masked for the public board


def test_a_student_who_does_not_come_keeps_their_number(imported, applicants):
    checked_in(imported, applicants, 2)
    absent = call_next(imported, "OP-02")
    not_here(imported, absent.record_id, "OP-02")
    assert [e.queue_number for e in waiting(imported)] == [1, 2]
    nxt = call_next(imported, "OP-02", passed_over={absent.record_id})
    assert nxt.queue_number == 2
    again = call_next(imported, "OP-02")
    assert again.queue_number == 1  # called again later
    assert call_next(imported, "OP-02") is None
    reasons = [r[0] for r in imported.conn.execute("SELECT reason FROM audit WHERE to_state = 'checked_in' AND "
                                                  "from_state = 'capturing'")]
    assert reasons == ["not present when called"]


def test_no_assignment_no_queue(store):
    assert waiting(store) == [] and now_serving(store) == [] and call_next(store, "OP-02") is None
