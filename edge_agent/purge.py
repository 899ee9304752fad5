"""Purging sealed packets (retention, UU PDP 27/2022: keep only as long as needed).

- A record HQ answered `accepted` (or `duplicate`: HQ already held the very same bytes, e.g. from an export) more
  than `retention.purge_after_days` ago loses its packet file; its row stays, state `purged`, for the service
  report.
- A record HQ answered `rejected` more than `retention.purge_rejected_after_days` ago (default 90: time for the
  office to look at why and, if HQ was wrong, to recover the packet by hand) loses its packet file too; its row
  stays `rejected` (still counted as rejected in the ledger and on the dashboard; the student may be recorded
  again) with `packet_deleted_at` set, and an audit row says when and why the file went.

Nothing else is ever deleted. The row's change commits (audited) before the file is removed: a crash in between
leaves a file its row says is gone, which the next purge (and `sinopsis station check`) sweeps, never a row whose
file vanished.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from station import audit
from station.clock import now_iso
from station.durable import remove_durably
from station.records import apply_transition
from station.store import StationStore

logger = logging.getLogger(__name__)
HELD_BY_HQ = ("accepted", "duplicate")


@dataclass
class PurgeResult:
    purged: list[str] = field(default_factory=list)
    swept: list[str] = field(default_factory=list)
    rejected_cleared: list[str] = field(default_factory=list)  # rejected records whose packet file went
    bytes_freed: int = 0


def purge_accepted(store: StationStore, retention_days: int, now: dt.datetime | None = None,
                   actor: str = "agent", rejected_days: int | None = None) -> PurgeResult:
    """Purge every record HQ acknowledged as held (accepted/duplicate) at least `retention_days` ago, and with
    `rejected_days` the packet files of records HQ rejected at least that long ago."""
    now = now or dt.datetime.now(dt.UTC)
    cutoff = (now - dt.timedelta(days=retention_days)).isoformat(timespec="milliseconds")
    result = PurgeResult()
    if rejected_days is not None:
        _clear_rejected(store, rejected_days, now, actor, result)
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


def _clear_rejected(store: StationStore, days: int, now: dt.datetime, actor: str, result: PurgeResult) -> None:
    """Delete the packet files of records HQ rejected at least `days` ago: each row keeps its state and file name
    and gets `packet_deleted_at` (audited), then the file goes; files a crash left behind go on the next call."""
    cutoff = (now - dt.timedelta(days=days)).isoformat(timespec="milliseconds")
    with store.write() as conn:
        rows = conn.execute(
            "SELECT r.id, r.packet_file, o.reject_code, o.acked_at FROM records r JOIN outbox o ON o.record_id = r.id "
            "WHERE r.state = 'rejected' AND r.packet_file IS NOT NULL AND r.packet_deleted_at IS NULL "
            "AND o.ack_status = 'rejected' AND o.acked_at IS NOT NULL AND o.acked_at <= ? ORDER BY o.seq",
            (cutoff,)).fetchall()
        for row in rows:
            at = now_iso()
            conn.execute("UPDATE records SET packet_deleted_at = ?, updated_at = ? WHERE id = ?", (at, at, row["id"]))
            audit.append(conn, actor=actor, action="record.packet_deleted", record_id=row["id"],
                         from_state="rejected", to_state="rejected",
                         reason=f"HQ rejected it ({row['reject_code'] or 'no code'}) at {row['acked_at']}; "
                         f"kept {days} days", details={"packet_file": row["packet_file"]})
        leftovers = conn.execute("SELECT packet_file FROM records WHERE state = 'rejected' AND "
                                 "packet_deleted_at IS NOT NULL").fetchall()
    for row in leftovers:
        path = store.packet_path(row["packet_file"])
        if path.exists():
            result.bytes_freed += path.stat().st_size
            remove_durably(path)
    result.rejected_cleared = [r["id"] for r in rows]
    if rows:
        logger.info("deleted the packet files of %d record(s) HQ rejected more than %d days ago", len(rows), days)
