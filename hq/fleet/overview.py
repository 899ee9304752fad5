"""The fleet page's whole-fleet numbers, counted by the database from what ingest keeps on each station's row
(issue 22 point 3): how many stations are in each state, which ones the page's choice lists, and which have
alerts. No request works out every station's view: the page works out the views of the stations it lists (a page)
and of the first ALERT_STATIONS stations with alerts, so its cost stays the same from a city's fleet to a
province's.

What ingest keeps (hq/fleet/rules.py `Standing`, written with each new Health): the worst level of the Health's
alerts, that of the kit's live condition (devices, battery), "behind", "disk low" and the certificate's expiry.
What depends on when one asks is decided here against HQ's clock, in the same query: lost (silent for
`lost_after_s()` while online), a kit alert only while online, the certificate within CERTIFICATE_WARN_DAYS. An
open quarantine and an unconfirmed forced reassignment are read from their own rows (an indexed subquery each).
The rules are those of `dashboard.alerts_for`; tests/hq/test_fleet_overview.py checks that both give the same
answers station by station.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from hq.fleet.dashboard import CERTIFICATE_WARN_DAYS, REVOKED, lost_after_s
from hq.fleet.models import Reassignment, Station
from hq.fleet.rules import BAD, NONE

ALERT_STATIONS = 50  # stations whose alerts the page lists (those with a bad alert first); the rest are counted
SEARCH_FIELDS = ("id", "name", "school", "spt_number")  # what the page's ?q= looks in


def states(now: dt.datetime) -> dict[str, Q]:
    """Each effective state (dashboard.effective_state) as a condition on the station's row, in the summary's
    order: revoked whatever it said; an online station HQ has not heard from for lost_after_s() is lost."""
    kept = Q(revoked_at__isnull=True)
    cutoff = now - dt.timedelta(seconds=lost_after_s())
    silent = Q(last_seen__isnull=True) | Q(last_seen__lt=cutoff)
    return {
        Station.State.UNKNOWN: kept & Q(status_state=Station.State.UNKNOWN),
        Station.State.ONLINE: kept & Q(status_state=Station.State.ONLINE, last_seen__gte=cutoff),
        Station.State.OFFLINE: kept & Q(status_state=Station.State.OFFLINE),
        Station.State.LOST: kept & (Q(status_state=Station.State.LOST) | Q(status_state=Station.State.ONLINE) & silent),
        REVOKED: Q(revoked_at__isnull=False),
    }


def _certificate_within(now: dt.datetime, days: float) -> Q:
    return Q(certificate_expires__lt=now + dt.timedelta(days=days))


def alerting(now: dt.datetime) -> Q:
    """Stations with at least one alert (any rule of dashboard.alerts_for)."""
    state = states(now)
    quarantined = Station.objects.filter(quarantined__isnull=False, quarantined__resolved_at__isnull=True)
    return (state[REVOKED] | state[Station.State.LOST] | ~Q(health_alert=NONE)
            | state[Station.State.ONLINE] & ~Q(kit_alert=NONE) | _certificate_within(now, CERTIFICATE_WARN_DAYS)
            | Q(pk__in=quarantined.values("pk"))
            | Q(pk__in=Reassignment.objects.filter(acked_at__isnull=True).values("station_id")))


def _bad(now: dt.datetime) -> Q:
    """Stations with an alert to act on now; a refused forced reassignment is not among them (it is told from the
    station's Reported message) and is listed with the warnings, its own alert still marked bad."""
    state = states(now)
    return (state[REVOKED] | state[Station.State.LOST] | Q(health_alert=BAD)
            | state[Station.State.ONLINE] & Q(kit_alert=BAD) | _certificate_within(now, 0))


CHOICES = {  # ?show= → which stations the page lists (every one of them still counts in the summary and alerts)
    "alerts": alerting,
    "lost": lambda now: states(now)[Station.State.LOST],
    "behind": lambda now: Q(behind=True),
    "disk_low": lambda now: Q(disk_low=True),
}


def chosen(show: str, now: dt.datetime) -> QuerySet:
    """The stations `show` chooses (every one for a choice it does not know), in id order."""
    rows = Station.objects.order_by("id")
    return rows.filter(CHOICES[show](now)) if show in CHOICES else rows


@dataclass(frozen=True)
class Summary:
    """The whole fleet in numbers: stations by effective state (every state, revoked last), enrolled, alerting."""

    states: dict[str, int]
    enrolled: int
    alerting: int  # stations with at least one alert


def summary(now: dt.datetime) -> Summary:
    """The whole fleet's numbers at `now`, in one query."""
    conditions = states(now)
    found = Station.objects.aggregate(_enrolled=Count("pk"), _alerting=Count("pk", filter=alerting(now)), **{
        state: Count("pk", filter=condition) for state, condition in conditions.items()})
    return Summary({state: found[state] for state in conditions}, found["_enrolled"], found["_alerting"])


def alerting_first(now: dt.datetime, limit: int) -> list[Station]:
    """The first `limit` stations with alerts: those with a bad alert first, then by id."""
    later = Case(When(_bad(now), then=Value(1)), default=Value(2), output_field=IntegerField())
    return list(Station.objects.filter(alerting(now)).annotate(later=later).order_by("later", "id")[:limit])
