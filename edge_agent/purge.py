"""Purging sealed packets HQ holds: a record HQ answered `accepted` (or `duplicate`: HQ already held the very
same bytes, e.g. from an export) more than `retention.purge_after_days` ago loses its packet file; its row
stays, state `purged`, for the service report. Nothing else is ever deleted.

The state change commits (audited) before the file is removed: a crash in between leaves a file without a
live row, which the next purge (and `sinopsis station check`) sweeps, never a row whose file vanished.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from station.durable import remove_durably
from station.records import apply_transition
from station.store import StationStore

logger = logging.getLogger(__name__)
HELD_BY_HQ = ("accepted", "duplicate")


@dataclass
class PurgeResult:
    purged: list[str] = field(default_factory=list)
    swept: list[str] = field(default_factory=list)
    bytes_freed: int = 0


def purge_accepted(store: StationStore, retention_days: int, now: dt.datetime | None = None,
                   actor: str = "agent") -> PurgeResult:
    """Purge every record HQ acknowledged as held (accepted/duplicate) at least `retention_days` ago."""
    now = now or dt.datetime.now(dt.UTC)
    cutoff = (now - dt.timedelta(days=retention_days)).isoformat(timespec="milliseconds")
    result = PurgeResult()
    with store.write() as conn:
        rows = conn.execute(
            "SELECT r.id, r.state, r.packet_file, o.acked_at FROM records r JOIN outbox o ON o.record_id = r.id "
            "WHERE r.state IN ('accepted', 'duplicate') AND o.ack_status IN ('accepted', 'duplicate') "
            "AND o.acked_at IS NOT NULL AND o.acked_at <= ? ORDER BY o.seq", (cutoff,)).fetchall()
        for row in rows:
            apply_transition(conn, row["id"], "purged", actor=actor, expect=row["state"],
                             reason=f"HQ {row['state']} it at {row['acked_at']}; kept {retention_days} days")
        leftovers = conn.execute("SELECT id, packet_file FROM records WHERE state = 'purged' AND packet_file IS NOT "
                                 "NULL").fetchall()
    purged_ids = {r["id"] for r in rows}
    for row in leftovers:
        path = store.packet_path(row["packet_file"])
        if not path.exists():
            continue
        result.bytes_freed += path.stat().st_size
        remove_durably(path)
        (result.purged if row["id"] in purged_ids else result.swept).append(row["id"])
    result.purged = [r["id"] for r in rows]
    logger.info("purged %d record(s) HQ holds (older than %d days), swept %d leftover file(s), freed %d bytes",
                len(result.purged), retention_days, len(result.swept), result.bytes_freed)
    return result
