"""HQ ingest trusts only enrolled stations, each on its own topic (issue 10, point 6b), over a real mosquitto
(passwords, the per-station ACL) with HQ's real ingest worker. tests/hq/test_ingest_mqtt.py checks that an
unknown station's batch is answered `station.unknown`, and tests/hq/test_storage.py the mismatch codes without
a broker; here: an unknown station stores nothing anywhere (no record, no file, no quarantine, no fleet row,
whatever it publishes), a station cannot publish on another station's topic at all (the broker refuses it and
HQ never sees it), and a station relaying another station's packet on its own topic is rejected — after which
the real owner's packet is still accepted, so the refusals left nothing behind."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from contract import wire
from contract.batch import write_batch
from contract.wire import station_topic
from tests.hq.standin import StationStandIn, wait_for
from tests.security.conftest import BROKER_STATIONS


@pytest.fixture
def stand_in(broker) -> Iterator[Callable[..., StationStandIn]]:
    """stand_in(station_id): a connected station stand-in on the test broker."""
    made: list[StationStandIn] = []

    def make(station_id: str) -> StationStandIn:
        made.append(StationStandIn(broker.port, station_id, BROKER_STATIONS[station_id]))
        return made[-1]

    yield make
    for s in made:
        s.close()


def stored_files(hq: Path) -> list[Path]:
    return [p for folder in ("records", "quarantine") for p in (hq / folder).rglob("*") if p.is_file()]


def test_an_unknown_stations_packets_and_messages_store_nothing(hq, start_ingest, stand_in, packet, station_keys):
    from hq.fleet.models import Station
    from hq.ingest.models import Batch, CorrectionRequest, Quarantine, Record

    start_ingest()
    unknown = stand_in("st-x")  # has a broker login, was never enrolled at HQ
    # a packet signed with an enrolled station's key does not make st-x known either
    ack = unknown.send_batch("b-x1", [("r-x1", 1, packet("st-x", "r-x1", 1, key=station_keys["st-a"]))])
    assert [(r.record_id, r.code) for r in ack.rejected] == [("r-x1", "station.unknown")] and not ack.accepted
    for leaf, message in (
            ("status", wire.Status(state="online", epoch=1)),
            ("reported", wire.Reported(assignment_version=9, ts="2026-11-25T03:04:05+00:00")),
            ("up/correction", wire.Correction(
                record_id="r-x2", application_id="APL-1", assignment_id="A-1", reason_code="kk_mismatch",
                phone="+6281234567890", requested_at="2026-11-25T03:04:05+00:00", requested_by="kiosk"))):
        unknown.publish(leaf, wire.dump(message))
    ack = unknown.send_batch("b-x2", [("r-x3", 2, packet("st-x", "r-x3", 2, key=station_keys["st-a"]))])
    assert [r.code for r in ack.rejected] == ["station.unknown"]  # handled in order: the messages before it too

    assert not Record.objects.exists() and not Quarantine.objects.exists()
    assert not CorrectionRequest.objects.exists()
    assert not Station.objects.filter(pk="st-x").exists(), "no fleet row for a station HQ never enrolled"
    assert stored_files(hq) == []
    assert set(Batch.objects.values_list("station_id", "error")) == {("st-x", "station.unknown")}


def test_a_station_cannot_publish_on_another_stations_topic(hq, start_ingest, stand_in, packet):
    from hq.ingest.models import Batch, Record

    start_ingest()
    a = stand_in("st-a")
    good = packet("st-a", "r-a1", 1)
    a.publish_batch("b-cross", [("r-a1", 1, good)], topic_station="st-b")  # A's packet on B's topic
    info = a.client.publish(station_topic("st-b", "status"), wire.dump(wire.Status(state="lost", epoch=99)),
                            qos=1)
    info.wait_for_publish(10)
    # the broker's ACL (a station writes only its own up topics) drops both; A's own batch goes through after them
    assert a.send_batch("b-own", [("r-a2", 2, packet("st-a", "r-a2", 2))]).accepted == ["r-a2"]
    assert list(Batch.objects.values_list("batch_id", flat=True)) == ["b-own"], "HQ never saw the cross-topic batch"
    assert list(Record.objects.values_list("pk", flat=True)) == ["r-a2"]
    assert b"b-cross" not in a.acks


def test_a_station_relaying_another_stations_packet_is_rejected_and_nothing_sticks(hq, start_ingest, stand_in,
                                                                                  packet):
    from hq.ingest.models import Quarantine, Record

    start_ingest()
    b = stand_in("st-b")
    of_a = packet("st-a", "r-a1", 1)  # signed by st-a, its header names st-a
    # as B's own: B's manifest on B's topic — the signature does not verify with B's key
    ack = b.send_batch("b-relay-1", [("r-a1", 1, of_a)])
    assert [(r.record_id, r.code) for r in ack.rejected] == [("r-a1", "packet.signature")]
    # the manifest honestly naming st-a, on B's topic
    b.publish_batch("b-relay-2", payload=write_batch("b-relay-2", "st-a", [("r-a1", 1, of_a)]))
    ack = b.wait_ack("b-relay-2")
    assert [(r.record_id, r.code) for r in ack.rejected] == [("r-a1", "station.mismatch")]
    assert not Record.objects.exists() and not Quarantine.objects.exists() and stored_files(hq) == []

    # the packet is fine from its own station: accepted (not "duplicate": the relays stored nothing)
    a = stand_in("st-a")
    assert a.send_batch("b-a", [("r-a1", 1, of_a)]).accepted == ["r-a1"]
    assert wait_for(lambda: Record.objects.filter(pk="r-a1", station_id="st-a").exists())
