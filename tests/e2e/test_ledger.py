"""`sinopsis ledger` (issue 10, point 3) on a real station database and HQ's real tables after a real drain
through mosquitto and HQ's ingest: a clean run says 0 lost and 0 duplicate; then each kind of damage a person
could find — HQ losing a row, a file, holding other content, a record twice — is named by record id."""

import json
import shutil

from django.db import connections

from sinopsis.cli import main
from tests.edge_agent.conftest import states, wait_until


def _ledger(capsys, *args: str) -> tuple[int, str]:
    code = main(["ledger", *args])
    return code, capsys.readouterr()


def test_a_clean_drain_then_each_kind_of_damage(imported, seal, enrolled, start_ingest, start_agent, hq, capsys):
    from hq.ingest.models import Record

    ids = seal(3)
    start_ingest()
    running = start_agent()
    wait_until(lambda: set(states(imported, ids).values()) == {"accepted"}, what="every record accepted")
    running.stop()
    pending = seal(1)[0]  # sealed after the agent stopped: on its way, not lost
    db = str(imported.db_path)

    code, out = _ledger(capsys, "--station-db", db, "--hq-data", str(hq), "--json")
    assert code == 0, out.err
    [found] = json.loads(out.out)
    assert found["counts"] == {"committed": 4, "delivered": 3, "pending": 1, "rejected": 0, "lost": 0,
                               "duplicate": 0, "conflicting": 0, "missing_files": 0, "unknown": 0}
    assert found["pending"] == [pending] and found["station"] == enrolled
    code, out = _ledger(capsys, "--station-db", db, "--hq-data", str(hq))
    assert code == 0 and "ledger: no record lost, duplicated or conflicting" in out.out

    first, second, third = sorted(ids)
    Record.objects.filter(pk=first).delete()  # HQ lost a row the station was told is accepted
    Record.objects.filter(pk=second).update(sha256="0" * 64)  # HQ holds other content under that id
    stored = Record.objects.get(pk=third)
    (hq / stored.path).unlink()  # a row without its file
    twin = Record.objects.get(pk=third)
    twin.record_id, twin.path = "twin-of-third", stored.path
    twin.save(force_insert=True)  # the same seq (and content) under a second id
    connections.close_all()

    code, out = _ledger(capsys, "--station-db", db, "--hq-data", str(hq), "--json")
    assert code == 1
    [found] = json.loads(out.out)
    assert (found["lost"], found["conflicting"], found["missing_files"]) == (
        [first], [second], sorted([third, "twin-of-third"]))
    assert found["duplicate"] == sorted([third, "twin-of-third"]) and found["unknown"] == ["twin-of-third"]
    code, out = _ledger(capsys, "--station-db", db, "--hq-data", str(hq))
    assert code == 1 and f"{enrolled} lost: {first}" in out.out and "problem(s)" in out.out


def test_a_station_database_that_is_not_one_is_named(hq, tmp_path, capsys, imported):
    bad = tmp_path / "station.db"
    bad.write_bytes(b"not sqlite at all" * 100)
    code, out = _ledger(capsys, "--station-db", str(bad), "--hq-data", str(hq))
    assert code == 2 and f"{bad}: not a readable station database" in out.err
    code, out = _ledger(capsys, "--station-db", str(tmp_path / "missing.db"), "--hq-data", str(hq))
    assert code == 2 and "no such station database" in out.err
    empty = tmp_path / "fresh"
    shutil.copytree(imported.data_dir, empty)
    import sqlite3

    conn = sqlite3.connect(empty / "station.db")
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.executescript("DELETE FROM operators; DELETE FROM applicants; DELETE FROM assignments;")
    conn.close()
    code, out = _ledger(capsys, "--station-db", str(empty / "station.db"), "--hq-data", str(hq))
    assert code == 2 and "has no assignment" in out.err
