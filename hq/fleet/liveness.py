"""What stations say about themselves (status, health, reported), applied to their Station rows.

HQ stamps `last_seen` with its own clock, and only for live messages: a retained copy replayed by the broker
when HQ (re)subscribes updates the state but says nothing about when the station was last heard. A status from
an older epoch (a stale Will `lost` arriving after the station reconnected) never overrides the current one.
Every ingest worker receives these messages, so each handler locks the station row and skips what is already
applied: one history row per change, however many workers run. A new Health's conclusions (its alerts' levels,
behind, disk low, certificate expiry: hq/fleet/rules.py `Standing`) are kept on the row with it, for the fleet
page's whole-fleet counts; the station's reports older than HQ_HEALTH_KEEP_DAYS go now and then as new ones
come (`_prune_history`), except those that counted a withdrawal (the service report's).
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from contract.wire import Health, Reported, Status
from hq.fleet import reassign
from hq.fleet.models import HealthSample, Station, StatusChange
from hq.fleet.rules import TREND_SAMPLES, Standing

logger = logging.getLogger(__name__)

PRUNE_EVERY = 60  # one stored Health in this many prunes its station's old ones (≈ hourly at a report a minute)
PRUNE_BATCH = 500  # old Health reports deleted at a time at most (the first after an upgrade meets many)


def _locked(station_id: str) -> Station | None:
    station = Station.objects.select_for_update().filter(pk=station_id).first()
    if station is None:
        logger.warning("message from %r, which is not an enrolled station: ignored", station_id)
    return station


def apply_status(station_id: str, status: Status, retained: bool = False) -> bool:
    """Apply a Status message; returns True when the station's state or epoch changed."""
    now = timezone.now()
    with transaction.atomic():
        station = _locked(station_id)
        if station is None:
            return False
        current = station.status_epoch
        if current is not None and status.epoch < current:
            logger.info("station %s: %s of epoch %d is older than the current epoch %d: ignored", station_id,
                        status.state, status.epoch, current)
            return False
        changed = status.state != station.status_state or status.epoch != current
        if not retained and status.state != Station.State.LOST:  # a Will is the broker speaking, not the station
            station.last_seen = now
        if changed:
            station.status_state, station.status_epoch, station.status_changed_at = status.state, status.epoch, now
            StatusChange.objects.create(station=station, state=status.state, epoch=status.epoch, received_at=now,
                                        retained=retained)
            logger.info("station %s is %s (epoch %d)", station_id, status.state, status.epoch)
        station.save(update_fields=["last_seen", "status_state", "status_epoch", "status_changed_at"])
        return changed


def apply_health(station_id: str, health: Health, retained: bool = False) -> bool:
    """Apply a Health message; returns True when it was new (a history row was added)."""
    now = timezone.now()
    data = health.model_dump(mode="json", exclude_none=True)
    with transaction.atomic():
        station = _locked(station_id)
        if station is None:
            return False
        if not retained:
            station.last_seen = now
        new = station.last_health != data
        if new:
            sample = HealthSample.following(station.last_health, station=station, received_at=now,
                                            epoch=health.epoch, data=data)
            sample.save()
            if sample.pk % PRUNE_EVERY == 0:  # spread over the fleet's reports, never all stations at once
                _prune_history(station_id, now)
            station.last_health, station.health_at = data, now
            station.queue_trend = [*(station.queue_trend or []), health.queue_depth][-TREND_SAMPLES:]
            for name, value in Standing.of(health, tuple(station.queue_trend)).fields().items():
                setattr(station, name, value)  # what it says, kept for the fleet page's counts (rules.py)
        station.save(update_fields=["last_seen", "last_health", "health_at", "queue_trend", *Standing().fields()])
        return new


def _prune_history(station_id: str, now: dt.datetime) -> None:
    """Delete the station's Health reports older than HQ_HEALTH_KEEP_DAYS, up to PRUNE_BATCH, except those whose
    withdrawals counter rose: the service report sums those rises. Called with one stored report in PRUNE_EVERY
    (by its id, so spread over time and stations: ≈ 1.4 ms on PostgreSQL, which 1,000 stations at once — the first
    report of each hour, or of each station after a restart — turned into seconds of acks waiting)."""
    cutoff = now - dt.timedelta(days=settings.HQ_HEALTH_KEEP_DAYS)
    old = HealthSample.objects.filter(station_id=station_id, received_at__lt=cutoff, withdrawn_rise=0)
    HealthSample.objects.filter(pk__in=old.order_by("received_at").values("pk")[:PRUNE_BATCH]).delete()


def apply_reported(station_id: str, reported: Reported, retained: bool = False) -> bool:
    """Apply a Reported message (what the station applied, or why it refused the desired assignment)."""
    now = timezone.now()
    data = reported.model_dump(mode="json", exclude_none=True)
    with transaction.atomic():
        station = _locked(station_id)
        if station is None:
            return False
        if not retained:
            station.last_seen = now
        new = station.reported != data
        if new:
            station.reported, station.reported_at = data, now
            if reported.assignment_version is not None:
                station.assignment_version = reported.assignment_version
                reassign.acknowledge(station_id, reported.assignment_version, now)  # the station confirms
            if reported.refused_version is not None:
                logger.warning("station %s refused assignment version %d: %s", station_id,
                               reported.refused_version, reported.refused_reason)
        station.save(update_fields=["last_seen", "reported", "reported_at", "assignment_version"])
        return new


def mark_seen(station_id: str) -> None:
    """Stamp last_seen for a live message that carries no state of its own (a batch, a job answer)."""
    Station.objects.filter(pk=station_id).update(last_seen=timezone.now())
