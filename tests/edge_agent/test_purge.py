"""purge_accepted: only packets HQ holds (accepted, or duplicate = HQ had the same bytes) and only after the
retention period; the row stays as `purged`, audited; nothing HQ has not answered is ever deleted. The packets of
records HQ rejected go after their own, longer period; those rows stay `rejected`."""

import datetime as dt

from contract import wire
from edge_agent import outbox
from edge_agent.purge import purge_accepted
from station import audit
from station.integrity import check_store
from tests.edge_agent.conftest import states


def answer(store, ids: list[str], **outcomes) -> None:
    """Drive the records through the agent's own steps: published, PUBACK, HQ's ack."""
    batch = outbox.Batch("b-" + ids[0][:8], [(r, 0) for r in ids], b"")
    outbox.note_published(store, batch)
    outbox.mark_sent(store, batch)
    outbox.apply_ack(store, wire.Ack(batch_id=batch.batch_id, **outcomes), set(ids))


def test_only_what_hq_holds_past_retention_is_purged(imported, seal):
    old_accepted, recent_accepted, old_duplicate, old_rejected, unanswered, captured = seal(6)
    answer(imported, [old_accepted, recent_accepted, old_duplicate, old_rejected, unanswered],
           accepted=[old_accepted, recent_accepted], duplicate=[old_duplicate],
           rejected=[wire.Rejection(record_id=old_rejected, code="packet.signature")])
    now = dt.datetime.now(dt.UTC)
    long_ago = (now - dt.timedelta(days=31)).isoformat(timespec="milliseconds")
    with imported.write() as conn:  # time passes for three of them
        conn.executemany("UPDATE outbox SET acked_at = ? WHERE record_id = ?",
                         [(long_ago, r) for r in (old_accepted, old_duplicate, old_rejected)])
    paths = {r: imported.packet_path(f"{r}.sinopkt") for r in (old_accepted, recent_accepted, old_duplicate,
                                                               old_rejected, unanswered, captured)}
    assert all(p.is_file() for p in paths.values())

    result = purge_accepted(imported, retention_days=30, now=now)

    assert sorted(result.purged) == sorted([old_accepted, old_duplicate])
    assert result.bytes_freed > 0
    assert not paths[old_accepted].exists() and not paths[old_duplicate].exists()
    for kept in (recent_accepted, old_rejected, unanswered, captured):
        assert paths[kept].is_file()
    assert states(imported, [old_accepted, old_duplicate, recent_accepted, old_rejected, unanswered, captured]) == {
        old_accepted: "purged", old_duplicate: "purged", recent_accepted: "accepted", old_rejected: "rejected",
        unanswered: "sent", captured: "captured"}
    row = imported.conn.execute("SELECT * FROM records WHERE id = ?", (old_accepted,)).fetchone()
    assert row["receipt_number"] and row["seq"], "the metadata row stays for the service report"
    reasons = [r["reason"] for r in imported.conn.execute(
        "SELECT reason FROM audit WHERE to_state = 'purged' ORDER BY id")]
    assert len(reasons) == 2 and all("kept 30 days" in r for r in reasons)
    assert audit.verify(imported.conn).ok and check_store(imported).ok
    assert purge_accepted(imported, retention_days=30, now=now).purged == [], "purging again does nothing"


def test_a_rejected_records_packet_goes_after_its_own_period_and_the_row_stays_rejected(imported, seal):
    old_rejected, recent_rejected, old_accepted = seal(3)
    answer(imported, [old_rejected, recent_rejected, old_accepted], accepted=[old_accepted],
           rejected=[wire.Rejection(record_id=r, code="packet.signature") for r in (old_rejected, recent_rejected)])
    now = dt.datetime.now(dt.UTC)
    with imported.write() as conn:  # rejected 91 and 60 days ago; accepted 60 days ago
        conn.executemany("UPDATE outbox SET acked_at = ? WHERE record_id = ?", [
            ((now - dt.timedelta(days=d)).isoformat(timespec="milliseconds"), r)
            for r, d in ((old_rejected, 91), (recent_rejected, 60), (old_accepted, 60))])
    paths = {r: imported.packet_path(f"{r}.sinopkt") for r in (old_rejected, recent_rejected, old_accepted)}

    assert purge_accepted(imported, retention_days=30, now=now).rejected_cleared == [], "only when asked to"
    assert paths[old_rejected].is_file() and paths[recent_rejected].is_file()
    result = purge_accepted(imported, retention_days=30, now=now, rejected_days=90)

    assert result.rejected_cleared == [old_rejected] and result.purged == []  # the accepted one went above
    assert not paths[old_rejected].exists() and paths[recent_rejected].is_file()
    assert states(imported, [old_rejected, recent_rejected]) == {old_rejected: "rejected",
                                                                   recent_rejected: "rejected"}
    row = imported.conn.execute("SELECT * FROM records WHERE id = ?", (old_rejected,)).fetchone()
    assert row["packet_deleted_at"] and row["packet_file"] and row["packet_sha256"], "what it was stays known"
    said = imported.conn.execute("SELECT reason FROM audit WHERE action = 'record.packet_deleted'").fetchall()
    assert [r[0] for r in said] == [said[0][0]] and "packet.signature" in said[0][0] and "kept 90 days" in said[0][0]
    report = check_store(imported)
    assert report.ok and report.swept_orphans == [], "a deleted rejected packet is neither missing nor an orphan"
    assert audit.verify(imported.conn).ok
    again = purge_accepted(imported, retention_days=30, now=now, rejected_days=90)
    assert again.rejected_cleared == [] and again.bytes_freed == 0, "deleting again does nothing"
    paths[old_rejected].write_bytes(b"left by a crash after the commit")  # the unlink never happened
    assert purge_accepted(imported, retention_days=30, now=now, rejected_days=90).bytes_freed > 0
    assert not paths[old_rejected].exists()


def test_a_crash_between_commit_and_delete_leaves_a_file_the_next_purge_sweeps(imported, seal):
    record_id, = seal(1)
    answer(imported, [record_id], accepted=[record_id])
    path = imported.packet_path(f"{record_id}.sinopkt")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=31)
    data = path.read_bytes()
    purge_accepted(imported, retention_days=30, now=later)
    path.write_bytes(data)  # as if the process died after the commit, before the unlink
    result = purge_accepted(imported, retention_days=30, now=later)
    assert result.purged == [] and result.swept == [record_id] and not path.exists()


def test_the_agent_purges_on_its_own_schedule_even_without_hq(imported, seal, agent_config, start_agent):
    """Retention does not wait for HQ to ask: the agent purges at start and every `purge_every_h`, connected
    or not (here the broker port has nobody listening)."""
    from provisioning.broker import free_port
    from tests.edge_agent.conftest import wait_until

    old, recent = seal(2)
    answer(imported, [old, recent], accepted=[old, recent])
    long_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(days=31)).isoformat(timespec="milliseconds")
    with imported.write() as conn:
        conn.execute("UPDATE outbox SET acked_at = ? WHERE record_id = ?", (long_ago, old))
    offline = agent_config.model_copy(update={
        "broker": agent_config.broker.model_copy(update={"port": free_port()}),
        "retention": agent_config.retention.model_copy(update={"purge_after_days": 30, "purge_every_h": 0.01})})
    running = start_agent(offline)
    wait_until(lambda: states(imported, [old])[old] == "purged", what="the scheduled purge")
    running.stop()
    assert states(imported, [recent])[recent] == "accepted"
    assert not imported.packet_path(f"{old}.sinopkt").exists()
    assert imported.packet_path(f"{recent}.sinopkt").is_file()
    assert audit.verify(imported.conn).ok and check_store(imported).ok


def test_records_purged_before_the_deletion_mark_existed_get_it_from_the_migration(imported, seal):
    from station import db

    record_id, = seal(1)
    answer(imported, [record_id], accepted=[record_id])
    purge_accepted(imported, retention_days=30, now=dt.datetime.now(dt.UTC) + dt.timedelta(days=31))
    with imported.write() as conn:  # the database as version 1 left it: the same purged row, no column
        conn.execute("ALTER TABLE records DROP COLUMN packet_deleted_at")
    imported.conn.execute("PRAGMA user_version = 1")
    assert db.migrate(imported.conn) == len(db.migrations())
    row = imported.conn.execute("SELECT packet_deleted_at, updated_at FROM records WHERE id = ?",
                                (record_id,)).fetchone()
    assert row["packet_deleted_at"] == row["updated_at"]
    assert check_store(imported).ok and check_store(imported).swept_orphans == []
