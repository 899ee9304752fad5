"""The record index on its own: no image ever written (HQ's data dir and the temp dir scanned after a report),
packets that do not open become `unreadable` summaries with a code, a configured key that cannot be read is said
so, and the period's edges for records, applications and tickets (the first moment of December is December's)."""

import datetime as dt
import hashlib
import tempfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.utils import translation

from contract.keys import parse_public_key
from contract.packets import open_packet
from hq.fleet.models import Station
from hq.ingest.models import Record
from hq.reports.models import RecordSummary
from hq.reports.record_index import KEY_ENV, index_records
from hq.reports.report import build_report
from tests.hq.reports.seed import JPEG, PNG, WSQ, Seed, nov, store_packet

# The seeded images' own signatures, whole: the three bytes every JPEG starts with (FF D8 FF) also turn up by chance
# in a few hundred kB of SQLite WAL full of hashes and keys (a CI run found them there once), four do not.
MAGIC = {"PNG": PNG, "JPEG": JPEG[:4], "JFIF": JPEG[3:10], "WSQ": WSQ}


def files_under(root: Path) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}


def test_indexing_writes_no_image_anywhere(seeded: Seed, packet_key_file: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch):
    data_dir = Path(settings.HQ_DATA_DIR)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    packet = seeded.packets[0]
    record = Record.objects.get(path=str(packet.relative_to(data_dir)))
    inside = open_packet(packet.read_bytes(), parse_public_key(record.station.public_key_pem, Ed25519PublicKey),
                         seeded.hq_key)
    assert inside["face.png"].startswith(PNG) and seeded.markers[0] in inside["face.png"]  # what is looked for
    before = files_under(data_dir)

    report = build_report(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert report.details_available and RecordSummary.objects.count() == 5

    stored = set(seeded.packets)
    after = files_under(data_dir)
    written = [p for p, digest in after.items() if p not in stored and before.get(p) != digest]
    assert any(p.name.startswith("hq.sqlite3") for p in written)  # the summaries went into the database
    for path in [*written, *files_under(scratch)]:
        content = path.read_bytes()
        found = [name for name, magic in MAGIC.items() if magic in content]
        assert not found, f"{path} holds {found} magic bytes after indexing"
    for path in after:
        if path not in stored:
            content = path.read_bytes()
            assert not any(marker in content for marker in seeded.markers), f"{path} holds an image's bytes"


def test_packets_that_do_not_open_are_kept_as_unreadable(seeded: Seed, packet_key_file: Path):
    Path(settings.HQ_DATA_DIR, Record.objects.get(pk="st-a-r2").path).unlink()
    Station.objects.filter(pk="st-b").update(public_key_pem="not a key")
    result = index_records()
    assert (result.indexed, result.unreadable) == (5, 4)
    codes = dict(RecordSummary.objects.values_list("record_id", "error"))
    assert codes == {"st-a-r1": "", "st-a-r2": "packet.missing", "st-a-r3": "packet.signature",
                     "st-b-r1": "station.key", "st-b-r2": "station.key"}
    Station.objects.filter(pk="st-b").update(public_key_pem=Station.objects.get(pk="st-a").public_key_pem)
    again = index_records(retry_unreadable=True)  # st-b's packets now fail on the signature instead
    assert (again.indexed, again.unreadable) == (4, 4)
    assert RecordSummary.objects.get(pk="st-b-r1").error == "packet.signature"


def test_a_record_json_that_is_not_the_stations_is_unreadable(hq: Path, station_keys, hq_key, packet_key_file: Path):
    seed = Seed(hq_key)
    store_packet(seed, hq, station_keys["st-a"], "st-a", "st-a-r1", 1, nov(9, 8), "APP-1", "10000001")
    from tests.hq.standin import seal  # a packet with record.json {"seq": 2}, as the ingest tests make them

    data = seal(station_keys["st-a"], hq_key, "st-a", "st-a-r2", 2)
    (hq / "records" / "st-a" / "odd.sinopkt").write_bytes(data)
    Record.objects.create(record_id="st-a-r2", station_id="st-a", seq=2, sha256="0" * 64, size=len(data),
                          path="records/st-a/odd.sinopkt", sealed_at="2026-11-25T03:04:05+00:00")
    assert index_records().unreadable == 1
    assert RecordSummary.objects.get(pk="st-a-r2").error == "record.format"
    assert RecordSummary.objects.get(pk="st-a-r1").outcome == "recorded"


def test_a_configured_key_that_cannot_be_read_is_said_so(seeded: Seed, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "missing.pem"))
    report = build_report(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert not report.details_available and "missing.pem" in report.index.detail
    with translation.override("en"):
        assert report.unavailable_text() == "record details unavailable: HQ's packet key cannot be read"
    assert report.count("records") == 4 and report.count("students_recorded") is None


def test_the_first_moment_of_december_is_decembers(seeded: Seed, packet_key_file: Path):
    december = build_report(dt.date(2026, 12, 1), dt.date(2026, 12, 1))
    assert (december.count("registered"), december.count("records"), december.count("students_recorded")) == (
        1, 1, 1)  # APP-5 submitted 00:00:10, st-b-r2 sealed at 00:00:00
    assert december.steps[9].cases == 1 and december.steps[0].cases == 0  # T-4 opened 00:00; APP-5's form: Nov
    assert december.count("withdrawals") == 0
    assert build_report(dt.date(2026, 12, 2), dt.date(2026, 12, 2)).count("withdrawals") == 6  # st-a: 1 → 7
    last_day = build_report(dt.date(2026, 11, 30), dt.date(2026, 11, 30))
    assert (last_day.count("registered"), last_day.count("records")) == (1, 1)  # APP-4 at 23:59, st-b-r1 at 23:00
    assert [(d, n) for d, n in last_day.per_day] == [(dt.date(2026, 11, 30), 1)]
    with pytest.raises(ValueError, match="ends"):
        build_report(dt.date(2026, 11, 30), dt.date(2026, 11, 1))
