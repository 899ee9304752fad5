"""The reassignment guard (issue 21, point 2): what HQ knows a station still holds of its current assignment
before the Kabid PIAK sends it somewhere else, and the forced reassignments the station has not yet confirmed.

What HQ knows is the station's last Health (records sealed but not yet acknowledged — `captured` and `sent`,
the ledger's pending, or the outbox depth if larger — students being recorded, students checked in and waiting)
less the records HQ's ingest stored from it since that report arrived. HQ never guesses: a station that has not
reported is not held back, and the text says when the report it relies on arrived.

A confirmation is for the figures shown (`Guard.token`): if they change before the person confirms, they are
asked again. A confirmed reassignment is kept as a Reassignment row (the audit) and the station's confirmation is
its Reported message with that version applied (hq/fleet/liveness.py stamps `acked_at`); until then the dashboard
shows an alert for the station.
"""

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError

from contract.wire import Health
from hq.fleet.models import Reassignment, Station

PENDING = ("captured", "sent")  # sealed, not yet acknowledged by HQ (hq/ledger.py's pending)


@dataclass(frozen=True)
class Guard:
    """Why a station should not be reassigned without a confirmation, from its last Health."""

    station_id: str
    pending: int  # records sealed at the station that HQ has not stored
    capturing: int  # students being recorded now
    checked_in: int  # students checked in and waiting
    health_at: dt.datetime | None

    @property
    def session_open(self) -> bool:
        return bool(self.capturing or self.checked_in)

    @property
    def token(self) -> str:
        """What a confirmation is for: these figures from this report (a later report asks again)."""
        stamp = int(self.health_at.timestamp()) if self.health_at else 0
        return f"{self.pending}.{self.capturing}.{self.checked_in}.{stamp}"

    def facts(self) -> list[str]:
        """Each outstanding thing as a phrase, in the office's language."""
        found = []
        if self.pending:
            found.append(_("records made at the station not yet at HQ: %(n)d") % {"n": self.pending})
        if self.capturing:
            found.append(_("a recording session is open (students being recorded: %(n)d)") % {"n": self.capturing})
        if self.checked_in:
            found.append(_("students checked in and waiting: %(n)d") % {"n": self.checked_in})
        return found

    def text(self) -> str:
        """The warning the person confirms: which station, what is outstanding, from which report, what happens."""
        when = formats.date_format(timezone.localtime(self.health_at), "j M Y H:i") if self.health_at else "—"
        return _("Station %(station)s is still busy with its current assignment: %(facts)s (its last health report, "
                 "%(when)s). Reassigning it now replaces the list the team is recording from; the records already "
                 "made stay on the station and keep being sent to HQ. Wait until the dashboard shows nothing "
                 "waiting and no session open, or confirm below if the team knows.") % {
            "station": self.station_id, "facts": "; ".join(self.facts()), "when": when}


def last_health(station: Station) -> Health | None:
    """The station's last Health as a contract model (None if never received or no longer readable)."""
    if not station.last_health:
        return None
    try:
        return Health.model_validate(station.last_health)
    except ValidationError:
        return None


def _reported(station: Station) -> Guard | None:
    """What the station's last Health says it holds (before what HQ stored since), or None without a Health."""
    health = last_health(station)
    if health is None:
        return None
    counts = health.counts
    pending = max(sum(counts.get(state, 0) for state in PENDING), health.queue_depth)
    return Guard(station.id, pending, counts.get("capturing", 0), counts.get("checked_in", 0), station.health_at)


def _less(found: Guard | None, stored_since: int) -> Guard | None:
    """`found` less the records HQ stored since the report; None when nothing is outstanding."""
    if found is None:
        return None
    found = dataclasses.replace(found, pending=max(0, found.pending - stored_since))
    return found if found.pending or found.session_open else None


def guard(station: Station) -> Guard | None:
    """The guard for `station`, or None when HQ knows of nothing outstanding there."""
    found = _reported(station)
    stored = 0
    if found is not None and found.pending and station.health_at is not None:  # what reached HQ since the report
        stored = station.records.filter(received_at__gt=station.health_at).count()
    return _less(found, stored)


def guards(stations: list[Station]) -> dict[str, Guard]:
    """guard() of every one of `stations` that has one, the records stored since each report counted in one query
    for all of them (the SPT page lists every enrolled station with what it still holds)."""
    reported = {s.id: _reported(s) for s in stations}
    waiting = [sid for sid, g in reported.items() if g is not None and g.pending and g.health_at is not None]
    stored = dict(Station.objects.filter(pk__in=waiting).values_list("id").annotate(
        n=Count("records", filter=Q(records__received_at__gt=F("health_at"))))) if waiting else {}
    found = {sid: _less(g, stored.get(sid, 0)) for sid, g in reported.items()}
    return {sid: g for sid, g in found.items() if g is not None}


def record(found: Guard, station: Station, version: int, assignment_id: str, school: str, spt_number: str,
           by: str) -> Reassignment:
    """Keep a confirmed reassignment (the audit, and the alert until the station applies `version`)."""
    return Reassignment.objects.create(
        station=station, version=version, assignment_id=assignment_id, school=school[:200],
        spt_number=spt_number[:100], pending=found.pending, capturing=found.capturing, checked_in=found.checked_in,
        health_at=found.health_at, warning=found.text(), confirmed_by=by[:150])


def acknowledge(station_id: str, applied_version: int, at: dt.datetime) -> int:
    """The station reported `applied_version` applied: every forced reassignment up to it is confirmed."""
    return Reassignment.objects.filter(station_id=station_id, version__lte=applied_version,
                                       acked_at__isnull=True).update(acked_at=at)


def unconfirmed(station_ids: list[str] | None) -> dict[str, Reassignment]:
    """The newest forced reassignment each station (of `station_ids`; None: every one) has not yet confirmed."""
    found: dict[str, Reassignment] = {}
    rows = Reassignment.objects.filter(acked_at__isnull=True)
    if station_ids is not None:
        rows = rows.filter(station_id__in=station_ids)
    for row in rows.order_by("-version"):
        found.setdefault(row.station_id, row)
    return found
