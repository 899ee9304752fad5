"""The agent's small parts on their own: backoff, command checks, the log tail, the link file, health."""

import datetime as dt
import logging
import random

from contract import wire
from edge_agent.commands import check_command
from edge_agent.connection import Backoff
from edge_agent.health import build_health, change_key
from edge_agent.link import LinkFile
from edge_agent.logbook import Logbook
from sinopsis.demo_data import DEMO_STATION_ID
from station.station_status import read_link

NOW = dt.datetime(2026, 11, 25, 5, 0, tzinfo=dt.UTC)


def test_backoff_grows_with_jitter_up_to_the_maximum_and_resets():
    backoff = Backoff(1.0, 30.0, random.Random(3))
    waits = [backoff.next() for _ in range(8)]
    ceilings = [1, 2, 4, 8, 16, 30, 30, 30]
    assert all(c / 2 <= w <= c for w, c in zip(waits, ceilings, strict=True))
    assert len({round(w, 6) for w in waits[5:]}) == 3, "stations that lost the broker together do not retry in step"
    backoff.reset()
    assert backoff.next() <= 1.0


def cmd(expires_at: str, name: str = "sync_now", job: str = "j1") -> bytes:
    return wire.dump(wire.Command.model_construct(job=job, name=name, expires_at=expires_at, args={}))


def test_a_command_expires_by_its_own_time_or_by_the_mqtt_message_expiry():
    later = (NOW + dt.timedelta(minutes=5)).isoformat()
    assert check_command("j1", cmd(later), None, NOW).command is not None
    assert check_command("j1", cmd(later), 30, NOW).deadline == NOW + dt.timedelta(seconds=30)
    assert "expired" in check_command("j1", cmd(later), 0, NOW).refusal
    assert "expired" in check_command("j1", cmd((NOW - dt.timedelta(seconds=1)).isoformat()), None, NOW).refusal
    assert "ISO 8601" in check_command("j1", cmd("tomorrow"), None, NOW).refusal
    assert check_command("j1", cmd(later, name="format_disk"), None, NOW).refusal.startswith("contract.schema")


def test_the_log_tail_is_bounded_and_keeps_the_newest_lines(tmp_path):
    book = Logbook(tmp_path).attach()
    try:
        log = logging.getLogger("edge_agent.test")
        for i in range(300):
            log.info("line %03d %s", i, "x" * 40)
        tail = book.tail(2000)
        assert len(tail) <= 2000 and tail.endswith("x" * 40) and "line 299" in tail and "line 000" not in tail
        assert "line 299" in (tmp_path / "agent.log").read_text()
        assert "rotated agent.log" in book.rotate() and (tmp_path / "agent.log.1").is_file()
    finally:
        book.detach()


def test_the_link_file_is_what_the_kiosk_reads(tmp_path):
    link = LinkFile(tmp_path)
    link.set("offline", NOW)
    assert read_link(tmp_path, NOW) == ("offline", NOW)
    later = NOW + dt.timedelta(seconds=90)
    link.set("connected", later)
    assert read_link(tmp_path, later) == ("connected", later)
    assert list((tmp_path / "agent").iterdir()) == [tmp_path / "agent" / "link.json"], "no temp file left"


def test_health_reports_progress_and_why_captures_stop(imported, seal, station_config, tmp_path):
    seal(2)
    strict = station_config.model_copy(update={"offline": station_config.offline.model_copy(
        update={"warn_unsent": 1, "block_unsent": 2})})
    health = build_health(imported, strict, 7, power_supply_dir=tmp_path, device_presence=lambda: {"camera": True},
                          now=dt.datetime.now(dt.UTC))
    assert (health.epoch, health.queue_depth, health.last_acked_seq, health.assignment_version) == (7, 2, None, 1)
    assert health.counts["captured"] == 2 and health.devices == {"camera": True} and health.charging is True
    assert health.listed == 24  # the imported list: progress against it on the dashboard
    assert "2 records are waiting for HQ" in health.capture_blocked
    assert build_health(imported, station_config, 7, power_supply_dir=tmp_path).capture_blocked is None
    moved = build_health(imported, strict, 7, power_supply_dir=tmp_path, now=dt.datetime.now(dt.UTC)
                         + dt.timedelta(minutes=3), device_presence=lambda: {"camera": True})
    assert change_key(moved) == change_key(health), "ages and times alone are not a change"
    seal(1)
    assert change_key(build_health(imported, strict, 7, power_supply_dir=tmp_path,
                                   device_presence=lambda: {"camera": True})) != change_key(health)


def test_after_a_reassignment_health_counts_the_new_assignment_only(imported, seal, station_config, keys,
                                                                     make_bundle, tmp_path):
    """Issue 21: the dashboard compares these counts with `listed`, so both are the current assignment's."""
    from station.roster import import_assignment

    seal(2)
    import_assignment(imported, make_bundle(version=2), keys.hq_sign.public_key(), station_id=DEMO_STATION_ID,
                      min_age=16)
    health = build_health(imported, station_config, 8, power_supply_dir=tmp_path)
    assert (health.assignment_version, health.listed, health.queue_depth) == (2, 24, 2)  # both still wait for HQ
    assert sum(health.counts.values()) == 0 and set(health.counts) >= {"captured", "accepted"}


def test_a_large_packet_goes_out_from_a_view_and_arrives_whole(agent_config, broker):
    """paho 2.2.0 copies a packet's unsent rest on every partial send; BatchClient queues large packets as a view
    (nothing copied) and the bytes still arrive as sent, through the real broker."""
    import os
    import threading

    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    from edge_agent.connection import VIEW_FROM, BatchClient, make_client
    from tests.edge_agent.conftest import HQ_PASSWORD, HQ_USER, wait_until

    client = make_client(agent_config, epoch=1)
    assert type(client) is BatchClient  # the pinned paho
    client._packet_queue(0x30, bytearray(VIEW_FROM), 1, 1)
    client._packet_queue(0x30, bytearray(VIEW_FROM - 1), 2, 1)
    assert [type(p["packet"]) for p in client._out_packet] == [memoryview, bytearray]
    client._out_packet.clear()

    topic, got, ready = wire.station_topic(agent_config.station.id, "up/bench"), [], threading.Event()
    hq = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="hq-test", protocol=mqtt.MQTTv5)
    hq.username_pw_set(HQ_USER, HQ_PASSWORD)
    hq.on_connect = lambda c, *_a: c.subscribe(topic, 1)
    hq.on_subscribe = lambda *_a: ready.set()
    hq.on_message = lambda _c, _u, message: got.append(message.payload)
    hq.connect("127.0.0.1", broker.port)
    hq.loop_start()
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    try:
        assert ready.wait(10)
        payload = os.urandom(3 * 1024 * 1024)
        client.publish(topic, payload, qos=1).wait_for_publish(10)
        wait_until(lambda: got, what="the payload at the subscriber")
        assert got == [payload]
    finally:
        for c in (client, hq):
            c.disconnect()
            c.loop_stop()


def test_both_paho_workarounds_name_the_pinned_paho():
    """The agent's BatchClient and HQ's decoder reach into paho's private parts, each only with the paho they were
    written for: a paho upgrade in pyproject.toml fails here, so that both are looked at again, not dropped
    silently (each falls back to paho's own code with another version)."""
    import re
    import tomllib
    from pathlib import Path

    from edge_agent.connection import PAHO_WRITTEN_FOR
    from hq.mqtt_decode import WRITTEN_FOR

    project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())["project"]
    pins = [r for extra in project["optional-dependencies"].values() for r in extra if r.startswith("paho-mqtt==")]
    assert {re.sub(r"^paho-mqtt==", "", pin) for pin in pins} == {PAHO_WRITTEN_FOR} == {WRITTEN_FOR}


def test_a_batch_carries_the_sha256_recorded_at_sealing_or_hashes_a_row_without_a_usable_one(imported, seal):
    """The agent does not hash a packet it sends: the manifest's SHA-256 is the one sealing recorded. A row whose
    value is missing or not a SHA-256 (a damaged database) does not stop the outbox: that file is hashed."""
    import hashlib

    from contract.batch import read_batch
    from edge_agent.outbox import build_batch

    ids = seal(4)
    with imported.write() as conn:
        conn.execute("UPDATE records SET packet_sha256 = ? WHERE id = ?", ("0" * 64, ids[1]))  # not its file's
        conn.execute("UPDATE records SET packet_sha256 = 'not a digest' WHERE id = ?", (ids[2],))
        conn.execute("UPDATE records SET packet_sha256 = NULL WHERE id = ?", (ids[3],))
    body = read_batch(build_batch(imported, DEMO_STATION_ID, set()).payload)
    assert [e.record_id for e in body.manifest.records] == ids
    assert body.manifest.records[1].sha256 == "0" * 64 and body.altered == {ids[1]}  # the row's, as it was
    assert [e.sha256 for e in body.manifest.records] == [hashlib.sha256(p).hexdigest() if n != 1 else "0" * 64
                                                         for n, p in enumerate(body.packets)]
