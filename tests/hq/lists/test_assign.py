"""SOP step 7: an SPT assigned to stations — the content exactly as contract/assignment.py defines it and as the
station verifies it, versions above anything the station has, a list the station would refuse never sent, the
retained `desired` over a real mosquitto received by a station that applies it, a broker that is down (the error,
then 'send again'), and the team's progress on the SPT, list and team pages."""

import datetime as dt
import json
import socket
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import timezone

from contract.assignment import AssignmentContent, verify_bundle
from contract.keys import public_pem
from contract.wire import Desired, Reported, Status, parse
from edge_agent.desired import apply_desired
from hq.applications.models import Application
from hq.fleet.enrolment import enrol_station
from hq.fleet.liveness import apply_reported, apply_status
from hq.fleet.models import Station
from hq.ingest.models import Record
from hq.ingest.tallies import count_stored
from hq.keys import assignment_key
from hq.lists import workflow
from hq.lists.assign import assign, bundle_content, next_version, publish
from hq.lists.content import list_data
from hq.lists.errors import ListError
from hq.lists.models import ListEvent, StationAssignment
from hq.lists.spt import issue_spt
from sinopsis.demo_data import DEMO_STATION_ID
from tests.hq.conftest import HQ_PASSWORD, HQ_USER
from tests.hq.lists.conftest import add_applicants, recording_day, walk
from tests.hq.standin import wait_for


def enrol(station_id: str) -> Station:
    enrol_station(station_id, public_pem(Ed25519PrivateKey.generate().public_key()).encode(), school="")
    return Station.objects.get(pk=station_id)


@pytest.fixture
def spt(make_list, people):
    application_list = make_list("approved")
    issued, _pins = issue_spt(application_list, recording_day(), people["rina.tim"], [people["agus.tim"]],
                              people["kasubbag1"])
    return issued


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_assignment_is_the_approved_list_as_the_station_verifies_it(spt, people):
    station = enrol("st-a")
    made = assign(spt, station, people["piak1"])
    verified = verify_bundle(made.bundle.encode(), assignment_key().public_key(), station_id="st-a")
    content = bundle_content(made)
    assert made.version == 1 and content["version"] == 1 and verified.content.version == 1
    assert content["assignment_id"] == made.assignment_id == f"ASG-{spt.year}-001-st-a-v1"
    assert content["station_id"] == "st-a" and content["school"] == {"npsn": "10404001",
                                                                     "name": "SMA Negeri 1 Pekanbaru"}
    assert content["spt"] == {"number": spt.number, "date": timezone.localdate().isoformat()}
    assert content["recording_date"] == recording_day().isoformat()
    issued = dt.datetime.fromisoformat(content["issued_at"])
    assert issued.utcoffset() == dt.timedelta(0) and abs(issued - made.assigned_at) < dt.timedelta(seconds=1)
    assert [(m["operator_id"], m["name"], m["role"]) for m in content["team"]] == [
        ("rina.tim", "Rina Lestari", "lead"), ("agus.tim", "Agus Pratama", "operator")]
    assert {m["operator_id"]: m["pin_hash"] for m in content["team"]} == dict(
        spt.members.values_list("operator_id", "pin_hash"))
    assert content["applicants"] == list_data(spt.application_list) and len(content["applicants"]) == 5
    assert set(content["applicants"][0]) == {"application_id", "nik", "name", "birth_place", "birth_date", "sex",
                                             "kk_number", "phone"}
    if "help_desk" in AssignmentContent.model_fields:
        assert content["help_desk"]["call_centre"] and verified.content.help_desk is not None
    station.refresh_from_db()
    assert station.spt_number == spt.number and station.school == "SMA Negeri 1 Pekanbaru"
    assert spt.application_list.events.filter(action="assigned", by=people["piak1"]).count() == 1
    assert made.published_at is None and made.publish_error == ""


def test_versions_go_above_anything_the_station_had(spt, people):
    station = enrol("st-a")
    assert assign(spt, station, people["piak1"]).version == 1
    assert assign(spt, station, people["piak1"]).version == 2
    Station.objects.filter(pk="st-a").update(assignment_version=7)
    station.refresh_from_db()
    assert next_version(station) == 8 and assign(spt, station, people["piak1"]).version == 8
    Station.objects.filter(pk="st-a").update(reported={"assignment_version": 7, "refused_version": 11,
                                                       "ts": "2026-11-25T08:00:00Z"})
    station.refresh_from_db()
    assert next_version(station) == 12
    assert next_version(enrol("st-b")) == 1  # per station


def test_only_the_kabid_piak_assigns(login, spt, people):
    station = enrol("st-a")
    with pytest.raises(PermissionDenied):
        assign(spt, station, people["kasubbag1"])
    for who in ("admin1", "kasi1", "kabid1", "kasubbag1", "rina.tim"):
        assert login(who).post(f"/lists/spt/{spt.pk}/assign/", {"stations": ["st-a"]}).status_code == 403, who
    assert login("piak1", csrf=True).post(f"/lists/spt/{spt.pk}/assign/", {"stations": ["st-a"]}).status_code == 403
    assert not StationAssignment.objects.exists()
    missing = login("piak1").post(f"/lists/spt/{spt.pk}/assign/", {})
    assert missing.status_code == 400 and "Pilih paling sedikit satu stasiun" in missing.content.decode()


def test_a_list_the_station_would_refuse_is_never_sent(login, school, people):
    good = add_applicants(school, people["student1"], 1, seed=11, first=40)[0]
    wrong_day = good.birth_date + dt.timedelta(days=1)  # the NIK says otherwise: the station refuses it
    Application.objects.filter(pk=good.pk).update(birth_date=wrong_day)
    application_list = walk(workflow.create_list(school, [good.pk], people["admin1"]), people, "approved")
    spt, _ = issue_spt(application_list, recording_day(), people["rina.tim"], [], people["kasubbag1"])
    enrol("st-a")
    with pytest.raises(ListError) as refused:
        assign(spt, Station.objects.get(pk="st-a"), people["piak1"])
    assert refused.value.code == "lists.station_refuses"
    assert "birth date in the NIK" in str(refused.value) and good.number in str(refused.value)
    page = login("piak1").post(f"/lists/spt/{spt.pk}/assign/", {"stations": ["st-a"]}, follow=True)
    assert "Stasiun st-a akan menolak penugasan ini" in page.content.decode()
    assert "birth date in the NIK" in page.content.decode()
    assert not StationAssignment.objects.exists()


def test_a_list_changed_after_approval_is_not_assigned(login, spt, people):
    enrol("st-a")
    first = spt.application_list.applications.order_by("number").first()
    Application.objects.filter(pk=first.pk).update(phone="081299990000")
    page = login("piak1").post(f"/lists/spt/{spt.pk}/assign/", {"stations": ["st-a"]}, follow=True)
    assert "berubah setelah disetujui" in page.content.decode() and not StationAssignment.objects.exists()
    with pytest.raises(ListError) as error:
        assign(spt, Station.objects.get(pk="st-a"), people["piak1"])
    assert error.value.code == "lists.changed"


def test_published_over_mosquitto_and_applied_by_the_station(login, spt, people, broker, stand_in, store,
                                                             station_config, tmp_path: Path):
    enrol(DEMO_STATION_ID)
    station = stand_in(DEMO_STATION_ID)
    piak = login("piak1")
    with override_settings(HQ_MQTT_URL=f"mqtt://{HQ_USER}:{HQ_PASSWORD}@127.0.0.1:{broker.port}"):
        response = piak.post(f"/lists/spt/{spt.pk}/assign/", {"stations": [DEMO_STATION_ID]}, follow=True)
    assert "penugasan versi 1 terkirim" in response.content.decode()
    made = StationAssignment.objects.get()
    assert made.published_at is not None and made.publish_error == ""
    assert spt.application_list.events.filter(action=ListEvent.Action.PUBLISHED, by=people["piak1"]).exists()

    station.listen("desired")  # retained: a station that connects later still gets it
    message = wait_for(lambda: station.received, what="the retained desired")[0]
    assert message.retain and message.qos == 1
    desired = parse(Desired, message.payload)
    assert desired.version == 1 and desired.bundle == made.bundle
    reported = apply_desired(store, station_config, assignment_key().public_key(), message.payload, tmp_path)
    assert reported.assignment_version == 1 and reported.refused_version is None
    count = store.conn.execute("SELECT COUNT(*) FROM applicants").fetchone()[0]
    assert count == 5

    # the station says so, is online and sends records: the progress shows on the SPT, list and team pages
    apply_reported(DEMO_STATION_ID, Reported(assignment_version=1, ts=timezone.now().isoformat()))
    apply_status(DEMO_STATION_ID, Status(state="online", epoch=1))
    before = (made.assigned_at - dt.timedelta(hours=1)).isoformat()
    for seq, sealed in enumerate([before] + [(made.assigned_at + dt.timedelta(minutes=m)).isoformat()
                                             for m in (5, 9)], 1):
        count_stored([Record.objects.create(record_id=f"r{seq}", station_id=DEMO_STATION_ID, seq=seq,
                                            sha256="0" * 64, size=1, path=f"records/{seq}", sealed_at=sealed)])
    for client, url in ((piak, f"/lists/spt/{spt.pk}/"), (login("kabid1"), f"/lists/{spt.application_list.pk}/"),
                        (login("rina.tim"), "/lists/mine/")):
        page = client.get(url).content.decode()
        assert 'data-applied="applied"' in page and "diterapkan (versi 1)" in page, url
        assert 'data-records="2"' in page and "2 dari 5 siswa (40%)" in page, url
        assert "Daring" in page, url
    assert "Ketua tim" in login("rina.tim").get("/lists/mine/").content.decode()
    assert "Anda belum tercantum di SPT mana pun" in login("kasi1").get("/lists/mine/").content.decode()


def test_a_refusal_reported_by_the_station_shows_with_its_reason(login, spt, people):
    enrol("st-a")
    made = assign(spt, Station.objects.get(pk="st-a"), people["piak1"])
    apply_reported("st-a", Reported(refused_version=made.version, refused_reason="assignment.roster: too young",
                                    ts=timezone.now().isoformat()))
    page = login("piak1").get(f"/lists/spt/{spt.pk}/").content.decode()
    assert 'data-applied="refused"' in page and "ditolak: assignment.roster: too young" in page


def test_broker_down_keeps_the_assignment_and_send_again_works(login, spt, people, broker, stand_in):
    enrol("st-a")
    piak = login("piak1")
    with override_settings(HQ_MQTT_URL=f"mqtt://{HQ_USER}:{HQ_PASSWORD}@127.0.0.1:{closed_port()}"):
        page = piak.post(f"/lists/spt/{spt.pk}/assign/", {"stations": ["st-a"]}, follow=True).content.decode()
    made = StationAssignment.objects.get()
    assert made.published_at is None and "Broker pesan tidak dapat dihubungi" in made.publish_error
    assert "tersimpan tetapi belum terkirim" in page and f"/lists/assignment/{made.pk}/send/" in page
    assert 'data-applied="unsent"' in page
    assert "Kirim penugasan lagi" in piak.get("/lists/").content.decode()

    with override_settings(HQ_MQTT_URL=f"mqtt://{HQ_USER}:{HQ_PASSWORD}@127.0.0.1:{closed_port()}"):
        still = piak.post(f"/lists/assignment/{made.pk}/send/", follow=True).content.decode()
    assert "masih belum terkirim" in still
    assert login("kasubbag1").post(f"/lists/assignment/{made.pk}/send/").status_code == 403
    assert piak.get(f"/lists/assignment/{made.pk}/send/").status_code == 405

    with override_settings(HQ_MQTT_URL=f"mqtt://{HQ_USER}:{HQ_PASSWORD}@127.0.0.1:{broker.port}"):
        sent = piak.post(f"/lists/assignment/{made.pk}/send/", follow=True).content.decode()
    made.refresh_from_db()
    assert "penugasan versi 1 terkirim" in sent and made.published_at is not None and made.publish_error == ""
    station = stand_in("st-a")
    station.listen("desired")
    message = wait_for(lambda: station.received, what="the retained desired")[0]
    verified = verify_bundle(parse(Desired, message.payload).bundle.encode(), assignment_key().public_key(),
                             station_id="st-a")
    assert verified.content.version == 1 and len(verified.content.applicants) == 5
    assert json.loads(made.bundle)["content"] == json.loads(verified.bundle_text)["content"]


def test_publish_function_records_a_broker_that_is_down(spt, people):
    made = assign(spt, enrol("st-a"), people["piak1"])
    with override_settings(HQ_MQTT_URL=f"mqtt://{HQ_USER}:{HQ_PASSWORD}@127.0.0.1:{closed_port()}"):
        publish(made)
    made.refresh_from_db()
    assert made.published_at is None and "Broker pesan tidak dapat dihubungi" in made.publish_error
    assert not made.spt.application_list.events.filter(action=ListEvent.Action.PUBLISHED).exists()
