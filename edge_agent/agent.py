"""The edge agent's loop: one thread runs the MQTT client (`client.loop`) and all the agent's work, so the
station database is only touched from that thread and the order of events is the order they arrived in.

Each connection: a new epoch (persisted), retained `online` with the Will `lost` for that epoch, subscriptions to
HQ's ingest state, `desired`, `cmd/+` and `ack`. While HQ's ingest says online, the oldest unacknowledged outbox
records go up in batches (one on the wire at a time, a few waiting for HQ's ack); a PUBACK failure, a lost
connection or an ack that does not come within `agent.ack_timeout_s` sends the records again in a new batch
(HQ is idempotent). Health goes out every interval and on change; the link file follows the connection. A
clean stop publishes `offline` first. Docs: docs/architecture.md, "Edge agent".
"""

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

import paho.mqtt.client as mqtt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from contract import wire
from contract.durable import sweep_temp_files
from contract.keys import load_public_key
from edge_agent import connection, outbox
from edge_agent.commands import CommandRunner
from edge_agent.corrections import CorrectionSender
from edge_agent.desired import apply_desired
from edge_agent.drain import Drain
from edge_agent.health import build_health, change_key
from edge_agent.link import LinkFile
from edge_agent.logbook import Logbook
from edge_agent.purge import purge_accepted
from edge_agent.watchdog import Watchdog
from station.config import StationConfig
from station.offline_limits import record_hq_contact
from station.station_status import POWER_SUPPLY
from station.store import StationStore

logger = logging.getLogger(__name__)
LOOP_S = 0.05  # longest wait for network events per pass
HEALTH_CHECK_S = 2.0  # how often health is compared with the last one sent
CONTACT_EVERY_S = 30.0  # HQ contact is recorded at most this often while HQ's ingest is online
SETTLE_S = 1.0  # --once: connected this long (retained messages in) before it may stop
STOP_FLUSH_S = 5.0


class Agent:
    """The station's MQTT agent on `config`'s data directory. `run()` blocks until `stop()`, `seconds` or, with
    `once`, until it has nothing left to do; it never raises for network or message trouble (it logs)."""

    def __init__(self, config: StationConfig, *, device_presence: Callable[[], dict[str, bool]] | None = None,
                 power_supply_dir: Path = POWER_SUPPLY) -> None:
        self.config, self.station_id = config, config.station.id
        self.store = StationStore(config.station.data_dir)
        self.agent_dir = config.station.data_dir / "agent"
        self.link = LinkFile(config.station.data_dir)
        self.logbook = Logbook(self.agent_dir)
        sweep_temp_files(self.agent_dir)  # what a crash mid-write left (link.json, desired, jobs seen): garbage
        self.watchdog = Watchdog.from_environ(self.store.db_path)  # systemd Type=notify + WatchdogSec
        self.hq_key = load_public_key(config.key_path("hq_assignment_public_key"), Ed25519PublicKey)
        self.device_presence, self.power_supply_dir = device_presence, power_supply_dir
        self.certificate_expires = connection.certificate_expiry(config)
        self.backoff = connection.Backoff(config.agent.backoff_min_s, config.agent.backoff_max_s)
        self.drain = Drain(self.store, self.station_id, config.agent.ack_timeout_s,
                           connection.Backoff(config.agent.backoff_min_s, config.agent.backoff_max_s))
        self.corrections = CorrectionSender(self.store, self.station_id)
        self.runner = CommandRunner(self.store, config, self.logbook,
                                    lambda s: self._publish(f"job/{s.job}", s), self.sync_now)
        self.client: mqtt.Client | None = None
        self.connected = self.ingest_online = self.ingest_known = False
        self.epoch = self.connects = 0
        self._stop = threading.Event()
        self._next_connect = self._next_health = self._next_check = self._next_contact = 0.0
        self._next_purge = 0.0  # the first purge right after start
        self._ingest_heard = 0.0  # when HQ ingest last said anything (its online is believed for ingest_lease_s)
        self._connect_started: float | None = None
        self._retired: list[mqtt.Client] = []
        self._connected_at = 0.0
        self._health_key: str | None = None
        self.finished = ""  # why run() returned: "settled" (--once), "time" (--seconds) or "stopped"

    def topic(self, leaf: str) -> str:
        return wire.station_topic(self.station_id, leaf)

    def stop(self) -> None:
        """Ask the loop to stop cleanly (thread- and signal-safe)."""
        self._stop.set()

    # ---- the loop -------------------------------------------------------------------------------------------
    def run(self, seconds: float | None = None, once: bool = False) -> None:
        """Work until stopped (or `seconds` pass, or with `once` until settled); then publish offline and close."""
        self.logbook.attach()
        logger.info("agent for station %s starting (broker %s:%s)", self.station_id, self.config.broker.host,
                    self.config.broker.port)
        self.watchdog.ready(self._status_line())
        deadline = None if seconds is None else time.monotonic() + seconds
        self.finished = "stopped"
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                if deadline is not None and now >= deadline:
                    self.finished = "time"
                    break
                if once and self._settled(now):
                    self.finished = "settled"
                    break
                self._step(now)
        finally:
            self._shutdown()

    def _step(self, now: float) -> None:
        if self.client is None and now >= self._next_connect:
            self._connect(now)
        client = self.client
        if client is None:
            self._stop.wait(min(4 * LOOP_S, max(0.0, self._next_connect - now)))
        else:
            rc = client.loop(timeout=LOOP_S)
            if rc == mqtt.MQTT_ERR_SUCCESS:
                self.watchdog.mqtt_ran(time.monotonic())
            if rc != mqtt.MQTT_ERR_SUCCESS and self.client is client:
                self._lost(f"network: {mqtt.error_string(rc)}")
            elif not self.connected and self._connect_started is not None and \
                    now - self._connect_started > connection.CONNECT_TIMEOUT_S:
                self._lost("no answer to CONNECT")
        while self._retired:
            connection.dispose(self._retired.pop())
        self._tick(time.monotonic())
        self.watchdog.tick(time.monotonic(), self.connected and self.client is not None, self._status_line())

    def _status_line(self) -> str:
        where = f"{self.config.broker.host}:{self.config.broker.port}"
        if not self.connected:
            return f"not connected to {where}: retrying"
        return (f"connected to {where}; HQ ingest {'online' if self.ingest_online else 'offline'}; "
                f"{len(self.drain.flights)} batch(es) on the way")

    def _settled(self, now: float) -> bool:
        """--once: connected a moment, nothing on the way, and nothing more HQ will take now."""
        return (self.connected and now - self._connected_at >= SETTLE_S and not self.drain.flights
                and self._health_key is not None and (self.drain.idle or not self.ingest_online))

    def _connect(self, now: float) -> None:
        try:
            self.epoch = connection.next_epoch(self.store)
            client = connection.make_client(self.config, self.epoch)
            client.on_connect, client.on_disconnect = self._on_connect, self._on_disconnect
            client.on_message, client.on_publish = self._on_message, self._on_publish
            client.connect(self.config.broker.host, self.config.broker.port, self.config.broker.keepalive_s,
                           clean_start=False, properties=connection.connect_properties(self.config))
        except Exception as e:  # noqa: BLE001 - refused, unreachable, bad key file: wait and try again
            wait = self.backoff.next()
            logger.warning("cannot connect to %s:%s (%s); next try in %.1f s", self.config.broker.host,
                           self.config.broker.port, e, wait)
            self._next_connect = now + wait
            return
        self.client, self._connect_started = client, now

    def _lost(self, why: str) -> None:
        client, self.client = self.client, None
        if client is not None:
            self._retired.append(client)  # closed after its loop() returns (this may run inside it)
        was = self.connected
        self.connected, self.ingest_online, self.ingest_known, self._connect_started = False, False, False, None
        self.drain.connection_lost()
        self.corrections.connection_lost()
        wait = self.backoff.next()
        self._next_connect = time.monotonic() + wait
        (logger.warning if was else logger.info)("connection lost (%s); reconnecting in %.1f s", why, wait)

    def _tick(self, now: float) -> None:
        self.link.set("connected" if self.connected and self.ingest_online else "offline")
        self.drain.expire(now)
        if self.ingest_online and now - self._ingest_heard > self.config.agent.ingest_lease_s:
            logger.warning("no word from HQ ingest for %.0f s: taken as offline until it says online again",
                           now - self._ingest_heard)
            self.ingest_online = False
        if now >= self._next_purge:
            self._purge(now)
        if not self.connected or self.client is None:
            return
        if self.ingest_online:
            self.drain.step(self.client, now)
            self.corrections.step(self.client, now)
        if self.ingest_online and now >= self._next_contact:
            self._contact()
            self._next_contact = now + CONTACT_EVERY_S
        if now >= self._next_health or now >= self._next_check:
            self._health(now)

    def _purge(self, now: float) -> None:
        """Retention (UU PDP 27/2022: keep only as long as needed): the packets HQ has held for longer than
        `retention.purge_after_days`, and those it rejected longer than `retention.purge_rejected_after_days` ago,
        are deleted, on the agent's own schedule, online or not; audited."""
        self._next_purge = now + self.config.retention.purge_every_h * 3600
        try:
            purge_accepted(self.store, self.config.retention.purge_after_days,
                           rejected_days=self.config.retention.purge_rejected_after_days)
        except Exception:  # a busy database now is a purge next time; the loop goes on
            logger.warning("scheduled purge failed; next in %.1f h", self.config.retention.purge_every_h,
                           exc_info=True)

    # ---- publishing -----------------------------------------------------------------------------------------
    def _publish(self, leaf: str, message: wire.Message, retain: bool = False) -> mqtt.MQTTMessageInfo | None:
        if not self.connected or self.client is None:
            logger.info("not connected: %s not published", leaf)
            return None
        return self.client.publish(self.topic(leaf), wire.dump(message), qos=1, retain=retain)

    def _health(self, now: float) -> None:
        health = build_health(self.store, self.config, self.epoch, device_presence=self.device_presence,
                              power_supply_dir=self.power_supply_dir, certificate_expires=self.certificate_expires)
        key = change_key(health)
        self._next_check = now + HEALTH_CHECK_S
        if key == self._health_key and now < self._next_health:
            return
        if self._publish("health", health, retain=True) is not None:
            self._health_key, self._next_health = key, now + self.config.agent.health_interval_s

    def _contact(self) -> None:
        with self.store.write() as conn:
            record_hq_contact(conn, dt.datetime.now(dt.UTC))

    def sync_now(self) -> tuple[bool, str]:
        """The `sync_now` command: drain now if HQ takes records (ok, what happened)."""
        waiting = outbox.unacked_count(self.store)
        if not (self.ingest_online and self.connected and self.client is not None):
            return False, f"HQ ingest is offline: {waiting} record(s) wait on the station"
        self.drain.wake()
        self.drain.retry.reset()
        batch = self.drain.step(self.client, time.monotonic())
        sent = f"sent batch {batch.batch_id} with {len(batch.records)} record(s)" if batch else "no new batch"
        return True, f"{waiting} record(s) waiting for HQ; {sent}; {len(self.drain.flights)} batch(es) on the way"

    # ---- paho callbacks (run inside client.loop, on this thread) -------------------------------------------
    def _on_connect(self, client: mqtt.Client, _u: object, flags: mqtt.ConnectFlags, reason: object,
                    _p: object) -> None:
        if client is not self.client:
            return
        if getattr(reason, "is_failure", False):
            self._lost(f"broker refused the connection: {reason}")
            return
        self.connected, self._connect_started, self._connected_at = True, None, time.monotonic()
        self.backoff.reset()
        self.connects += 1
        client.subscribe([(wire.INGEST_STATE, 1), (self.topic("desired"), 1), (self.topic("cmd/+"), 1),
                          (self.topic("ack"), 1), (self.topic("correction/ack"), 1)])
        self._publish("status", wire.Status(state="online", epoch=self.epoch,
                                                ts=dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")),
                      retain=True)
        self._next_health = 0.0
        logger.info("connected, epoch %d (session %s)", self.epoch,
                    "resumed" if flags.session_present else "new")

    def _on_disconnect(self, client: mqtt.Client, _u: object, _f: object, reason: object, _p: object) -> None:
        if client is self.client and not self._stop.is_set():
            self._lost(f"disconnected: {reason}")

    def _on_publish(self, client: mqtt.Client, _u: object, mid: int, reason: object, _p: object) -> None:
        if client is not self.client:
            return
        if self.drain.on_puback(mid, reason):
            self._next_check = 0.0
        elif getattr(reason, "is_failure", False):
            logger.warning("the broker refused a message (mid %s): %s", mid, reason)

    def _on_message(self, _c: mqtt.Client, _u: object, msg: mqtt.MQTTMessage) -> None:
        try:
            self._dispatch(msg)
        except Exception:
            logger.exception("message on %s (%d bytes) could not be handled", msg.topic, len(msg.payload))

    def _dispatch(self, msg: mqtt.MQTTMessage) -> None:
        if msg.topic == wire.INGEST_STATE:
            try:
                online = bool(msg.payload) and wire.parse(wire.IngestState, msg.payload).online
            except wire.ContractError as e:
                logger.warning("HQ ingest state unreadable (%s): taken as offline", e)
                online = False
            if online != self.ingest_online or not self.ingest_known:
                logger.info("HQ ingest is %s", "online" if online else "offline")
            self.ingest_online, self.ingest_known = online, True
            self._ingest_heard = time.monotonic()
            self._next_contact = 0.0
            self.drain.wake()
            return
        station, leaf = wire.split_station_topic(msg.topic)
        if station != self.station_id:
            logger.warning("message for station %s on this station's connection ignored", station)
            return
        if leaf == "ack":
            correlation = getattr(msg.properties, "CorrelationData", None) if msg.properties else None
            if self.drain.on_ack(msg.payload, correlation) is not None:
                self._next_check = 0.0
        elif leaf == "correction/ack":
            self.corrections.on_ack(msg.payload)
        elif leaf == "desired":
            if msg.payload:  # an empty retained message only clears the topic
                self._contact()
                reported = apply_desired(self.store, self.config, self.hq_key, msg.payload, self.agent_dir)
                self._publish("reported", reported, retain=True)
                self._next_check = 0.0
        elif leaf.startswith("cmd/"):
            self._contact()
            expiry = getattr(msg.properties, "MessageExpiryInterval", None) if msg.properties else None
            self.runner.handle(leaf[4:], msg.payload, expiry)
        else:
            logger.warning("unexpected topic %s ignored", msg.topic)

    # ---- stopping -------------------------------------------------------------------------------------------
    def _shutdown(self) -> None:
        self.watchdog.stopping()
        client = self.client
        try:
            if client is not None and self.connected:
                info = self._publish("status", wire.Status(
                    state="offline", epoch=self.epoch, ts=dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")),
                    retain=True)
                end = time.monotonic() + STOP_FLUSH_S
                while info is not None and not info.is_published() and time.monotonic() < end and \
                        self.client is client:
                    client.loop(timeout=LOOP_S)
                client.disconnect()  # reason 0: the broker drops the Will
                client.loop(timeout=LOOP_S)
            for finished in {id(c): c for c in [*self._retired, client] if c is not None}.values():
                connection.dispose(finished)
            self.client, self.connected = None, False
            self.link.set("offline")
            logger.info("agent for station %s stopped (%s, epoch %d)", self.station_id, self.finished, self.epoch)
        finally:
            self.logbook.detach()
            self.watchdog.close()
            self.store.close()
