"""Offline limits: warn, then block new captures, after too long without HQ or too many records unsent."""

import datetime as dt

import pytest

from contract.errors import ConfigError
from station.config import OfflineSection, parse_config
from station.offline_limits import check_station, evaluate, last_hq_contact, record_hq_contact

NOW = dt.datetime(2026, 11, 25, 5, 0, tzinfo=dt.UTC)
LIMITS = OfflineSection(warn_after_days=2, block_after_days=5, warn_unsent=300, block_unsent=800)


def days_ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


@pytest.mark.parametrize(("contact", "unsent", "level", "code"), [
    (days_ago(0.5), 0, "ok", None),
    (days_ago(1.99), 299, "ok", None),
    (days_ago(2), 0, "warn", "offline.days"),
    (days_ago(0), 300, "warn", "offline.unsent"),
    (days_ago(4.9), 799, "warn", "offline.days"),  # two warnings: the days are named first
    (days_ago(5), 0, "block", "offline.days"),
    (days_ago(1), 800, "block", "offline.unsent"),
    (days_ago(3), 900, "block", "offline.unsent"),  # a block beats a warning
    (days_ago(9), 900, "block", "offline.days"),
    (None, 0, "ok", None),  # never reached HQ and nothing imported: nothing to record yet
    (None, 800, "block", "offline.unsent"),
    (NOW + dt.timedelta(days=1), 0, "ok", None),  # a contact "in the future" (clock) never blocks
])
def test_verdicts(contact, unsent, level, code):
    verdict = evaluate(contact, unsent, NOW, LIMITS)
    assert (verdict.level, verdict.code) == (level, code)
    assert verdict.blocked == (level == "block")
    assert (verdict.reason is None) == (level == "ok")


def test_the_reason_says_how_long_and_the_limit():
    verdict = evaluate(days_ago(6.04), 0, NOW, LIMITS)
    assert verdict.reason.startswith("no contact with HQ for 6.0 days (limit 5)")
    assert verdict.values == {"days": 6.0, "limit": 5.0}
    assert evaluate(days_ago(0), 812, NOW, LIMITS).values == {"unsent": 812, "limit": 800}


def test_a_warning_above_its_block_is_a_config_error():
    with pytest.raises(ConfigError, match="warn_"):
        parse_config({"offline": {"warn_after_days": 6, "block_after_days": 5}})
    assert parse_config({"offline": {"warn_unsent": 10, "block_unsent": 10}}).offline.block_unsent == 10


def test_hq_contact_is_remembered_and_never_moves_back(imported):
    imported_at = last_hq_contact(imported.conn)
    assert imported_at is not None, "before any contact, the assignment's import counts"
    with imported.write() as conn:
        record_hq_contact(conn, NOW)
        record_hq_contact(conn, days_ago(3))  # a clock stepped back
    assert last_hq_contact(imported.conn) == NOW
    assert check_station(imported.conn, LIMITS, now=NOW + dt.timedelta(days=5)).code == "offline.days"
    assert check_station(imported.conn, LIMITS, now=NOW).level == "ok"


def test_no_assignment_and_no_contact_means_no_time_limit(store):
    assert last_hq_contact(store.conn) is None
    assert check_station(store.conn, LIMITS, now=NOW).level == "ok"
