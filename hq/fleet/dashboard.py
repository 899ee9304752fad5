"""What the fleet dashboard shows, read from HQ's rows: each station's liveness on HQ's own clock, its progress
(the station's own counts from its last Health, and the records HQ actually stored), its queue and kit, and the
alerts a person at HQ should act on. Pure data here (numbers, times, codes); hq/fleet/display.py turns it into
translated text.

Liveness: a station whose last status is `online` but that HQ has not heard from for `HQ_LOST_AFTER_S` seconds
(HQ's clock, `Station.last_seen`) is shown as lost even without a Will, since a broker or network fault can keep
the Will from ever arriving. The thresholds are the operator status bar's (station/station_status.py), so the
kiosk and HQ raise the same flags.

HQ's records are counted by the assignment each was recorded under (hq/fleet/by_assignment.py): `at_hq` is the
records of the assignment the station applies now, `per_assignment` every assignment's own count (issue 21).
"""

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from contract.wire import Health
from hq.fleet import reassign, rules
from hq.fleet.by_assignment import AssignmentRecords, current_records, records_by_assignment
from hq.fleet.models import HealthSample, Job, Reassignment, Station, StatusChange

REVOKED = "revoked"  # an effective state beside Station.State: the certificate was revoked

LOST_AFTER_S_DEFAULT = 300  # five missed 60 s health reports
CERTIFICATE_WARN_DAYS = 30

# Which of the station's record states count as recorded / sent / accepted (DESIGN.md §4 lifecycle).
RECORDED = frozenset({"captured", "sent", "accepted", "duplicate", "rejected", "purged"})
SENT = frozenset({"sent", "accepted", "duplicate", "rejected", "purged"})
ACCEPTED = frozenset({"accepted", "duplicate", "purged"})


def lost_after_s() -> float:
    """Seconds of silence after which an `online` station is shown as lost (settings.HQ_LOST_AFTER_S)."""
    return float(getattr(settings, "HQ_LOST_AFTER_S", LOST_AFTER_S_DEFAULT))


@dataclass(frozen=True)
class Progress:
    """A station's progress: its own counts by record state (None before its first Health) and HQ's rows."""

    listed: int | None = None  # students on the station's list (its last Health)
    checked_in: int | None = None  # every record starts as a check-in
    recorded: int | None = None
    sent: int | None = None
    accepted: int | None = None  # as the station knows it (HQ's ack arrived)
    withdrawn: int | None = None
    corrections: int | None = None
    rejected: int | None = None
    at_hq: int = 0  # records HQ stored for this station's current assignment (all, while HQ issued it none)

    @classmethod
    def of(cls, counts: dict[str, int] | None, at_hq: int, listed: int | None = None) -> "Progress":
        if counts is None:
            return cls(at_hq=at_hq, listed=listed)
        def total(states: frozenset[str]) -> int:
            return sum(n for state, n in counts.items() if state in states)

        return cls(listed=listed, checked_in=sum(counts.values()), recorded=total(RECORDED), sent=total(SENT),
                   accepted=total(ACCEPTED), withdrawn=counts.get("withdrawn", 0),
                   corrections=counts.get("correction_requested", 0), rejected=counts.get("rejected", 0),
                   at_hq=at_hq)


@dataclass(frozen=True)
class Alert:
    """Something to act on: which station, what kind (a stable code), how bad, and the numbers for the text."""

    station_id: str
    kind: str  # revoked, lost, capture_blocked, oldest_pending, backlog_growing, disk_low, device_missing, ...
    level: str  # "bad" (act now) or "warn"
    values: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class StationView:
    """One station as the dashboard shows it, at `now` on HQ's clock."""

    station: Station
    now: dt.datetime
    state: str  # online, offline, lost, unknown: the effective liveness
    silent: bool  # lost because HQ has not heard from it, not because of a Will
    seen_s: float | None  # seconds since HQ last heard from it
    health: Health | None
    health_age_s: float | None
    progress: Progress
    last_record_at: dt.datetime | None
    last_record_seq: int | None
    quarantined: int
    queue_trend: tuple[int, ...]  # queue depth in the recent health reports, oldest first
    alerts: tuple[Alert, ...] = ()
    dead_letters: int = 0  # messages HQ could never store (ingest's DeadLetter rows)
    per_assignment: tuple[AssignmentRecords, ...] = ()  # HQ's records by the assignment they were made under
    reassignment: Reassignment | None = None  # a forced reassignment the station has not confirmed yet

    @property
    def id(self) -> str:
        return self.station.id

    @property
    def absent(self) -> list[str]:
        """Device kinds the station reports as not there, in the kit's usual order."""
        return rules.absent(self.health)

    @property
    def disk_free_fraction(self) -> float | None:
        return rules.disk_free_fraction(self.health)

    @property
    def disk_low(self) -> bool:
        return rules.disk_low(self.health)

    @property
    def battery_low(self) -> bool:
        return rules.battery_low(self.health)

    @property
    def oldest_pending_late(self) -> bool:
        return rules.oldest_pending_late(self.health)

    @property
    def backlog_growing(self) -> bool:
        return rules.backlog_growing(self.queue_trend)

    @property
    def certificate_expires(self) -> dt.datetime | None:
        return rules.parse_time(self.health.certificate_expires) if self.health else None

    @property
    def certificate_days_left(self) -> float | None:
        expires = self.certificate_expires
        return None if expires is None else (expires - self.now).total_seconds() / 86400

    @property
    def assignment_version(self) -> int | None:
        if self.health is not None and self.health.assignment_version is not None:
            return self.health.assignment_version
        return self.station.assignment_version


def effective_state(station: Station, now: dt.datetime) -> tuple[str, bool]:
    """(state, silent): the station's status, except that a revoked station is `revoked` and an `online` station
    silent for longer than lost_after_s() on HQ's clock is `lost` (silent=True)."""
    if station.revoked_at is not None:  # whatever it last said: HQ and the broker refuse it now
        return REVOKED, False
    state = station.status_state
    if state == Station.State.ONLINE:
        seen = station.last_seen
        if seen is None or (now - seen).total_seconds() > lost_after_s():
            return Station.State.LOST, True
    return state, False


def alerts_for(view: StationView) -> tuple[Alert, ...]:
    """The alert rules for one station. The kit's live condition (devices, battery) is only judged while the
    station is online: a stopped or lost kit's last report says nothing about it now."""
    sid, h, found = view.id, view.health, []
    if view.station.revoked_at is not None:
        found.append(Alert(sid, "revoked", "bad", {"reason": view.station.revoked_reason}))
    if view.state == Station.State.LOST:
        found.append(Alert(sid, "lost", "bad", {"seen_s": view.seen_s, "silent": view.silent}))
    if h is not None and h.capture_blocked:
        found.append(Alert(sid, "capture_blocked", "bad", {"reason": h.capture_blocked}))
    if view.oldest_pending_late:
        found.append(Alert(sid, "oldest_pending", "warn", {"seconds": h.oldest_pending_s, "count": h.queue_depth}))
    if view.backlog_growing:
        found.append(Alert(sid, "backlog_growing", "warn", {"first": view.queue_trend[0],
                                                            "last": view.queue_trend[-1]}))
    if view.disk_low:
        found.append(Alert(sid, "disk_low", "bad", {"free": h.disk_free_bytes, "fraction": view.disk_free_fraction}))
    if view.state == Station.State.ONLINE and view.absent:
        found.append(Alert(sid, "device_missing", "bad", {"devices": view.absent}))
    if view.state == Station.State.ONLINE and view.battery_low:
        found.append(Alert(sid, "battery_low", "warn", {"percent": h.battery_percent}))
    days = view.certificate_days_left
    if days is not None and days < CERTIFICATE_WARN_DAYS:
        found.append(Alert(sid, "certificate", "bad" if days <= 0 else "warn", {"days": days}))
    if view.quarantined:
        found.append(Alert(sid, "quarantine", "warn", {"count": view.quarantined}))
    forced = view.reassignment
    if forced is not None:  # until the station reports the new version applied (hq/fleet/reassign.py)
        reported = view.station.reported or {}
        refused = reported.get("refused_reason") if reported.get("refused_version") == forced.version else None
        found.append(Alert(sid, "reassigned", "bad" if refused else "warn", {
            "version": forced.version, "school": forced.school, "pending": forced.pending,
            "capturing": forced.capturing, "checked_in": forced.checked_in, "refused": refused}))
    return tuple(found)


def views_of(stations: list[Station], now: dt.datetime, every: bool = False) -> list[StationView]:
    """The views of `stations`; `every`: they are the whole fleet, so the counts are read without a list of ids
    (a thousand ids in five queries cost more to build than the queries take)."""
    ids = None if every else [s.id for s in stations]
    among = Q() if ids is None else Q(id__in=ids)
    # through the stations' reverse relations (ingest's Record and Quarantine point at Station): the fleet app
    # counts what ingest stored without importing it (ingest builds on fleet, never the other way)
    # counts kept at ingest (ingest's RecordTally: one row per station and assignment), never the records counted
    stored = {row["id"]: row for row in Station.objects.filter(among, tallies__isnull=False).values("id")
              .annotate(n=Sum("tallies__records"), last_at=Max("tallies__last_received_at"),
                        last_seq=Max("tallies__last_seq"))}
    quarantined = dict(Station.objects.filter(among, quarantined__resolved_at__isnull=True,
                                              quarantined__isnull=False)
                       .values_list("id").annotate(n=Count("quarantined")))
    dead = dict(Station.objects.filter(among, dead_letters__isnull=False).values_list("id")
                .annotate(n=Count("dead_letters")))
    by_assignment = records_by_assignment(ids)
    forced = reassign.unconfirmed(ids)
    views = []
    for station in stations:
        state, silent = effective_state(station, now)
        health = reassign.last_health(station)
        trend = tuple(d for d in station.queue_trend or () if isinstance(d, int))  # kept at ingest: no query
        row = stored.get(station.id, {})
        version = (health.assignment_version if health is not None and health.assignment_version is not None
                   else station.assignment_version)
        at_hq, per_assignment = current_records(by_assignment, station.id, version, row.get("n", 0))
        view = StationView(
            station=station, now=now, state=state, silent=silent,
            seen_s=None if station.last_seen is None else max(0.0, (now - station.last_seen).total_seconds()),
            health=health,
            health_age_s=None if station.health_at is None else max(0.0, (now - station.health_at).total_seconds()),
            progress=Progress.of(health.counts if health else None, at_hq, health.listed if health else None),
            last_record_at=row.get("last_at"), last_record_seq=row.get("last_seq"),
            quarantined=quarantined.get(station.id, 0), queue_trend=trend, dead_letters=dead.get(station.id, 0),
            per_assignment=tuple(per_assignment),
            reassignment=forced.get(station.id))
        views.append(_with_alerts(view))
    return views


def _with_alerts(view: StationView) -> StationView:
    return dataclasses.replace(view, alerts=alerts_for(view))


def fleet(now: dt.datetime | None = None) -> list[StationView]:
    """Every enrolled station's view, in id order: the rules applied one station at a time, which
    tests/hq/test_fleet_overview.py holds the database's whole-fleet counts to. No page works out the whole fleet
    (it costs ≈ 0.1 s at 1,000 stations, ≈ 1 s at 10,000): the fleet page counts in hq/fleet/overview.py."""
    return views_of(list(Station.objects.all()), now or timezone.now(), every=True)


def station(station_id: str, now: dt.datetime | None = None) -> StationView | None:
    """One station, or None if it is not enrolled."""
    found = list(Station.objects.filter(pk=station_id))
    return views_of(found, now or timezone.now())[0] if found else None


def all_alerts(views: list[StationView]) -> list[Alert]:
    """Every station's alerts, the ones to act on now first, then by station."""
    alerts = [a for v in views for a in v.alerts]
    return sorted(alerts, key=lambda a: (a.level != "bad", a.station_id))


@dataclass(frozen=True)
class History:
    """A station's recent history for its detail page, newest first."""

    status_changes: list[StatusChange]
    health_samples: list[HealthSample]
    records: list  # ingest Record rows, newest first
    jobs: list[Job]
    records_total: int
    dead_letters: list = field(default_factory=list)  # ingest DeadLetter rows, the last few


def history(station_id: str, limit: int = 20, dead_letters: int = 5) -> History:
    """The last `limit` status changes, health reports, records received and jobs of a station, and its last
    `dead_letters` dead letters (messages HQ could never store)."""
    station = Station.objects.filter(pk=station_id).first()
    if station is None:
        return History([], [], [], [], 0)
    records = station.records.all()  # ingest's rows through the reverse relation: fleet never imports ingest
    return History(
        status_changes=list(StatusChange.objects.filter(station_id=station_id)[:limit]),
        health_samples=list(HealthSample.objects.filter(station_id=station_id)[:limit]),
        records=list(records.order_by("-received_at", "-seq")[:limit]),
        jobs=list(Job.objects.filter(station_id=station_id)[:limit]),
        records_total=records.count(),
        dead_letters=list(station.dead_letters.order_by("-last_at", "-id")[:dead_letters]),
    )
