"""Where a PIN is typed matters: wrong PINs on a display students use never lock the operator out (a short wait
only), the console's do; the team leader unlocks either with their own PIN (real PIN hashes), audited."""

import datetime as dt

import pytest

from contract.errors import AuthError
from station import audit
from station.config import SessionSection
from station.operators import SHARED_WAIT_S, login, unlock_operator

SESSION = SessionSection(pin_max_attempts=3, pin_lockout_s=300)


def wrong(store, operator_id="OP-02", shared=False, now=None):
    with pytest.raises(AuthError) as refused:
        login(store, operator_id, "111111", SESSION, now=now, shared=shared)
    return refused.value


def test_wrong_pins_on_a_shared_display_never_lock_the_operator(imported):
    codes = [wrong(imported, shared=True).code for _ in range(3)]
    assert codes == ["auth.failed", "auth.failed", "auth.wait"]
    waiting = wrong(imported, shared=True)  # within the wait nothing is checked, nothing is counted
    assert waiting.code == "auth.wait" and "wait" in str(waiting) and "team leader" in str(waiting)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=SHARED_WAIT_S + 1)
    assert login(imported, "OP-02", "135790", SESSION, now=later, shared=True).operator_id == "OP-02"
    # the console never saw a wrong PIN: the operator was not locked there at any moment
    assert login(imported, "OP-02", "135790", SESSION).operator_id == "OP-02"
    screens = [r[0] for r in imported.conn.execute(
        "SELECT json_extract(details, '$.screen') FROM audit WHERE action = 'operator.login_failed'")]
    assert screens == ["shared"] * 3


def test_the_team_leader_unlocks_a_locked_operator_audited(imported):
    for _ in range(3):
        last = wrong(imported)
    assert last.code == "auth.locked"
    assert wrong(imported).code == "auth.locked"
    with pytest.raises(AuthError) as not_a_lead:  # the locked operator's own PIN is no supervisor's
        unlock_operator(imported, "OP-02", "135790", SESSION)
    assert not_a_lead.value.code == "auth.supervisor_failed"
    with pytest.raises(AuthError) as stranger:
        unlock_operator(imported, "OP-77", "246810", SESSION)
    assert stranger.value.code == "auth.unknown_operator"
    lead = unlock_operator(imported, " OP-02 ", "246810", SESSION)
    assert (lead.operator_id, lead.role) == ("OP-01", "lead")
    assert login(imported, "OP-02", "135790", SESSION).operator_id == "OP-02"
    rows = imported.conn.execute("SELECT actor, action, details FROM audit WHERE action IN "
                                 "('supervisor.approved', 'supervisor.pin_failed', 'operator.unlocked') ORDER BY id")
    assert [tuple(r) for r in rows] == [
        ("OP-02", "supervisor.pin_failed", '{"asked_by":"OP-02","purpose":"operator.unlock"}'),
        ("OP-01", "supervisor.approved", '{"asked_by":"OP-02","purpose":"operator.unlock"}'),
        ("OP-01", "operator.unlocked", '{"operator":"OP-02"}')]
    assert audit.verify(imported.conn).ok


def test_an_unlock_also_ends_a_shared_displays_wait(imported):
    for _ in range(3):
        wrong(imported, shared=True)
    unlock_operator(imported, "OP-02", "246810", SESSION)
    assert login(imported, "OP-02", "135790", SESSION, shared=True).operator_id == "OP-02"
