"""Check-in: by QR application id or NIK + birth date, a queue number, an audited record in checked_in."""

import datetime as dt

import pytest

from contract.errors import CheckInError, NikError, PhoneError
from station import audit
from station.checkin import check_in_by_application, check_in_by_nik, display_name


def test_check_in_by_application_gives_queue_numbers_in_order(imported, applicants):
    first = check_in_by_application(imported, applicants[0]["application_id"], "0812-3456-7890")
    second = check_in_by_application(imported, applicants[1]["application_id"], "+62 813 1111 2222")
    assert (first.queue_number, second.queue_number) == (1, 2)
    assert not first.already_checked_in
    row = imported.conn.execute("SELECT state FROM records WHERE id = ?", (first.record_id,)).fetchone()
    assert row["state"] == "checked_in"
    phone = imported.conn.execute("SELECT phone FROM checkins WHERE queue_number = 2").fetchone()[0]
    assert phone == "+6281311112222"


def test_check_in_by_nik_and_birth_date(imported, applicants):
    a = applicants[3]
    ticket = check_in_by_nik(imported, a["nik"], dt.date.fromisoformat(a["birth_date"]), a["phone"])
    assert ticket.queue_number == 1
    assert ticket.display_name == display_name(a["name"])


def test_checking_in_twice_returns_the_same_ticket(imported, applicants):
    a = applicants[0]
    first = check_in_by_application(imported, a["application_id"], a["phone"])
    again = check_in_by_nik(imported, a["nik"], dt.date.fromisoformat(a["birth_date"]), a["phone"])
    assert (again.queue_number, again.record_id, again.already_checked_in) == (1, first.record_id, True)
    assert imported.conn.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 1


def test_wrong_birth_date_is_refused_without_saying_the_right_one(imported, applicants):
    a = applicants[2]
    wrong = dt.date.fromisoformat(a["birth_date"]) + dt.timedelta(days=1)
    with pytest.raises(CheckInError) as err:
        check_in_by_nik(imported, a["nik"], wrong, a["phone"])
    assert err.value.code == "checkin.birth_date_mismatch"
    assert a["birth_date"] not in str(err.value)
    assert imported.conn.execute("SELECT COUNT(*) FROM checkins").fetchone()[0] == 0


def test_student_not_on_the_list(imported):
    with pytest.raises(CheckInError) as err:
        check_in_by_nik(imported, "1471085005090007", dt.date(2009, 5, 10), "081234567890")
    assert err.value.code == "checkin.not_on_list"
    assert "1471085005090007" not in str(err.value)
    with pytest.raises(CheckInError):
        check_in_by_application(imported, "APL-1999-00001", "081234567890")


def test_bad_nik_and_bad_phone_are_refused(imported, applicants):
    with pytest.raises(NikError):
        check_in_by_nik(imported, "14710abc", dt.date(2009, 1, 1), "081234567890")
    with pytest.raises(PhoneError):
        check_in_by_application(imported, applicants[0]["application_id"], "0761 21234")
    assert imported.conn.execute("SELECT COUNT(*) FROM checkins").fetchone()[0] == 0


def test_no_assignment_yet(store):
    with pytest.raises(CheckInError) as err:
        check_in_by_application(store, "APL-2026-00001", "081234567890")
    assert err.value.code == "checkin.no_assignment"


def test_check_in_is_audited(imported, applicants):
    ticket = check_in_by_application(imported, applicants[0]["application_id"], applicants[0]["phone"])
    row = imported.conn.execute("SELECT * FROM audit WHERE action = 'checkin'").fetchone()
    assert row["record_id"] == ticket.record_id and row["to_state"] == "checked_in"
    assert applicants[0]["nik"] not in row["details"]
    assert audit.verify(imported.conn).ok


def test_display_name_masks_all_but_the_first_name():
    assert display_name("Siti Rahma Putri") == "Siti R. P."
    assert display_name("Bayu") == "Bayu"
    assert display_name("") == ""


def test_identify_before_checking_in_shows_status_and_nothing_private(imported, applicants):
    from station.checkin import identify_by_application, identify_by_nik
    from station.records import transition

    a = applicants[0]
    who = identify_by_nik(imported, a["nik"], dt.date.fromisoformat(a["birth_date"]))
    assert (who.status, who.queue_number, who.application_id) == ("new", None, a["application_id"])
    assert who.display_name == display_name(a["name"]) and who.school
    assert who.phone_hint is None or (who.phone_hint.startswith("…") and len(who.phone_hint) == 5)
    ticket = check_in_by_application(imported, a["application_id"], a["phone"])
    assert identify_by_application(imported, a["application_id"]).status == "in_queue"
    transition(imported, ticket.record_id, "capturing", actor="OP-02")
    imported.conn.execute("UPDATE records SET state = 'captured' WHERE id = ?", (ticket.record_id,))
    assert identify_by_application(imported, a["application_id"]).status == "recorded"
    with pytest.raises(CheckInError, match="not on today's list"):
        identify_by_application(imported, "APL-0000-99999")


def test_a_withdrawn_student_is_sent_to_the_team_not_told_to_wait(imported, applicants):
    from station.checkin import identify_by_application
    from station.identity_check import withdraw
    from station.queue import call_next

    first = applicants[0]
    check_in_by_application(imported, first["application_id"], first["phone"])
    assert identify_by_application(imported, first["application_id"]).status == "in_queue"
    withdraw(imported, call_next(imported, "OP-02").record_id, "OP-02", "unwell")
    assert identify_by_application(imported, first["application_id"]).status == "see_team"
