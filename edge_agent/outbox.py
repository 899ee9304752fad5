"""The outbox side of the drain: which sealed records go in the next batch, what a PUBACK and HQ's ack change.

A record leaves the station's hands only through HQ's application ack: after the broker's PUBACK it is `sent`
(audited; again `sent` on a resend), and only HQ's Ack moves it to `accepted`, `duplicate` or `rejected` (with
HQ's code), setting the outbox row's acked_at / ack_status / reject_code in the same transaction. Nothing here
deletes anything. `outbox.batch_id` remembers each record's latest batch, so an ack that arrives after an agent
restart still finds its records; an ack naming a batch nobody knows is ignored by the caller.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from contract import wire
from contract.batch import write_batch
from contract.errors import RecordStateError
from contract.failpoints import failpoint
from contract.ids import uuid7
from station.clock import now_iso
from station.offline_limits import record_hq_contact
from station.records import apply_transition, get_record
from station.store import StationStore

logger = logging.getLogger(__name__)
ACTOR = "agent"
MANIFEST_ENTRY_BYTES = 240  # generous size of one record's line in the batch manifest
MANIFEST_BASE_BYTES = 200


@dataclass
class Batch:
    """A batch built from the outbox: its id, (record id, seq) in order and the payload to publish."""

    batch_id: str
    records: list[tuple[str, int]]
    payload: bytes

    @property
    def record_ids(self) -> set[str]:
        return {r for r, _ in self.records}


@dataclass
class AckResult:
    """What one Ack changed; `ignored` names entries that were not in the batch or already answered."""

    accepted: list[str] = field(default_factory=list)
    duplicate: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return len(self.accepted) + len(self.duplicate) + len(self.rejected)


def build_batch(store: StationStore, station_id: str, busy: set[str],
                max_records: int = wire.MAX_BATCH_RECORDS,
                max_bytes: int = wire.MAX_BATCH_BYTES) -> Batch | None:
    """The oldest unacknowledged records not in `busy` (batches still waiting for their ack), up to the
    contract's count and size limits, with their packet bytes; None when there is nothing to send.

    A record whose packet file is missing or too large for any batch is logged loudly and left in the outbox
    (never dropped): `sinopsis station check` reports the first, the second cannot happen with ≤ 2 MB packets.
    The manifest carries each packet's SHA-256 as recorded at sealing, not hashed again: a file changed on disk
    since then is refused by HQ on its own (`packet.altered`), as `sinopsis station check` would report it.
    """
    rows = store.conn.execute(
        "SELECT o.record_id, o.seq, r.packet_file, r.packet_size, r.packet_sha256 FROM outbox o "
        "JOIN records r ON r.id = o.record_id WHERE o.acked_at IS NULL ORDER BY o.seq").fetchall()
    chosen: list[tuple[str, int, bytes]] = []
    digests: list[str | None] = []
    size = MANIFEST_BASE_BYTES
    for row in rows:
        if row["record_id"] in busy:
            continue
        need = int(row["packet_size"] or 0) + MANIFEST_ENTRY_BYTES
        if need + MANIFEST_BASE_BYTES > max_bytes:
            logger.error("record %s: its packet (%s bytes) is larger than a batch may be; it stays in the outbox",
                         row["record_id"], row["packet_size"])
            continue
        if len(chosen) >= max_records or size + need > max_bytes:
            break
        try:
            data = store.packet_path(row["packet_file"]).read_bytes()
        except OSError as e:
            logger.error("record %s: cannot read packet file %s (%s); it stays in the outbox",
                         row["record_id"], row["packet_file"], e.strerror)
            continue
        chosen.append((row["record_id"], row["seq"], data))
        digests.append(_recorded_digest(row["record_id"], row["packet_sha256"]))
        size += need
    if not chosen:
        return None
    batch_id = uuid7()
    payload = write_batch(batch_id, station_id, chosen, digests)
    return Batch(batch_id, [(r, s) for r, s, _ in chosen], payload)


def _recorded_digest(record_id: str, digest: object) -> str | None:
    """The SHA-256 sealing recorded for a record, or None (the file is hashed instead) when the row holds none or
    something that is not one, which would otherwise stop every batch behind this record."""
    if isinstance(digest, str) and wire.SHA256_HEX.fullmatch(digest):
        return digest
    logger.error("record %s: its row holds no usable SHA-256 (%r); its packet file is hashed instead "
                 "(run sinopsis station check)", record_id, digest if digest is None else str(digest)[:80])
    return None


def note_published(store: StationStore, batch: Batch) -> None:
    """Before the PUBACK: each record's latest batch id and attempt (so an early or late ack finds them)."""
    now = now_iso()
    with store.write() as conn:
        conn.executemany(
            "UPDATE outbox SET batch_id = ?, attempts = attempts + 1, last_attempt_at = ? "
            "WHERE record_id = ? AND acked_at IS NULL",
            [(batch.batch_id, now, r) for r, _ in batch.records])


def mark_sent(store: StationStore, batch: Batch) -> int:
    """After a successful PUBACK: every record of the batch HQ has not answered yet becomes `sent` (audited);
    returns how many."""
    now = now_iso()
    moved = 0
    with store.write() as conn:
        for record_id, _ in batch.records:
            row = conn.execute("SELECT acked_at FROM outbox WHERE record_id = ?", (record_id,)).fetchone()
            if row is None or row["acked_at"] is not None:
                continue
            apply_transition(conn, record_id, "sent", actor=ACTOR, reason=f"batch {batch.batch_id}")
            conn.execute("UPDATE outbox SET sent_at = ? WHERE record_id = ?", (now, record_id))
            moved += 1
        failpoint("agent.before_sent_commit")
    failpoint("agent.after_sent_commit")
    return moved


def batch_members(store: StationStore, batch_id: str) -> set[str]:
    """The records whose latest batch is `batch_id` (empty when the station does not know that batch)."""
    return {r[0] for r in store.conn.execute("SELECT record_id FROM outbox WHERE batch_id = ?", (batch_id,))}


def apply_ack(store: StationStore, ack: wire.Ack, members: set[str]) -> AckResult:
    """Apply HQ's answer for the records of one batch (`members`: the records that batch carried) in one
    transaction: outcome, outbox ack columns, audited transition, and the HQ contact time."""
    result = AckResult()
    now = now_iso()
    answers = [(r, "accepted", None) for r in ack.accepted] + [(r, "duplicate", None) for r in ack.duplicate] + \
              [(j.record_id, "rejected", j.code) for j in ack.rejected]
    with store.write() as conn:
        for record_id, status, code in answers:
            row = conn.execute("SELECT acked_at FROM outbox WHERE record_id = ?", (record_id,)).fetchone()
            if record_id not in members or row is None or row["acked_at"] is not None:
                result.ignored.append(record_id)
                continue
            try:
                if get_record(conn, record_id)["state"] == "captured":  # the ack overtook our PUBACK handling
                    apply_transition(conn, record_id, "sent", actor=ACTOR, reason=f"batch {ack.batch_id}")
                apply_transition(conn, record_id, status, actor=ACTOR, reason_code=code,
                                 reason=f"HQ ack of batch {ack.batch_id}")
            except RecordStateError as e:
                logger.error("ack of batch %s: record %s: %s", ack.batch_id, record_id, e)
                result.ignored.append(record_id)
                continue
            conn.execute("UPDATE outbox SET acked_at = ?, ack_status = ?, reject_code = ? WHERE record_id = ?",
                         (now, status, code, record_id))
            getattr(result, status).append(record_id)
        record_hq_contact(conn, dt.datetime.now(dt.UTC))
        failpoint("agent.before_ack_commit")
    failpoint("agent.after_ack_commit")
    return result


def unacked_count(store: StationStore) -> int:
    """Sealed records HQ has not answered yet."""
    return int(store.conn.execute("SELECT COUNT(*) FROM outbox WHERE acked_at IS NULL").fetchone()[0])
