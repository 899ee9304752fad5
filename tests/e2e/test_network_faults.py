"""Broker and network faults (issue 10, point 2), with `sinopsis agent run` and `sinopsis hq ingest` as real
processes on a real mosquitto: the broker killed (-9) and restarted again and again while the station keeps
sealing; a loopback TCP proxy between the agent and the broker (tests/e2e/tcp_proxy.py) that cuts connections
mid-batch, adds latency, and stalls a connection without closing it (the agent must notice by itself through
MQTT keepalive and reconnect); HQ ingest down for a long stretch while the station keeps sealing. After each,
every committed record is at HQ exactly once and final on the station once, with no orphan on either side
(tests/e2e/crash_harness.py `check_invariants`).

Unlike tests/e2e/test_station_to_hq.py (the agent in a thread, one broker crash), every part here is its own
process. Every loop is bounded in count and time; the waits only bound a failure."""

import time

from tests.e2e.crash_harness import pipeline, wait_for
from tests.e2e.tcp_proxy import TcpProxy

__all__ = ["pipeline"]

BIG_IMAGE = 20_000  # bytes per position: a record of ~280 kB, a batch of three spans many TCP segments
STALL_BOUND_S = 45.0  # keepalive 5 s: paho gives up after about two keepalives without a byte from the broker


def agent_behind(line, proxy: TcpProxy, records: int = 3, image_bytes: int = BIG_IMAGE):
    """`records` sealed and waiting (`image_bytes` a capture), HQ's ingest up, the agent started connecting
    through `proxy`; the agent's process."""
    line.agent_port = proxy.port
    if records:
        line.seal_here(records, image_bytes=image_bytes)
    line.start_ingest()
    return line.start_agent()


def hq_behind(line, hq_link: TcpProxy) -> None:
    """Three big records sealed and waiting, HQ's ingest connected through `hq_link`."""
    line.hq_port = hq_link.port
    line.seal_here(3, image_bytes=BIG_IMAGE)
    ingest = line.start_ingest()
    wait_for(ingest.ready, "HQ's ingest connected")


def test_broker_killed_again_and_again_during_batches_while_the_station_seals(pipeline):
    line = pipeline
    with TcpProxy(line.broker.port) as proxy:  # holds each batch half-way, so the crash falls inside it
        agent_behind(line, proxy, records=0)
        for n in range(3):  # bounded: three crashes, each in the middle of a batch
            proxy.stall_after(200_000)
            ids = line.seal_here(2, image_bytes=BIG_IMAGE)
            wait_for(lambda n=n: proxy.stalls == n + 1, f"batch {n + 1} half-way to the broker")
            line.broker.kill()  # whatever mosquitto had not saved (autosave every second) is gone too
            proxy.cut_all()  # the agent's connection goes down with the broker
            assert set(line.states(ids).values()) == {"captured"}, "a batch half-way is not sent"
            line.seal_here(1)  # the kiosk keeps working while the broker is down
            line.broker.start()
        line.wait_drained(timeout=60)
        assert proxy.connections >= 4, "the agent came back after every crash"
        line.stop_all()
    line.check_invariants()
    assert line.ledger().committed == 9


def test_connections_cut_mid_batch(pipeline):
    line = pipeline
    with TcpProxy(line.broker.port) as proxy:
        agent_behind(line, proxy)
        proxy.cut_after(400_000, times=3)  # the batch and its next two resends, each cut in its middle
        for n in range(3):
            wait_for(lambda n=n: proxy.cuts >= n + 1, f"cut {n + 1}")
            assert set(line.states().values()) <= {"captured", "sent"}, "nothing final without HQ's ack"
        line.wait_drained()
        assert proxy.cuts == 3
        assert proxy.connections >= 4, "the agent reconnected after every cut"
        line.stop_all()
    line.check_invariants()


def test_hqs_link_cut_while_the_broker_delivers_a_batch(pipeline):
    line = pipeline
    with TcpProxy(line.broker.port) as hq_link:
        hq_behind(line, hq_link)
        hq_link.cut_after(400_000, way="down", times=2)  # the batch, then its redelivery from HQ's session,
        line.start_agent()  # each cut half-way to HQ
        for n in range(2):
            wait_for(lambda n=n: hq_link.cuts >= n + 1, f"cut {n + 1} of HQ's link")
        line.wait_drained()
        assert hq_link.cuts == 2
        assert hq_link.connections >= 3, "HQ's ingest reconnected after every cut"
        line.stop_all()
    line.check_invariants()


def test_hqs_link_stalled_mid_batch_is_given_up_after_its_keepalive(pipeline, monkeypatch):
    """HQ's side of a black hole: the broker's delivery to ingest stops half-way (no FIN, no RST). The worker's
    keepalive (SINOPSIS_HQ_INGEST_KEEPALIVE_S, here 5 s instead of 30) notices, it reconnects to its session and
    the batch is delivered again."""
    monkeypatch.setenv("SINOPSIS_HQ_INGEST_KEEPALIVE_S", "5")  # the ingest child's environment
    line = pipeline
    with TcpProxy(line.broker.port) as hq_link:
        hq_behind(line, hq_link)
        hq_link.stall_after(400_000, way="down")
        line.start_agent()
        wait_for(lambda: hq_link.stalls == 1, "the stall of HQ's link")
        wait_for(lambda: hq_link.connections >= 2, "HQ's ingest giving up on the stalled link",
                 timeout=STALL_BOUND_S)
        line.wait_drained()
        line.stop_all()
    line.check_invariants()


def test_latency_on_the_link(pipeline):
    line = pipeline
    with TcpProxy(line.broker.port) as proxy:
        proxy.delay_s = 0.1  # every chunk, both ways
        agent_behind(line, proxy, image_bytes=256)
        line.wait_drained()
        line.seal_here(2, image_bytes=BIG_IMAGE)  # a batch of many segments through the slow link
        line.wait_drained(timeout=60)
        assert proxy.connections == 1, "latency alone never breaks the connection"
        line.stop_all()
    line.check_invariants()


def test_acks_slower_than_the_ack_timeout_are_resent_and_stored_once(pipeline):
    from hq.ingest.models import Batch

    line = pipeline
    line.agent_settings = {"agent": {"ack_timeout_s": 0.5}}
    with TcpProxy(line.broker.port) as hq_link:  # HQ's own link is slow: 1 s each way
        hq_link.delay_s = 1.0  # the broker PUBACKs the batch at once; HQ's ack comes about 2 s later
        line.hq_port = hq_link.port
        line.seal_here(3)
        line.start_ingest()
        agent = line.start_agent()
        line.wait_drained(timeout=60)
        assert hq_link.connections == 1, "a slow link alone never breaks the connection"
        line.stop_all()
    assert "will be sent again" in agent.text(), "the agent gave up waiting and sent the batch again"
    line.hq_port = 0
    line.start_ingest()  # the resends still queued in HQ's session: duplicates, stored nothing again
    wait_for(lambda: Batch.objects.filter(duplicate=3).exists(), "a resend answered duplicate")
    line.stop_all()
    line.check_invariants()


def test_a_stalled_connection_is_detected_and_the_agent_recovers(pipeline):
    line = pipeline
    with TcpProxy(line.broker.port) as proxy:
        agent = agent_behind(line, proxy)
        proxy.stall_after(400_000)  # in the middle of the first batch: no FIN, no RST, nothing
        wait_for(lambda: proxy.stalls == 1, "the stall")
        stalled_at = time.monotonic()
        assert set(line.states().values()) == {"captured"}
        wait_for(lambda: proxy.connections >= 2, "the agent giving up on the stalled connection",
                 timeout=STALL_BOUND_S)
        assert "connection lost" in agent.text()
        detected_s = time.monotonic() - stalled_at
        line.wait_drained()
        line.stop_all()
    line.check_invariants()
    assert detected_s < STALL_BOUND_S


def test_an_idle_link_that_goes_silent_is_detected_and_new_records_take_a_new_one(pipeline):
    line = pipeline
    with TcpProxy(line.broker.port) as proxy:
        agent_behind(line, proxy, records=0)
        first = line.seal_here(1)
        line.wait_drained()
        for link in proxy.links:  # the idle, healthy link goes silent both ways
            link.stalled = True
        second = line.seal_here(2)
        wait_for(lambda: proxy.connections >= 2, "a new connection after the silent one", timeout=STALL_BOUND_S)
        line.wait_drained()
        assert set(line.states(first + second).values()) <= {"accepted", "duplicate"}
        line.stop_all()
    line.check_invariants()


def test_hq_ingest_down_for_a_long_stretch_while_the_station_keeps_sealing(pipeline):
    line = pipeline
    line.agent_settings = {"agent": {"ack_timeout_s": 0.5}}  # the outage below is many ack timeouts long
    with TcpProxy(line.broker.port) as hq_link:
        hq_link.delay_s = 0.3  # HQ's link is slow, so a batch is still on its way to HQ when it dies
        line.hq_port = hq_link.port
        ingest = line.start_ingest()
        agent = line.start_agent()
        line.seal_here(2)
        line.wait_drained()
        in_flight = line.seal_here(2)
        wait_for(lambda: "sent" in line.states(in_flight).values(), "a batch PUBACKed by the broker")
        ingest.popen.kill()  # no clean stop: the broker publishes its Will (ingest offline)
        ingest.popen.wait(10)
        wait_for(lambda: "HQ ingest is offline" in agent.text(), "the agent hearing HQ's Will")
        published = agent.text().count("drain: batch ")
        waiting = []
        for _ in range(8):  # ~4 s: eight ack timeouts, eight times the longest reconnect backoff
            waiting += line.seal_here(1)
            time.sleep(0.5)
        assert set(line.states(waiting).values()) == {"captured"}, "nothing goes up while HQ's ingest is offline"
        assert set(line.states(in_flight).values()) <= {"sent", "accepted"}
        assert agent.text().count("drain: batch ") == published, "no batch while HQ's ingest is offline"
        line.start_ingest()
        line.wait_drained()
        line.stop_all()
    line.check_invariants()
    assert line.ledger().committed == 12


def test_a_broker_crash_that_outlives_hq_ingest_leaves_a_stale_online_believed_only_for_the_lease(
        pipeline, monkeypatch):
    """The broker dies while HQ's ingest is online, the ingest dies while the broker is down: mosquitto comes
    back with the retained `ingest/state` online from its store and never publishes the worker's Will (the
    connection it was for died with the broker). Live workers say online every SINOPSIS_HQ_INGEST_HEARTBEAT_S;
    the station believes an online for `[agent] ingest_lease_s` only, so behind the stale one it sends a batch
    into the void at most for the lease (it once did so every ack timeout for as long as HQ was gone: up to
    16 MB per station every 2 minutes in the field). Once HQ is back everything drains exactly once."""
    line = pipeline
    monkeypatch.setenv("SINOPSIS_HQ_INGEST_HEARTBEAT_S", "0.5")  # the live worker keeps its word fresh
    line.agent_settings = {"agent": {"ingest_lease_s": 3.0}}  # ack timeout 2 s: at most two sends per lease
    ingest = line.start_ingest()
    agent = line.start_agent()
    line.seal_here(1)
    line.wait_drained()
    time.sleep(4.0)  # longer than the lease: a live HQ's heartbeat keeps the station sending
    line.seal_here(1)
    line.wait_drained()
    stored_after = time.time()  # mosquitto's autosave (every second) stores the retained online: wait for it
    database = line.broker.directory / "data" / "mosquitto.db"
    wait_for(lambda: database.is_file() and database.stat().st_mtime > stored_after, "mosquitto's autosave")
    line.broker.kill()
    ingest.popen.kill()  # HQ's ingest goes too, while the broker is down: no Will can ever be published
    ingest.popen.wait(10)
    before = agent.text().count("drain: batch ")
    line.broker.start()
    void = line.seal_here(2)
    time.sleep(5 * 2.0)  # five ack timeouts with HQ gone
    copies = agent.text().count("drain: batch ") - before
    assert set(line.states().values()) <= {"accepted", "captured", "sent"}
    assert "no word from HQ ingest" in agent.text()
    # counted per record, not per batch: under load the two may leave in a batch each, then go again together
    sends = [line.store.conn.execute("SELECT attempts FROM outbox WHERE record_id = ?", (r,)).fetchone()[0]
             for r in void]
    assert max(sends) <= 2, f"a record went {max(sends)} times into the void behind a stale online ({copies} batches)"
    line.start_ingest()
    line.wait_drained()
    line.stop_all()
    line.check_invariants()  # exactly once, whatever was queued
