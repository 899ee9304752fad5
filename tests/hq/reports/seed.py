"""A November 2026 for the service report's tests, seeded straight through the models, with real sealed packets
(contract.packets.seal_record, a record.json like the station's, images that are only magic bytes and a marker).

Every expected number below is worked out by hand from the seed (HQ's time zone is Asia/Jakarta, UTC+7); the
comments beside each row say which counts and steps it falls in.
"""

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from contract.packets import packet_file_name, seal_record
from hq.applications.models import Application, Correction, School
from hq.fleet.models import Station
from hq.helpdesk.models import Ticket
from hq.ingest.models import CorrectionRequest, Record
from hq.lists.models import ApplicationList, ListEvent, Spt, StationAssignment
from hq.users import create_user
from tests.hq.history import store_health

WIB = ZoneInfo("Asia/Jakarta")
HOSTILE = '=HYPERLINK("http://x","y")'  # a school name a spreadsheet would run as a formula
PNG, JPEG, WSQ = b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", b"\xff\xa0\xff\xa8"
PASSWORD = "kata-sandi-rahasia"

# (cases, within standard, missed, open, share, median) per step for November 2026
STEPS = {1: (4, 3, 1, 0, 3 / 4, dt.timedelta(seconds=40)),
         2: (5, 2, 1, 2, 2 / 3, dt.timedelta(seconds=50)),
         3: (2, 1, 1, 0, 1 / 2, dt.timedelta(minutes=20)),
         4: (5, 3, 1, 1, 3 / 4, dt.timedelta(minutes=10)),
         5: (3, 1, 1, 1, 1 / 2, dt.timedelta(minutes=6, seconds=30)),
         6: (2, 0, 1, 1, 0.0, dt.timedelta(minutes=17)),
         7: (1, 1, 0, 0, 1.0, dt.timedelta(minutes=15)),
         8: (1, 1, 0, 0, 1.0, dt.timedelta(hours=3, minutes=30)),
         9: (4, 2, 1, 1, 2 / 3, dt.timedelta(minutes=7)),
         10: (4, 2, 1, 1, 2 / 3, dt.timedelta(minutes=10))}
COUNTS = {"registered": 6, "verified": 2, "rejected": 1, "corrections_requested": 4, "corrections_resolved": 4,
          "lists_approved": 2, "spts_issued": 1, "schools_visited": 2, "students_recorded": 3, "exceptions": 3,
          "withdrawals": 6, "records": 4}
PER_DAY = {1: 1, 2: 2, 5: 1, 10: 1, 30: 1}  # applications submitted per day of November


def wib(month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, second, tzinfo=WIB)


def nov(day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return wib(11, day, hour, minute, second)


@dataclass
class Seed:
    hq_key: X25519PrivateKey
    markers: list[bytes] = field(default_factory=list)  # one per image sealed: none may appear outside a packet
    packets: list[Path] = field(default_factory=list)


def record_json(record_id: str, station_id: str, seq: int, number: str, npsn: str, assignment_id: str,
                sealed_at: str, exceptions: tuple[tuple[str, str], ...]) -> bytes:
    """A record.json shaped like station/sealing.py's _record_json (demographics, captures with outcomes)."""
    captures = [{"position": "face", "modality": "face", "outcome": "captured", "score": 92.0, "threshold": 90,
                 "attempts": 1, "below_threshold": False, "reason": None, "exception_code": None,
                 "device_serial": "CAM-1", "started_at": sealed_at, "finished_at": sealed_at, "image": "face.png",
                 "metadata": {}}]
    captures += [{"position": position, "modality": "finger" if "iris" not in position else "iris",
                  "outcome": "exception", "score": None, "threshold": 40, "attempts": 0, "below_threshold": False,
                  "reason": "seen by the operator", "exception_code": code, "device_serial": "FP-1",
                  "started_at": sealed_at, "finished_at": sealed_at, "image": None, "metadata": {}}
                 for position, code in exceptions]
    return json.dumps({
        "format": "sinopsis-record/1", "record_id": record_id, "station_id": station_id, "seq": seq,
        "receipt_number": f"{station_id}-{seq:05d}", "sealed_at": sealed_at, "operator_id": "OP-01",
        "checked_in_at": sealed_at,
        "assignment": {"assignment_id": assignment_id, "version": 1, "spt_number": "474/001/2026",
                       "school_npsn": npsn},
        "applicant": {"application_id": number, "nik": "1471010101080001", "name": "Siswa", "birth_place": "Pekanbaru",
                      "birth_date": "2008-01-01", "sex": "F", "kk_number": "1471010101080002", "phone": "+628111"},
        "captures": captures}, indent=1, sort_keys=True).encode()


def store_packet(seed: Seed, hq_data: Path, key: Ed25519PrivateKey, station_id: str, record_id: str, seq: int,
                 sealed: dt.datetime, number: str, npsn: str, assignment_id: str = "asg-1",
                 exceptions: tuple[tuple[str, str], ...] = ()) -> Record:
    """Seal a record as a station does and store it as ingest does (the file, then the row)."""
    sealed_at = sealed.astimezone(dt.UTC).isoformat()
    marker = os.urandom(16).hex().encode()
    seed.markers.append(marker)
    files = {"record.json": record_json(record_id, station_id, seq, number, npsn, assignment_id, sealed_at,
                                        exceptions),
             "face.png": PNG + marker, "signature.jpg": JPEG + marker, "right_index.wsq": WSQ + marker}
    packet = seal_record(record_id=record_id, station_id=station_id, seq=seq, created_at=sealed_at, files=files,
                         station_key=key, hq_public_key=seed.hq_key.public_key())
    relative = Path("records") / station_id / packet_file_name(record_id)
    (hq_data / relative).parent.mkdir(parents=True, exist_ok=True)
    (hq_data / relative).write_bytes(packet)
    seed.packets.append(hq_data / relative)
    return Record.objects.create(record_id=record_id, station_id=station_id, seq=seq, sha256="0" * 64,
                                 size=len(packet), path=str(relative), sealed_at=sealed_at,
                                 received_at=sealed + dt.timedelta(minutes=5))


def _event(lst: ApplicationList, action: str, to_state: str, at: dt.datetime, from_state: str = "") -> None:
    ListEvent.objects.create(application_list=lst, action=action, from_state=from_state, to_state=to_state, at=at)


def seed_november(hq_data: Path, station_keys: dict[str, Ed25519PrivateKey], hq_key: X25519PrivateKey) -> Seed:
    """The whole month (and a little of October and December, to test the period's edges)."""
    seed = Seed(hq_key)
    create_user("admin", PASSWORD, roles=("admin",), full_name="Admin Kantor")
    admin = Application._meta.get_field("applicant").related_model.objects.get(username="admin")
    s1 = School.objects.create(npsn="10000001", name="SMA Negeri 1 Pekanbaru")
    s2 = School.objects.create(npsn="10000002", name=HOSTILE)
    Station.objects.filter(pk="st-b").update(name="@Kit B")  # a station name a spreadsheet would run

    def app(number: str, school: School, submitted: dt.datetime, nik_end: int, state: str = "submitted",
            form: dt.datetime | None = None, review: dt.datetime | None = None,
            decided: dt.datetime | None = None) -> Application:
        return Application.objects.create(
            number=number, nik=f"14710101010800{nik_end:02d}", kk_number="1471010101089999", name=f"Siswa {number}",
            birth_place="Pekanbaru", birth_date=dt.date(2008, 1, 1), sex="F", school=school, phone="+628111",
            applicant=admin, state=state, form_opened_at=form, submitted_at=submitted, review_opened_at=review,
            decided_at=decided)

    # step 1 form → submitted; step 2 review → decision
    a1 = app("APP-1", s1, nov(2, 9, 0, 40), 1, "verified", nov(2, 9), nov(3, 10), nov(3, 10, 0, 50))  # 40 s, 50 s
    a2 = app("APP-2", s1, nov(2, 9, 12), 2, "verified", nov(2, 9, 10), nov(3, 10, 5), nov(3, 10, 7))  # 120 s, 120 s
    app("APP-3", s1, nov(5, 8, 0, 30), 3, "rejected", nov(5, 8), nov(5, 9), nov(5, 9, 0, 30))  # 30 s, 30 s
    a4 = app("APP-4", s2, nov(30, 23, 59), 4)  # the last minute of the period: registered; no step-1 start
    app("APP-5", s2, wib(12, 1, 0, 0, 10), 5, form=nov(30, 23, 59, 30))  # submitted in December; step 1 in (40 s)
    a6 = app("APP-6", s2, nov(1), 6, form=wib(10, 31, 23, 59), review=nov(1, 8))  # the first moment: in; step 2 open
    a7 = app("APP-7", s1, nov(10, 10), 7, "correction", review=nov(10, 11))  # step 2 open (in correction)
    app("APP-8", s1, wib(10, 20), 8, "verified", decided=wib(10, 21))  # October: in no count

    # lists: step 3 grouping, 4 with the Kasi, 5 with the Kabid, 6 SPT, 7 assignment
    l1 = ApplicationList.objects.create(number="L-1", school=s1, state="approved", created_at=nov(6, 9, 10),
                                        created_by=admin, grouping_started_at=nov(6, 9))  # 10 min
    l1.applications.set([a1, a2])
    _event(l1, "created", "draft", nov(6, 9, 10))
    _event(l1, "submitted", "submitted", nov(6, 9, 20), "draft")
    _event(l1, "returned", "draft", nov(6, 9, 50), "submitted")  # with the Kasi 30 min (missed)
    _event(l1, "submitted", "submitted", nov(6, 10), "draft")
    _event(l1, "verified", "verified", nov(6, 10, 10), "submitted")  # 10 min
    _event(l1, "approved", "approved", nov(6, 10, 13), "verified")  # with the Kabid 3 min
    _event(l1, "spt_issued", "", nov(6, 10, 30))
    spt = Spt.objects.create(number="474/001/2026", year=2026, serial=1, application_list=l1,
                             recording_date=dt.date(2026, 11, 9), issued_at=nov(6, 10, 30), issued_by=admin)  # 17 min
    StationAssignment.objects.create(spt=spt, station_id="st-a", version=1, assignment_id="asg-1", bundle="{}",
                                     content_sha256="0" * 64, assigned_at=nov(6, 10, 40), assigned_by=admin,
                                     published_at=nov(6, 10, 45))  # 15 min after the SPT
    l2 = ApplicationList.objects.create(number="L-2", school=s2, state="verified", created_at=nov(20, 8, 30),
                                        created_by=admin, grouping_started_at=nov(20, 8))  # 30 min (missed)
    _event(l2, "created", "draft", nov(20, 8, 30))
    _event(l2, "submitted", "submitted", nov(20, 8, 40), "draft")
    _event(l2, "verified", "verified", nov(20, 8, 50), "submitted")  # 10 min; with the Kabid: open
    l3 = ApplicationList.objects.create(number="L-3", school=s1, state="submitted", created_at=nov(25, 8),
                                        created_by=admin)
    _event(l3, "created", "draft", nov(25, 8))
    _event(l3, "submitted", "submitted", nov(25, 9), "draft")  # with the Kasi: open
    l4 = ApplicationList.objects.create(number="L-4", school=s2, state="approved", created_at=nov(28, 9),
                                        created_by=admin)
    _event(l4, "created", "draft", nov(28, 9))
    _event(l4, "submitted", "submitted", nov(28, 9, 5), "draft")
    _event(l4, "verified", "verified", nov(28, 9, 15), "submitted")  # 10 min
    _event(l4, "approved", "approved", nov(28, 9, 25), "verified")  # 10 min (missed); no SPT yet: step 6 open

    # step 8 and what the records say (st-a recorded list L-1 on 9 November)
    store_packet(seed, hq_data, station_keys["st-a"], "st-a", "st-a-r1", 1, nov(9, 8), "APP-1", "10000001",
                 exceptions=(("left_thumb", "amputated"), ("right_iris", "other")))
    store_packet(seed, hq_data, station_keys["st-a"], "st-a", "st-a-r2", 2, nov(9, 11, 30), "APP-2", "10000001")
    store_packet(seed, hq_data, station_keys["st-b"], "st-b", "st-b-r1", 1, nov(30, 23), "APP-4", "10000002",
                 assignment_id="asg-other", exceptions=(("left_index", "bandaged"),))
    store_packet(seed, hq_data, station_keys["st-b"], "st-b", "st-b-r2", 2, wib(12, 1), "APP-5", "10000002",
                 assignment_id="asg-other")  # sealed at the first moment of December: out
    store_packet(seed, hq_data, Ed25519PrivateKey.generate(), "st-a", "st-a-r3", 3, nov(15, 10), "APP-9",
                 "10000001")  # not signed by st-a's enrolled key: unreadable

    # withdrawals as the stations reported them (counts.withdrawn in their Health)
    for station_id, received, withdrawn in (("st-a", wib(10, 31, 12), 1), ("st-a", nov(9, 9), 2),
                                             ("st-a", nov(9, 12), 4), ("st-a", nov(20), 0), ("st-a", nov(21), 1),
                                             ("st-a", wib(12, 2), 7), ("st-b", nov(30, 12), 2)):
        store_health(station_id, received, {"counts": {"withdrawn": withdrawn, "accepted": 3}})

    # step 9: corrections (the office's, and a station's request not yet turned into one)
    linked = CorrectionRequest.objects.create(station_id="st-a", record_id="st-a-x1", application_id="APP-7",
                                              assignment_id="asg-1", reason_code="kk_mismatch", phone="+628111",
                                              requested_at=nov(10, 11).isoformat(), requested_by="kiosk",
                                              received_at=nov(10, 11, 1))
    Correction.objects.create(application=a7, source="station", station_request=linked, opened_at=nov(10, 11, 5),
                              resolved_at=nov(10, 11, 12), state="resolved")  # 7 min
    Correction.objects.create(application=a7, source="verification", opened_at=nov(12, 9),
                              resolved_at=nov(12, 9, 30), state="resolved")  # 30 min (missed)
    Correction.objects.create(application=a6, source="verification", opened_at=nov(29, 10))  # open
    Correction.objects.create(application=a4, source="verification", opened_at=wib(10, 30, 9),
                              resolved_at=nov(2, 9), state="resolved")  # opened in October, resolved in November
    CorrectionRequest.objects.create(station_id="st-a", record_id="st-a-x2", application_id="APP-2",
                                     assignment_id="asg-1", reason_code="name_mismatch", phone="+628111",
                                     requested_at=nov(9, 10).isoformat(), requested_by="kiosk",
                                     received_at=nov(9, 10), handled_at=nov(9, 10, 5))  # 5 min

    # step 10: help-desk tickets
    for number, opened, answered in (("T-1", nov(3, 8), nov(3, 8, 4)), ("T-2", nov(3, 9), nov(3, 9, 25)),
                                     ("T-3", nov(30, 23, 50), None), ("T-4", wib(12, 1), wib(12, 1, 0, 1)),
                                     ("T-5", nov(1), nov(1, 0, 10))):  # 4 min, 25 min, open, December, 10 min
        Ticket.objects.create(number=number, subject="?", question="?", opened_at=opened, answered_at=answered)
    return seed
