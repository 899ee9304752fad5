"""The start-up check: orphans and temp files swept, a missing or altered packet reported, never hidden."""

from contract.durable import TEMP_PREFIX
from station.integrity import check_store
from station.records import transition


def test_missing_and_altered_packets_are_reported(imported, capturing, sealer, applicants):
    from sinopsis.demo import demo_captures
    from station.checkin import check_in_by_application

    first = sealer.seal_and_commit(capturing, demo_captures(), operator_id="OP-02")
    ticket = check_in_by_application(imported, applicants[1]["application_id"], applicants[1]["phone"])
    transition(imported, ticket.record_id, "capturing", actor="OP-02")
    second = sealer.seal_and_commit(ticket.record_id, demo_captures(), operator_id="OP-02")

    imported.packet_path(first.packet_file).unlink()
    path = imported.packet_path(second.packet_file)
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))

    report = check_store(imported)
    assert not report.ok
    assert report.missing == [f"record {first.record_id}: packet file {first.packet_file} is missing"]
    assert report.altered == [f"record {second.record_id}: packet file {second.packet_file} does not match its SHA-256"]
    assert path.exists(), "an altered packet is evidence: it is reported, not deleted"
    rows = imported.conn.execute("SELECT COUNT(*) FROM records WHERE packet_file IS NOT NULL").fetchone()[0]
    assert rows == 2, "the rows stay: nothing is silently 'fixed'"


def test_orphans_and_temp_files_are_swept(imported, capturing, sealer):
    from sinopsis.demo import demo_captures

    sealed = sealer.seal_and_commit(capturing, demo_captures(), operator_id="OP-02")
    (imported.packets_dir / "0190aaaa-dead-7000-8000-000000000000.sinopkt").write_bytes(b"left by a crash")
    (imported.packets_dir / f"{TEMP_PREFIX}x.sinopkt.abcd").write_bytes(b"half")
    report = check_store(imported)
    assert report.ok
    assert report.swept_orphans == ["0190aaaa-dead-7000-8000-000000000000.sinopkt"]
    assert report.swept_temp == [f"{TEMP_PREFIX}x.sinopkt.abcd"]
    assert sorted(p.name for p in imported.packets_dir.iterdir()) == [sealed.packet_file]
