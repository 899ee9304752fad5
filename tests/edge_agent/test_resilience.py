"""The link failing: broker crash mid-batch, a broker that is not there yet, a broker refusing a batch
(PUBACK ≥ 0x80), the agent killed (its Will, with its epoch) — nothing lost, nothing done without HQ's ack."""

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from contract import wire
from sinopsis.demo_data import DEMO_STATION_ID
from tests.edge_agent.conftest import HQ_PASSWORD, HQ_USER, STATION_PASSWORD, states, wait_until


def test_broker_killed_mid_batch_then_back_everything_arrives(imported, seal, hq, broker, start_agent):
    ids = seal(7)
    hq.answer = lambda _r, _s: None  # HQ receives but has not answered when the broker dies
    hq.set_ingest(True)
    running = start_agent()
    wait_until(lambda: hq.batches, what="a batch at HQ")
    broker.kill()
    wait_until(lambda: not running.agent.connected, what="the agent notices")
    assert set(states(imported, ids).values()) <= {"captured", "sent"}, "nothing is done without HQ's ack"
    assert imported.conn.execute("SELECT COUNT(*) FROM outbox WHERE acked_at IS NOT NULL").fetchone()[0] == 0
    hq.answer = hq.idempotent
    broker.start()
    wait_until(lambda: set(states(imported, ids).values()) <= {"accepted", "duplicate"}, what="everything acked")
    assert set(hq.stored) == set(ids)
    assert running.agent.connects >= 2
    for record_id in ids:  # each record reached a final state exactly once
        finals = imported.conn.execute("SELECT COUNT(*) FROM audit WHERE record_id = ? AND to_state IN "
                                       "('accepted', 'duplicate')", (record_id,)).fetchone()[0]
        assert finals == 1


def test_a_backlog_waiting_for_a_broker_that_is_not_there_yet(imported, seal, hq, broker, start_agent):
    hq.set_ingest(True)
    broker.stop()
    running = start_agent()
    ids = seal(6)
    wait_until(lambda: running.agent.backoff.failures >= 3, what="connection attempts backing off")
    assert running.agent.connects == 0 and set(states(imported, ids).values()) == {"captured"}
    epochs_tried = running.agent.epoch
    broker.start()
    wait_until(lambda: set(states(imported, ids).values()) == {"accepted"}, what="the backlog drained")
    online = [s for s in hq.published("status", wire.Status) if s.state == "online"]
    assert online[-1].epoch > epochs_tried >= 3, "every connection attempt has a new epoch, never reused"


def _deny_batches(broker, deny: bool) -> None:
    """Take the stations' right to write `up/…` out of the broker's ACL (or give it back) and reload it."""
    up = f"pattern write {wire.PREFIX}/st/%u/up/#\n"
    acl = broker.directory / "acl"
    text = acl.read_text()
    assert (up in text) == deny, "the ACL is not in the state this test expects"
    acl.write_text(text.replace(up, "") if deny else text + up)
    broker.process.send_signal(signal.SIGHUP)  # mosquitto reloads its ACL


def test_a_batch_the_broker_refuses_is_a_failure_and_is_retried(imported, seal, hq, broker, start_agent):
    ids = seal(2)
    _deny_batches(broker, True)
    hq.set_ingest(True)
    running = start_agent()
    wait_until(lambda: running.agent.drain.counts["puback_failures"] >= 2, what="refused batches")
    assert hq.batches == [] and set(states(imported, ids).values()) == {"captured"}
    assert imported.conn.execute("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL OR acked_at IS NOT NULL"
                                 ).fetchone()[0] == 0
    _deny_batches(broker, False)
    wait_until(lambda: set(states(imported, ids).values()) == {"accepted"}, what="sent once the broker allows it")


def _retained_status(port: int) -> wire.Status:
    got: list[wire.Status] = []
    done = threading.Event()
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="late-reader", protocol=mqtt.MQTTv5)
    c.username_pw_set(HQ_USER, HQ_PASSWORD)
    c.on_connect = lambda cl, *_a: cl.subscribe(wire.station_topic(DEMO_STATION_ID, "status"), 1)
    c.on_message = lambda _c, _u, m: (got.append(wire.parse(wire.Status, m.payload)), done.set())
    c.connect("127.0.0.1", port)
    c.loop_start()
    try:
        assert done.wait(10), "no retained status"
    finally:
        c.loop_stop()
        c.disconnect()
    return got[0]


def test_killed_agent_will_is_lost_with_its_epoch_and_the_next_connection_is_newer(
        tmp_path, station_config, broker, hq):
    station_config.key_path("broker_password").write_text(STATION_PASSWORD)
    config = tmp_path / "agent.toml"
    config.write_text(f'[station]\nid = "{DEMO_STATION_ID}"\ndata_dir = "station"\n[broker]\nport = {broker.port}\n'
                      'will_delay_s = 0\n[agent]\nbackoff_min_s = 0.05\nbackoff_max_s = 0.5\n')
    command = [sys.executable, "-m", "sinopsis", "agent", "run", "--config", str(config)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}

    def statuses() -> list[wire.Status]:
        return hq.published("status", wire.Status)

    first = subprocess.Popen(command, env=env, stderr=(tmp_path / "first.log").open("w"))
    try:
        wait_until(lambda: any(s.state == "online" for s in statuses()), what="first agent online")
        first.kill()  # no clean stop: the broker publishes the Will
        first.wait(10)
        wait_until(lambda: any(s.state == "lost" for s in statuses()), what="the Will")
    finally:
        first.kill()
    second = subprocess.Popen(command, env=env, stderr=(tmp_path / "second.log").open("w"))
    try:
        wait_until(lambda: [s.state for s in statuses()] == ["online", "lost", "online"], what="second agent online")
        online1, lost, online2 = statuses()
        assert lost.epoch == online1.epoch < online2.epoch, "HQ can tell the stale Will from the newer connection"
        retained = _retained_status(broker.port)
        assert (retained.state, retained.epoch) == ("online", online2.epoch)
        second.send_signal(signal.SIGTERM)
        assert second.wait(15) == 0
        wait_until(lambda: len(statuses()) == 4, what="offline on a clean stop")
        assert (statuses()[-1].state, statuses()[-1].epoch) == ("offline", online2.epoch)
    finally:
        second.kill()
