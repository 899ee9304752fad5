"""Taking a group of batches from an ingest worker's inbox (group commit, issue 22 point 1).

The worker's network thread queues every message it receives; its handling thread takes a batch and the batches
queued behind it, up to the group's limits (settings.HQ_INGEST_GROUP_BATCHES, HQ_INGEST_GROUP_MB), waiting at most
HQ_INGEST_GROUP_WAIT_MS after the first for more. Messages of other kinds met meanwhile (status, health, a
correction…) are set aside, up to MAX_SET_ASIDE, and handled in their order right after the group is stored.

They used to end the group: but a station sends its Health after each ack, and a fleet's health and status come
every minute from every kit, so groups hardly ever held more than one batch (measured: every group of the link
bench held one; each paid its own two flushes). Batches keep their order, the other messages theirs; the one
thing that moves is a message of another kind, handled after batches that came behind it. Nothing HQ does with
those depends on that order: a Health is a snapshot shown as the latest, a status carries its epoch, a correction
names a record that came in an earlier batch (or is still unknown, as before).
"""

import logging
import queue
import threading
import time

import paho.mqtt.client as mqtt
from django.conf import settings
from django.db import close_old_connections, connections

from contract.wire import Ack, ContractError, split_station_topic
from hq.ingest.batches import Incoming, process_batches
from hq.ingest.dead_letters import RETRY_S, is_transient

logger = logging.getLogger(__name__)

NOTHING = object()  # the group ended on a limit or on the wait: no message taken that ends it
MAX_SET_ASIDE = 1000  # messages of other kinds one group may set aside before it ends (a bound on their delay)
ALONE = object()  # the group cannot be stored together: each batch alone


def is_batch(msg: mqtt.MQTTMessage | None) -> bool:
    """True for a station's batch (`…/up/batch`)."""
    return msg is not None and msg.topic.endswith("/up/batch")


def gather(inbox: "queue.Queue[mqtt.MQTTMessage | None]", first: mqtt.MQTTMessage) -> tuple[
        list[mqtt.MQTTMessage], list[mqtt.MQTTMessage], "mqtt.MQTTMessage | object | None"]:
    """The batch `first` and the batches behind it in `inbox`, within the group's limits; the messages of other
    kinds met meanwhile (to handle after the group, in this order); and what ended the group: None (the worker's
    stop), a message of another kind once MAX_SET_ASIDE are set aside, or NOTHING."""
    group, aside, size = [first], [], len(first.payload)
    deadline = time.monotonic() + settings.HQ_INGEST_GROUP_WAIT_MS / 1000
    while len(group) < settings.HQ_INGEST_GROUP_BATCHES and size < settings.HQ_INGEST_GROUP_MB * 2**20:
        try:
            msg = inbox.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return group, aside, NOTHING
        if msg is None or (not is_batch(msg) and len(aside) >= MAX_SET_ASIDE):
            return group, aside, msg
        if is_batch(msg):
            group.append(msg)
            size += len(msg.payload)
        else:
            aside.append(msg)
    return group, aside, NOTHING


def store_until_done(group: list[mqtt.MQTTMessage], stopping: threading.Event,
                     worker: str) -> "list[Ack | None] | object | None":
    """The group's Acks once stored (hq.ingest.batches.process_batches), retried while the failure may pass (the
    database locked or gone, the disk); ALONE when the group cannot be stored together (a station id the contract
    refuses, or a failure that will not pass: the worker then stores each batch alone, where a bad one ends as a
    dead letter); None when `stopping` is set first."""
    try:
        items = [Incoming(split_station_topic(msg.topic)[0], msg.payload, msg.topic) for msg in group]
    except ContractError:
        return ALONE
    attempt = 0
    while not stopping.is_set():
        close_old_connections()
        try:
            return process_batches(items, worker=worker)
        except Exception as e:  # every failure is retried or ends with each batch alone
            connections.close_all()
            if not is_transient(e):
                logger.warning("ingest worker %s: a group of %d batches failed (%s: %s); storing them one by one",
                               worker, len(group), type(e).__name__, e)
                return ALONE
            logger.exception("ingest worker %s: a group of %d batches could not be stored; trying again", worker,
                             len(group))
        stopping.wait(RETRY_S[min(attempt, len(RETRY_S) - 1)])
        attempt += 1
    return None
