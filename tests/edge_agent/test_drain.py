"""Outbox → HQ: records reach HQ exactly once in effect, and are done on the station only on HQ's ack."""

import json

from contract import wire
from station import audit
from station.station_status import LINK_FILE
from tests.edge_agent.conftest import WAIT_S, states, wait_until


def acked(store, ids):
    return {r: store.conn.execute("SELECT ack_status FROM outbox WHERE record_id = ?", (r,)).fetchone()[0]
            for r in ids}


def test_normal_drain_in_batches_with_acks(imported, seal, hq, start_agent):
    ids = seal(7)  # ~2.7 MB each: more than one batch under MAX_BATCH_BYTES
    hq.set_ingest(True)
    running = start_agent()
    wait_until(lambda: set(states(imported, ids).values()) == {"accepted"}, what="every record accepted")
    assert sorted(hq.received_ids()) == sorted(ids) and len(hq.batches) >= 2
    assert all(len(b.records) <= wire.MAX_BATCH_RECORDS for b in hq.batches)
    assert [e.seq for b in hq.batches for e in b.records] == sorted(e.seq for b in hq.batches for e in b.records)
    assert set(acked(imported, ids).values()) == {"accepted"}
    transitions = [(r["record_id"], r["from_state"], r["to_state"]) for r in imported.conn.execute(
        "SELECT * FROM audit WHERE action = 'record.transition' AND actor = 'agent' ORDER BY id")]
    for record_id in ids:
        mine = [(f, t) for r, f, t in transitions if r == record_id]
        assert mine == [("captured", "sent"), ("sent", "accepted")]
    assert audit.verify(imported.conn).ok
    link = json.loads((imported.data_dir / LINK_FILE).read_text())
    assert link["state"] == "connected"
    wait_until(lambda: any(h.queue_depth == 0 for h in hq.published("health", wire.Health)),
               what="health with the outbox empty")
    health = hq.published("health", wire.Health)[-1]
    assert health.counts["accepted"] == 7 and health.last_acked_seq == 7 and health.assignment_version == 1
    assert health.last_hq_contact is not None and health.capture_blocked is None
    assert imported.conn.execute("SELECT value FROM counters WHERE name = 'hq_contact_unix'").fetchone()
    running.stop()
    wait_until(lambda: len(hq.published("status")) >= 2, what="the agent's offline status at HQ")
    statuses = hq.published("status", wire.Status)
    assert [s.state for s in statuses] == ["online", "offline"] and statuses[0].epoch == statuses[1].epoch >= 1
    assert json.loads((imported.data_dir / LINK_FILE).read_text())["state"] == "offline"


def test_nothing_is_sent_while_hq_ingest_is_offline(imported, seal, hq, start_agent):
    ids = seal(2)
    hq.set_ingest(False)
    running = start_agent()
    wait_until(lambda: running.agent.ingest_known and hq.published("health"), what="agent settled, ingest offline")
    assert hq.batches == [] and set(states(imported, ids).values()) == {"captured"}
    assert json.loads((imported.data_dir / LINK_FILE).read_text())["state"] == "offline"
    hq.set_ingest(True)
    wait_until(lambda: set(states(imported, ids).values()) == {"accepted"}, what="drained once HQ is online")


def test_duplicate_and_rejected_acks_keep_hqs_answer(imported, seal, hq, start_agent):
    ids = seal(3)
    script = {ids[0]: "accepted", ids[1]: "duplicate", ids[2]: ("rejected", "packet.signature")}
    hq.answer = lambda record_id, _sha: script[record_id]
    hq.set_ingest(True)
    start_agent()
    wait_until(lambda: "sent" not in states(imported, ids).values() and "captured" not in
               states(imported, ids).values(), what="every record answered")
    assert states(imported, ids) == {ids[0]: "accepted", ids[1]: "duplicate", ids[2]: "rejected"}
    row = imported.conn.execute("SELECT o.ack_status, o.reject_code, o.acked_at, r.reason_code FROM outbox o "
                                "JOIN records r ON r.id = o.record_id WHERE o.record_id = ?", (ids[2],)).fetchone()
    assert (row["ack_status"], row["reject_code"], row["reason_code"]) == ("rejected", "packet.signature",
                                                                            "packet.signature")
    assert row["acked_at"] is not None
    assert len(hq.batches) == 1, "answered records are never sent again"


def test_no_ack_means_the_same_records_go_again_in_a_new_batch(imported, seal, hq, start_agent):
    ids = seal(2)
    answered = []

    def first_batch_unanswered(record_id, sha):  # HQ stores the first batch but its ack is lost
        outcome = hq.idempotent(record_id, sha)
        answered.append(record_id)
        return None if len(answered) <= 2 else outcome

    hq.answer = first_batch_unanswered
    hq.set_ingest(True)
    running = start_agent()
    wait_until(lambda: len(hq.batches) == 1, what="the first batch")
    wait_until(lambda: set(states(imported, ids).values()) == {"sent"}, what="records sent (PUBACK)")
    wait_until(lambda: set(states(imported, ids).values()) == {"duplicate"}, what="resent, HQ says duplicate")
    first, second = hq.batches[:2]
    assert first.batch_id != second.batch_id
    assert [e.record_id for e in first.records] == [e.record_id for e in second.records] == ids
    assert running.agent.drain.counts["resends"] >= 1
    # A late ack of the first batch changes nothing any more; one for a batch nobody sent, or garbage, is ignored.
    hq.send_ack("st-pku-01", wire.Ack(batch_id=first.batch_id, rejected=[
        wire.Rejection(record_id=ids[0], code="late.answer")]))
    hq.send_ack("st-pku-01", wire.Ack(batch_id="no-such-batch", accepted=[ids[1]]))
    hq.send_ack("st-pku-01", b"{not json")
    wait_until(lambda: running.agent.drain.counts["unknown_acks"] >= 1 and running.agent.drain.counts["bad_acks"] >= 1,
               what="the stray acks handled")
    assert states(imported, ids) == {ids[0]: "duplicate", ids[1]: "duplicate"}
    assert running.thread.is_alive()


def test_once_drains_what_hq_takes_and_stops_cleanly(imported, seal, hq, agent_config, tmp_path):
    from edge_agent.agent import Agent

    ids = seal(2)
    hq.set_ingest(True)
    agent = Agent(agent_config, power_supply_dir=tmp_path / "none")
    agent.run(once=True, seconds=WAIT_S)
    assert agent.finished == "settled" and set(states(imported, ids).values()) == {"accepted"}
    # the agent's last "offline" may still be on its way to HQ's subscriber when run() returns
    wait_until(lambda: len(hq.published("status")) >= 2, what="the agent's offline status at HQ")
    assert [s.state for s in hq.published("status", wire.Status)] == ["online", "offline"]
