"""The assignment a record names, judged at ingest (issue 21): a record is credited only to an assignment HQ gave
the station that sealed it.

- it names one of this station's assignments, or none (sealed before issue 21) → fine;
- it names one HQ issued to another station → `assignment.other_station`;
- it names one HQ never issued, while HQ issues this station's assignments → `assignment.unknown`;
- HQ never gave this station an assignment (a kit set up by hand) → fine, credited to no school (logged).

`Assignments` reads what that needs once for any number of records (group commit: two queries a group, never
some per record); hq/ingest/storage.py's `judge` applies `assignment_problem`.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from contract.packets import PacketHeader
from hq.fleet.models import Station

logger = logging.getLogger(__name__)

ASSIGNMENT_UNKNOWN, ASSIGNMENT_OTHER = "assignment.unknown", "assignment.other_station"


@dataclass(frozen=True)
class Assignments:
    """What judging records needs to know of assignments, read in two queries for any number of records: each
    station's own assignment ids (`issued`), and which stations hold each other assignment a record names."""

    issued: dict[str, frozenset[str]]
    holders: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, stations: Sequence[Station], headers: Sequence[PacketHeader]) -> "Assignments":
        """Through the stations' reverse relation (lists builds on ingest, never the other way)."""
        issued: dict[str, set[str]] = {}
        for station_id, assignment_id in Station.objects.filter(
                pk__in={s.id for s in stations}, assignments__isnull=False).values_list(
                "id", "assignments__assignment_id"):
            issued.setdefault(station_id, set()).add(assignment_id)
        named = {h.assignment_id for h in headers if h.assignment_id is not None
                 and h.assignment_id not in issued.get(h.station_id, ())}
        holders: dict[str, set[str]] = {}
        if named:
            for station_id, assignment_id in Station.objects.filter(
                    assignments__assignment_id__in=named).values_list("id", "assignments__assignment_id"):
                holders.setdefault(assignment_id, set()).add(station_id)
        return cls({k: frozenset(v) for k, v in issued.items()}, {k: tuple(sorted(v)) for k, v in holders.items()})


def assignment_problem(header: PacketHeader, station: Station, known: Assignments) -> tuple[str, str] | None:
    """(code, reason) when the signed header names another station's assignment, or one HQ never issued to a
    station whose assignments HQ issues; else None."""
    named = header.assignment_id
    mine = known.issued.get(station.id, frozenset())
    if named is None or named in mine:
        return None
    holders = known.holders.get(named, ())[:3]
    if holders:
        return ASSIGNMENT_OTHER, (
            f"record {header.record_id} from station {station.id} names assignment {named}, which HQ issued to "
            f"station {', '.join(holders)}, not to this one: it is not credited to that school. Check the kit's "
            "roster (was an assignment file copied from another kit?) and re-import this station's own assignment")
    if not mine:
        logger.info("station %s: record %s names assignment %s; HQ issued this station none: stored, credited to "
                    "no school", station.id, header.record_id, named)
        return None
    return ASSIGNMENT_UNKNOWN, (
        f"record {header.record_id} from station {station.id} names assignment {named}, which HQ never issued: it "
        "is not credited to any school. Check that the kit imported an assignment signed by this HQ, and report "
        "the kit if it did")
