"""`sinopsis bench fleet`, small: 3 simulated kits on SQLite for about a second through the real CLI (in this
process), with the real mosquitto, two `sinopsis hq ingest` workers, `sinopsis hq serve` and a dashboard user.
Every record sent is acked and stored once, nothing is lost, the servers stop with exit 0, the row has its keys.

To stay cheap it starts from the session's migrated SQLite (a copy, through SQLite's backup) instead of migrating
again; PostgreSQL is tests/hq/test_postgres.py's. No assertion on time."""

import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest

from sinopsis import bench_fleet
from sinopsis.cli import main

pytestmark = pytest.mark.slow
KEYS = ("stations", "records_sent", "records_acked", "lost", "duplicates", "redelivered", "ingest_records_per_s",
        "dashboard_p95_ms", "broker_rss_mb", "broker_cpu_s", "ingest_rss_mb", "ingest_cpu_s", "web_rss_mb",
        "web_cpu_s")


def test_three_kits_on_sqlite_lose_nothing_and_store_nothing_twice(hq: Path, tmp_path: Path, monkeypatch, capsys):
    template = tmp_path / "hq.sqlite3"
    with sqlite3.connect(hq / "hq.sqlite3") as source, sqlite3.connect(template) as copy:
        source.backup(copy)
    real = bench_fleet.run_fleet_bench
    monkeypatch.setattr(bench_fleet, "run_fleet_bench", lambda settings, databases, say: real(
        dataclasses.replace(settings, sqlite_template=template), databases, say))

    code = main(["bench", "fleet", "--stations", "3", "--database", "sqlite", "--minutes", "0.02", "--record-s",
                 "0.25", "--health-s", "0.5", "--ack-timeout-s", "10", "--drain-s", "30", "--dashboard-clients", "1",
                 "--think-ms", "100", "--web-workers", "1", "--json"])

    out, err = capsys.readouterr()
    [row] = json.loads(out)
    assert code == 0, (json.dumps(row), err)
    assert set(KEYS) <= set(row)
    assert row["stations"] == 3 and row["database"] == "sqlite"
    assert row["records_sent"] == row["records_acked"] > 0
    assert row["lost"] == row["duplicates"] == row["unacked"] == row["rejected"] == row["dead_letters"] == 0
    assert row["health_sent"] >= 3 and row["dashboard_errors"] == 0 and row["dashboard_requests"] > 0
    assert set(row["exit_codes"].values()) == {0}
    assert set(row["batches_by_worker"]) <= {"w1", "w2"}
    assert "sqlite: 3 kits connected" in err
