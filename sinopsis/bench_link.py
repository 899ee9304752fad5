"""`sinopsis bench`'s link rows: station outbox → HQ ack over loopback, against a bare paho publish of the same
bytes, and HQ ingest of many small records.

It runs in its own process (`python -m sinopsis.bench_link`, started by `run_link_bench`), since HQ's Django is set
up once per process on a throw-away data dir. Everything is real: a LocalBroker (mosquitto with passwords and the
ACL) on a random port, a demo station whose records are sealed by the real sealer from random-noise images (so the
packets are ≈ 0.5–2 MB and do not compress), the real agent (`sinopsis agent run`, its own process as on a kit)
draining its outbox and HQ's real IngestWorker storing and acking. The baseline publishes the very same packet
bytes with a bare paho client (QoS 1) to a subscriber with HQ's broker account: the cost of the wire alone. Ingest
of small records times hq.ingest.batches.process_batches (group commit) over batches of 50.
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from contract.durable import open_private, write_private
from sinopsis.bench_station import bench_station, outbox_packets
from sinopsis.signals import run_child, stop_on_signals

STATION_PW, HQ_USER, HQ_PW = "bench-station", "hq-ingest", "bench-hq"
WAIT_S = 600.0  # a bound on each wait, so a broken link ends the bench instead of hanging it


def _wait(predicate, what: str) -> None:
    end = time.monotonic() + WAIT_S
    while not predicate():
        if time.monotonic() > end:
            raise RuntimeError(f"bench: timed out waiting for {what}")
        time.sleep(0.005)


def _link_state(data_dir: Path) -> str:
    try:
        return json.loads((data_dir / "agent" / "link.json").read_text())["state"]
    except (OSError, ValueError, KeyError):
        return ""


def _agent_process(config_file: Path, data_dir: Path, port: int, records: int, root: Path,
                   broker_pid: int) -> tuple[float, dict[str, float]]:
    """Seconds from `sinopsis agent run` (its own process, as on a kit) saying it is connected with HQ's ingest
    online (its link file) to every record accepted, and the CPU seconds each side used meanwhile (`agent`,
    `broker`, and `hq`: this process, whose ingest worker stores the records while the bench polls the outbox);
    the agent is stopped with SIGTERM after."""
    from sinopsis.proc_usage import cpu_seconds
    from station.store import StationStore

    text = config_file.read_text()
    if "[broker]" in text:
        raise RuntimeError(f"bench: {config_file} names a broker already")
    config_file.write_text(text + f"\n[broker]\nport = {port}\n")
    with open_private(root / "agent.log", "w") as log, StationStore(data_dir) as store:
        agent = subprocess.Popen([sys.executable, "-m", "sinopsis", "agent", "run", "--config", str(config_file)],
                                 stdout=log, stderr=subprocess.STDOUT)

        def cpu() -> dict[str, float]:
            return {"agent": cpu_seconds(agent.pid), "broker": cpu_seconds(broker_pid), "hq": cpu_seconds(os.getpid())}
        try:
            _wait(lambda: _link_state(data_dir) == "connected" or agent.poll() is not None,
                  "the agent connected, HQ's ingest online")
            start, before = time.perf_counter(), cpu()  # as the baseline: timed from a ready link, not from connecting
            _wait(lambda: agent.poll() is not None or store.conn.execute(
                "SELECT COUNT(*) FROM outbox WHERE ack_status = 'accepted'").fetchone()[0] == records,
                "every record accepted by HQ")
            seconds, after = time.perf_counter() - start, cpu()
        finally:
            agent.terminate()
            agent.wait(30)
    if agent.returncode not in (0, -15):
        raise RuntimeError(f"bench: the agent ended with {agent.returncode}: see {root / 'agent.log'}")
    return seconds, {side: after[side] - before[side] for side in after}


def link_rows(root: Path, records: int) -> list[dict]:
    """Agent → broker → IngestWorker → ack, then a bare paho publish of the same bytes; two rows."""
    from hq.fleet.enrolment import enrol_station
    from hq.ingest.worker import IngestWorker
    from hq.mqtt import broker_from_url
    from native.bench_timing import row
    from provisioning.broker import LocalBroker

    config, paths, sizes = bench_station(root / "station", records)
    enrol_station(config.station.id, paths.station_public_key.read_bytes())
    with LocalBroker(root / "broker", {config.station.id: STATION_PW}, {HQ_USER: HQ_PW}) as broker:
        write_private(config.key_path("broker_password"), STATION_PW + "\n")
        config = config.model_copy(update={"broker": config.broker.model_copy(update={"port": broker.port})})
        worker = IngestWorker(broker_from_url(f"mqtt://{HQ_USER}:{HQ_PW}@127.0.0.1:{broker.port}"), "bench").start()
        try:
            _wait(worker.ready.is_set, "the ingest worker")
            link_s, cpu = _agent_process(paths.station_config, config.station.data_dir, broker.port, records, root,
                                         broker.process.pid)
        finally:
            worker.stop()
        bare_s = _bare_publish(broker.port, config.station.id, outbox_packets(config))
    mb = sum(sizes) / 1e6
    size = f"{records} × {mb / records:.1f} MB"
    link_ms, bare_ms = 1000 * link_s / records, 1000 * bare_s / records
    per_record = {side: 1000 * seconds / records for side, seconds in cpu.items()}
    link = row("outbox→HQ ack", size, link_ms, bare_ms, None,
               note=f"{records / link_s:.1f} records/s ({mb / link_s:.1f} MB/s) agent (connected, HQ online) "
                    "→ mosquitto → ingest "
                    f"(verified, stored durably, acked); vs idiom = bare paho publish of the same bytes; CPU per "
                    f"record: agent {per_record['agent']:.1f}, broker {per_record['broker']:.1f}, "
                    f"HQ {per_record['hq']:.1f} ms")
    bare = row("bare paho pub", size, bare_ms, None, None,
               note=f"{records / bare_s:.1f} records/s ({mb / bare_s:.1f} MB/s) QoS 1 publish to a subscriber, "
                    f"no storage, median of {BARE_PASSES} passes: the baseline")
    link.update(records_per_s=records / link_s, baseline_records_per_s=records / bare_s,
                ratio_to_baseline=(records / link_s) / (records / bare_s), mean_packet_bytes=sum(sizes) / records,
                cpu_ms_per_record=per_record)
    bare.update(records_per_s=records / bare_s)
    return [link, bare]


BARE_PASSES = 5  # the baseline's passes over the packets: one pass lasts ≈ 0.1–0.3 s, and single passes varied 2×


def _bare_publish(port: int, station_id: str, packets: list[bytes]) -> float:
    """Seconds to publish `packets` (QoS 1) as the station until a subscriber with HQ's account has them all: the
    median of BARE_PASSES passes over the same connection (a single pass is short enough for one stall of this
    machine to halve or double it, and the ratio with it)."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    from contract.wire import station_topic

    topic = station_topic(station_id, "up/bench")  # an "up" topic: the ACL lets a station only send those
    got, ready = [0], threading.Event()
    sub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bench-sub", protocol=mqtt.MQTTv5)
    sub.username_pw_set(HQ_USER, HQ_PW)
    sub.on_connect = lambda c, *_a: c.subscribe(topic, 1)
    sub.on_subscribe = lambda *_a: ready.set()
    sub.on_message = lambda *_a: got.__setitem__(0, got[0] + 1)
    pub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bench-pub", protocol=mqtt.MQTTv5)
    pub.username_pw_set(station_id, STATION_PW)
    for client in (sub, pub):
        client.connect("127.0.0.1", port)
        client.loop_start()
    try:
        _wait(lambda: ready.is_set() and pub.is_connected(), "the baseline clients")
        passes = []
        for n in range(1, BARE_PASSES + 1):
            start = time.perf_counter()
            for data in packets:
                pub.publish(topic, data, qos=1).wait_for_publish(WAIT_S)
            _wait(lambda n=n: got[0] >= n * len(packets), "the baseline's messages")
            passes.append(time.perf_counter() - start)
        return statistics.median(passes)
    finally:
        for client in (pub, sub):
            client.disconnect()
            client.loop_stop()


INGEST_BATCH = 50  # records a station's batch carries at most (contract.wire.MAX_BATCH_RECORDS)


def ingest_row(count: int) -> dict:
    """HQ's ingest of `count` small sealed records as a busy worker meets them: batches of INGEST_BATCH from
    several stations, stored a group at a time (hq.ingest.batches.process_batches: verify on a thread pool, one
    flush, one transaction); payloads prepared first, then timed."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from django.conf import settings

    from contract.batch import write_batch
    from contract.keys import public_pem
    from contract.packets import seal_record
    from hq.fleet.enrolment import enrol_station
    from hq.ingest.batches import Incoming, process_batches
    from native.bench_timing import row

    hq_key, keys, items, size = X25519PrivateKey.generate(), {}, [], 0
    for n in range(0, count, INGEST_BATCH):
        station_id = f"st-bench-{n // INGEST_BATCH % 20:02d}"  # 20 stations
        if station_id not in keys:
            keys[station_id] = Ed25519PrivateKey.generate()
            enrol_station(station_id, public_pem(keys[station_id].public_key()).encode())
        key = keys[station_id]
        packets = [(f"small-{i:06d}", i + 1, seal_record(
            record_id=f"small-{i:06d}", station_id=station_id, seq=i + 1, created_at="2026-11-25T03:04:05+00:00",
            files={"record.json": b'{"seq": %d}' % (i + 1)}, station_key=key, hq_public_key=hq_key.public_key()))
            for i in range(n, min(count, n + INGEST_BATCH))]
        size = len(packets[0][2])
        items.append(Incoming(station_id, write_batch(f"b-{n}", station_id, packets)))
    per_group = settings.HQ_INGEST_GROUP_BATCHES
    start = time.perf_counter()
    acks = [ack for g in range(0, len(items), per_group) for ack in process_batches(items[g:g + per_group], "bench")]
    seconds = time.perf_counter() - start
    accepted = sum(len(ack.accepted) for ack in acks if ack is not None)
    if accepted != count:
        raise RuntimeError(f"bench: {count - accepted} of {count} small records not accepted: {acks[:1]}")
    result = row("HQ ingest", f"{count} × {size} B", 1000 * seconds / count, None, None,
                 note=f"{count / seconds:.0f} records/s: batches of {INGEST_BATCH}, {per_group} a group "
                      "(verify on a thread pool, one flush of the files, one transaction)")
    result.update(records_per_s=count / seconds)
    return result


def run_in_this_process(records: int, ingest_records: int) -> list[dict]:
    """Every link row, on a temp HQ data dir (this process's Django is set up on it)."""
    from hq.runtime import migrate, setup

    with tempfile.TemporaryDirectory(prefix="sinopsis-bench-link-") as tmp:
        root = Path(tmp)
        setup(root / "hq")
        migrate(verbosity=0)
        rows = link_rows(root, records) if records > 0 else []
        if ingest_records > 0:
            rows.append(ingest_row(ingest_records))
        from django.db import connections

        connections.close_all()
    return rows


def run_link_bench(records: int = 48, ingest_records: int = 10_000) -> list[dict]:
    """The link rows, measured in a child process (its own Django); RuntimeError with its output on failure."""
    done = run_child([sys.executable, "-m", "sinopsis.bench_link", "--records", str(records),
                      "--ingest-records", str(ingest_records)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                     text=True)
    if done.returncode != 0:
        raise RuntimeError(f"the link bench failed:\n{done.stderr[-3000:]}")
    rows = json.loads(done.stdout)
    for r in rows:
        if not all(math.isfinite(v) and v > 0 for v in (r["c_ms"], r["records_per_s"])):
            raise RuntimeError(f"the link bench measured nonsense: {r}")
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--records", type=int, default=48)
    p.add_argument("--ingest-records", type=int, default=10_000)
    args = p.parse_args(argv)
    with stop_on_signals():  # a stop ends the bench's broker and servers in their finally blocks
        print(json.dumps(run_in_this_process(args.records, args.ingest_records)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
