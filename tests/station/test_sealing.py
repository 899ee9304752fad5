"""Sealing and committing a record: complete per the capture policy, durable, encrypted, audited."""

import dataclasses
import json

import pytest

from contract.errors import RecordStateError
from contract.packets import open_packet, verify_packet
from sinopsis.demo import demo_captures
from station import audit
from station.capture.policy import CAPTURE_ORDER
from station.integrity import check_store


def test_sealed_record_is_committed_with_outbox_row_and_audit(imported, capturing, sealer, keys):
    sealed = sealer.seal_and_commit(capturing, demo_captures(), operator_id="OP-02")
    assert (sealed.seq, sealed.receipt_number) == (1, "ST-PKU-01-000001")
    rec = imported.conn.execute("SELECT * FROM records WHERE id = ?", (capturing,)).fetchone()
    assert rec["state"] == "captured" and rec["seq"] == 1 and rec["packet_sha256"] == sealed.packet_sha256
    assert imported.conn.execute("SELECT seq FROM outbox WHERE record_id = ?", (capturing,)).fetchone()[0] == 1
    positions = [r[0] for r in imported.conn.execute("SELECT position FROM captures WHERE record_id = ?",
                                                     (capturing,))]
    assert sorted(positions) == sorted(CAPTURE_ORDER)
    actions = [r[0] for r in imported.conn.execute("SELECT action FROM audit WHERE record_id = ?", (capturing,))]
    assert actions == ["checkin", "record.transition", "record.transition", "record.sealed"]
    assert audit.verify(imported.conn).ok
    assert check_store(imported).ok


def test_packet_opens_at_hq_with_every_image_and_record_json(imported, capturing, sealer, keys, applicants):
    captures = demo_captures(exception_finger="left_ring")
    sealed = sealer.seal_and_commit(capturing, captures, operator_id="OP-02")
    data = imported.packet_path(sealed.packet_file).read_bytes()
    header = verify_packet(data, keys.station_sign.public_key())
    assert (header.record_id, header.seq, header.station_id) == (capturing, 1, "st-pku-01")
    files = open_packet(data, keys.station_sign.public_key(), keys.hq_packet)
    # the assignment in force, in the signed header (checked by HQ at ingest) and in record.json (issue 21)
    assert header.assignment_id == json.loads(files["record.json"])["assignment"]["assignment_id"]
    assert header.assignment_id == imported.conn.execute("SELECT assignment_id FROM assignments").fetchone()[0]
    for c in captures:
        assert files[c.image_name] == c.image
    record = json.loads(files["record.json"])
    assert record["applicant"]["nik"] == applicants[0]["nik"]
    assert record["receipt_number"] == sealed.receipt_number
    ring = next(c for c in record["captures"] if c["position"] == "left_ring")
    assert (ring["outcome"], ring["exception_code"]) == ("exception", "injured")


def test_no_plaintext_biometric_on_disk(imported, capturing, sealer, station_config):
    captures = demo_captures()
    sealer.seal_and_commit(capturing, captures, operator_id="OP-02")
    needles = {c.image[1000:1064] for c in captures if c.image and len(c.image) > 2000}
    for path in station_config.station.data_dir.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert b"\x89PNG" not in content, f"{path} holds a PNG"
            assert not any(n in content for n in needles), f"{path} holds image bytes"


def test_incomplete_record_is_refused_and_nothing_is_written(imported, capturing, sealer):
    captures = [c for c in demo_captures() if c.position != "left_iris"]
    with pytest.raises(RecordStateError) as err:
        sealer.seal_and_commit(capturing, captures, operator_id="OP-02")
    assert "left_iris: missing" in str(err.value)
    assert list(imported.packets_dir.iterdir()) == []
    assert imported.conn.execute("SELECT state FROM records").fetchone()[0] == "capturing"


def _replace(captures, position, **changes):
    return [dataclasses.replace(c, **changes) if c.position == position else c for c in captures]


def test_below_threshold_needs_the_flag_and_a_reason(imported, capturing, sealer):
    low = _replace(demo_captures(), "right_index", score=20)
    with pytest.raises(RecordStateError, match="below the threshold 40"):
        sealer.seal_and_commit(capturing, low, operator_id="OP-02")
    flagged = _replace(low, "right_index", below_threshold=True)
    with pytest.raises(RecordStateError, match="without the operator's reason"):
        sealer.seal_and_commit(capturing, flagged, operator_id="OP-02")
    reasoned = _replace(flagged, "right_index", reason="worn ridges (manual labourer)")
    sealed = sealer.seal_and_commit(capturing, reasoned, operator_id="OP-02")
    assert sealed.below_threshold
    row = imported.conn.execute(
        "SELECT below_threshold, reason FROM captures WHERE position = 'right_index'").fetchone()
    assert tuple(row) == (1, "worn ridges (manual labourer)")
    details = json.loads(imported.conn.execute(
        "SELECT details FROM audit WHERE action = 'record.sealed' ORDER BY id DESC LIMIT 1").fetchone()[0])
    assert details["accepted_below"] == [{"position": "right_index", "score": 20,
                                          "reason": "worn ridges (manual labourer)"}]


def test_policy_can_forbid_below_threshold(imported, capturing, station_config, keys):
    from station.sealing import RecordSealer

    strict = station_config.model_copy(update={"capture": station_config.capture.model_copy(
        update={"allow_below_threshold": False})})
    sealer = RecordSealer(imported, strict, keys.station_sign, keys.hq_packet.public_key())
    low = _replace(demo_captures(), "face", score=50, below_threshold=True, reason="glare")
    with pytest.raises(RecordStateError, match="policy forbids"):
        sealer.seal_and_commit(capturing, low, operator_id="OP-02")


@pytest.mark.parametrize(("position", "changes", "message"), [
    ("face", {"outcome": "exception", "exception_code": "other"}, "required"),
    ("left_thumb", {"outcome": "exception", "exception_code": "lost_it"}, "not one of"),
    ("left_thumb", {"outcome": "exception", "exception_code": "amputated", "image": None}, "exception photo"),
    ("right_iris", {"image": None}, "no image"),
    ("right_iris", {"score": None}, "without a quality score"),
    ("face", {"attempts": 9}, "outside"),
])
def test_policy_violations_are_named(imported, capturing, sealer, position, changes, message):
    with pytest.raises(RecordStateError) as err:
        sealer.seal_and_commit(capturing, _replace(demo_captures(), position, **changes), operator_id="OP-02")
    assert position in str(err.value) and message in str(err.value)


def test_record_must_be_capturing(imported, applicants, sealer):
    from station.checkin import check_in_by_application

    ticket = check_in_by_application(imported, applicants[1]["application_id"], applicants[1]["phone"])
    with pytest.raises(RecordStateError, match="expected capturing"):
        sealer.seal_and_commit(ticket.record_id, demo_captures(), operator_id="OP-02")
    assert list(imported.packets_dir.iterdir()) == []


def test_sequence_numbers_increase_per_station(imported, applicants, sealer):
    from station.checkin import check_in_by_application
    from station.records import transition

    seqs = []
    for a in applicants[:3]:
        ticket = check_in_by_application(imported, a["application_id"], a["phone"])
        transition(imported, ticket.record_id, "capturing", actor="OP-02")
        seqs.append(sealer.seal_and_commit(ticket.record_id, demo_captures(), operator_id="OP-02").seq)
    assert seqs == [1, 2, 3]
