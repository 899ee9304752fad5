"""The offline export: unconfirmed records + a manifest signed by the station, on removable media, durably;
HQ's side verifies the signature and every file, and any change shows."""

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contract.export import MANIFEST, PACKETS, ExportError, load_manifest, verify_export
from contract.packets import verify_packet
from sinopsis.cli import main
from sinopsis.demo import demo_captures
from station import audit
from station.checkin import check_in_by_application
from station.export import export_outbox
from station.records import transition


@pytest.fixture
def sealed(imported, applicants, sealer) -> list[str]:
    """Three sealed records in the outbox, the first already acknowledged by HQ."""
    ids = []
    captures = demo_captures()
    for a in applicants[:3]:
        ticket = check_in_by_application(imported, a["application_id"], a["phone"])
        transition(imported, ticket.record_id, "capturing", actor="OP-02")
        ids.append(sealer.seal_and_commit(ticket.record_id, captures, operator_id="OP-02").record_id)
    with imported.write() as conn:
        conn.execute("UPDATE outbox SET acked_at = '2026-11-25T05:00:00.000+00:00', ack_status = 'accepted' "
                     "WHERE record_id = ?", (ids[0],))
    return ids


def test_export_writes_the_unconfirmed_records_and_a_signed_manifest(imported, sealed, keys, station_config,
                                                                      tmp_path):
    usb = tmp_path / "usb" / "export"
    result = export_outbox(imported, station_config.station.id, keys.station_sign, usb)
    assert (result.outcome, result.records) == ("written", 2)
    verified = verify_export(usb, keys.station_sign.public_key())
    assert verified.ok and verified.manifest.station_id == station_config.station.id
    assert [e.record_id for e in verified.manifest.records] == sealed[1:]
    assert [e.seq for e in verified.manifest.records] == [2, 3]
    for entry in verified.manifest.records:
        data = verified.packet_path(entry).read_bytes()
        assert data == imported.packet_path(entry.file).read_bytes(), "packet files exactly as sealed"
        assert verify_packet(data, keys.station_sign.public_key()).record_id == entry.record_id
    waiting = imported.conn.execute("SELECT COUNT(*) FROM outbox WHERE acked_at IS NULL").fetchone()[0]
    assert waiting == 2, "the records stay in the outbox until HQ answers"
    assert imported.conn.execute("SELECT COUNT(*) FROM audit WHERE action = 'records.exported'").fetchone()[0] == 1
    assert audit.verify(imported.conn).ok
    again = export_outbox(imported, station_config.station.id, keys.station_sign, usb)
    assert again.outcome == "unchanged"


def test_tampering_shows(imported, sealed, keys, station_config, tmp_path):
    usb = tmp_path / "usb"
    export_outbox(imported, station_config.station.id, keys.station_sign, usb)
    with pytest.raises(ExportError, match="does not verify") as wrong_key:
        verify_export(usb, Ed25519PrivateKey.generate().public_key())
    assert wrong_key.value.code == "export.signature"

    entry = load_manifest(usb).manifest.records[0]
    packet = usb / PACKETS / entry.file
    data = bytearray(packet.read_bytes())
    data[-1] ^= 1
    packet.write_bytes(bytes(data))
    (usb / PACKETS / load_manifest(usb).manifest.records[1].file).unlink()
    problems = verify_export(usb, keys.station_sign.public_key()).problems
    assert len(problems) == 2 and "does not match" in problems[0] and "missing" in problems[1]

    document = json.loads((usb / MANIFEST).read_text())
    document["content"]["records"] = document["content"]["records"][:1]  # someone drops a record
    (usb / MANIFEST).write_text(json.dumps(document))
    with pytest.raises(ExportError) as changed:
        verify_export(usb, keys.station_sign.public_key())
    assert changed.value.code == "export.signature"
    (usb / MANIFEST).write_text("{garbage")
    with pytest.raises(ExportError) as garbage:
        verify_export(usb, keys.station_sign.public_key())
    assert garbage.value.code == "export.json"


def test_another_export_is_never_overwritten(imported, sealed, keys, station_config, tmp_path, applicants, sealer):
    usb = tmp_path / "usb"
    export_outbox(imported, station_config.station.id, keys.station_sign, usb)
    before = (usb / MANIFEST).read_bytes()
    ticket = check_in_by_application(imported, applicants[5]["application_id"], applicants[5]["phone"])
    transition(imported, ticket.record_id, "capturing", actor="OP-02")
    sealer.seal_and_commit(ticket.record_id, demo_captures(), operator_id="OP-02")
    with pytest.raises(ExportError, match="already holds another export") as refused:
        export_outbox(imported, station_config.station.id, keys.station_sign, usb)
    assert refused.value.code == "export.exists" and (usb / MANIFEST).read_bytes() == before
    assert export_outbox(imported, station_config.station.id, keys.station_sign, tmp_path / "usb2").records == 3


def test_a_damaged_packet_on_the_station_is_not_exported(imported, sealed, keys, station_config, tmp_path):
    imported.packet_path(f"{sealed[1]}.sinopkt").write_bytes(b"damaged")
    with pytest.raises(ExportError) as damaged:
        export_outbox(imported, station_config.station.id, keys.station_sign, tmp_path / "usb")
    assert damaged.value.code == "export.packet_altered" and not (tmp_path / "usb" / MANIFEST).exists()


def test_the_cli_exports_and_nothing_to_export_is_said(imported, sealed, station_config, tmp_path, capsys, keys):
    config = str(tmp_path / "station.toml")
    assert main(["station", "export", "--to", str(tmp_path / "usb"), "--config", config]) == 0
    assert "exported 2 record(s)" in capsys.readouterr().out
    assert verify_export(tmp_path / "usb", keys.station_sign.public_key()).ok
    with imported.write() as conn:
        conn.execute("UPDATE outbox SET acked_at = '2026-11-25T05:00:00.000+00:00', ack_status = 'accepted'")
    assert main(["station", "export", "--to", str(tmp_path / "usb3"), "--config", config]) == 0
    assert "nothing exported" in capsys.readouterr().out and not (tmp_path / "usb3").exists()
