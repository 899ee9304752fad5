"""The records HQ holds from each station, counted by the assignment each was recorded under (issue 21).

A record's assignment is the one its signed header names, checked at ingest against the assignments HQ issued
to that station (hq/ingest/storage.py), never the station's current one: a station reassigned mid-way keeps its
earlier records with the earlier school. Read through the stations' reverse relations (`records` from ingest,
`assignments` from lists), since the fleet app imports neither.
"""

import dataclasses
from dataclasses import dataclass

from django.db.models import Q

from hq.fleet.models import Station


@dataclass(frozen=True)
class AssignmentRecords:
    """The records HQ holds from one station under one assignment ('' : sealed before headers named it), with
    that assignment's version and school as HQ issued it (None / '' when HQ did not issue it)."""

    assignment_id: str
    records: int
    version: int | None = None
    school: str = ""
    current: bool = False


@dataclass(frozen=True)
class FleetRecords:
    """For a set of stations, in two queries: each one's records per assignment (newest version first, unknown
    ones last) and the assignment versions HQ issued to each."""

    rows: dict[str, list[AssignmentRecords]]
    issued: dict[str, set[int]]


def records_by_assignment(ids: list[str] | None) -> FleetRecords:
    """The records of the stations `ids` (None: every station) per assignment, and the versions HQ issued them (no
    query per station)."""
    among = Q() if ids is None else Q(id__in=ids)
    counted = (Station.objects.filter(among, tallies__isnull=False)  # kept at ingest: no record is counted
               .values_list("id", "tallies__assignment_id", "tallies__records").order_by())
    issued = {(sid, aid): (version, school) for sid, aid, version, school in Station.objects.filter(
        among, assignments__isnull=False).values_list(
        "id", "assignments__assignment_id", "assignments__version",
        "assignments__spt__application_list__school__name")}
    versions: dict[str, set[int]] = {}
    for (sid, _aid), (version, _school) in issued.items():
        versions.setdefault(sid, set()).add(version)
    found: dict[str, list[AssignmentRecords]] = {}
    for sid, aid, n in counted:
        version, school = issued.get((sid, aid), (None, ""))
        found.setdefault(sid, []).append(AssignmentRecords(aid, n, version, school or ""))
    for rows in found.values():
        rows.sort(key=lambda a: (a.version is None, -(a.version or 0), a.assignment_id))
    return FleetRecords(found, versions)


def current_records(fleet: FleetRecords, station_id: str, version: int | None,
                    total: int) -> tuple[int, list[AssignmentRecords]]:
    """(records of the assignment the station applies now, its rows with that one marked current). While HQ issued
    the station no assignment of that version (a kit set up by hand, the demo's first bundle), all `total`."""
    marked = [dataclasses.replace(a, current=True) if version is not None and a.version == version else a
              for a in fleet.rows.get(station_id, [])]
    current = next((a for a in marked if a.current), None)
    if current is not None:
        return current.records, marked
    if version is not None and version in fleet.issued.get(station_id, ()):
        return 0, marked  # HQ issued it, nothing of it arrived yet
    return total, marked
