"""The ledger: what each station committed against what HQ holds (issue 10, point 3).

A station's committed records are the rows of its `records` table that were sealed (they have a `seq` and a
packet hash); the station's database is opened read-only, so the ledger can run on a live kit or on a copy.
HQ's side is read through Django (SQLite or PostgreSQL alike). Each committed record is exactly one of:

- **delivered** — HQ holds a Record with the same id, station, seq and SHA-256;
- **pending** — HQ has nothing yet and the station has not been told it is done (captured / sent): on its way;
- **rejected** — HQ refused it with a code the station keeps (a person must look; nothing was lost silently);
- **lost** — HQ has nothing although the station was told it is done (accepted / duplicate / purged);
- **conflicting** — HQ holds that record id with other content, station or seq, or keeps it in quarantine.

And HQ's own rows are checked for **duplicates**: one station's record stored under two ids (the same seq, or
the same SHA-256, twice), and for **missing files** (a Record row whose packet file is gone or has another
size). Records HQ holds for a station that the station never committed are listed as **unknown** (e.g. the
station's database was replaced). A clean run has lost = duplicate = conflicting = missing files = 0.
"""

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from hq.errors import HqError

DONE = ("accepted", "duplicate", "purged")
PENDING = ("captured", "sent")


@dataclass
class StationLedger:
    """One station's comparison; the lists hold record ids (sorted)."""

    station_id: str
    committed: int = 0
    delivered: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    conflicting: list[str] = field(default_factory=list)
    duplicate: list[str] = field(default_factory=list)
    missing_files: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    @property
    def problems(self) -> int:
        return len(self.lost) + len(self.conflicting) + len(self.duplicate) + len(self.missing_files)

    def counts(self) -> dict[str, int]:
        return {"committed": self.committed, **{k: len(getattr(self, k)) for k in (
            "delivered", "pending", "rejected", "lost", "conflicting", "duplicate", "missing_files", "unknown")}}


def _station_rows(db: Path) -> tuple[str, dict[str, tuple[int, str, str]]]:
    """(station id, {record id: (seq, sha256, state)}) from a station database, opened read-only."""
    if not db.is_file():
        raise HqError(f"{db}: no such station database (it is station.db in the station's data dir)",
                      "ledger.station_db")
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            bundle = conn.execute("SELECT signed_bundle FROM assignments ORDER BY version DESC LIMIT 1").fetchone()
            rows = conn.execute("SELECT id, seq, packet_sha256, state FROM records WHERE seq IS NOT NULL").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        raise HqError(f"{db}: not a readable station database ({e})", "ledger.station_db") from None
    if bundle is None:
        raise HqError(f"{db}: this station has no assignment, so it has committed nothing and names no station id",
                      "ledger.station_db")
    try:
        station_id = str(json.loads(bundle[0])["content"]["station_id"])
    except (ValueError, KeyError, TypeError):
        raise HqError(f"{db}: its assignment does not name the station", "ledger.station_db") from None
    return station_id, {r[0]: (r[1], r[2], r[3]) for r in rows}


def compare_station(db: Path, hq_data: Path) -> StationLedger:
    """The ledger of one station database against HQ (Django already set up on `hq_data`)."""
    from hq.ingest.models import Quarantine, Record

    station_id, committed = _station_rows(Path(db))
    ledger = StationLedger(station_id, committed=len(committed))
    held = {r.record_id: r for r in Record.objects.filter(record_id__in=list(committed))}
    quarantined = set(Quarantine.objects.filter(record_id__in=list(committed)).values_list("record_id", flat=True))
    for record_id, (seq, sha256, state) in sorted(committed.items()):
        at_hq = held.get(record_id)
        differs = at_hq is not None and (at_hq.sha256, at_hq.station_id, at_hq.seq) != (sha256, station_id, seq)
        if differs or record_id in quarantined:
            ledger.conflicting.append(record_id)
        elif at_hq is not None:
            ledger.delivered.append(record_id)
        elif state == "rejected":
            ledger.rejected.append(record_id)
        elif state in DONE:
            ledger.lost.append(record_id)
        else:
            ledger.pending.append(record_id)
    rows = list(Record.objects.filter(station_id=station_id).values_list("record_id", "seq", "sha256", "path",
                                                                          "size"))
    for key in (1, 2):  # the same seq, or the same content, under two record ids
        repeated = {v for v, n in Counter(r[key] for r in rows).items() if n > 1}
        ledger.duplicate += [r[0] for r in rows if r[key] in repeated and r[0] not in ledger.duplicate]
    for record_id, _seq, _sha, path, size in rows:
        stored = Path(hq_data) / path
        if not stored.is_file() or stored.stat().st_size != size:
            ledger.missing_files.append(record_id)
        if record_id not in committed:
            ledger.unknown.append(record_id)
    for name in ("duplicate", "missing_files", "unknown"):
        getattr(ledger, name).sort()
    return ledger


def format_ledger(ledgers: list[StationLedger]) -> str:
    """A table a technician reads: one line per station, then the ids of anything that is a problem."""
    keys = ("committed", "delivered", "pending", "rejected", "lost", "duplicate", "conflicting", "missing_files",
            "unknown")
    lines = [f"{'station':<16}" + "".join(f"{k.replace('_', ' '):>14}" for k in keys)]
    for ledger in ledgers:
        counts = ledger.counts()
        lines.append(f"{ledger.station_id:<16}" + "".join(f"{counts[k]:>14}" for k in keys))
    for ledger in ledgers:
        for name in ("lost", "duplicate", "conflicting", "missing_files", "rejected"):
            ids = getattr(ledger, name)
            if ids:
                lines.append(f"{ledger.station_id} {name.replace('_', ' ')}: {', '.join(ids[:20])}"
                             + (f" (+{len(ids) - 20} more)" if len(ids) > 20 else ""))
    total = sum(ledger.problems for ledger in ledgers)
    lines.append("ledger: no record lost, duplicated or conflicting" if total == 0 else
                 f"ledger: {total} problem(s) — lost, duplicated, conflicting or missing at HQ")
    return "\n".join(lines)
