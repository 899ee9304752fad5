"""The team's progress on an SPT, per assigned station: did the station apply the assignment (or refuse it, and
why), is it alive (the fleet dashboard's liveness on HQ's clock), and how many records HQ has received from it
since the assignment, against the students on the list.

A record counts for the assignment its signed header names (checked at ingest, issue 21). A packet sealed before
headers named it counts when the station sealed it on or after the assignment was made and before that
station's next assignment (the record's `sealed_at` is the station's clock, from its signed header).
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from hq.fleet import dashboard, display
from hq.ingest.models import Record
from hq.lists.assign import latest_per_station
from hq.lists.models import Spt, StationAssignment


@dataclass(frozen=True)
class StationProgress:
    """One station's part of an SPT, as the list, SPT and team pages show it."""

    assignment: StationAssignment
    applied: str  # applied, refused, waiting, replaced
    applied_text: str
    applied_level: str  # ok, bad, warn, muted
    state_text: str
    state_level: str
    seen_text: str
    records: int
    students: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.records / self.students)) if self.students else 0


def _parse(text: str) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def records_since(assignment: StationAssignment) -> int:
    """Records HQ holds from the station under this assignment: those naming it, and those naming none sealed from
    this assignment until the station's next one."""
    later = (StationAssignment.objects.filter(station_id=assignment.station_id, version__gt=assignment.version)
             .order_by("version").values_list("assigned_at", flat=True).first())
    from_station = Record.objects.filter(station_id=assignment.station_id)
    count = from_station.filter(assignment_id=assignment.assignment_id).count()
    for sealed in from_station.filter(assignment_id="").values_list("sealed_at", flat=True):
        when = _parse(sealed)
        if when is not None and when >= assignment.assigned_at and (later is None or when < later):
            count += 1
    return count


def applied_state(assignment: StationAssignment) -> tuple[str, str, str]:
    """(code, text, level) of what the station reported about this assignment's version."""
    station = assignment.station
    reported = station.reported or {}
    version = assignment.version
    if reported.get("refused_version") == version:
        reason = reported.get("refused_reason") or _("no reason given")
        return "refused", _("refused: %(reason)s") % {"reason": reason}, "bad"
    current = station.assignment_version
    if current == version:
        return "applied", _("applied (version %(v)d)") % {"v": version}, "ok"
    if current is not None and current > version:
        return "replaced", _("replaced by version %(v)d") % {"v": current}, "muted"
    if assignment.published_at is None:
        return "unsent", _("not sent yet"), "bad" if assignment.publish_error else "warn"
    return "waiting", _("sent, waiting for the station"), "warn"


def for_spt(spt: Spt) -> list[StationProgress]:
    """Progress of each station assigned to `spt` (its newest assignment there), by station id."""
    students = spt.application_list.applications.count()
    found = []
    for assignment in latest_per_station(spt):
        view = dashboard.station(assignment.station_id)
        state = display.state_cell(view) if view else display.cell(_("not enrolled"), "bad")
        seen = display.seen_cell(view) if view else display.cell("—")
        code, text, level = applied_state(assignment)
        found.append(StationProgress(assignment=assignment, applied=code, applied_text=text, applied_level=level,
                                     state_text=state["text"], state_level=state["level"], seen_text=seen["text"],
                                     records=records_since(assignment), students=students))
    return found
