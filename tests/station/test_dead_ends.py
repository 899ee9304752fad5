"""No dead ends after the attempts (issue 20 point 3): keep the best with a coded reason, a coded exception, more
attempts with the team leader's approval, and a withdrawal the operator can take back until the next call."""

import pytest

from contract.errors import RecordStateError
from native import samples
from station import audit
from station.capture.devices import Devices
from station.capture.engine import CaptureEngine
from station.capture.policy import BELOW_THRESHOLD_REASONS, check_complete
from station.checkin import check_in_by_application
from station.config import CaptureSection, SessionSection
from station.day_summary import day_summary
from station.identity_check import undo_withdrawal, withdraw
from station.operators import verify_supervisor
from station.queue import call_next, end_session
from tests.station.capture_helpers import FrameFeed, TickClock

ONE_TRY = CaptureSection(timeout_s=1.0, max_attempts=1)


def face_engine(policy: CaptureSection = ONE_TRY) -> tuple[CaptureEngine, FrameFeed]:
    """An engine whose camera shows a red backdrop: a student born in an even year (blue) never passes."""
    camera = FrameFeed([samples.portrait("red")])
    return CaptureEngine(policy, Devices(camera=camera), clock=TickClock()), camera


def problems_of(result, policy: CaptureSection) -> str:
    with pytest.raises(RecordStateError) as incomplete:
        check_complete([result], policy)
    return str(incomplete.value)


def test_after_the_attempts_the_best_is_kept_with_a_coded_reason():
    engine, _ = face_engine()
    assert engine.capture_face(birth_year=2010).status == "below_threshold"
    assert engine.capture_face(birth_year=2010).status == "below_threshold"  # no attempts left: no capture runs
    assert engine.attempts["face"] == 1
    assert "site_conditions" in BELOW_THRESHOLD_REASONS
    kept = engine.accept_below_threshold("face", "site_conditions")
    assert kept.below_threshold and kept.reason == "site_conditions" and kept.attempts == 1
    assert "face:" not in problems_of(kept, ONE_TRY)  # complete as far as the face goes


def test_an_exception_after_the_attempts_carries_its_code():
    engine = CaptureEngine(ONE_TRY, Devices(), clock=TickClock())
    result = engine.mark_exception("left_ring", "injured", None, samples.FACE.read_bytes())
    assert (result.outcome, result.exception_code) == ("exception", "injured")
    assert "left_ring:" not in problems_of(result, ONE_TRY)


def test_more_attempts_need_the_team_leaders_pin_and_travel_with_the_capture(imported):
    engine, camera = face_engine()
    with pytest.raises(RecordStateError) as early:  # attempts left: nothing to approve yet
        engine.allow_more_attempts(("face",), "OP-01")
    assert early.value.code == "capture.attempts_left"
    assert engine.capture_face(birth_year=2010).status == "below_threshold"
    session = SessionSection(pin_max_attempts=3)
    lead = verify_supervisor(imported, "246810", session, purpose="capture.more_attempts", asked_by="OP-02")
    assert engine.allow_more_attempts(("face",), lead.operator_id) == 2
    camera.frames, camera.index = [samples.portrait("blue")], 0  # the student now stands before the blue cloth
    assert engine.capture_face(birth_year=2010).status == "captured"
    face = engine.results["face"]
    assert face.attempts == 2 and face.metadata["more_attempts"] == {"approved_by": "OP-01", "extra": 1}
    assert "face:" not in problems_of(face, ONE_TRY)  # 2 attempts of a max of 1, approved
    unapproved = type(face)(**{**face.__dict__, "metadata": {}})
    assert "face: 2 attempts is outside 0..1" in problems_of(unapproved, ONE_TRY)
    with pytest.raises(RecordStateError) as done:
        engine.allow_more_attempts(("face",), "OP-01")
    assert done.value.code == "capture.more_attempts_not_needed"


@pytest.fixture
def two_called(imported, applicants):
    for a in applicants[:2]:
        check_in_by_application(imported, a["application_id"], a["phone"])
    return call_next(imported, "OP-02")


def state_of(store, record_id):
    return tuple(store.conn.execute("SELECT state, reason_code FROM records WHERE id = ?", (record_id,)).fetchone())


def test_a_withdrawal_is_undone_until_the_next_student_is_called(imported, two_called):
    record = two_called.record_id
    withdraw(imported, record, "OP-02", "walked_out")
    assert day_summary(imported).withdrawn == {"walked_out": 1}
    assert undo_withdrawal(imported, record, "OP-02") == "capturing"
    assert state_of(imported, record) == ("capturing", None)
    summary = day_summary(imported)
    assert summary.withdrawn == {} and [o.withdrawn for o in summary.operators] == [0, 0]
    row = imported.conn.execute("SELECT actor, from_state, to_state, reason FROM audit WHERE action = "
                                "'record.withdrawal_undone'").fetchone()
    assert tuple(row) == ("OP-02", "withdrawn", "capturing", "withdrawal (walked_out) undone")
    with pytest.raises(RecordStateError) as twice:
        undo_withdrawal(imported, record, "OP-02")
    assert twice.value.code == "record.not_withdrawn"
    withdraw(imported, record, "OP-02", "refused")  # this time they really leave
    call_next(imported, "OP-02")
    with pytest.raises(RecordStateError) as late:
        undo_withdrawal(imported, record, "OP-02")
    assert late.value.code == "record.undo_closed" and "next student was called" in str(late.value)
    assert state_of(imported, record) == ("withdrawn", "refused")
    assert audit.verify(imported.conn).ok


def test_a_logout_closes_the_undo(imported, two_called):
    withdraw(imported, two_called.record_id, "OP-02", "unwell")
    end_session(imported, "OP-02")
    with pytest.raises(RecordStateError, match="logged out"):
        undo_withdrawal(imported, two_called.record_id, "OP-01")
