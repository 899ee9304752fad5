"""Group commit at ingest (issue 22 point 1, hq/ingest/group.py): several stations' batches stored together with
HQ's per-record rules intact, the number of queries independent of how many records a group holds, and a real
worker taking the batches its session kept for it as one group."""

import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contract.batch import write_batch
from hq.ingest.batches import Incoming, process_batches
from hq.ingest.models import Batch, Quarantine, Record
from tests.hq.standin import wait_for


def _batch(packet, station: str, batch_id: str, first: int, count: int, content: bytes = b"photo") -> Incoming:
    records = [(f"{station}-r{n}", n, packet(station, f"{station}-r{n}", n, content)) for n in range(first,
                                                                                                    first + count)]
    return Incoming(station, write_batch(batch_id, station, records))


def test_a_group_stores_each_stations_batches_and_answers_each(hq, packet):
    group = [_batch(packet, "st-a", "a-1", 1, 3), _batch(packet, "st-b", "b-1", 1, 2),
             _batch(packet, "st-a", "a-2", 4, 1)]
    acks = process_batches(group, worker="w")
    assert [(a.batch_id, a.accepted) for a in acks] == [("a-1", ["st-a-r1", "st-a-r2", "st-a-r3"]),
                                                        ("b-1", ["st-b-r1", "st-b-r2"]), ("a-2", ["st-a-r4"])]
    assert Record.objects.count() == 6 and len(list((hq / "records/st-a").iterdir())) == 4
    logs = {b.batch_id: (b.station_id, b.accepted, b.finished_at is not None) for b in Batch.objects.all()}
    assert logs == {"a-1": ("st-a", 3, True), "b-1": ("st-b", 2, True), "a-2": ("st-a", 1, True)}
    assert {r.batch.batch_id for r in Record.objects.filter(station_id="st-b")} == {"b-1"}


def test_in_a_group_the_same_record_twice_is_a_duplicate_and_other_content_a_conflict(hq, packet):
    r1, r2 = packet("st-a", "r1", 1), packet("st-a", "r2", 2)
    process_batches([Incoming("st-a", write_batch("old", "st-a", [("r1", 1, r1)]))])
    resent = Incoming("st-a", write_batch("again", "st-a", [("r1", 1, r1), ("r2", 2, r2)]))  # r1 held already
    twice = Incoming("st-a", write_batch("twice", "st-a", [("r2", 2, r2)]))  # r2 again in the same group
    lost_db = Incoming("st-a", write_batch("other", "st-a", [("r1", 1, packet("st-a", "r1", 1, b"another"))]))
    acks = process_batches([resent, twice, lost_db])
    assert (acks[0].accepted, acks[0].duplicate) == (["r2"], ["r1"])
    assert (acks[1].accepted, acks[1].duplicate) == ([], ["r2"])
    assert [(r.record_id, r.code) for r in acks[2].rejected] == [("r1", "record.conflict")]
    assert dict(Record.objects.values_list("record_id", "duplicates")) == {"r1": 1, "r2": 1}
    assert Quarantine.objects.get().record_id == "r1" and len(list((hq / "records/st-a").iterdir())) == 2


def test_a_group_rejects_per_record_and_refuses_whole_batches_alone(hq, packet):
    good = _batch(packet, "st-a", "good", 1, 2)
    forged = Incoming("st-b", write_batch("forged", "st-b", [("st-b-r1", 1, packet("st-a", "st-b-r1", 1))]))
    stranger = _batch(packet, "st-a", "stranger", 9, 1)
    stranger = Incoming("st-x", stranger.payload)  # on another station's topic, and that one is not enrolled
    acks = process_batches([good, forged, stranger])
    assert acks[0].accepted == ["st-a-r1", "st-a-r2"]
    assert [(r.record_id, r.code) for r in acks[1].rejected] == [("st-b-r1", "packet.signature")]  # st-a's key
    assert [(r.record_id, r.code) for r in acks[2].rejected] == [("st-a-r9", "station.mismatch")]
    assert sorted(Record.objects.values_list("pk", flat=True)) == ["st-a-r1", "st-a-r2"]


def test_in_a_group_a_record_whose_bytes_differ_from_its_sha256_is_refused_alone(hq, packet):
    sealed = packet("st-a", "r2", 2)
    records = [("r1", 1, packet("st-a", "r1", 1)), ("r2", 2, sealed[:-1] + bytes([sealed[-1] ^ 1])),
               ("r3", 3, packet("st-a", "r3", 3))]
    digests = [None, hashlib.sha256(sealed).hexdigest(), None]  # r2's file changed on the station after sealing
    acks = process_batches([Incoming("st-a", write_batch("a", "st-a", records, digests)), _batch(packet, "st-b", "b",
                                                                                                 1, 1)])
    assert acks[0].accepted == ["r1", "r3"] and [(r.record_id, r.code) for r in acks[0].rejected] == \
        [("r2", "packet.altered")]
    assert acks[1].accepted == ["st-b-r1"] and not (hq / "records/st-a").joinpath("r2").exists()
    assert sorted(Record.objects.values_list("pk", flat=True)) == ["r1", "r3", "st-b-r1"]


def test_a_record_another_worker_commits_meanwhile_fails_the_group_and_leaves_no_orphan_file(hq, packet,
                                                                                             monkeypatch):
    """Two workers on the shared subscription: while this group writes its files, another worker commits one of its
    record ids with other content. The group's commit fails (IntegrityError, nothing acked) and it removes the
    file it wrote for that record, which no row can ever name; the one-by-one pass that follows stores the rest
    and quarantines the conflict. Every file under records/ is then named by a row."""
    from django.db import IntegrityError

    from hq.ingest import group as group_commit

    ours = Incoming("st-a", write_batch("ours", "st-a", [("r1", 1, packet("st-a", "r1", 1)),
                                                         ("r2", 2, packet("st-a", "r2", 2))]))
    theirs = Incoming("st-a", write_batch("theirs", "st-a", [("r1", 1, packet("st-a", "r1", 1, b"other"))]))
    write, raced = group_commit._write_files, []

    def write_while_the_other_worker_commits(records):
        write(records)
        if not raced:  # between this group's files and its transaction: the other worker's whole commit
            raced.append(None)
            raced[0] = process_batches([theirs], worker="other")[0]

    monkeypatch.setattr(group_commit, "_write_files", write_while_the_other_worker_commits)
    with pytest.raises(IntegrityError):
        process_batches([ours], worker="this")
    assert raced[0].accepted == ["r1"] and not Batch.objects.filter(batch_id="ours").exists()
    files = {f"records/st-a/{p.name}" for p in (hq / "records/st-a").iterdir()}
    assert files == {Record.objects.get().path, f"records/st-a/{_named('r2', hq)}"}  # r2: written, not yet held
    from hq.ingest.batches import process_batch

    ack = process_batch("st-a", ours.payload)  # the worker's pass that follows: each batch alone, the one-record way
    assert ack.accepted == ["r2"] and [(r.record_id, r.code) for r in ack.rejected] == [("r1", "record.conflict")]
    assert Quarantine.objects.get().record_id == "r1"
    assert {f"records/st-a/{p.name}" for p in (hq / "records/st-a").iterdir()} == set(
        Record.objects.values_list("path", flat=True))


def _named(record_id: str, hq) -> str:
    (name,) = [p.name for p in (hq / "records/st-a").glob(f"{record_id}.*")]
    return name

@pytest.mark.parametrize("records", [2, 20])
def test_a_groups_queries_do_not_grow_with_its_records(hq, packet, records):
    group = [_batch(packet, "st-a", "a", 1, records // 2), _batch(packet, "st-b", "b", 1, records - records // 2)]
    with CaptureQueriesContext(connection) as queries:
        acks = process_batches(group)
    assert sum(len(a.accepted) for a in acks) == records
    # stations, assignments, held ids, batches, records, each station's tally (its first: update, savepoint, insert,
    # release), batch counts, last seen, the transaction's savepoint: the same for 2 records as for 20
    assert len(queries) == 9 + 4 * 2


def test_a_worker_takes_the_batches_its_session_kept_as_one_group(start_worker, stand_in, packet, monkeypatch):
    from django.conf import settings

    monkeypatch.setattr(settings, "HQ_INGEST_GROUP_BATCHES", 4)  # the group closes at 4 batches…
    monkeypatch.setattr(settings, "HQ_INGEST_GROUP_WAIT_MS", 10_000)  # …however slowly paho hands them over
    station = stand_in("st-a")
    worker = start_worker("g")
    station.wait_ingest_online()
    worker.stop()  # its persistent session keeps what comes meanwhile
    for n in range(4):
        station.publish_batch(f"b-{n}", [(f"r-{n}", n + 1, packet("st-a", f"r-{n}", n + 1))])
    start_worker("g")
    acks = [station.wait_ack(f"b-{n}", 20) for n in range(4)]
    assert [a.accepted for a in acks] == [[f"r-{n}"] for n in range(4)]
    wait_for(lambda: Batch.objects.count() == 4, what="the four batches logged")
    assert len(set(Batch.objects.values_list("received_at", flat=True))) == 1  # stored together: one commit


def test_a_worker_groups_batches_past_a_stations_health_and_handles_it_after(start_worker, stand_in, packet,
                                                                              monkeypatch):
    """A station sends its Health after each ack, a fleet every minute: such messages are set aside, no longer
    ending the group (issue 22: every group of the link bench held one batch), and handled after it in order."""
    from django.conf import settings

    from hq.fleet.models import Station

    monkeypatch.setattr(settings, "HQ_INGEST_GROUP_BATCHES", 3)
    monkeypatch.setattr(settings, "HQ_INGEST_GROUP_WAIT_MS", 10_000)
    station = stand_in("st-a")
    worker = start_worker("g")
    station.wait_ingest_online()
    worker.stop()
    for n in range(3):
        station.publish_batch(f"b-{n}", [(f"r-{n}", n + 1, packet("st-a", f"r-{n}", n + 1))])
        station.publish("health", b'{"epoch": 1, "ts": "2026-11-25T08:00:0%dZ", "queue_depth": %d, '
                                  b'"software_version": "1.0"}' % (n, 2 - n))
    start_worker("g")
    assert [station.wait_ack(f"b-{n}", 20).accepted for n in range(3)] == [[f"r-{n}"] for n in range(3)]
    wait_for(lambda: str((Station.objects.get(pk="st-a").last_health or {}).get("ts")).startswith(
        "2026-11-25T08:00:02"), what="the last Health, handled after the group")
    assert len(set(Batch.objects.values_list("received_at", flat=True))) == 1  # the three batches: one commit
    assert Station.objects.get(pk="st-a").last_health["queue_depth"] == 0  # the Health messages kept their order


def _message(topic: str, payload: bytes = b"{}"):
    import paho.mqtt.client as mqtt

    msg = mqtt.MQTTMessage(topic=topic.encode())
    msg.payload = payload
    return msg


def test_gather_sets_other_messages_aside_and_stops_at_the_stop_or_the_limit(monkeypatch):
    import queue

    from django.conf import settings

    from hq.ingest import inbox

    monkeypatch.setattr(settings, "HQ_INGEST_GROUP_WAIT_MS", 0)
    batch = [_message(f"sinopsis/v1/st/st-{n}/up/batch", b"x" * 10) for n in range(4)]
    health, status = _message("sinopsis/v1/st/st-0/health"), _message("sinopsis/v1/st/st-1/status")
    box: queue.Queue = queue.Queue()
    for msg in (health, batch[1], status, batch[2]):
        box.put(msg)
    assert inbox.gather(box, batch[0]) == ([batch[0], batch[1], batch[2]], [health, status], inbox.NOTHING)
    for msg in (health, None, batch[3]):  # the worker's stop ends the group at once; what follows stays queued
        box.put(msg)
    assert inbox.gather(box, batch[0]) == ([batch[0]], [health], None) and box.get_nowait() is batch[3]
    monkeypatch.setattr(inbox, "MAX_SET_ASIDE", 1)  # a bound on how long set-aside messages wait
    for msg in (health, status, batch[1]):
        box.put(msg)
    assert inbox.gather(box, batch[0]) == ([batch[0]], [health], status) and box.get_nowait() is batch[1]


@pytest.mark.parametrize("text", ["abc", "nan", "-1", "1e9", "inf"])
def test_a_group_limit_that_is_not_a_number_in_range_is_refused_by_name(monkeypatch, text):
    from hq.settings import _bounded

    monkeypatch.setenv("SINOPSIS_HQ_INGEST_GROUP_WAIT_MS", text)
    with pytest.raises(ValueError, match=r"SINOPSIS_HQ_INGEST_GROUP_WAIT_MS=.*from 0 to 1000"):
        _bounded("SINOPSIS_HQ_INGEST_GROUP_WAIT_MS", 5, 0, 1000, "milliseconds")
    monkeypatch.setenv("SINOPSIS_HQ_INGEST_GROUP_WAIT_MS", " 20 ")
    assert _bounded("SINOPSIS_HQ_INGEST_GROUP_WAIT_MS", 5, 0, 1000, "milliseconds") == 20


def test_the_tallies_kept_at_ingest_agree_with_the_records(hq, packet):
    from hq.ingest.models import RecordTally

    process_batches([_batch(packet, "st-a", "a-1", 1, 3), _batch(packet, "st-b", "b-1", 1, 1)])
    process_batches([_batch(packet, "st-a", "a-2", 4, 2)])  # and one record at a time, the group's way back
    from hq.ingest.batches import process_batch
    process_batch("st-b", _batch(packet, "st-b", "b-2", 7, 1).payload)
    tallies = {(t.station_id, t.records, t.last_seq) for t in RecordTally.objects.all()}
    assert tallies == {("st-a", 5, 5), ("st-b", 2, 7)} and Record.objects.count() == 7


def test_the_upgrade_counts_the_records_stored_before_it(hq, packet):
    import importlib

    from django.apps import apps

    from hq.ingest.models import RecordTally

    process_batches([_batch(packet, "st-a", "a-1", 1, 3), _batch(packet, "st-b", "b-1", 1, 1)])
    RecordTally.objects.all().delete()  # as before the upgrade
    importlib.import_module("hq.ingest.migrations.0005_record_tally").backfill(apps, None)
    assert {(t.station_id, t.records, t.last_seq) for t in RecordTally.objects.all()} == {("st-a", 3, 3),
                                                                                          ("st-b", 1, 1)}
