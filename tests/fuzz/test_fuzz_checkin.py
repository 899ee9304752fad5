"""What the kiosk does with what a student types or shows: check-in (station/checkin.py `check_in_by_application`,
`check_in_by_nik`) and correction requests (station/corrections.py `request_at_checkin`, when a student says the
list's data is wrong), plus HQ's answer to a request off the broker (edge_agent/corrections.py
`CorrectionSender.on_ack`). Fed random application ids (lone surrogates and NULs included), NIKs, birth dates,
phones, reason codes and methods, and random ack payloads. Only the documented errors escape (CheckInError
checkin.*, NikError, PhoneError, RecordStateError record.reason, ValueError for a method that is not qr/nik),
each with a message; a refusal or an ignored ack leaves the station's database exactly as it was; a check-in
happens once per student (again: the same queue number), a correction request leaves the record in
correction_requested, once."""

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract.errors import CheckInError, NikError, PhoneError, RecordStateError
from edge_agent.corrections import CorrectionSender
from sinopsis.demo_data import DEMO_STATION_ID
from station.checkin import check_in_by_application, check_in_by_nik
from station.corrections import pending_corrections, request_at_checkin
from tests.fuzz.profiles import fuzz
from tests.fuzz.state import snapshot
from tests.fuzz.strategies import dumps, json_values, nasty_text

CHECKIN_CODES = {"checkin.not_on_list", "checkin.no_assignment", "checkin.in_queue", "checkin.recorded",
                 "checkin.closed", "checkin.birth_date_mismatch"}
REASONS = ["kk_mismatch", "name_mismatch", "birth_date_mismatch", "other"]


@fuzz(60)
@given(st.data())
def test_a_kiosk_correction_request_is_made_once_or_refused_without_a_trace(imported: Any, applicants: list[dict],
                                                                             data: st.DataObject) -> None:
    chosen = data.draw(st.sampled_from(applicants[:3]))
    application_id = data.draw(st.sampled_from([chosen["application_id"], f" {chosen['application_id']} "])
                               | nasty_text)
    phone = data.draw(st.sampled_from([chosen["phone"], "0812-3456-7890", "+1 202 555 0100", "(0761) 123456"])
                      | nasty_text)
    code = data.draw(st.sampled_from(REASONS) | nasty_text)
    method = data.draw(st.sampled_from(["qr", "nik"]) | nasty_text)
    before = snapshot(imported.conn)
    try:
        request = request_at_checkin(imported, application_id, phone, code, method)
    except (RecordStateError, PhoneError, CheckInError, ValueError) as e:
        assert str(e)
        if isinstance(e, RecordStateError):
            assert e.code == "record.reason"
        elif isinstance(e, PhoneError):
            assert e.code.startswith("phone.")
        elif isinstance(e, CheckInError):
            assert e.code in CHECKIN_CODES
        else:
            assert method not in ("qr", "nik") and "method" in str(e)
        assert snapshot(imported.conn) == before, "a refused request changed the database"
        return
    state = imported.conn.execute("SELECT state FROM records WHERE id = ?", (request.record_id,)).fetchone()[0]
    assert state == "correction_requested" and request.phone_hint.startswith("…")
    if request.already_requested:
        assert snapshot(imported.conn) == before, "asking again wrote something"
    ids = [p.record_id for p in pending_corrections(imported)]
    assert len(ids) == len(set(ids)) and request.record_id in ids


@fuzz(100)
@given(st.binary(max_size=200) | st.builds(dumps, json_values)
       | st.builds(lambda rid, ref: dumps({"record_id": rid, "reference": ref}),
                   st.sampled_from(["r1", "0190aaaa-0000-7000-8000-000000000001"]) | nasty_text,
                   st.none() | nasty_text))
def test_a_hostile_correction_ack_is_ignored_without_a_trace(imported: Any, payload: bytes) -> None:
    sender = CorrectionSender(imported, DEMO_STATION_ID)
    before = snapshot(imported.conn)
    assert sender.on_ack(payload) is False  # nothing is pending on this station, so no ack can settle anything
    assert snapshot(imported.conn) == before


@fuzz(60)
@given(st.data())
def test_a_check_in_happens_once_or_is_refused_without_a_trace(imported: Any, applicants: list[dict],
                                                               data: st.DataObject) -> None:
    chosen = data.draw(st.sampled_from(applicants[:3]))
    phone = data.draw(st.sampled_from([chosen["phone"], "0812-3456-7890", "(0761) 123456"]) | nasty_text)
    by_qr = data.draw(st.booleans())
    before = snapshot(imported.conn)
    try:
        if by_qr:
            ticket = check_in_by_application(imported, data.draw(st.sampled_from([chosen["application_id"]])
                                                                 | nasty_text), phone)
        else:
            born = dt.date.fromisoformat(chosen["birth_date"])
            ticket = check_in_by_nik(imported, data.draw(st.sampled_from([chosen["nik"]]) | nasty_text),
                                     data.draw(st.sampled_from([born]) | st.dates()), phone)
    except (CheckInError, NikError, PhoneError) as e:
        assert str(e) and (e.code in CHECKIN_CODES or e.code.startswith(("nik.", "phone."))), e.code
        assert snapshot(imported.conn) == before, "a refused check-in changed the database"
        return
    assert ticket.queue_number >= 1
    if ticket.already_checked_in:
        assert snapshot(imported.conn) == before, "checking in again wrote something"


@pytest.mark.parametrize("application_id", ["\ud800", "APL-2026-00001\ud800", "APL\x00"])
def test_regression_an_application_id_sqlite_cannot_take_is_not_on_the_list(imported: Any,
                                                                             application_id: str) -> None:
    """Found by fuzzing: an application id with a lone surrogate crashed check-in and the kiosk's correction
    request with UnicodeEncodeError from SQLite; an id of another shape cannot be on a list, so it is now
    checkin.not_on_list without a query."""
    before = snapshot(imported.conn)
    for attempt in (lambda: check_in_by_application(imported, application_id, "0812-3456-7890"),
                    lambda: request_at_checkin(imported, application_id, "0812-3456-7890", "kk_mismatch")):
        with pytest.raises(CheckInError) as err:
            attempt()
        assert err.value.code == "checkin.not_on_list"
    assert snapshot(imported.conn) == before
