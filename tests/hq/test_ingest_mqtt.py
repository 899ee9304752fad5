"""The ingest worker against a real mosquitto: batches stored before they are acked, duplicates and conflicts
over MQTT, bad input on every topic logged and survived, the ingest state with its Will, and two workers on the
shared subscription storing every record exactly once."""

import logging

from django.db import connection

from contract.batch import write_batch
from contract.wire import MAX_BATCH_BYTES
from hq.fleet.models import Station, StatusChange
from hq.ingest.models import Batch, Quarantine, Record
from hq.ingest.storage import data_dir
from tests.hq.standin import wait_for


def test_a_batch_is_on_disk_and_in_the_database_before_its_ack(start_worker, stand_in, packet):
    at_ack: dict[str, tuple[bool, bool]] = {}

    def check(ack):  # runs when the ack arrives, in the stand-in's network thread
        for record_id in ack.accepted:
            row = Record.objects.filter(pk=record_id).first()
            at_ack[record_id] = (row is not None, row is not None and (data_dir() / row.path).is_file())
        connection.close()

    start_worker()
    station = stand_in("st-a", on_ack=check)
    station.wait_ingest_online()
    ack = station.send_batch("b-1", [("r-1", 1, packet("st-a", "r-1", 1)), ("r-2", 2, packet("st-a", "r-2", 2))])
    assert ack.accepted == ["r-1", "r-2"]
    assert at_ack == {"r-1": (True, True), "r-2": (True, True)}
    assert Station.objects.get(pk="st-a").last_seen is not None


def test_duplicate_and_conflicting_resends_over_mqtt(start_worker, stand_in, packet):
    start_worker()
    station = stand_in("st-a")
    first = packet("st-a", "r-1", 1, b"first")
    assert station.send_batch("b-1", [("r-1", 1, first)]).accepted == ["r-1"]
    assert station.send_batch("b-2", [("r-1", 1, first)]).duplicate == ["r-1"]
    other = packet("st-a", "r-1", 1, b"other")
    ack = station.send_batch("b-3", [("r-1", 1, other), ("r-2", 2, packet("st-a", "r-2", 2))])
    assert [(r.record_id, r.code) for r in ack.rejected] == [("r-1", "record.conflict")] and ack.accepted == ["r-2"]
    assert (data_dir() / Record.objects.get(pk="r-1").path).read_bytes() == first
    assert Quarantine.objects.count() == 1


def test_unknown_station_and_tampered_packet_over_mqtt(start_worker, stand_in, packet, station_keys):
    start_worker()
    unknown = stand_in("st-x")  # can log in to the broker, but HQ never enrolled it
    ack = unknown.send_batch("b-1", [("r-1", 1, packet("st-x", "r-1", 1, key=station_keys["st-a"]))])
    assert [(r.record_id, r.code) for r in ack.rejected] == [("r-1", "station.unknown")]
    tampered = bytearray(packet("st-a", "r-2", 1))
    tampered[30] ^= 1
    ack = stand_in("st-a").send_batch("b-2", [("r-2", 1, bytes(tampered))])
    assert [(r.record_id, r.code) for r in ack.rejected] == [("r-2", "packet.signature")]
    assert not Record.objects.exists()


GARBAGE = [b"\xff\xfe", b"{not json", b"[]", b'{"state": "asleep", "epoch": 1}', b'{"unexpected": true}',
           b"{" + b'"a":' * 10 + b"1" + b"}" * 10]


def test_garbage_on_every_topic_is_logged_and_nothing_is_lost(start_worker, stand_in, packet, caplog):
    caplog.set_level(logging.WARNING, logger="hq")
    start_worker()
    station = stand_in("st-a")
    assert station.send_batch("b-0", [("r-0", 1, packet("st-a", "r-0", 1))]).accepted == ["r-0"]
    leaves = ["status", "health", "reported", "job/j-1", "up/batch", "unknown/leaf"]
    for leaf in leaves:
        for payload in GARBAGE:
            station.publish(leaf, payload)
    station.publish("health", b'{"epoch": 1, "ts": "' + b"x" * 300_000 + b'"}')  # over the JSON size limit
    ack = station.send_batch("b-1", [("r-1", 2, packet("st-a", "r-1", 2))])  # the worker lives on
    assert ack.accepted == ["r-1"]
    assert set(Record.objects.values_list("pk", flat=True)) == {"r-0", "r-1"}
    # messages of other kinds that came between batches are handled right after the batches' group, which may be
    # after b-1's ack (hq/ingest/inbox.py): wait for the last of them
    wait_for(lambda: any("contract.too_large" in r.getMessage() for r in list(caplog.records)),
             what="the oversize Health refused")
    refused = [r.getMessage() for r in list(caplog.records) if "refused" in r.getMessage()]
    for leaf in ("status", "health", "reported", "job/j-1"):
        assert sum(f"/st-a/{leaf}: refused" in m and "too_large" not in m for m in refused) == len(GARBAGE), leaf
    assert sum("batch from st-a refused" in m for m in refused) == len(GARBAGE)
    assert any("contract.too_large" in m for m in refused)
    assert Batch.objects.filter(error__in=["contract.json", "contract.schema", "contract.batch"]).count() == \
        len(GARBAGE)


def test_an_oversize_batch_over_mqtt_gets_every_record_rejected(start_worker, stand_in, packet):
    start_worker()
    station = stand_in("st-a")
    head = write_batch("b-big", "st-a", [("r-1", 1, packet("st-a", "r-1", 1))])
    station.publish_batch("b-big", payload=head + b"\0" * (MAX_BATCH_BYTES + 1 - len(head)))
    ack = station.wait_ack("b-big")
    assert [(r.record_id, r.code) for r in ack.rejected] == [("r-1", "contract.too_large")]
    assert station.send_batch("b-2", [("r-1", 1, packet("st-a", "r-1", 1))]).accepted == ["r-1"]


def test_retained_garbage_is_refused_at_start_and_good_state_still_applies(start_worker, stand_in, caplog,
                                                                           station_keys):
    caplog.set_level(logging.WARNING, logger="hq")
    station = stand_in("st-a")
    for leaf in ("status", "health", "reported"):
        station.publish(leaf, b"\x00garbage", retain=True)
    start_worker()  # gets the retained garbage as it subscribes
    wait_for(lambda: sum("[retained]" in r.getMessage() for r in caplog.records) >= 3, what="retained refusals")
    station.publish("status", b'{"state": "online", "epoch": 4}', retain=True)
    wait_for(lambda: Station.objects.filter(pk="st-a", status_state="online", status_epoch=4).exists(),
             what="the good status")


def test_ingest_state_online_with_a_will_and_kept_online_while_a_worker_runs(start_worker, hq_broker, stand_in):
    from hq.ingest.worker import IngestWorker

    station = stand_in("st-a")
    first = start_worker("w1")
    station.wait_ingest_online()
    second = IngestWorker(hq_broker, "w2").start()
    assert second.ready.wait(10)
    wait_for(lambda: len(station.ingest_states) >= 2, what="w2 saying online")
    seen = len(station.ingest_states)
    second.client.loop_stop()
    second.client.socket().close()  # w2 dies without a goodbye: its Will says offline, and w1 answers online
    wait_for(lambda: station.ingest_states[seen:][-2:] == [False, True], what="w2's Will, then w1 online again")
    first.stop()
    wait_for(lambda: station.ingest_states[-1] is False, what="the clean stop of the last worker")
    assert station.ingest_online is False


def test_two_workers_on_the_shared_subscription_store_each_record_once(start_worker, stand_in, packet):
    start_worker("w1")
    start_worker("w2")
    station = stand_in("st-a")
    batches = {f"b-{n}": [(f"r-{n}-{i}", 2 * n + i + 1, packet("st-a", f"r-{n}-{i}", 2 * n + i + 1))
                          for i in range(2)] for n in range(20)}
    for batch_id, packets in batches.items():
        station.publish_batch(batch_id, packets)
    acks = {batch_id: station.wait_ack(batch_id) for batch_id in batches}
    accepted = [r for ack in acks.values() for r in ack.accepted]
    assert sorted(accepted) == sorted(r for packets in batches.values() for r, _, _ in packets)
    assert not any(ack.duplicate or ack.rejected for ack in acks.values())
    assert Record.objects.count() == 40
    assert set(Batch.objects.values_list("worker", flat=True)) == {"w1", "w2"}  # both took a share
    station.publish("status", b'{"state": "online", "epoch": 9}')
    wait_for(lambda: Station.objects.filter(pk="st-a", status_epoch=9).exists(), what="the status")
    assert StatusChange.objects.filter(station="st-a", epoch=9).count() == 1  # both workers saw it, one row
