"""The agent against a real mosquitto (provisioning.broker.LocalBroker, random port, passwords, the per-station
ACL) and a small HQ stand-in: a paho client with HQ's broker account that keeps the retained ingest state and
answers each batch per the contract (accepting, or as a test scripts it). Records are sealed for real."""

import threading
import time
from collections.abc import Callable, Iterator

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from contract import wire
from contract.batch import read_batch
from edge_agent.agent import Agent
from provisioning.broker import LocalBroker
from sinopsis.demo import demo_captures
from sinopsis.demo_data import DEMO_STATION_ID
from station.checkin import check_in_by_application
from station.records import transition

STATION_PASSWORD = "pw-station"
HQ_USER, HQ_PASSWORD = "hq-ingest", "pw-hq"
WAIT_S = 20.0


def wait_until(predicate: Callable[[], object], timeout: float = WAIT_S, what: str = "condition") -> None:
    """Poll `predicate` until true; fail after `timeout` seconds (a bound, never the thing tested)."""
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


class FakeHq:
    """HQ's ingest as far as the station can tell: ingest state, acks per batch (`answer(record_id, sha)` →
    "accepted" | "duplicate" | ("rejected", code) | None to stay silent), and everything the station publishes."""

    def __init__(self, port: int) -> None:
        self.lock = threading.Lock()
        self.online = False
        self.stored: dict[str, str] = {}  # record id → sha256, like HQ's table
        self.batches: list[wire.BatchManifest] = []
        self.messages: list[tuple[str, bytes, bool]] = []  # (topic, payload, retain) from stations
        self.acks_sent: list[wire.Ack] = []
        self.answer: Callable[[str, str], object] = self.idempotent
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="hq-standin", protocol=mqtt.MQTTv5)
        self.client.username_pw_set(HQ_USER, HQ_PASSWORD)
        self.client.reconnect_delay_set(0.1, 0.5)
        self.connected = threading.Event()
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = lambda *_a: self.connected.clear()
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        wait_until(self.connected.is_set, what="HQ stand-in connected")

    def idempotent(self, record_id: str, sha: str) -> object:
        known = self.stored.get(record_id)
        if known is None:
            self.stored[record_id] = sha
            return "accepted"
        return "duplicate" if known == sha else ("rejected", "record.conflict")

    def _on_connect(self, client, _u, _f, reason, _p) -> None:
        if reason.is_failure:
            return
        client.subscribe([("sinopsis/v1/st/+/status", 1), ("sinopsis/v1/st/+/health", 1),
                          ("sinopsis/v1/st/+/reported", 1), ("sinopsis/v1/st/+/job/+", 1),
                          ("sinopsis/v1/st/+/up/batch", 1)])
        if self.online:  # the broker may have lost the retained state (killed before saving)
            client.publish(wire.INGEST_STATE, wire.dump(wire.IngestState(online=True)), qos=1,
                           retain=True)
        self.connected.set()

    def set_ingest(self, online: bool) -> None:
        self.online = online
        self.client.publish(wire.INGEST_STATE, wire.dump(wire.IngestState(online=online)), qos=1,
                            retain=True).wait_for_publish(5)

    def send_ack(self, station: str, ack: wire.Ack | bytes, correlation: bytes | None = None) -> None:
        props = Properties(PacketTypes.PUBLISH)
        if correlation is not None:
            props.CorrelationData = correlation
        payload = ack if isinstance(ack, bytes) else wire.dump(ack)
        self.client.publish(wire.station_topic(station, "ack"), payload, qos=1, properties=props)

    def _on_message(self, _c, _u, msg) -> None:
        station, leaf = wire.split_station_topic(msg.topic)
        if leaf != "up/batch":
            with self.lock:
                self.messages.append((msg.topic, msg.payload, msg.retain))
            return
        manifest = read_batch(msg.payload).manifest
        with self.lock:
            self.batches.append(manifest)
            answers = [(e.record_id, self.answer(e.record_id, e.sha256)) for e in manifest.records]
        if all(a is None for _, a in answers):
            return
        ack = wire.Ack(batch_id=manifest.batch_id,
                           accepted=[r for r, a in answers if a == "accepted"],
                           duplicate=[r for r, a in answers if a == "duplicate"],
                           rejected=[wire.Rejection(record_id=r, code=a[1]) for r, a in answers
                                     if isinstance(a, tuple)])
        with self.lock:
            self.acks_sent.append(ack)
        self.send_ack(station, ack, msg.properties.CorrelationData)

    def published(self, leaf: str, model: type[wire.M] | None = None) -> list:
        """What stations published on `leaf` (status, health, reported; "job/" for every job topic), parsed
        as `model` when given, else as (topic, payload)."""
        with self.lock:
            found = [(t, p) for t, p, _r in self.messages
                     if wire.split_station_topic(t)[1] == leaf or
                     (leaf.endswith("/") and wire.split_station_topic(t)[1].startswith(leaf))]
        return [wire.parse(model, p) if model else (t, p) for t, p in found]

    def received_ids(self) -> list[str]:
        with self.lock:
            return [e.record_id for b in self.batches for e in b.records]

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


@pytest.fixture
def broker(tmp_path) -> Iterator[LocalBroker]:
    with LocalBroker(tmp_path / "broker", {DEMO_STATION_ID: STATION_PASSWORD}, {HQ_USER: HQ_PASSWORD}) as b:
        yield b


@pytest.fixture
def hq(broker) -> Iterator[FakeHq]:
    fake = FakeHq(broker.port)
    yield fake
    fake.close()


@pytest.fixture
def agent_config(station_config, broker):
    """The station's config pointed at the test broker, with short waits so failures show within seconds."""
    password = station_config.key_path("broker_password")
    password.write_text(STATION_PASSWORD + "\n")
    return station_config.model_copy(update={
        "broker": station_config.broker.model_copy(update={"port": broker.port, "will_delay_s": 0}),
        "agent": station_config.agent.model_copy(update={"ack_timeout_s": 2.0, "backoff_min_s": 0.05,
                                                         "backoff_max_s": 0.4}),
    })


class RunningAgent:
    """An Agent in a thread; `stop()` stops it cleanly and waits (bounded)."""

    def __init__(self, agent: Agent, **run_args: object) -> None:
        self.agent = agent
        self.thread = threading.Thread(target=agent.run, kwargs=run_args, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.agent.stop()
        self.thread.join(15)
        assert not self.thread.is_alive(), "the agent did not stop"


@pytest.fixture
def start_agent(agent_config, tmp_path) -> Iterator[Callable[..., RunningAgent]]:
    started: list[RunningAgent] = []

    def start(config=None, **run_args: object) -> RunningAgent:
        running = RunningAgent(Agent(config or agent_config, power_supply_dir=tmp_path / "no-power"), **run_args)
        started.append(running)
        return running

    yield start
    for running in started:
        if running.thread.is_alive():
            running.stop()


@pytest.fixture
def seal(imported, applicants, sealer) -> Callable[[int], list[str]]:
    """Seal `n` more records for real (checked in, captured, sealed into the outbox); their ids in seq order."""
    used = iter(applicants)
    captures = demo_captures()

    def make(n: int) -> list[str]:
        ids = []
        for a in [next(used) for _ in range(n)]:
            ticket = check_in_by_application(imported, a["application_id"], a["phone"])
            transition(imported, ticket.record_id, "capturing", actor="OP-02")
            ids.append(sealer.seal_and_commit(ticket.record_id, captures, operator_id="OP-02").record_id)
        return ids

    return make


def states(store, ids: list[str]) -> dict[str, str]:
    """Each record's state, as the station's database says now."""
    return {i: store.conn.execute("SELECT state FROM records WHERE id = ?", (i,)).fetchone()[0] for i in ids}
