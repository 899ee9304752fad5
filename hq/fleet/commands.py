"""Commands to stations (`…/cmd/{job}`, with an MQTT message expiry) and the job states they answer with
(`…/job/{job}`), kept as Job rows for the dashboard.

A command is recorded as a Job before it is published, so an answer can never arrive for a job HQ does not
know; a job's final state (succeeded, failed, rejected) is never replaced by a late intermediate one.
"""

import datetime as dt
import logging
import secrets

import paho.mqtt.client as mqtt
from django.db import transaction
from django.utils import timezone
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from contract.wire import COMMANDS, Command, JobState, dump, station_topic
from hq.errors import HqError
from hq.fleet.models import Job, Station

logger = logging.getLogger(__name__)

FINAL = {Job.State.SUCCEEDED, Job.State.FAILED, Job.State.REJECTED}


def new_job_id() -> str:
    """A job id that sorts by time and is unique across HQ processes."""
    return f"job-{timezone.now():%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"


def _checked(station_id: str, name: str, ttl_s: int) -> Station:
    """The enrolled station, after checking the command's name and expiry; HqError otherwise."""
    if name not in COMMANDS:
        raise HqError(f"command {name!r} is not one of {', '.join(COMMANDS)}", "hq.command_name")
    if not 1 <= ttl_s <= 30 * 24 * 3600:
        raise HqError(f"command expiry {ttl_s} s is outside 1 s – 30 days", "hq.command_ttl")
    station = Station.objects.filter(pk=station_id).first()
    if station is None:
        raise HqError(f"station {station_id!r} is not enrolled", "hq.station_unknown")
    return station


def send_command(client: mqtt.Client, station_id: str, name: str, args: dict[str, str | int] | None = None,
                 ttl_s: int = 3600, created_by: str = "") -> tuple[Job, mqtt.MQTTMessageInfo]:
    """Record and publish a command to one station; returns the Job and the publish handle (wait on it).

    The command carries `expires_at` and the same bound as MQTT message expiry, so a station that comes back
    after `ttl_s` never receives it from the broker. HqError for an unknown station or command name.
    """
    station = _checked(station_id, name, ttl_s)
    now = timezone.now()
    expires = now + dt.timedelta(seconds=ttl_s)
    job = Job.objects.create(id=new_job_id(), station=station, name=name, args=args or {}, created_at=now,
                             created_by=created_by, expires_at=expires, updated_at=now)
    command = Command(job=job.id, name=name, args=args or {},
                      expires_at=expires.astimezone(dt.UTC).isoformat(timespec="milliseconds"))
    props = Properties(PacketTypes.PUBLISH)
    props.MessageExpiryInterval = ttl_s
    info = client.publish(station_topic(station_id, f"cmd/{job.id}"), dump(command), qos=1, retain=False,
                          properties=props)
    logger.info("command %s (%s) sent to %s, expires %s", job.id, name, station_id, expires.isoformat())
    return job, info


def send_command_now(station_id: str, name: str, args: dict[str, str | int] | None = None,
                     ttl_s: int | None = None, created_by: str = "", timeout_s: float = 10.0) -> Job:
    """Send one command through a short connection to the broker in settings (for the web app); HqError when
    the broker cannot be reached or does not confirm the publish (the Job row then says failed)."""
    from django.conf import settings

    from hq.mqtt import broker_from_url, connect_briefly, wait_published

    ttl_s = ttl_s or settings.HQ_COMMAND_TTL_S
    _checked(station_id, name, ttl_s)
    client = connect_briefly(broker_from_url(settings.HQ_MQTT_URL), f"hq-web-{secrets.token_hex(4)}", timeout_s)
    try:
        job, info = send_command(client, station_id, name, args, ttl_s, created_by)
        if not wait_published(info, timeout_s):
            Job.objects.filter(pk=job.id).update(state=Job.State.FAILED, detail="the broker did not confirm it",
                                                 updated_at=timezone.now())
            raise HqError(f"command {job.id} to {station_id}: the broker did not confirm it", "hq.command_publish")
        return job
    finally:
        client.disconnect()
        client.loop_stop()


def apply_job_state(station_id: str, topic_job: str, state: JobState) -> bool:
    """Record a job state from a station; False (logged) for a job HQ did not send to that station."""
    if state.job != topic_job:
        logger.warning("station %s: job state for %s arrived on the topic of job %s: ignored", station_id,
                       state.job, topic_job)
        return False
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=topic_job, station_id=station_id).first()
        if job is None:
            logger.warning("station %s: job state %s for job %s, which HQ did not send it: ignored", station_id,
                           state.state, topic_job)
            return False
        if job.state in FINAL and state.state not in FINAL:
            logger.info("job %s is already %s: late %s ignored", job.id, job.state, state.state)
            return False
        job.state, job.detail, job.updated_at = state.state, state.detail or "", timezone.now()
        job.save(update_fields=["state", "detail", "updated_at"])
    logger.info("job %s on %s: %s", topic_job, station_id, state.state)
    return True
