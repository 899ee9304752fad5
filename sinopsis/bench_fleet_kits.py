"""One process of `sinopsis bench fleet`'s simulated kits (sinopsis/bench_fleet_kit.py): a few hundred kits driven
by one selector loop over their sockets through paho's external-loop API (`on_socket_open`/`_close`,
`on_socket_register_write`/`_unregister_write`, `loop_read`, `loop_write`, `loop_misc`), so 1,000 kits are a few
processes with one socket each, not 1,000 threads.

`python -m sinopsis.bench_fleet_kits SPEC.json` (written by sinopsis/bench_fleet.py): seal every kit's pool of
records, connect every kit, print `{"event": "ready"}` once each is subscribed and has heard HQ's ingest say
online, wait for `go` on stdin, run `seconds` releasing records on schedule, then drain (no new records; wait,
at most `drain_s`, until every record sent is answered), stop every kit cleanly (retained `offline`, DISCONNECT)
and print `{"event": "result", …}`: the counts, the ids sent and answered, and the Ack times. SIGTERM or SIGHUP
(or `stop` on stdin) end the run early through the same clean stop.
"""

import json
import os
import selectors
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import paho.mqtt.client as mqtt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from contract.packets import seal_record
from sinopsis.bench_fleet_kit import Kit
from sinopsis.signals import stop_on_signals

TICK_S = 0.1  # every kit's timers (release, expiry, sending, health, keepalive) are looked at this often
CONNECT_WAIT_S = 120.0
STOP_WAIT_S = 10.0


def seal_pool(station_id: str, key: Ed25519PrivateKey, hq_key: X25519PublicKey, count: int) -> list:
    """`count` small sealed records (record id, seq, packet bytes) of one station, seq 1…count: a record's JSON
    and a 64-byte stand-in for its images, so the pools of 1,000 kits are made in seconds."""
    return [(f"{station_id}-r{seq:05d}", seq,
             seal_record(record_id=f"{station_id}-r{seq:05d}", station_id=station_id, seq=seq,
                         created_at="2026-12-07T03:04:05+00:00",
                         files={"record.json": b'{"seq": %d}' % seq, "face.png": os.urandom(64)},
                         station_key=key, hq_public_key=hq_key))
            for seq in range(1, count + 1)]


class KitLoop:
    """One selector over every kit's socket; paho's socket callbacks keep each registered for reading, and for
    writing while its client has bytes waiting."""

    def __init__(self) -> None:
        self.selector = selectors.DefaultSelector()
        self.stopping = False
        self.started = float("inf")  # records are due from `go` on

    def attach(self, client: mqtt.Client) -> None:
        """Let `client` (before it connects) register its socket here."""
        client.on_socket_open = lambda c, _u, sock: self.selector.register(sock, selectors.EVENT_READ, c)
        client.on_socket_close = lambda _c, _u, sock: self._set(sock, 0, None)
        client.on_socket_register_write = lambda c, _u, sock: self._set(
            sock, selectors.EVENT_READ | selectors.EVENT_WRITE, c)
        client.on_socket_unregister_write = lambda c, _u, sock: self._set(sock, selectors.EVENT_READ, c)

    def _set(self, sock: object, events: int, client: mqtt.Client | None) -> None:
        try:
            if events:
                self.selector.modify(sock, events, client)
            else:
                self.selector.unregister(sock)
        except (KeyError, ValueError):
            pass  # closed meanwhile

    def pump(self, timeout: float) -> None:
        """Read and write whatever the sockets are ready for, waiting at most `timeout`."""
        for key, events in self.selector.select(timeout):
            client = key.data
            if events & selectors.EVENT_READ:
                client.loop_read()
            if events & selectors.EVENT_WRITE and client.socket() is not None:
                client.loop_write()

    def run(self, kits: list[Kit], until: float, release_until: float | None = None,
            done: Callable[[], bool] | None = None) -> None:
        """Pump and tick every kit until monotonic `until` (or `done()` says so); records due up to
        `release_until` (default: now) are released."""
        next_tick = 0.0
        while (now := time.monotonic()) < until:
            if now >= next_tick:
                for kit in kits:
                    kit.tick(now, now if release_until is None else min(now, release_until))
                next_tick = now + TICK_S
                if done is not None and done():
                    return
            self.pump(max(0.0, min(next_tick, until) - time.monotonic()))


def _control(events: dict[str, threading.Event]) -> None:
    """Read the bench's commands on stdin (`go`, `stop`); end of input is a stop."""
    for line in sys.stdin:
        if line.strip() in events:
            events[line.strip()].set()
    events["stop"].set()


def _say(event: str, **fields: object) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


def run(spec: dict) -> dict:
    """The whole life of this process's kits (see the module's docstring); the result it prints."""
    hq_key = X25519PublicKey.from_public_bytes(bytes.fromhex(spec["hq_key"]))
    count = spec["backlog"] + int(spec["seconds"] / spec["record_s"]) + 1
    start = time.monotonic()
    loop = KitLoop()
    kits = [Kit(loop, s["id"], s["password"],
                seal_pool(s["id"], Ed25519PrivateKey.from_private_bytes(bytes.fromhex(s["key"])), hq_key, count),
                spec) for s in spec["stations"]]
    sealed_s = time.monotonic() - start
    events = {"go": threading.Event(), "stop": threading.Event()}
    threading.Thread(target=_control, args=(events,), daemon=True).start()
    try:
        for kit in kits:
            kit.connect(time.monotonic())
            loop.pump(0)
        deadline = time.monotonic() + CONNECT_WAIT_S
        loop.run(kits, deadline, release_until=0.0,
                 done=lambda: events["stop"].is_set() or all(k.subscribed and k.ingest_online for k in kits))
        if not all(k.subscribed and k.ingest_online for k in kits):
            missing = [k.id for k in kits if not (k.subscribed and k.ingest_online)]
            raise RuntimeError(f"{len(missing)} kit(s) not connected with HQ ingest online after "
                               f"{CONNECT_WAIT_S:g} s, e.g. {missing[:3]}")
        _say("ready", kits=len(kits), sealed_s=round(sealed_s, 2), records_per_kit=count)
        while not events["go"].wait(TICK_S) and not events["stop"].is_set():
            loop.run(kits, time.monotonic() + TICK_S, release_until=0.0)
        loop.started = time.monotonic()
        end = loop.started + spec["seconds"]
        loop.run(kits, end, done=events["stop"].is_set)
        drain_end = time.monotonic() + spec["drain_s"]
        loop.run(kits, drain_end, release_until=end,
                 done=lambda: events["stop"].is_set() or all(not k.outbox for k in kits))
        drained_s = time.monotonic() - end
    finally:
        loop.stopping = True
        for kit in kits:
            kit.stop()
        stop_by = time.monotonic() + STOP_WAIT_S
        while loop.selector.get_map() and time.monotonic() < stop_by:
            loop.pump(0.1)
    return {"kits": len(kits), "sealed_s": sealed_s, "drain_s": drained_s,
            "counts": {name: sum(k.counts[name] for k in kits) for name in kits[0].counts},
            "made": sum(k.made for k in kits),
            "sent": [r for k in kits for r in k.first_sent],
            "answered": {r: a for k in kits for r, a in k.answered.items()},
            "ack_ms": [round(t, 1) for k in kits for t in k.ack_ms]}


def main(argv: list[str] | None = None) -> int:
    spec = json.loads(Path((argv or sys.argv[1:])[0]).read_text())
    with stop_on_signals():  # SIGTERM / SIGHUP: every kit stops cleanly in run()'s finally
        try:
            result = run(spec)
        except KeyboardInterrupt:
            return 1
    _say("result", **result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
