"""Records counted as they are stored (issue 22 point 3): each (station, assignment) pair's count, highest seq and
newest arrival, kept in RecordTally inside the transaction that stores the records, so the two never disagree and
the dashboard never counts the Record table."""

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest

from hq.ingest.models import Record, RecordTally


def count_stored(records: Iterable[Record]) -> None:
    """Add newly stored records to their tallies; call it inside the transaction that stores them. One UPDATE per
    station and assignment (an INSERT the first time; a second worker's INSERT racing it becomes its UPDATE)."""
    per: dict[tuple[str, str], tuple[int, int, dt.datetime]] = {}
    for r in records:
        n, seq, at = per.get((r.station_id, r.assignment_id), (0, 0, r.received_at))
        per[(r.station_id, r.assignment_id)] = (n + 1, max(seq, r.seq), max(at, r.received_at))
    for (station_id, assignment_id), (n, seq, at) in sorted(per.items()):  # one lock order for every worker
        same = RecordTally.objects.filter(station_id=station_id, assignment_id=assignment_id)
        change = {"records": F("records") + n, "last_seq": Greatest(F("last_seq"), Value(seq)),
                  "last_received_at": Greatest(F("last_received_at"), Value(at))}
        if same.update(**change):
            continue
        try:
            with transaction.atomic():
                RecordTally.objects.create(station_id=station_id, assignment_id=assignment_id, records=n,
                                           last_seq=seq, last_received_at=at)
        except IntegrityError:
            same.update(**change)
