"""The broker's ACL by direction, end to end, written once for both brokers (the password one of
provisioning/broker.py and the TLS one of provisioning/broker_tls.py): real mosquitto, real MQTT 5 clients.

Station A forges what only HQ may send (its own `cmd/…`, `ack`, `correction/ack`, `desired`; B's topics both
ways; HQ's ingest state) and HQ forges what only stations send. Every forged publish is dropped by the broker
(QoS 1 answered "Not authorized") while the legitimate ones of the same run arrive, so the test is not vacuous.
Ordering makes it exact without sleeping: all forged messages are sent and PUBACKed before the legitimate ones
that are waited for, and mosquitto queues to each subscriber in order, so a forged message that had got through
would already be there. Subscriptions are granted by mosquitto 2.0's acl_file (it checks reading when it
delivers, not when one subscribes), so "cannot subscribe" is proven by nothing of B's ever reaching A.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import paho.mqtt.client as mqtt

from contract.wire import INGEST_STATE, PREFIX

WAIT_S = 10.0  # bounds a failure only


@dataclass
class Peer:
    """A connected paho client that keeps what it receives and the reason of every PUBACK."""

    client: mqtt.Client
    received: list[tuple[str, bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        connected, subscribed = threading.Event(), threading.Event()
        self.client.on_connect = lambda _c, _u, _f, reason, _p: connected.set() if not reason.is_failure else None
        self.client.on_subscribe = lambda *_a: subscribed.set()
        self.client.on_message = self._on_message
        self.client.loop_start()
        assert connected.wait(WAIT_S), "the broker did not accept the client"
        self.client.subscribe(f"{PREFIX}/#", qos=1)  # everything: the ACL decides what it gets
        assert subscribed.wait(WAIT_S), "no SUBACK"

    def _on_message(self, _c: mqtt.Client, _u: object, msg: mqtt.MQTTMessage) -> None:
        with self.lock:
            self.received.append((msg.topic, msg.payload))

    def publish(self, topic: str, payload: bytes, qos: int = 1) -> str:
        """Publish and wait for the broker's answer; the PUBACK reason ("Success", "Not authorized")."""
        reasons: list[str] = []
        self.client.on_publish = lambda _c, _u, _mid, reason, _p: reasons.append(str(reason))
        self.client.publish(topic, payload, qos=qos).wait_for_publish(WAIT_S)
        return reasons[0] if reasons else "sent"

    def got(self) -> set[tuple[str, bytes]]:
        with self.lock:
            return set(self.received)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def st(station: str, leaf: str) -> str:
    return f"{PREFIX}/st/{station}/{leaf}"


def check_acl_by_direction(connect: Callable[[str], mqtt.Client], a: str, b: str, hq_user: str = "hq-ingest"
                           ) -> None:
    """`connect(user)` gives a paho MQTT 5 client connecting as `user` (loop not started); `a` and `b` are
    stations the broker knows, `hq_user` an HQ user."""
    hq, sa, sb = Peer(connect(hq_user)), Peer(connect(a)), Peer(connect(b))
    sa.client.subscribe(st(b, "up/batch"), qos=1)  # granted, and still nothing of B's may reach A
    try:
        forged_by_a = [st(a, "cmd/j-forged"), st(a, "ack"), st(a, "correction/ack"), st(a, "desired"),
                       st(b, "cmd/j-forged"), st(b, "ack"), st(b, "correction/ack"), st(b, "desired"),
                       st(b, "up/batch"), st(b, "up/correction"), st(b, "status"), st(b, "health"),
                       st(b, "reported"), st(b, "job/j-1"), INGEST_STATE, f"{PREFIX}/hq/other"]
        sa.publish(st(a, "cmd/j-q0"), b"forged", qos=0)  # QoS 0: no answer, dropped all the same
        answers = {("A", t): sa.publish(t, b"forged") for t in forged_by_a}
        sent_by_a = [st(a, leaf) for leaf in ("up/batch", "up/correction", "status", "health", "reported",
                                             "job/j-1")]
        answers |= {("A", t): sa.publish(t, b"A") for t in sent_by_a}
        answers[("B", st(b, "up/batch"))] = sb.publish(st(b, "up/batch"), b"B")

        forged_by_hq = [st(a, leaf) for leaf in ("up/batch", "up/correction", "status", "health", "reported",
                                                "job/j-1")] + [f"{PREFIX}/st/other"]
        answers |= {("HQ", t): hq.publish(t, b"forged") for t in forged_by_hq}
        sent_by_hq = [st(a, leaf) for leaf in ("cmd/j-real", "ack", "correction/ack", "desired")] + [
            st(b, "cmd/j-real"), INGEST_STATE]
        answers |= {("HQ", t): hq.publish(t, b"HQ") for t in sent_by_hq}

        wants = {
            "A": (sa, {(t, b"HQ") for t in sent_by_hq if t.startswith(st(a, "")) or t == INGEST_STATE}),
            "B": (sb, {(st(b, "cmd/j-real"), b"HQ"), (INGEST_STATE, b"HQ")}),
            "HQ": (hq, {(t, b"A") for t in sent_by_a} | {(st(b, "up/batch"), b"B"), (INGEST_STATE, b"HQ")}),
        }
        end = time.monotonic() + WAIT_S
        while any(not want <= peer.got() for peer, want in wants.values()) and time.monotonic() < end:
            time.sleep(0.02)
        for name, (peer, want) in wants.items():  # exactly: nothing forged, nothing of another station
            assert peer.got() == want, f"{name} got {sorted(peer.got() ^ want)} more or less than it should"
        # MQTT 5: the broker answers a refused QoS 1 publish with PUBACK 0x87, so a station's agent can log it
        expected = {(who, t): "Not authorized" for who, ts in (("A", forged_by_a), ("HQ", forged_by_hq)) for t in ts}
        expected |= {(who, t): "Success" for who, ts in (("A", sent_by_a), ("B", [st(b, "up/batch")]),
                                                         ("HQ", sent_by_hq)) for t in ts}
        assert answers == expected, {k: v for k, v in answers.items() if expected.get(k) != v}
    finally:
        for peer in (hq, sa, sb):
            peer.close()
