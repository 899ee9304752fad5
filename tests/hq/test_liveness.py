"""What stations say about themselves: liveness on HQ's clock with epochs (a stale Will never marks a newer
connection lost), health history without repeats, reported versions, and commands with their job states."""

import datetime as dt
import logging

import pytest
from django.test import override_settings

from contract.wire import Command, Health, JobState, Reported, Status, dump, parse
from hq.errors import HqError
from hq.fleet.commands import apply_job_state, send_command_now
from hq.fleet.liveness import apply_health, apply_reported, apply_status
from hq.fleet.models import HealthSample, Job, Station, StatusChange
from provisioning.broker import free_port
from tests.hq.conftest import HQ_PASSWORD, HQ_USER
from tests.hq.history import store_health
from tests.hq.standin import wait_for

TS = "2026-11-25T03:04:05.000+00:00"


def _station() -> Station:
    return Station.objects.get(pk="st-a")


def test_a_stale_will_never_marks_a_newer_connection_lost(station_keys):
    assert apply_status("st-a", Status(state="online", epoch=1))
    assert apply_status("st-a", Status(state="online", epoch=2))  # reconnected …
    assert not apply_status("st-a", Status(state="lost", epoch=1))  # … then the old connection's Will arrives
    assert (_station().status_state, _station().status_epoch) == ("online", 2)
    assert apply_status("st-a", Status(state="lost", epoch=2))  # the current connection's Will counts
    assert not apply_status("st-a", Status(state="lost", epoch=2))  # a second worker seeing it adds nothing
    assert list(StatusChange.objects.order_by("id").values_list("state", "epoch")) == [
        ("online", 1), ("online", 2), ("lost", 2)]


def test_last_seen_is_hqs_clock_at_live_messages_only(station_keys):
    apply_status("st-a", Status(state="online", epoch=1, ts="1999-01-01T00:00:00+00:00"), retained=True)
    assert _station().last_seen is None and _station().status_state == "online"  # state learnt, not "seen"
    apply_status("st-a", Status(state="online", epoch=2, ts="1999-01-01T00:00:00+00:00"))
    seen = _station().last_seen
    assert seen is not None and seen.year >= 2025  # HQ's clock, not the station's
    apply_status("st-a", Status(state="lost", epoch=2))  # the broker speaking for a vanished station
    assert _station().last_seen == seen


def test_health_history_has_one_row_per_message(station_keys):
    health = Health(epoch=1, ts=TS, queue_depth=3, counts={"captured": 3}, software_version="0.1.0")
    assert apply_health("st-a", health, retained=True)
    assert not apply_health("st-a", health)  # the same message (retained copy, or a second worker)
    assert apply_health("st-a", health.model_copy(update={"queue_depth": 0, "ts": TS.replace("05.0", "06.0")}))
    assert HealthSample.objects.filter(station="st-a").count() == 2
    assert _station().last_health["queue_depth"] == 0 and _station().last_seen is not None


def test_health_reports_older_than_kept_go_now_and_then_except_those_that_counted_a_withdrawal(station_keys,
                                                                                              monkeypatch):
    """HQ_HEALTH_KEEP_DAYS: a station's old reports are deleted, a bounded number when one stored report in
    PRUNE_EVERY arrives; a report whose withdrawals counter rose stays (the service report sums those rises); other
    stations' reports are untouched. A new report's rise is worked out against the station's previous one."""
    from django.utils import timezone

    from hq.fleet import liveness

    monkeypatch.setattr(liveness, "PRUNE_BATCH", 3)
    long_ago = timezone.now() - dt.timedelta(days=31)
    for n, withdrawn in enumerate((0, 1, 1, 1, 1, 2, 2)):  # rises 0, 1, 0, 0, 0, 1, 0
        for sid in ("st-a", "st-b"):
            store_health(sid, long_ago + dt.timedelta(minutes=n), {"counts": {"withdrawn": withdrawn}})
    Station.objects.update(last_health={"counts": {"withdrawn": 2}}, health_at=long_ago + dt.timedelta(minutes=6))
    health = Health(epoch=1, ts=TS, queue_depth=0, counts={"withdrawn": 3}, software_version="0.1.0")

    def left(station_id: str) -> list[int]:
        return list(HealthSample.objects.filter(station_id=station_id).order_by("received_at")
                    .values_list("withdrawn_rise", flat=True))

    def report(station_id: str, second: int) -> None:
        apply_health(station_id, health.model_copy(update={"ts": TS.replace("05.0", f"{second:02d}.0")}))

    next_id = HealthSample.objects.order_by("-pk").first().pk + 1
    monkeypatch.setattr(liveness, "PRUNE_EVERY", next_id + 1)  # the next report is not the one that prunes…
    with override_settings(HQ_HEALTH_KEEP_DAYS=30):
        report("st-a", 5)
        assert left("st-a") == [0, 1, 0, 0, 0, 1, 0, 1]  # nothing deleted; the new one's rise (2 → 3) kept
        report("st-a", 6)  # … this one is
        assert left("st-a") == [1, 0, 1, 0, 1, 0]  # the oldest three without a rise gone
        monkeypatch.setattr(liveness, "PRUNE_EVERY", 1)
        report("st-a", 7)
        assert left("st-a") == [1, 1, 1, 0, 0]  # the rest: only the rises and the new reports left
        assert len(left("st-b")) == 7
    with override_settings(HQ_HEALTH_KEEP_DAYS=40):
        report("st-b", 5)
        assert len(left("st-b")) == 8  # within 40 days: kept


def test_reported_keeps_the_applied_assignment_version(station_keys, caplog):
    apply_reported("st-a", Reported(assignment_version=3, ts=TS))
    with caplog.at_level(logging.WARNING, logger="hq"):
        apply_reported("st-a", Reported(assignment_version=3, refused_version=4, refused_reason="bad signature",
                                        ts=TS))
    station = _station()
    assert station.assignment_version == 3 and station.reported["refused_version"] == 4
    assert "refused assignment version 4" in caplog.text


def test_a_stale_will_over_mqtt_after_a_reconnect(start_worker, stand_in, station_keys, caplog):
    caplog.set_level(logging.INFO, logger="hq")
    start_worker()
    old = stand_in("st-a", client_id="st-a-1", will=dump(Status(state="lost", epoch=1)))
    old.publish("status", dump(Status(state="online", epoch=1)), retain=True)
    wait_for(lambda: Station.objects.filter(pk="st-a", status_epoch=1).exists(), what="epoch 1 online")
    new = stand_in("st-a", client_id="st-a-2", will=dump(Status(state="lost", epoch=2)))
    new.publish("status", dump(Status(state="online", epoch=2)), retain=True)
    wait_for(lambda: Station.objects.filter(pk="st-a", status_epoch=2).exists(), what="epoch 2 online")
    old.vanish()  # the first connection's Will (lost, epoch 1) now arrives after epoch 2 went online
    wait_for(lambda: "lost of epoch 1 is older than the current epoch 2: ignored" in caplog.text, what="the Will")
    assert (_station().status_state, _station().status_epoch) == ("online", 2)
    new.vanish()
    wait_for(lambda: Station.objects.filter(pk="st-a", status_state="lost", status_epoch=2).exists(),
             what="the current connection's Will")


def test_a_command_reaches_the_station_with_an_expiry_and_its_job_states_are_kept(start_worker, stand_in,
                                                                                  broker, station_keys):
    start_worker()
    station = stand_in("st-a")
    station.listen("cmd/+")
    with override_settings(HQ_MQTT_URL=f"mqtt://{HQ_USER}:{HQ_PASSWORD}@127.0.0.1:{broker.port}"):
        job = send_command_now("st-a", "sync_now", ttl_s=60, created_by="admin")
    msg = wait_for(lambda: station.received and station.received[0], what="the command")
    command = parse(Command, msg.payload)
    assert msg.topic.endswith(f"/st-a/cmd/{job.id}") and command.name == "sync_now" and command.job == job.id
    assert 0 < msg.properties.MessageExpiryInterval <= 60
    assert Job.objects.get(pk=job.id).state == "sent"
    for state in ("queued", "succeeded", "in_progress"):  # the late in_progress must not undo succeeded
        station.publish(f"job/{job.id}", dump(JobState(job=job.id, state=state, detail=state, ts=TS)))
    wait_for(lambda: Job.objects.filter(pk=job.id, state="succeeded").exists(), what="the job's result")
    assert Station.objects.get(pk="st-a").last_seen is not None


def test_commands_hq_cannot_send_are_refused(station_keys):
    for station_id, name, code in (("st-a", "format_disk", "hq.command_name"), ("st-zz", "sync_now",
                                                                            "hq.station_unknown")):
        with pytest.raises(HqError) as refused:
            send_command_now(station_id, name)
        assert refused.value.code == code
    with override_settings(HQ_MQTT_URL=f"mqtt://{HQ_USER}@127.0.0.1:{free_port()}"), \
            pytest.raises(HqError) as refused:
        send_command_now("st-a", "sync_now")  # no broker there
    assert refused.value.code == "hq.broker_unreachable"
    assert not Job.objects.exists()


def test_job_states_for_unknown_or_foreign_jobs_are_ignored(station_keys):
    other = Job.objects.create(id="job-b", station_id="st-b", name="sync_now", expires_at="2030-01-01T00:00Z")
    assert not apply_job_state("st-a", "job-b", JobState(job="job-b", state="failed", ts=TS))  # not st-a's job
    assert not apply_job_state("st-a", "job-zz", JobState(job="job-zz", state="failed", ts=TS))
    assert not apply_job_state("st-b", "job-b", JobState(job="job-other", state="failed", ts=TS))  # topic ≠ body
    other.refresh_from_db()
    assert other.state == "sent"
