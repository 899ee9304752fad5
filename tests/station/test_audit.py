"""The audit chain: append-only by trigger, and verify finds any edited, deleted or truncated row."""

import pytest

from station import audit


def _log(store, n: int) -> None:
    for i in range(n):
        with store.write() as conn:
            audit.append(conn, actor="OP-01", action="test", reason=f"step {i}", details={"i": i})


def test_intact_chain_verifies(store):
    _log(store, 5)
    report = audit.verify(store.conn)
    assert report.ok and report.rows == 5


def test_append_outside_a_transaction_is_refused(store):
    with pytest.raises(RuntimeError, match="inside the write transaction"):
        audit.append(store.conn, actor="x", action="y")


def test_triggers_refuse_update_and_delete(store):
    import sqlite3

    _log(store, 2)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("UPDATE audit SET reason = 'x' WHERE id = 1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("DELETE FROM audit WHERE id = 1")


def _tamper(store, sql: str) -> None:
    """What someone bypassing the software would do: drop the triggers, then change rows."""
    store.conn.executescript(f"DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; {sql}")


def test_edited_row_is_found(store):
    _log(store, 5)
    _tamper(store, "UPDATE audit SET reason = 'nothing happened' WHERE id = 3")
    report = audit.verify(store.conn)
    assert report.problems == ["audit row 3: content was edited (hash does not match)"]


def test_deleted_middle_row_is_found(store):
    _log(store, 5)
    _tamper(store, "DELETE FROM audit WHERE id = 3")
    report = audit.verify(store.conn)
    assert not report.ok
    assert any("row 4" in p and "rows 3–3 are missing" in p for p in report.problems)


def test_deleted_last_rows_are_found(store):
    _log(store, 5)
    _tamper(store, "DELETE FROM audit WHERE id >= 4")
    report = audit.verify(store.conn)
    assert report.problems == ["audit rows 4–5 were deleted from the end of the log"]


def test_rehashed_edit_still_breaks_the_next_link(store):
    """Recomputing one row's own hash after editing it does not help: the next row links to the old hash."""
    _log(store, 4)
    row = dict(store.conn.execute("SELECT * FROM audit WHERE id = 2").fetchone())
    row["reason"] = "forged"
    forged = audit._row_hash(row["prev_hash"], row)
    _tamper(store, f"UPDATE audit SET reason = 'forged', row_hash = '{forged}' WHERE id = 2")  # noqa: S608
    report = audit.verify(store.conn)
    assert any(p.startswith("audit row 3: chain broken") for p in report.problems)
