"""Issue 21 point 3: every record counts for the assignment (SPT, school) in force on its station when it was
sealed. The assignment id travels in the packet's signed header and is checked at ingest (a forged one is
refused with its reason and kept as a dead letter); the report's page, CSV, XLSX and PDF and the fleet
dashboard's counts group by it. Station st-a records two students for school A, is reassigned to school B (HQ's
row now names B), records one more; every output still shows A's two with A and B's one with B.

In-process: real sealed packets through ingest's own `receive_packet`, Django's test client for the pages."""

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from contract.batch import write_batch
from contract.keys import public_pem
from contract.packets import read_header, seal_record
from hq.applications.models import School
from hq.fleet import dashboard
from hq.fleet.enrolment import enrol_station
from hq.fleet.models import Station
from hq.ingest.batches import Incoming, process_batches
from hq.ingest.models import DeadLetter, Record
from hq.ingest.storage import ACCEPTED, Expected, receive_packet
from hq.lists.models import ApplicationList, Spt, StationAssignment
from hq.reports import counts
from hq.reports.period import Period
from hq.users import create_user
from tests.hq.reports.seed import PASSWORD, nov, record_json
from tests.hq.reports.test_report_pages import NOVEMBER, csv_tables

BULK_QUERIES = 18  # the stations, their assignments, the holders of others, held ids, the transaction (2 tallies)
DEAD_LETTER_QUERIES = 7
A = ("20000001", "SMA Negeri 5 Pekanbaru", "800/101/2026", "ASG-2026-101-st-a-v1")
B = ("20000002", "SMK Negeri 2 Pekanbaru", "800/102/2026", "ASG-2026-102-st-a-v2")
STATIONS = "Rekaman per stasiun"


@pytest.fixture
def reassigned(hq: Path, station_keys: dict[str, Ed25519PrivateKey]):
    """Schools A and B, an SPT each; st-a assigned A (v1) then B (v2), st-b assigned B; st-a's row says B now."""
    create_user("admin", PASSWORD, roles=("admin",))
    admin = get_user_model().objects.get(username="admin")
    for serial, (npsn, name, number, _id) in enumerate((A, B), start=101):
        school = School.objects.create(npsn=npsn, name=name)
        made = ApplicationList.objects.create(number=f"L-{serial}", school=school, state="approved",
                                              created_by=admin)
        Spt.objects.create(number=number, year=2026, serial=serial, application_list=made,
                           recording_date=dt.date(2026, 11, 9), issued_by=admin)
    for station_id, version, (_n, _s, number, assignment_id) in (("st-a", 1, A), ("st-a", 2, B),
                                                                 ("st-b", 1, (*B[:3], "ASG-2026-102-st-b-v1"))):
        StationAssignment.objects.create(spt=Spt.objects.get(number=number), station_id=station_id, version=version,
                                         assignment_id=assignment_id, bundle="{}", content_sha256="0" * 64,
                                         assigned_by=admin)
    Station.objects.filter(pk="st-a").update(school=B[1], spt_number=B[2], assignment_version=2)
    yield
    for model in (StationAssignment, Spt, ApplicationList, School):
        model.objects.all().delete()


def send(station_keys, hq_key: X25519PrivateKey, record_id: str, seq: int, sealed: dt.datetime,
         school: tuple[str, ...], assignment_id: str | None = None) -> str:
    """Seal one record at st-a as station/sealing.py does (the assignment in the header and in record.json) and
    hand it to ingest; the outcome's code, or 'accepted'."""
    at = sealed.astimezone(dt.UTC).isoformat()
    named = assignment_id or school[3]
    files = {"record.json": record_json(record_id, "st-a", seq, f"PMH-{record_id}", school[0], named, at, ())}
    packet = seal_record(record_id=record_id, station_id="st-a", seq=seq, created_at=at, files=files,
                         station_key=station_keys["st-a"], hq_public_key=hq_key.public_key(), assignment_id=named)
    assert read_header(packet).assignment_id == named  # in the signed header, readable without HQ's key
    outcome = receive_packet(Station.objects.get(pk="st-a"), packet, expected=Expected(record_id, seq))
    return outcome.code or outcome.result


def sealed(station_keys, hq_key: X25519PrivateKey, record_id: str, seq: int, named: str | None,
           station_id: str = "st-a") -> tuple[str, int, bytes]:
    """(record id, seq, packet) naming `named` in the signed header, for a batch."""
    at = nov(9, 8).astimezone(dt.UTC).isoformat()
    files = {"record.json": record_json(record_id, station_id, seq, f"PMH-{record_id}", A[0], named, at, ())}
    return record_id, seq, seal_record(record_id=record_id, station_id=station_id, seq=seq, created_at=at,
                                       files=files, station_key=station_keys[station_id],
                                       hq_public_key=hq_key.public_key(), assignment_id=named)


@pytest.mark.parametrize("extra", [0, 12])
def test_a_group_judges_assignments_in_bulk_by_the_same_rules(reassigned, station_keys, hq_key, extra):
    """A group reads the assignments it needs in two queries, whatever its records name (issue 22: a station HQ
    never assigned cost three queries a record); the outcomes are receive_packet's."""
    station_keys = {**station_keys, "st-c": Ed25519PrivateKey.generate()}  # a station HQ never assigned
    enrol_station("st-c", public_pem(station_keys["st-c"].public_key()).encode())
    records = [sealed(station_keys, hq_key, "r1", 1, A[3]), sealed(station_keys, hq_key, "r4", 2, "ASG-FORGED"),
               sealed(station_keys, hq_key, "r5", 3, "ASG-2026-102-st-b-v1"),
               *(sealed(station_keys, hq_key, f"x{n}", 4 + n, f"ASG-FORGED-{n}") for n in range(extra))]
    unassigned = [sealed(station_keys, hq_key, f"c{n}", n + 1, "ASG-KIT-1", "st-c") for n in range(2 + extra)]
    with CaptureQueriesContext(connection) as queries:
        acks = process_batches([Incoming("st-a", write_batch("g-a", "st-a", records)),
                                Incoming("st-c", write_batch("g-c", "st-c", unassigned))])
    assert acks[0].accepted == ["r1"] and len(acks[1].accepted) == 2 + extra  # st-c: HQ issued it none
    assert [(r.record_id, r.code) for r in acks[0].rejected][:2] == [("r4", "assignment.unknown"),
                                                                    ("r5", "assignment.other_station")]
    # the group's queries are the same for 3 records as for 27; each refusal is also kept as a dead letter (its
    # own transaction: begin, count it again or insert it with its station looked up, commit)
    assert len(queries) == BULK_QUERIES + DEAD_LETTER_QUERIES * (2 + extra)


def test_records_stay_with_the_assignment_they_were_made_under(reassigned, station_keys, hq_key, packet_key_file,
                                                               client_for, tmp_path: Path):
    assert send(station_keys, hq_key, "r1", 1, nov(9, 8), A) == ACCEPTED
    assert send(station_keys, hq_key, "r2", 2, nov(9, 9), A) == ACCEPTED
    assert send(station_keys, hq_key, "r3", 3, nov(10, 8), B) == ACCEPTED  # after the reassignment
    # forged: an id HQ never issued, and st-b's assignment (both claiming school A in record.json)
    assert send(station_keys, hq_key, "r4", 4, nov(10, 9), A, "ASG-FORGED") == "assignment.unknown"
    assert send(station_keys, hq_key, "r5", 5, nov(10, 9), A, "ASG-2026-102-st-b-v1") == "assignment.other_station"
    assert sorted(Record.objects.values_list("record_id", "assignment_id")) == [
        ("r1", A[3]), ("r2", A[3]), ("r3", B[3])]
    dead = {d.code: d.reason for d in DeadLetter.objects.filter(station_id="st-a")}
    assert set(dead) == {"assignment.unknown", "assignment.other_station"}
    assert "names assignment ASG-FORGED, which HQ never issued" in dead["assignment.unknown"]
    assert "issued to station st-b, not to this one" in dead["assignment.other_station"]

    expected = [["st-a", "", A[2], A[1], "2"], ["st-a", "", B[2], B[1], "1"]]
    # without the packet key too: the signed header alone attributes each record
    rows = counts.record_counts(Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30)), details=False).per_station
    assert [["st-a", s.name, s.spt, s.school, str(s.records)] for s in rows] == expected

    admin = client_for("admin")
    html = admin.get(f"/reports/?{NOVEMBER}").content.decode()
    for _npsn, name, number, assignment_id in (A, B):
        row = html.split(f'<tr data-assignment="{assignment_id}">')[1].split("</tr>")[0]
        assert number in row and name in row
    assert re.search(r">2</td></tr>", html.split(f'data-assignment="{A[3]}"')[1].split("</tr>")[0] + "</tr>")

    tables = csv_tables(admin.get(f"/reports/laporan.csv?{NOVEMBER}").content)
    assert tables[STATIONS][1:] == expected
    assert sorted(tables["Sekolah yang dikunjungi"][1:]) == [[A[0], A[1], "2", "0"], [B[0], B[1], "1", "0"]]

    book = load_workbook(io.BytesIO(admin.get(f"/reports/laporan.xlsx?{NOVEMBER}").content))
    assert [list(r) for r in book["Stasiun"].iter_rows(min_row=2, values_only=True)] == [
        [a, None, c, d, int(e)] for a, _name, c, d, e in expected]  # st-a has no name: an empty cell

    if shutil.which("pdftotext"):
        (tmp_path / "r.pdf").write_bytes(admin.get(f"/reports/laporan.pdf?{NOVEMBER}").content)
        text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout
        for _npsn, name, number, _id in (A, B):
            n = 2 if name == A[1] else 1
            assert re.search(rf"st-a\s+{re.escape(number)}\s+{re.escape(name)}\s+{n}\s*$", text, re.MULTILINE), text

    view = dashboard.station("st-a")
    assert view.progress.at_hq == 1  # the current assignment's (B) records only
    assert [(a.assignment_id, a.version, a.school, a.records, a.current) for a in view.per_assignment] == [
        (B[3], 2, B[1], 1, True), (A[3], 1, A[1], 2, False)]
    response = admin.get("/stations/st-a/")
    page = response.content.decode()
    assert response.status_code == 200, page[:300]
    assert "Tersimpan di HQ per penugasan" in page
    assert re.search(rf'<dd data-assignment="{A[3]}">2</dd>', page)
    assert "rekaman menyebut penugasan yang tidak pernah diterbitkan HQ" in page  # the dead letter, labelled
