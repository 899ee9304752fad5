"""The append-only audit log: every state change with time, actor, record and reason, hash-chained.

Each row stores the SHA-256 of the row before it and of its own content, so `verify` finds a row that was
edited (its hash no longer matches), deleted from the middle (the next row's link breaks) or cut from the end
(SQLite's AUTOINCREMENT counter remembers ids that were issued). Triggers refuse UPDATE and DELETE, so only
someone bypassing the software can change a row, and verification shows it.
"""

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from station.clock import now_iso

GENESIS_HASH = "0" * 64
FIELDS = ("ts", "actor", "action", "record_id", "from_state", "to_state", "reason", "details")
# Built once from the constant FIELDS above; no caller input reaches the SQL text.
_INSERT = f"INSERT INTO audit ({', '.join(FIELDS)}, prev_hash, row_hash) VALUES ({', '.join('?' * (len(FIELDS) + 2))})"  # noqa: S608
_SELECT = f"SELECT id, {', '.join(FIELDS)}, prev_hash, row_hash FROM audit ORDER BY id"  # noqa: S608


def _row_hash(prev_hash: str, values: dict[str, Any]) -> str:
    canonical = json.dumps([prev_hash, *(values[f] for f in FIELDS)], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def append(
    conn: sqlite3.Connection,
    *,
    actor: str,
    action: str,
    record_id: str | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    """Append one audit row inside the caller's open write transaction; returns its id.

    Call it in the same transaction as the change it describes, so the change and its audit row commit
    together or not at all. `details` must not hold a full NIK or any image.
    """
    if not conn.in_transaction:
        raise RuntimeError("audit.append must run inside the write transaction of the change it records")
    last = conn.execute("SELECT row_hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    prev_hash = last[0] if last else GENESIS_HASH
    values = {
        "ts": now_iso(), "actor": actor, "action": action, "record_id": record_id,
        "from_state": from_state, "to_state": to_state, "reason": reason,
        "details": json.dumps(details or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
    }
    cur = conn.execute(_INSERT, [*(values[f] for f in FIELDS), prev_hash, _row_hash(prev_hash, values)])
    return int(cur.lastrowid)


@dataclass
class AuditReport:
    """What `verify` found: how many rows it checked and every problem, in order."""

    rows: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(conn: sqlite3.Connection) -> AuditReport:
    """Walk the whole chain and report every edited, deleted or truncated row."""
    report = AuditReport()
    prev_hash, prev_id = GENESIS_HASH, 0
    for row in conn.execute(_SELECT):
        report.rows += 1
        rid = row["id"]
        if row["prev_hash"] != prev_hash:
            gap = f"rows {prev_id + 1}–{rid - 1} are missing" if rid > prev_id + 1 else "its link was altered"
            report.problems.append(f"audit row {rid}: chain broken after row {prev_id} ({gap})")
        if _row_hash(row["prev_hash"], dict(row)) != row["row_hash"]:
            report.problems.append(f"audit row {rid}: content was edited (hash does not match)")
        prev_hash, prev_id = row["row_hash"], rid
    issued = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit'").fetchone()
    if issued and issued[0] > prev_id:
        report.problems.append(
            f"audit rows {prev_id + 1}–{issued[0]} were deleted from the end of the log"
        )
    return report
