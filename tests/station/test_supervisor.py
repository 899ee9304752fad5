"""The supervisor's approval: the team leader's PIN from today's assignment, audited, locked after wrong tries."""

import datetime as dt

import pytest

from contract.errors import AuthError
from station import audit
from station.config import SessionSection
from station.operators import verify_supervisor

SESSION = SessionSection(pin_max_attempts=3, pin_lockout_s=300)


def test_only_the_team_leader_approves_and_it_is_audited(imported):
    lead = verify_supervisor(imported, "246810", SESSION, purpose="capture.more_attempts", asked_by="OP-02",
                             record_id="R-1")
    assert (lead.operator_id, lead.role) == ("OP-01", "lead")
    with pytest.raises(AuthError) as operator_pin:  # an operator's own PIN is no supervisor's
        verify_supervisor(imported, "135790", SESSION, purpose="capture.more_attempts", asked_by="OP-02")
    assert operator_pin.value.code == "auth.supervisor_failed" and "tries left" in str(operator_pin.value)
    rows = imported.conn.execute("SELECT actor, action, record_id, details FROM audit WHERE action LIKE "
                                 "'supervisor.%' ORDER BY id").fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [("OP-01", "supervisor.approved", "R-1"),
                                                 ("OP-02", "supervisor.pin_failed", None)]
    assert '"purpose":"capture.more_attempts"' in rows[0][3]


def test_wrong_supervisor_pins_lock_then_expire(imported):
    for _ in range(2):
        with pytest.raises(AuthError, match="tries left"):
            verify_supervisor(imported, "000000", SESSION, purpose="operator.unlock")
    with pytest.raises(AuthError) as locked:
        verify_supervisor(imported, "000000", SESSION, purpose="operator.unlock")
    assert locked.value.code == "auth.supervisor_locked"
    now = dt.datetime.now(dt.UTC)
    with pytest.raises(AuthError) as still:  # even the right PIN while locked
        verify_supervisor(imported, "246810", SESSION, purpose="operator.unlock", now=now + dt.timedelta(seconds=60))
    assert still.value.code == "auth.supervisor_locked"
    later = now + dt.timedelta(seconds=400)
    assert verify_supervisor(imported, "246810", SESSION, purpose="operator.unlock", now=later).operator_id == "OP-01"
    assert audit.verify(imported.conn).ok
