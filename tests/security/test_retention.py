"""Retention and purge per configuration (issue 10, point 5b; UU PDP No. 27/2022: personal data kept no longer
than needed). A station.toml with `[retention] purge_after_days = 7`, records sealed for real and answered by HQ
through the agent's own outbox steps; HQ's `purge_accepted` command, run by the agent's real CommandRunner,
deletes the packets HQ accepted (or already held: duplicate) more than 7 days ago and keeps everything else:
newer ones, rejected ones, ones HQ has not answered, ones not sent yet. The rows stay (state `purged`, receipt,
seq, captures) for the service report, each purge is an audit row naming the actor and the retention, and the
audit chain still verifies. tests/edge_agent/test_purge.py covers the function itself (and the crash between
commit and delete); this file covers the configured period through the command path, and the audit trail."""

import datetime as dt
from pathlib import Path

from contract import wire
from edge_agent import outbox
from edge_agent.commands import CommandRunner
from edge_agent.logbook import Logbook
from station import audit
from station.config import load_config
from station.integrity import check_store
from tests.edge_agent.conftest import states


def answer(store, ids: list[str], **outcomes) -> None:
    """The agent's own steps for a batch: published, the broker's PUBACK, HQ's ack with `outcomes`."""
    batch = outbox.Batch("b-" + ids[0][:8], [(r, 0) for r in ids], b"")
    outbox.note_published(store, batch)
    outbox.mark_sent(store, batch)
    outbox.apply_ack(store, wire.Ack(batch_id=batch.batch_id, **outcomes), set(ids))


def acked_days_ago(store, days: dict[str, float]) -> None:
    """Time passes: HQ's ack of each record came `days` ago."""
    now = dt.datetime.now(dt.UTC)
    with store.write() as conn:
        conn.executemany("UPDATE outbox SET acked_at = ? WHERE record_id = ?",
                         [((now - dt.timedelta(days=d)).isoformat(timespec="milliseconds"), r)
                          for r, d in days.items()])


def seven_day_config(tmp_path: Path, station_config):
    """The test station's config with `[retention] purge_after_days = 7` in its station.toml."""
    path = tmp_path / "station-7d.toml"
    path.write_text(f'[station]\nid = "{station_config.station.id}"\ndata_dir = "station"\n\n'
                    "[retention]\npurge_after_days = 7\n")
    config = load_config(path)
    assert config.retention.purge_after_days == 7 and config.station.data_dir == station_config.station.data_dir
    return config


def test_the_configured_retention_purges_only_what_hq_held_long_enough_and_audits_it(tmp_path, imported, seal,
                                                                                   station_config):
    config = seven_day_config(tmp_path, station_config)
    old, old_dup, fresh, old_rejected, unanswered, unsent = seal(6)
    answer(imported, [old, old_dup, fresh, old_rejected, unanswered], accepted=[old, fresh], duplicate=[old_dup],
           rejected=[wire.Rejection(record_id=old_rejected, code="packet.signature")])
    acked_days_ago(imported, {old: 8, old_dup: 7.01, fresh: 6.9, old_rejected: 30})
    paths = {r: imported.packet_path(f"{r}.sinopkt") for r in (old, old_dup, fresh, old_rejected, unanswered,
                                                               unsent)}
    before = {r: dict(imported.conn.execute("SELECT seq, receipt_number, packet_sha256 FROM records WHERE id = ?",
                                            (r,)).fetchone()) for r in paths}
    audit_rows = imported.conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0]

    published: list[wire.JobState] = []
    logbook = Logbook(tmp_path / "agent-logs")
    runner = CommandRunner(imported, config, logbook, published.append, lambda: (True, ""))
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).isoformat()
    try:
        state = runner.handle("j-purge-1", wire.dump(wire.Command(job="j-purge-1", name="purge_accepted",
                                                                         expires_at=expires)), None)
    finally:
        logbook.file.close()

    assert state == "succeeded"
    assert published[-1].detail.startswith("purged 2 record(s) HQ held for more than 7 days")
    assert not paths[old].exists() and not paths[old_dup].exists()
    for kept in (fresh, old_rejected, unanswered, unsent):
        assert paths[kept].is_file(), kept
    assert states(imported, list(paths)) == {old: "purged", old_dup: "purged", fresh: "accepted",
                                             old_rejected: "rejected", unanswered: "sent", unsent: "captured"}
    for r in (old, old_dup):  # the metadata row stays for the service report
        row = imported.conn.execute("SELECT seq, receipt_number, packet_sha256 FROM records WHERE id = ?",
                                    (r,)).fetchone()
        assert dict(row) == before[r]
        captures = imported.conn.execute("SELECT COUNT(*) FROM captures WHERE record_id = ?", (r,)).fetchone()[0]
        assert captures == 14  # face, signature, ten fingers, two irises

    purges = imported.conn.execute("SELECT * FROM audit WHERE id > ? ORDER BY id", (audit_rows,)).fetchall()
    assert [(p["action"], p["record_id"], p["from_state"], p["to_state"], p["actor"]) for p in purges] == [
        ("record.transition", old, "accepted", "purged", "agent"),
        ("record.transition", old_dup, "duplicate", "purged", "agent")]
    assert all("kept 7 days" in p["reason"] and "HQ " in p["reason"] for p in purges)
    report = audit.verify(imported.conn)
    assert report.ok and report.rows == audit_rows + 2, report.problems
    assert check_store(imported).ok, "no row lost its file, no file lost its row"

    again = runner.handle("j-purge-2", wire.dump(wire.Command(job="j-purge-2", name="purge_accepted",
                                                                     expires_at=expires)), None)
    assert again == "succeeded" and published[-1].detail.startswith("purged 0 record(s)")
    assert imported.conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0] == audit_rows + 2, \
        "a purge that finds nothing writes nothing"
