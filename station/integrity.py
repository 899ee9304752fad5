"""The start-up check (`sinopsis station check`): sweep orphan packet files, report rows whose file is gone.

A packet file without a row is what a crash between writing the file and committing its row leaves: it was
never "saved", so it is removed. A row whose file is missing or altered is data loss, reported loudly and never
"fixed" silently. The sweep takes the write lock so it can never race a commit in another process.
"""

import logging
from dataclasses import dataclass, field

from contract.durable import TEMP_PREFIX, remove_durably, sha256_file, sweep_temp_files
from station.store import StationStore

logger = logging.getLogger(__name__)


@dataclass
class IntegrityReport:
    """What the check did and found."""

    swept_orphans: list[str] = field(default_factory=list)
    swept_temp: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)
    packets_checked: int = 0

    @property
    def ok(self) -> bool:
        return not (self.missing or self.altered)


def check_store(store: StationStore) -> IntegrityReport:
    """Sweep garbage and verify every packet file against its row's SHA-256."""
    report = IntegrityReport()
    with store.write() as conn:
        rows = conn.execute(
            "SELECT id, packet_file, packet_sha256 FROM records WHERE packet_file IS NOT NULL "
            "AND packet_deleted_at IS NULL").fetchall()  # deleted: purged, or rejected past retention
        expected = {r["packet_file"]: r for r in rows}
        report.swept_temp = sorted(p.name for p in sweep_temp_files(store.packets_dir))
        for path in sorted(store.packets_dir.iterdir()):
            if path.is_file() and path.name not in expected and not path.name.startswith(TEMP_PREFIX):
                remove_durably(path)
                report.swept_orphans.append(path.name)
                logger.warning("removed orphan packet file %s (no record row: a commit that never finished)",
                               path.name)
    for name, row in expected.items():
        path = store.packet_path(name)
        if not path.exists():
            report.missing.append(f"record {row['id']}: packet file {name} is missing")
            logger.error("record %s: packet file %s is missing", row["id"], name)
        elif sha256_file(path) != row["packet_sha256"]:
            report.altered.append(f"record {row['id']}: packet file {name} does not match its SHA-256")
            logger.error("record %s: packet file %s was altered", row["id"], name)
        report.packets_checked += 1
    return report
