"""Operator login: the team's PINs, a lockout that survives restarts, every attempt audited."""

import datetime as dt

import pytest

from contract.errors import AuthError
from station import audit
from station.config import SessionSection
from station.operators import login

SESSION = SessionSection(pin_max_attempts=3, pin_lockout_s=300)


def test_the_team_logs_in_with_its_pins(imported):
    op = login(imported, "OP-01", "246810", SESSION)
    assert (op.operator_id, op.role) == ("OP-01", "lead")
    assert login(imported, " OP-02 ", "135790", SESSION).name == "Yuliana Sari"


def test_wrong_id_and_wrong_pin_look_the_same(imported):
    with pytest.raises(AuthError) as wrong_pin:
        login(imported, "OP-01", "000000", SESSION)
    with pytest.raises(AuthError) as wrong_id:
        login(imported, "OP-99", "246810", SESSION)
    assert wrong_pin.value.code == wrong_id.value.code == "auth.failed"
    assert "tries left" in str(wrong_pin.value)


def test_lockout_after_too_many_wrong_pins_then_it_expires(imported):
    for _ in range(2):
        with pytest.raises(AuthError, match="tries left"):
            login(imported, "OP-02", "111111", SESSION)
    with pytest.raises(AuthError) as locked:
        login(imported, "OP-02", "111111", SESSION)
    assert locked.value.code == "auth.locked"
    now = dt.datetime.now(dt.UTC)  # the attempts are stamped with the real clock in the audit log
    with pytest.raises(AuthError) as still:  # even the right PIN, while locked
        login(imported, "OP-02", "135790", SESSION, now=now + dt.timedelta(seconds=60))
    assert still.value.code == "auth.locked"
    assert login(imported, "OP-02", "135790", SESSION, now=now + dt.timedelta(seconds=400)).operator_id == "OP-02"
    assert audit.verify(imported.conn).ok


def test_attempts_are_in_the_audit_log_and_survive_a_restart(imported, station_config):
    from station.store import StationStore

    for _ in range(3):
        with pytest.raises(AuthError):
            login(imported, "OP-01", "999999", SESSION)
    with StationStore(station_config.station.data_dir) as reopened, pytest.raises(AuthError) as locked:
        login(reopened, "OP-01", "246810", SESSION)
    assert locked.value.code == "auth.locked"
    actions = [r[0] for r in imported.conn.execute("SELECT action FROM audit WHERE actor = 'OP-01'")]
    assert actions.count("operator.login_failed") >= 3
