"""The station database: pragmas on every connection, migrations from every earlier version, locking."""

import sqlite3

import pytest

from station import db


def _schema(conn) -> list[str]:
    return sorted(r[0] for r in conn.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"))


def test_pragmas(tmp_path):
    conn = db.connect(tmp_path / "s.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0


@pytest.mark.parametrize("start", range(len(db.migrations())))
def test_migrates_from_every_earlier_version(tmp_path, start):
    straight = db.connect(tmp_path / "straight.db")
    latest = db.migrate(straight)
    stepped = db.connect(tmp_path / "stepped.db")
    assert db.migrate(stepped, target=start) == start
    assert db.migrate(stepped) == latest
    assert _schema(stepped) == _schema(straight)
    assert db.migrate(stepped) == latest, "migrating again is a no-op"


def test_tables_and_constraints(tmp_path):
    conn = db.connect(tmp_path / "s.db")
    db.migrate(conn)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"assignments", "operators", "applicants", "checkins", "records", "captures", "outbox", "counters",
            "audit"} <= tables
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO applicants (assignment_ref, application_id, nik, name, birth_place, birth_date, "
                     "sex, kk_number) VALUES (99, 'A', '1', 'n', 'p', '2009-01-01', 'M', '1')")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO records (id, applicant_ref, state, created_at, updated_at) "
                     "VALUES ('x', 1, 'lost', 't', 't')")


def test_newer_database_is_refused(tmp_path):
    conn = db.connect(tmp_path / "s.db")
    conn.execute("PRAGMA user_version = 999")
    with pytest.raises(RuntimeError, match="newer"):
        db.migrate(conn)


def test_immediate_commits_or_rolls_back_and_holds_the_lock(tmp_path):
    a, b = db.connect(tmp_path / "s.db"), db.connect(tmp_path / "s.db")
    db.migrate(a)
    with pytest.raises(ZeroDivisionError), db.immediate(a):
        a.execute("INSERT INTO counters VALUES ('x', 1)")
        1 / 0  # noqa: B018
    assert a.execute("SELECT COUNT(*) FROM counters").fetchone()[0] == 0
    b.execute("PRAGMA busy_timeout = 0")
    with db.immediate(a):
        a.execute("INSERT INTO counters VALUES ('x', 1)")
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            b.execute("BEGIN IMMEDIATE")
    assert b.execute("SELECT value FROM counters").fetchone()[0] == 1
