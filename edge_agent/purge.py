"""Purging sealed packets (retention, UU PDP 27/2022: keep only as long as needed).

- A record HQ answered `accepted` (or `duplicate`: HQ already held the very same bytes, e.g. from an export) more
  than `retention.purge_after_days` ago loses its packet file; its row stays, state `purged`, for the service
  report.
- A record HQ answered `rejected` more than `retention.purge_rejected_after_days` ago (default 90: time for the
  office to look at why and, if HQ was wrong, to recover the packet by hand) loses its packet file too; its row
  stays `rejected` (still counted as rejected in the ledger and on the dashboard; the student may be recorded
  again) with `packet_deleted_at` set, and an audit row says when and why the file went.

Nothing else is ever deleted. Either way the row gets `packet_deleted_at`, the one mark that its file went, and
that commits (audited) before the file is removed: a crash in between leaves a file its row says is gone, which
the next purge (and `sinopsis station check`) sweeps, never a row whose file vanished.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from contract.durable import remove_durably
from station import audit
from station.clock import now_iso
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
    `rejected_days` delete the packet files of records HQ rejected at least that long ago. One write transaction
    marks them all (`packet_deleted_at`, audited); then the files go, with any a crash left behind."""
    now = now or dt.datetime.now(dt.UTC)
    at = now_iso()
    with store.write() as conn:
        held = conn.execute(
            "SELECT r.id, r.state, o.acked_at FROM records r JOIN outbox o ON o.record_id = r.id "
            "WHERE r.state IN ('accepted', 'duplicate') AND o.ack_status IN ('accepted', 'duplicate') "
            "AND o.acked_at IS NOT NULL AND o.acked_at <= ? ORDER BY o.seq", (_cutoff(now, retention_days),)).fetchall()
        for row in held:
            apply_transition(conn, row["id"], "purged", actor=actor, expect=row["state"],
                             reason=f"HQ {row['state']} it at {row['acked_at']}; kept {retention_days} days")
        rejected = [] if rejected_days is None else conn.execute(
            "SELECT r.id, o.reject_code, o.acked_at FROM records r JOIN outbox o ON o.record_id = r.id "
            "WHERE r.state = 'rejected' AND r.packet_file IS NOT NULL AND r.packet_deleted_at IS NULL "
            "AND o.ack_status = 'rejected' AND o.acked_at IS NOT NULL AND o.acked_at <= ? ORDER BY o.seq",
            (_cutoff(now, rejected_days),)).fetchall()
        for row in rejected:
            audit.append(conn, actor=actor, action="record.packet_deleted", record_id=row["id"],
                         from_state="rejected", to_state="rejected",
                         reason=f"HQ rejected it ({row['reject_code'] or 'no code'}) at {row['acked_at']}; "
                         f"kept {rejected_days} days")
        conn.executemany("UPDATE records SET packet_deleted_at = ? WHERE id = ?",
                         [(at, r["id"]) for r in (*held, *rejected)])
        gone = conn.execute("SELECT id, packet_file FROM records WHERE packet_deleted_at IS NOT NULL "
                            "AND packet_file IS NOT NULL").fetchall()
    result = PurgeResult(purged=[r["id"] for r in held], rejected_cleared=[r["id"] for r in rejected])
    now_marked = {*result.purged, *result.rejected_cleared}
    for row in gone:
        path = store.packet_path(row["packet_file"])
        if not path.exists():
            continue
        result.bytes_freed += path.stat().st_size
        remove_durably(path)
        if row["id"] not in now_marked:
            result.swept.append(row["id"])
    logger.info("purged %d record(s) HQ holds (older than %d days), deleted the packets of %d it rejected, swept "
                "%d leftover file(s), freed %d bytes", len(result.purged), retention_days,
                len(result.rejected_cleared), len(result.swept), result.bytes_freed)
    return result


def _cutoff(now: dt.datetime, days: int) -> str:
    return (now - dt.timedelta(days=days)).isoformat(timespec="milliseconds")
