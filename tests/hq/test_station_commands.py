"""Station commands from the dashboard (issue 21, point 9): only a login holding fleet.send_command (admin, Kabid
PIAK) sees the buttons and may send; each button first asks for confirmation and an expiry; the command reaches
the station over a real mosquitto with that expiry, and the job's state shows on the station page's live JSON
as the station answers (fed through apply_job_state, the code path ingest uses) or as it expires."""

import datetime as dt

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import override_settings
from django.utils import timezone

from contract.keys import public_pem
from contract.wire import COMMANDS, Command, JobState, parse
from hq.fleet.commands import apply_job_state
from hq.fleet.enrolment import enrol_station
from hq.fleet.models import Job
from provisioning.broker import free_port
from tests.hq.conftest import HQ_PASSWORD, HQ_USER
from tests.hq.lists.conftest import indonesian, login, people, quick_passwords
from tests.hq.standin import wait_for

__all__ = ["indonesian", "login", "people", "quick_passwords"]  # the lists tests' fixtures
URL = "/stations/st-a/command/sync_now/"


def jobs(client) -> list[list[str]]:
    """The station page's command table as its live JSON sends it: (command, state) per job, newest first."""
    return [[row[1]["text"], row[2]["text"]] for row in client.get("/stations/st-a/live.json").json()["tables"]["jobs"]]


def test_only_the_allowed_roles_see_and_send_commands_with_a_confirmation_and_an_expiry(login, broker, stand_in):
    enrol_station("st-a", public_pem(Ed25519PrivateKey.generate().public_key()).encode(), school="SMA")
    for who in ("kasi1", "rina.tim"):  # the URL x role matrix (tests/security) covers every role
        page = login(who).get("/stations/st-a/").content.decode()
        assert "data-command-buttons" not in page, who
        assert login(who).get(URL).status_code == 403 and login(who).post(URL, {"expiry": 900}).status_code == 403
    piak, admin = login("piak1"), login("admin1")
    page = piak.get("/stations/st-a/").content.decode()
    assert all(f'data-command="{name}"' in page for name in COMMANDS) and "Kirim rekaman sekarang" in page
    assert 'data-command="sync_now"' in admin.get("/stations/st-a/").content.decode()
    confirm = piak.get(URL).content.decode()  # the button opens the confirmation; nothing is sent yet
    assert "tanpa menunggu putaran berikutnya" in confirm and "Kirim ke st-a" in confirm and "1 jam" in confirm
    assert not Job.objects.exists() and piak.get("/stations/st-a/command/format_disk/").status_code == 404
    wrong = piak.post(URL, {"expiry": 5})
    assert wrong.status_code == 400 and "Pilih salah satu masa berlaku" in wrong.content.decode()

    with override_settings(HQ_MQTT_URL=f"mqtt://{HQ_USER}:{HQ_PASSWORD}@127.0.0.1:{free_port()}"):
        down = piak.post(URL, {"expiry": 900}, follow=True).content.decode()
    assert "tidak terkirim ke stasiun st-a" in down and not Job.objects.exists()

    station = stand_in("st-a")
    station.listen("cmd/+")
    with override_settings(HQ_MQTT_URL=f"mqtt://{HQ_USER}:{HQ_PASSWORD}@127.0.0.1:{broker.port}"):
        sent = piak.post(URL, {"expiry": 900}, follow=True).content.decode()
    job = Job.objects.get()
    assert f"terkirim ke stasiun st-a (tugas {job.id})" in sent and job.created_by == "piak1"
    assert dt.timedelta(seconds=899) < job.expires_at - job.created_at <= dt.timedelta(seconds=900)
    message = wait_for(lambda: station.received, what="the command")[0]
    assert parse(Command, message.payload).job == job.id and 0 < message.properties.MessageExpiryInterval <= 900
    assert jobs(piak) == [["sync_now", "terkirim"]]
    for state, shown in (("in_progress", "sedang berjalan"), ("succeeded", "berhasil")):
        apply_job_state("st-a", job.id, JobState(job=job.id, state=state, ts=timezone.now().isoformat()))
        assert jobs(piak)[0][1] == shown, state

    Job.objects.filter(pk=job.id).update(state="queued", expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert jobs(piak) == [["sync_now", "kedaluwarsa tanpa jawaban"]]  # no final answer before its expiry
