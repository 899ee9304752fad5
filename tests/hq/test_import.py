"""`sinopsis hq import DIR`: a real station's export (station/export.py) ingested with the MQTT rules; the same
records sent later over MQTT are duplicates; a manifest that does not verify, an unknown station, altered or
missing packet files and conflicts are refused with codes."""

import shutil

import pytest

from contract.batch import write_batch
from contract.export import MANIFEST, PACKETS
from contract.keys import public_pem
from hq.fleet.enrolment import enrol_station
from hq.ingest.models import Batch, Quarantine, Record
from sinopsis.cli import main
from sinopsis.demo_data import DEMO_STATION_ID
from station.export import export_outbox
from tests.hq.standin import hand_made_export


def _import(hq, directory) -> int:
    return main(["hq", "import", str(directory), "--data", str(hq)])


@pytest.fixture
def station_export(hq, tmp_path, keys, sealer, capturing):
    """One record sealed and exported by a real station store; the station enrolled at HQ."""
    from sinopsis.demo import demo_captures

    sealed = sealer.seal_and_commit(capturing, demo_captures(), operator_id="OP-02")
    usb = tmp_path / "usb"
    assert export_outbox(sealer.store, DEMO_STATION_ID, keys.station_sign, usb).outcome == "written"
    enrol_station(DEMO_STATION_ID, public_pem(keys.station_sign.public_key()).encode())
    return usb, sealed


def test_an_export_is_imported_then_the_same_records_over_mqtt_are_duplicates(station_export, hq, capsys,
                                                                               start_worker, stand_in):
    usb, sealed = station_export
    assert _import(hq, usb) == 0
    assert "1 accepted, 0 duplicate" in capsys.readouterr().out
    record = Record.objects.get()
    assert (record.pk, record.source, record.station_id) == (sealed.record_id, "import", DEMO_STATION_ID)
    assert (hq / record.path).read_bytes() == (usb / PACKETS / f"{sealed.record_id}.sinopkt").read_bytes()
    assert _import(hq, usb) == 0  # importing the same media again changes nothing
    assert "0 accepted, 1 duplicate" in capsys.readouterr().out
    start_worker()
    station = stand_in(DEMO_STATION_ID)
    data = (usb / PACKETS / f"{sealed.record_id}.sinopkt").read_bytes()
    ack = station.send_batch("b-1", [(sealed.record_id, record.seq, data)])
    assert ack.duplicate == [sealed.record_id] and not ack.accepted
    assert Record.objects.count() == 1 and Batch.objects.filter(source="import").count() == 2


def test_altered_missing_and_conflicting_packets_are_rejected_one_by_one(hq, tmp_path, packet, station_keys,
                                                                         capsys):
    from hq.ingest.batches import process_batch

    process_batch("st-a", write_batch("b-0", "st-a", [("r-4", 4, packet("st-a", "r-4", 4, b"stored"))]))
    usb = hand_made_export(tmp_path, "st-a", station_keys["st-a"], [
        ("r-1", 1, packet("st-a", "r-1", 1)), ("r-2", 2, packet("st-a", "r-2", 2)),
        ("r-3", 3, packet("st-a", "r-3", 3)), ("r-4", 4, packet("st-a", "r-4", 4, b"other"))])
    (usb / PACKETS / "r-2.sinopkt").write_bytes(b"SINOPKT1 damaged on the stick")
    (usb / PACKETS / "r-3.sinopkt").unlink()
    assert _import(hq, usb) == 1
    out = capsys.readouterr().out
    assert "1 accepted, 0 duplicate (already at HQ), 3 rejected" in out
    for line in ("rejected r-2: export.packet_altered", "rejected r-3: export.packet_missing",
                 "rejected r-4: record.conflict"):
        assert line in out
    assert sorted(Record.objects.values_list("pk", flat=True)) == ["r-1", "r-4"]
    assert Quarantine.objects.get().source == "import"


def test_an_export_that_cannot_be_trusted_is_refused_whole(hq, tmp_path, packet, station_keys, capsys):
    usb = hand_made_export(tmp_path, "st-a", station_keys["st-b"], [("r-1", 1, packet("st-a", "r-1", 1))])
    assert _import(hq, usb) == 2  # signed by another station's key
    assert "signature does not verify" in capsys.readouterr().err
    (usb / MANIFEST).write_bytes((usb / MANIFEST).read_bytes().replace(b'"st-a"', b'"st-x"'))
    assert _import(hq, usb) == 2  # from a station HQ never enrolled
    assert "not enrolled" in capsys.readouterr().err
    shutil.rmtree(usb)
    assert _import(hq, usb) == 2
    assert "manifest" in capsys.readouterr().err
    assert not Record.objects.exists() and not Batch.objects.exists()  # a refused import leaves no row behind


def test_a_fifo_manifest_is_refused_at_once_and_leaves_no_row(hq, tmp_path, capsys):
    """Issue 19.4: `hq import` on a stick whose manifest is a FIFO used to hang; now refused before any read."""
    import os

    usb = tmp_path / "usb"
    usb.mkdir()
    os.mkfifo(usb / MANIFEST)
    assert _import(hq, usb) == 2
    assert f"{usb / MANIFEST}: cannot read the export manifest: is a FIFO" in capsys.readouterr().err
    assert not Batch.objects.exists() and not Record.objects.exists()


def test_packet_files_that_are_a_directory_or_dev_zero_are_rejected_one_by_one(hq, tmp_path, packet, station_keys,
                                                                                capsys):
    usb = hand_made_export(tmp_path, "st-a", station_keys["st-a"], [
        ("r-1", 1, packet("st-a", "r-1", 1)), ("r-2", 2, packet("st-a", "r-2", 2)),
        ("r-3", 3, packet("st-a", "r-3", 3))])
    (usb / PACKETS / "r-2.sinopkt").unlink()
    (usb / PACKETS / "r-2.sinopkt").mkdir()
    (usb / PACKETS / "r-3.sinopkt").unlink()
    (usb / PACKETS / "r-3.sinopkt").symlink_to("/dev/zero")
    assert _import(hq, usb) == 1
    out = capsys.readouterr().out
    assert "1 accepted, 0 duplicate (already at HQ), 2 rejected" in out
    assert "rejected r-2: export.packet_not_a_file" in out and "rejected r-3: export.packet_not_a_file" in out
    assert list(Record.objects.values_list("pk", flat=True)) == ["r-1"]
