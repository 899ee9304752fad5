"""The record lifecycle: only the moves DESIGN.md §4 allows, each with its coded reason and audit row."""

import pytest

from contract.errors import RecordStateError
from station import audit
from station.records import STATES, TRANSITIONS, counts_by_state, transition


def _states(store, record_id):
    return [(r["from_state"], r["to_state"], r["reason"]) for r in store.conn.execute(
        "SELECT from_state, to_state, reason FROM audit WHERE record_id = ? AND action = 'record.transition'",
        (record_id,))]


def test_every_target_state_is_a_known_state():
    assert all(targets <= STATES for targets in TRANSITIONS.values())


def test_withdraw_needs_a_coded_reason(imported, capturing):
    with pytest.raises(RecordStateError, match="reason codes"):
        transition(imported, capturing, "withdrawn", actor="OP-01")
    with pytest.raises(RecordStateError, match="reason codes"):
        transition(imported, capturing, "withdrawn", actor="OP-01", reason_code="bored")
    transition(imported, capturing, "withdrawn", actor="OP-01", reason_code="refused", reason="parent said no")
    assert _states(imported, capturing)[-1] == ("capturing", "withdrawn", "refused: parent said no")
    row = imported.conn.execute("SELECT state, reason_code FROM records WHERE id = ?", (capturing,)).fetchone()
    assert tuple(row) == ("withdrawn", "refused")


def test_withdrawn_is_final(imported, capturing):
    transition(imported, capturing, "withdrawn", actor="OP-01", reason_code="walked_out")
    for state in sorted(STATES - {"withdrawn"}):
        with pytest.raises(RecordStateError):
            transition(imported, capturing, state, actor="OP-01", reason_code="other")


def test_correction_request_and_back_to_the_queue(imported, capturing):
    with pytest.raises(RecordStateError):
        transition(imported, capturing, "correction_requested", actor="OP-01", reason_code="typo")
    transition(imported, capturing, "correction_requested", actor="OP-01", reason_code="kk_mismatch")
    transition(imported, capturing, "checked_in", actor="OP-01")
    assert [s[1] for s in _states(imported, capturing)] == ["capturing", "correction_requested", "checked_in"]


def test_a_sealed_record_cannot_be_withdrawn_or_reopened(imported, capturing, sealer):
    from sinopsis.demo import demo_captures

    sealer.seal_and_commit(capturing, demo_captures(), operator_id="OP-02")
    for state in ("withdrawn", "capturing", "checked_in", "accepted"):
        with pytest.raises(RecordStateError, match="cannot go from captured"):
            transition(imported, capturing, state, actor="OP-01", reason_code="other")
    transition(imported, capturing, "sent", actor="agent")
    transition(imported, capturing, "accepted", actor="agent")
    assert counts_by_state(imported.conn)["accepted"] == 1
    assert audit.verify(imported.conn).ok


def test_unknown_record(imported):
    with pytest.raises(RecordStateError) as err:
        transition(imported, "0190aaaa-dead-7000-8000-000000000000", "capturing", actor="OP-01")
    assert err.value.code == "record.unknown"
