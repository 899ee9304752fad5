"""The reassignment guard (issue 21, point 2): a station whose last health report shows records not yet at HQ or
a session open is not reassigned without a confirmation that says exactly that; the confirmation is audited,
the station is told (its new `desired` and a `sync_now` command over a real mosquitto) and the dashboard shows
an alert until the station reports the new version applied (fed through liveness, ingest's own code path)."""

import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import override_settings
from django.utils import timezone

from contract.keys import public_pem
from contract.wire import Command, Desired, Health, Reported, parse
from hq.fleet.enrolment import enrol_station
from hq.fleet.liveness import apply_health, apply_reported
from hq.fleet.models import Reassignment, Station
from hq.ingest.models import Record
from hq.ingest.tallies import count_stored
from hq.lists.assign import UnconfirmedReassignmentError, assign
from hq.lists.models import ListEvent, StationAssignment
from hq.lists.spt import issue_spt
from provisioning.broker import free_port
from tests.hq.conftest import HQ_PASSWORD, HQ_USER
from tests.hq.lists.conftest import recording_day
from tests.hq.standin import wait_for

WARNING = ("Stasiun st-a masih mengerjakan penugasannya sekarang: 2 rekaman yang dibuat di stasiun belum sampai di "
           "HQ; sesi perekaman sedang terbuka (1 siswa sedang direkam) (laporan kesehatan terakhirnya, ")
ALERT = ("Dipindahkan ke SMA Negeri 1 Pekanbaru (versi 2) saat masih sibuk: 2 rekaman belum di HQ, 1 sedang direkam"
         " — menunggu stasiun mengonfirmasi penugasan baru")


@pytest.fixture
def busy(make_list, people):
    """st-a assigned (version 1) and applied; its last health: 3 records waiting, one student being recorded;
    one of the three reached HQ after that report (so 2 are outstanding)."""
    spt, _pins = issue_spt(make_list("approved"), recording_day(), people["rina.tim"], [], people["kasubbag1"])
    enrol_station("st-a", public_pem(Ed25519PrivateKey.generate().public_key()).encode(), school="")
    assign(spt, Station.objects.get(pk="st-a"), people["piak1"])
    apply_reported("st-a", Reported(assignment_version=1, ts=timezone.now().isoformat()))
    apply_health("st-a", Health(epoch=1, ts=timezone.now().isoformat(), queue_depth=3, software_version="t",
                                counts={"accepted": 4, "captured": 1, "sent": 2, "capturing": 1},
                                assignment_version=1))
    count_stored([Record.objects.create(record_id="r1", station_id="st-a", seq=5, sha256="0" * 64, size=1,
                                        path="records/r1", sealed_at=timezone.now().isoformat(),
                                        received_at=timezone.now() + dt.timedelta(seconds=1))])
    return spt


def alerts(client) -> list[dict]:
    return [a for a in client.get("/fleet.json").json()["alerts"] if a["kind"] == "reassigned"]


def test_refused_without_confirmation_then_confirmed_audited_told_and_alerted_until_the_station_acks(
        login, busy, people, broker, stand_in):
    station = stand_in("st-a")
    station.listen("cmd/+")
    piak, url = login("piak1"), f"/lists/spt/{busy.pk}/assign/"
    chooser = piak.get(f"/lists/spt/{busy.pk}/").content.decode()  # said before the station is chosen
    assert 'data-busy="st-a"' in chooser and "masih sibuk: 2 rekaman yang dibuat di stasiun belum sampai" in chooser
    with override_settings(HQ_MQTT_URL=f"mqtt://{HQ_USER}:{HQ_PASSWORD}@127.0.0.1:{broker.port}"):
        asked = piak.post(url, {"stations": ["st-a"]})
        page = asked.content.decode()
        assert asked.status_code == 409 and WARNING in page and "Tetap pindahkan" in page
        token = page.split('name="confirm" value="st-a:', 1)[1].split('"', 1)[0]
        assert StationAssignment.objects.count() == 1  # nothing assigned yet
        stale = piak.post(url, {"stations": ["st-a"], "confirm": "st-a:3.1.0.1"})  # other figures: asked again
        assert stale.status_code == 409 and StationAssignment.objects.count() == 1
        with pytest.raises(UnconfirmedReassignmentError):
            assign(busy, Station.objects.get(pk="st-a"), people["piak1"], {"st-a": "wrong"})
        done = piak.post(url, {"stations": ["st-a"], "confirm": f"st-a:{token}"}, follow=True).content.decode()
    assert "dipindahkan walaupun masih sibuk" in done
    made = StationAssignment.objects.get(version=2)
    forced = Reassignment.objects.get()
    assert (forced.station_id, forced.version, forced.assignment_id) == ("st-a", 2, made.assignment_id)
    assert (forced.pending, forced.capturing, forced.checked_in, forced.confirmed_by) == (2, 1, 0, "piak1")
    assert forced.warning.startswith(WARNING) and forced.acked_at is None
    event = ListEvent.objects.filter(action=ListEvent.Action.ASSIGNED).order_by("at", "id").last()
    assert event.by == people["piak1"] and "dipindahkan setelah dikonfirmasi: " + WARNING in event.reason
    # the station is told: its new desired (retained) and sync_now, to send what it still holds
    command = parse(Command, wait_for(lambda: station.received, what="the sync_now command")[0].payload)
    assert command.name == "sync_now" and forced.sync_job == command.job
    station.listen("desired")
    desired = wait_for(lambda: [m for m in station.received if m.topic.endswith("/desired")], what="the desired")
    assert parse(Desired, desired[0].payload).version == 2

    kasi = login("kasi1")  # every staff role sees the alert
    assert [(a["station"], a["level"], a["text"]) for a in alerts(kasi)] == [("st-a", "warn", ALERT)]
    assert ALERT in kasi.get("/stations/st-a/").content.decode()
    apply_reported("st-a", Reported(assignment_version=1, refused_version=2, refused_reason="assignment.old",
                                    ts=timezone.now().isoformat()))
    assert [(a["level"], a["text"].endswith("stasiun menolaknya: assignment.old")) for a in alerts(kasi)] == [
        ("bad", True)]
    apply_reported("st-a", Reported(assignment_version=2, ts=timezone.now().isoformat()))
    assert alerts(kasi) == [] and Reassignment.objects.get().acked_at is not None

    # nothing outstanding any more: reassigned without asking, nothing to confirm or audit as forced
    apply_health("st-a", Health(epoch=1, ts=timezone.now().isoformat(), queue_depth=0, software_version="t",
                                counts={"accepted": 7}, assignment_version=2))
    with override_settings(HQ_MQTT_URL=f"mqtt://{HQ_USER}:{HQ_PASSWORD}@127.0.0.1:{free_port()}"):
        response = piak.post(url, {"stations": ["st-a"]})
    assert response.status_code == 302 and StationAssignment.objects.filter(version=3).exists()
    assert Reassignment.objects.count() == 1


def test_the_spt_page_lists_every_station_with_what_it_holds_in_the_same_queries_for_a_province(login, busy):
    """Issue 22: the SPT page's chooser lists every enrolled station with its state and what it still holds; the
    records stored since each report are counted for all busy stations at once, so 12 stations (8 busy) cost the
    page the same queries as 1."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    piak, url = login("piak1"), f"/lists/spt/{busy.pk}/"

    def queries() -> int:
        piak.get(url)
        with CaptureQueriesContext(connection) as captured:
            page = piak.get(url).content.decode()
        assert 'data-busy="st-a"' in page and "masih sibuk: 2 rekaman yang dibuat di stasiun belum sampai" in page
        return len(captured)

    one = queries()
    for n in range(11):
        sid = f"st-p{n:02d}"
        enrol_station(sid, public_pem(Ed25519PrivateKey.generate().public_key()).encode(), school="")
        apply_health(sid, Health(epoch=1, ts=timezone.now().isoformat(), queue_depth=n % 3, software_version="t",
                                 counts={"captured": n % 4}))
        count_stored([Record.objects.create(record_id=f"{sid}-r1", station_id=sid, seq=1, sha256="0" * 64, size=1,
                                            path=f"records/{sid}-r1", sealed_at=timezone.now().isoformat(),
                                            received_at=timezone.now() + dt.timedelta(seconds=1))])
    assert queries() == one
    page = piak.get(url).content.decode()
    # st-p03 reported 3 captured, one of which reached HQ since; st-p04 reported 1 waiting (outbox), now at HQ
    assert 'data-busy="st-p03"' in page and 'data-busy="st-p04"' not in page
