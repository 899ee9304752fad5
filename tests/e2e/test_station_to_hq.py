"""Station → HQ end to end: the real agent drains a real station's outbox (records sealed by the real sealer)
through a real mosquitto into HQ's real ingest worker and database. Every record is stored at HQ exactly once
and is final on the station only after HQ's ack, through a broker crash, HQ ingest being down, an offline import
of the same records, and a conflicting resend (issue 7, point 5)."""

import hashlib

from contract.packets import seal_record
from sinopsis.demo_data import DEMO_STATION_ID
from tests.edge_agent.conftest import states, wait_until


def hq_records() -> dict[str, str]:
    """Record id → SHA-256 of every record HQ holds."""
    from hq.ingest.models import Record

    return dict(Record.objects.values_list("record_id", "sha256"))


def station_shas(store, ids: list[str]) -> dict[str, str]:
    return {r: store.conn.execute("SELECT packet_sha256 FROM records WHERE id = ?", (r,)).fetchone()[0] for r in ids}


def accepted_in_batches() -> int:
    """How many acceptances HQ's batch log counts (a record accepted twice would count twice)."""
    from django.db.models import Sum

    from hq.ingest.models import Batch

    return Batch.objects.aggregate(n=Sum("accepted"))["n"] or 0


def test_normal_drain_every_record_once_at_hq_and_accepted_on_the_station(imported, seal, enrolled,
                                                                          start_ingest, start_agent):
    from hq.fleet.models import Station

    ids = seal(4)
    start_ingest()
    running = start_agent()
    wait_until(lambda: set(states(imported, ids).values()) == {"accepted"}, what="every record accepted")
    assert hq_records() == station_shas(imported, ids)
    assert accepted_in_batches() == len(ids)
    wait_until(lambda: (Station.objects.get(pk=enrolled).last_health or {}).get("queue_depth") == 0,
               what="HQ seeing the emptied outbox in the station's health")
    station = Station.objects.get(pk=enrolled)
    assert station.status_state == "online" and station.status_epoch == running.agent.epoch
    assert station.last_health["counts"]["accepted"] == len(ids)
    assert station.last_health["last_acked_seq"] == max(
        imported.conn.execute("SELECT seq FROM records WHERE id = ?", (r,)).fetchone()[0] for r in ids)
    running.stop()
    wait_until(lambda: Station.objects.get(pk=enrolled).status_state == "offline", what="offline on a clean stop")


def test_broker_killed_and_restarted_mid_drain(imported, seal, enrolled, broker, start_ingest, start_agent):
    from hq.ingest.models import Batch

    ids = seal(12)  # ~2.7 MB each, six to a 16 MB batch: the crash usually falls between batches
    start_ingest()
    running = start_agent()
    wait_until(lambda: Batch.objects.exists(), what="the first batch at HQ")
    broker.kill()
    wait_until(lambda: not running.agent.connected, what="the agent noticing the crash")
    assert set(states(imported, ids).values()) <= {"captured", "sent", "accepted"}
    broker.start()
    wait_until(lambda: set(states(imported, ids).values()) <= {"accepted", "duplicate"}, what="everything acked")
    # HQ may have acked the last batch before the kill (group commit is quick): the reconnect can come after
    wait_until(lambda: running.agent.connects >= 2, what="the agent reconnecting to the restarted broker")
    assert hq_records() == station_shas(imported, ids)
    assert accepted_in_batches() == len(ids), "each record accepted once at HQ; resends are duplicates"
    for record_id in ids:  # and final exactly once on the station
        finals = imported.conn.execute("SELECT COUNT(*) FROM audit WHERE record_id = ? AND to_state IN "
                                       "('accepted', 'duplicate')", (record_id,)).fetchone()[0]
        assert finals == 1


def test_hq_ingest_down_then_up_the_backlog_drains(imported, seal, enrolled, start_ingest, start_agent):
    from hq.ingest.models import Batch

    start_ingest().stop()  # a clean stop leaves the retained ingest state offline
    ids = seal(3)
    running = start_agent()
    wait_until(lambda: running.agent.connected and running.agent.ingest_known, what="the agent hearing HQ's state")
    assert not running.agent.ingest_online
    assert set(states(imported, ids).values()) == {"captured"} and not Batch.objects.exists()
    start_ingest()  # the same worker's session comes back and says online
    wait_until(lambda: set(states(imported, ids).values()) == {"accepted"}, what="the backlog drained")
    assert hq_records() == station_shas(imported, ids) and accepted_in_batches() == len(ids)


def test_an_offline_import_then_the_agent_sends_the_same_records_as_duplicates(
        imported, seal, enrolled, keys, hq, tmp_path, start_ingest, start_agent):
    from hq.ingest.models import Record
    from sinopsis.cli import main
    from station.export import export_outbox

    ids = seal(3)
    usb = tmp_path / "usb"
    assert export_outbox(imported, DEMO_STATION_ID, keys.station_sign, usb).outcome == "written"
    assert main(["hq", "import", str(usb), "--data", str(hq)]) == 0
    assert set(Record.objects.values_list("source", flat=True)) == {"import"}
    start_ingest()
    start_agent()
    wait_until(lambda: set(states(imported, ids).values()) == {"duplicate"}, what="HQ answering duplicate")
    assert hq_records() == station_shas(imported, ids)
    assert accepted_in_batches() == len(ids), "counted once: by the import"
    assert set(Record.objects.values_list("duplicates", flat=True)) == {1}
    assert set(Record.objects.values_list("source", flat=True)) == {"import"}


def test_a_conflicting_resend_is_quarantined_and_the_station_shows_the_code(imported, seal, enrolled, keys, hq,
                                                                            start_ingest, start_agent):
    from hq.fleet.models import Station
    from hq.ingest.models import Quarantine
    from hq.ingest.storage import Expected, data_dir, receive_packet

    ids = seal(2)
    seq = imported.conn.execute("SELECT seq FROM records WHERE id = ?", (ids[0],)).fetchone()[0]
    other = seal_record(record_id=ids[0], station_id=DEMO_STATION_ID, seq=seq,
                        created_at="2026-11-25T03:04:05+00:00", files={"record.json": b"{}", "face.png": b"other"},
                        station_key=keys.station_sign, hq_public_key=keys.hq_packet.public_key())
    held = receive_packet(Station.objects.get(pk=enrolled), other, expected=Expected(ids[0], seq))
    assert held.result == "accepted"  # HQ already holds this id with other bytes (e.g. a re-imaged kit)
    start_ingest()
    start_agent()
    wait_until(lambda: "captured" not in states(imported, ids).values() and
               "sent" not in states(imported, ids).values(), what="both records answered")
    assert states(imported, ids) == {ids[0]: "rejected", ids[1]: "accepted"}
    row = imported.conn.execute("SELECT o.reject_code, r.reason_code FROM outbox o JOIN records r "
                                "ON r.id = o.record_id WHERE o.record_id = ?", (ids[0],)).fetchone()
    assert tuple(row) == ("record.conflict", "record.conflict")
    assert hq_records()[ids[0]] == hashlib.sha256(other).hexdigest(), "the stored record is never overwritten"
    quarantined = Quarantine.objects.get()
    assert (quarantined.record_id, quarantined.sha256) == (ids[0], station_shas(imported, ids)[ids[0]])
    assert (data_dir() / quarantined.path).is_file()


def test_a_packet_file_changed_on_the_station_after_sealing_is_refused_alone(imported, seal, enrolled,
                                                                             start_ingest, start_agent):
    """The agent sends each packet's SHA-256 as recorded at sealing (it does not hash the file again): a file
    changed on the kit's disk since then reaches HQ with bytes that differ from it and is refused on its own
    (`packet.altered`, as `sinopsis station check` reports it), while the batch's other records are stored."""
    from station.integrity import check_store

    ids = seal(3)
    path = imported.packet_path(imported.conn.execute("SELECT packet_file FROM records WHERE id = ?",
                                                      (ids[1],)).fetchone()[0])
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x40  # one flipped bit in the middle of the file, its size unchanged
    path.write_bytes(bytes(data))
    start_ingest()
    start_agent()
    wait_until(lambda: "captured" not in states(imported, ids).values() and
               "sent" not in states(imported, ids).values(), what="the three records answered")
    assert states(imported, ids) == {ids[0]: "accepted", ids[1]: "rejected", ids[2]: "accepted"}
    code = imported.conn.execute("SELECT reject_code FROM outbox WHERE record_id = ?", (ids[1],)).fetchone()[0]
    assert code == "packet.altered" and set(hq_records()) == {ids[0], ids[2]}
    assert check_store(imported).altered == [f"record {ids[1]}: packet file {path.name} does not match its SHA-256"]
