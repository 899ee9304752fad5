"""`sinopsis hq ingest`: one ingest worker on the broker (MQTT 5, persistent session), several may run.

It announces itself on the retained `sinopsis/v1/hq/ingest/state` (online, with a Will saying offline), takes
batches (and correction requests) from the shared subscription `$share/ingest/sinopsis/v1/st/+/up/batch`
(`…/up/correction`) and every station's status, health, reported and job messages. Messages are PUBACKed by hand
only after they are handled: a batch's records are stored (files, then rows) and its Ack is published on the batch's
response topic first, so a worker killed mid-batch gets the batch again from its session when it comes back. The
batches waiting in its inbox are stored as one group (hq/ingest/inbox.py takes them, hq/ingest/group.py stores them:
one flush of the files, one database transaction), then each is acked and PUBACKed; when a group cannot be stored
together, each batch goes alone. A failure that may pass (the database locked or gone, the disk) is retried and the
message kept until it succeeds; a message that can never be stored (it breaks the contract, or storing it fails the
same way every time) is kept as a dead letter (hq/ingest/dead_letters.py), answered with a rejection where the
contract has one (a batch's Ack) and PUBACKed, so one bad message never holds up the next, of this station or any
other.
"""

import logging
import queue
import threading
import time

import paho.mqtt.client as mqtt
from django.db import connections
from django.utils import timezone
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from contract.wire import (
    INGEST_SHARE,
    INGEST_STATE,
    PREFIX,
    Ack,
    ContractError,
    Correction,
    Health,
    IngestState,
    JobState,
    Reported,
    Status,
    dump,
    parse,
    split_station_topic,
    station_topic,
)
from hq.fleet.commands import apply_job_state
from hq.fleet.liveness import apply_health, apply_reported, apply_status, mark_seen
from hq.ingest.batches import dead_batch_ack, process_batch
from hq.ingest.corrections import receive_correction
from hq.ingest.dead_letters import RefusedError, code_of, handle_until_done, keep, reason_of
from hq.ingest.inbox import ALONE, NOTHING, gather, is_batch, store_until_done
from hq.ingest.storage import crash_point, sweep_temp_files_left
from hq.mqtt import Broker, new_client, session_properties, wait_published

logger = logging.getLogger(__name__)

BATCH_FILTER = f"$share/{INGEST_SHARE}/{PREFIX}/st/+/up/batch"
CORRECTION_FILTER = f"$share/{INGEST_SHARE}/{PREFIX}/st/+/up/correction"
STATION_FILTERS = [f"{PREFIX}/st/+/status", f"{PREFIX}/st/+/health", f"{PREFIX}/st/+/reported",
                   f"{PREFIX}/st/+/job/+"]
SIGNAL_POLL_S = 0.25  # the main thread's longest sleep: how late a SIGTERM another thread received is seen


class IngestWorker:
    """One named worker: its own MQTT session (client id `hq-ingest-<name>`) and one handling thread."""

    def __init__(self, broker: Broker, name: str = "1", ack_wait_s: float = 10.0) -> None:
        self.broker, self.name, self.ack_wait_s = broker, name, ack_wait_s
        self.client = new_client(broker, f"hq-ingest-{name}", manual_ack=True)
        self.client.will_set(INGEST_STATE, self._state(False), qos=1, retain=True)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message
        self.client.on_disconnect = self._on_disconnect
        self.ready = threading.Event()  # subscribed and announced online
        self._inbox: queue.Queue[mqtt.MQTTMessage | None] = queue.Queue()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._handle_all, name=f"hq-ingest-{name}", daemon=True)
        self._beat = threading.Thread(target=self._heartbeat, name=f"hq-ingest-{name}-heartbeat", daemon=True)

    @staticmethod
    def _state(online: bool) -> bytes:
        return dump(IngestState(online=online, ts=timezone.now().isoformat(timespec="milliseconds")))

    def start(self) -> "IngestWorker":
        """Sweep the temp files a killed worker left, connect (retrying in the background until the broker
        answers) and start handling messages."""
        for path in sweep_temp_files_left():
            logger.warning("ingest worker %s: removed %s, left by a worker killed while writing it", self.name, path)
        from django.conf import settings

        self._thread.start()
        self._beat.start()
        self.client.connect_async(self.broker.host, self.broker.port, keepalive=settings.HQ_INGEST_KEEPALIVE_S,
                                  clean_start=False,
                                  properties=session_properties())
        self.client.loop_start()
        logger.info("ingest worker %s connecting to %s", self.name, self.broker)
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """Finish the message in hand, say offline (retained), disconnect keeping the session."""
        self._stopping.set()
        self._inbox.put(None)
        self._thread.join(timeout_s)
        self._beat.join(timeout_s)
        if self.client.is_connected():
            info = self.client.publish(INGEST_STATE, self._state(False), qos=1, retain=True)
            wait_published(info, timeout_s)
        self.client.disconnect()
        self.client.loop_stop()
        logger.info("ingest worker %s stopped", self.name)

    # Network thread: subscribe, announce, queue messages for the handling thread.

    def _on_connect(self, client: mqtt.Client, _u: object, flags: mqtt.ConnectFlags, reason: mqtt.ReasonCode,
                    _p: object) -> None:
        if reason.is_failure:
            logger.error("ingest worker %s: broker %s refused the connection: %s", self.name, self.broker, reason)
            return
        logger.info("ingest worker %s connected (session present: %s)", self.name, flags.session_present)
        client.subscribe([(BATCH_FILTER, SubscribeOptions(qos=1)), (CORRECTION_FILTER, SubscribeOptions(qos=1)),
                          (INGEST_STATE, SubscribeOptions(qos=1))]
                         + [(f, SubscribeOptions(qos=1)) for f in STATION_FILTERS])

    def _on_subscribe(self, client: mqtt.Client, _u: object, _mid: int, reasons: list[mqtt.ReasonCode],
                      _p: object) -> None:
        refused = [str(r) for r in reasons if r.is_failure]
        if refused:
            logger.error("ingest worker %s: subscriptions refused (%s): check the broker's ACL for %s", self.name,
                         ", ".join(refused), self.broker.username)
            return
        client.publish(INGEST_STATE, self._state(True), qos=1, retain=True)
        self.ready.set()

    def _heartbeat(self) -> None:
        """Say online again every HQ_INGEST_HEARTBEAT_S while subscribed. A retained `online` can outlive every
        worker (the broker restored it from its store after a crash in which no Will could be published);
        stations therefore believe it only for their `ingest_lease_s`, and this keeps a live HQ's word fresh."""
        from django.conf import settings

        while not self._stopping.wait(settings.HQ_INGEST_HEARTBEAT_S):
            if self.ready.is_set() and self.client.is_connected():
                self.client.publish(INGEST_STATE, self._state(True), qos=1, retain=True)

    def _on_disconnect(self, _c: mqtt.Client, _u: object, _f: object, reason: mqtt.ReasonCode, _p: object) -> None:
        self.ready.clear()
        if not self._stopping.is_set():
            logger.warning("ingest worker %s lost the broker (%s); reconnecting", self.name, reason)

    def _on_message(self, client: mqtt.Client, _u: object, msg: mqtt.MQTTMessage) -> None:
        if msg.topic == INGEST_STATE:
            self._ingest_state(client, msg)
            self._puback(msg)
        else:
            self._inbox.put(msg)

    def _ingest_state(self, client: mqtt.Client, msg: mqtt.MQTTMessage) -> None:
        """Another worker's Will (or clean stop) said offline while this one runs: say online again."""
        try:
            state = parse(IngestState, msg.payload)
        except ContractError as e:
            logger.warning("%s: %s (%s)", msg.topic, e, e.code)
            state = IngestState(online=False)
        if not state.online and not self._stopping.is_set():
            client.publish(INGEST_STATE, self._state(True), qos=1, retain=True)

    def _puback(self, msg: mqtt.MQTTMessage) -> None:
        if msg.qos > 0:
            self.client.ack(msg.mid, msg.qos)

    # Handling thread: one message at a time, acknowledged only when handled.

    def _handle_all(self) -> None:
        try:
            msg = self._inbox.get()
            while msg is not None and not self._stopping.is_set():
                if is_batch(msg):
                    group, aside, msg = gather(self._inbox, msg)
                    self._store_group(group)
                    for other in aside:  # in their order; one not handled (stopping) comes again with the session
                        if self._handle_until_done(other):
                            self._puback(other)
                    if msg is not NOTHING:
                        continue
                elif self._handle_until_done(msg):
                    self._puback(msg)
                msg = self._inbox.get()
        finally:
            connections.close_all()

    def _store_group(self, group: list[mqtt.MQTTMessage]) -> None:
        """Store a group of batches (hq/ingest/group.py), then send each its Ack and PUBACK it; when storing them
        together fails other than for a passing reason, each goes alone (where a bad one ends as a dead letter)."""
        acks = store_until_done(group, self._stopping, self.name)
        if acks is None:  # stopping: nothing acked, the session gives the batches again
            return
        if acks is ALONE:
            for msg in group:
                if self._handle_until_done(msg):
                    crash_point("hq.ingest.before_puback")
                    self._puback(msg)
            return
        crash_point("hq.ingest.before_ack")
        self._send_acks([(split_station_topic(msg.topic)[0], msg, ack) for msg, ack in zip(group, acks, strict=True)
                         if ack is not None])
        for msg in group:
            crash_point("hq.ingest.before_puback")
            self._puback(msg)

    def _handle_until_done(self, msg: mqtt.MQTTMessage) -> bool:
        """Handle one message, retried or kept as a dead letter (hq.ingest.dead_letters.handle_until_done); True
        when done (PUBACK it), False if stopped before."""
        return handle_until_done(msg.topic, lambda: self._handle(msg), lambda e: self._dead_letter(msg, e),
                                 self._stopping, self.name, retained=msg.retain)

    def _dead_letter(self, msg: mqtt.MQTTMessage, error: BaseException) -> None:
        """Keep `msg` as a dead letter; a batch whose manifest is readable is answered with an Ack rejecting its
        records (those HQ already holds byte for byte as duplicates), so the station stops sending it."""
        code = code_of(error)
        keep(msg.topic, msg.payload, code, reason_of(error), retained=msg.retain)
        station_id, leaf = split_station_topic(msg.topic)
        if leaf == "up/batch" and not isinstance(error, ContractError):  # a refused batch got its Ack already
            ack = dead_batch_ack(msg.payload, code)
            if ack is not None:
                self._send_ack(station_id, msg, ack)

    def _handle(self, msg: mqtt.MQTTMessage) -> None:
        """Store one message; ContractError / RefusedError when it can never be stored."""
        station_id, leaf = split_station_topic(msg.topic)
        if leaf == "up/batch":
            self._batch(station_id, msg)
        elif leaf == "up/correction":
            self._correction(station_id, parse(Correction, msg.payload))
        elif leaf == "status":
            apply_status(station_id, parse(Status, msg.payload), retained=msg.retain)
        elif leaf == "health":
            apply_health(station_id, parse(Health, msg.payload), retained=msg.retain)
        elif leaf == "reported":
            apply_reported(station_id, parse(Reported, msg.payload), retained=msg.retain)
        elif leaf.startswith("job/"):
            if apply_job_state(station_id, leaf[4:], parse(JobState, msg.payload)):
                mark_seen(station_id)
        else:
            logger.warning("%s: not a topic HQ handles; ignored", msg.topic)

    def _batch(self, station_id: str, msg: mqtt.MQTTMessage) -> None:
        """Store one batch alone and send its Ack (one refused as a whole is kept as a dead letter and answered)."""
        ack = process_batch(station_id, msg.payload, worker=self.name, topic=msg.topic)
        crash_point("hq.ingest.before_ack")
        if ack is not None:
            self._send_ack(station_id, msg, ack)

    def _correction(self, station_id: str, correction: Correction) -> None:
        """Store a correction request with the office's correction, then ack it (RefusedError: station not enrolled)."""
        ack = receive_correction(station_id, correction)
        if ack is None:
            raise RefusedError(f"correction request {correction.record_id} from station {station_id}, which HQ has not "
                          "enrolled (enrol the station, then it is taken when sent again)", "station.unknown")
        mark_seen(station_id)
        info = self.client.publish(station_topic(station_id, "correction/ack"), dump(ack), qos=1)
        if not wait_published(info, self.ack_wait_s):
            logger.warning("correction ack to %s not confirmed yet; the station sends it again", station_id)

    def _send_ack(self, station_id: str, msg: mqtt.MQTTMessage, ack: Ack) -> None:
        """Publish one Ack (`_send_acks`)."""
        self._send_acks([(station_id, msg, ack)])

    def _send_acks(self, acks: list[tuple[str, mqtt.MQTTMessage, Ack]]) -> None:
        """Publish each Ack on its station's ack topic with its batch's correlation data, then wait for the
        broker to confirm them (bounded: an unconfirmed one is resent by the client on reconnect)."""
        sent = []
        for station_id, msg, ack in acks:
            expected = station_topic(station_id, "ack")
            asked = getattr(msg.properties, "ResponseTopic", None) if msg.properties else None
            if asked not in (None, expected):
                logger.warning("batch %s from %s asked for its ack on %r; sent on %s", ack.batch_id, station_id,
                               asked, expected)
            props = Properties(PacketTypes.PUBLISH)
            props.CorrelationData = (getattr(msg.properties, "CorrelationData", None) if msg.properties else None) \
                or ack.batch_id.encode()
            sent.append((ack, station_id, self.client.publish(expected, dump(ack), qos=1, properties=props)))
            crash_point("hq.ingest.after_ack")
        for ack, station_id, info in sent:
            if not wait_published(info, self.ack_wait_s):
                logger.warning("ack of batch %s to %s not confirmed by the broker yet; it is resent on reconnect",
                               ack.batch_id, station_id)


def run_worker(broker: Broker, name: str = "1", seconds: float | None = None,
               stop: threading.Event | None = None) -> None:
    """Run one worker until `stop` is set (SIGTERM/SIGINT in the CLI) or `seconds` have passed.

    The main thread waits in steps of SIGNAL_POLL_S, never in one wait without end: the kernel may deliver a
    SIGTERM to any of the process's threads (paho's, the handling thread, the verifying pool), and Python then runs
    its handler only when the main thread next runs Python code. A main thread asleep in one endless wait never
    did, so the worker never stopped (seen in CI: SIGKILLed 15 s after its SIGTERM)."""
    stop = stop or threading.Event()
    worker = IngestWorker(broker, name).start()
    deadline = None if seconds is None else time.monotonic() + seconds
    try:
        while not stop.is_set():
            left = SIGNAL_POLL_S if deadline is None else min(SIGNAL_POLL_S, deadline - time.monotonic())
            if left <= 0:
                break
            stop.wait(left)
    finally:
        worker.stop()
