"""The station's roster: importing a verified assignment (all or nothing) and reading the current one.

Each imported version becomes its own assignments row with its applicants and team, so records made under an
earlier version keep pointing at the applicant rows they were made for. The highest version is current.
"""

import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from contract.assignment import verify_bundle
from contract.errors import AssignmentError
from contract.files import read_bounded
from station import audit
from station.clock import now_iso
from station.store import StationStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportResult:
    """What an import did: 'imported' a new version or 'unchanged' (the same version again)."""

    outcome: str
    version: int
    school_name: str
    applicants: int


def current_assignment(conn: sqlite3.Connection) -> sqlite3.Row | None:
    """The newest imported assignment row, or None before the first import."""
    return conn.execute("SELECT * FROM assignments ORDER BY version DESC LIMIT 1").fetchone()


def import_assignment(
    store: StationStore, path: Path, hq_public_key: Ed25519PublicKey, *, station_id: str, min_age: int,
    actor: str = "system",
) -> ImportResult:
    """Verify the bundle at `path` and import it in one transaction.

    The same version again is a no-op; an older version, or the same version with other content, is refused.
    Raises AssignmentError (nothing changed) for any problem with the file.
    """
    data = read_bounded(path, "assignment", error=AssignmentError)  # regular file, bounded (issue 19)
    verified = verify_bundle(data, hq_public_key, station_id=station_id, min_age=min_age, source=str(path))
    content = verified.content
    with store.write() as conn:
        current = current_assignment(conn)
        if current is not None:
            if content.version == current["version"]:
                if verified.content_sha256 == current["content_sha256"]:
                    return ImportResult("unchanged", content.version, content.school.name, len(content.applicants))
                raise AssignmentError(
                    f"{path}: version {content.version} is already imported with different content; "
                    "HQ must issue a new version", code="assignment.version_conflict")
            if content.version < current["version"]:
                raise AssignmentError(
                    f"{path}: version {content.version} is older than the imported version "
                    f"{current['version']}; refusing to go back", code="assignment.version_old")
        cur = conn.execute(
            "INSERT INTO assignments (assignment_id, version, content_sha256, school_npsn, school_name, "
            "spt_number, spt_date, recording_date, signed_bundle, imported_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (content.assignment_id, content.version, verified.content_sha256, content.school.npsn,
             content.school.name, content.spt.number, content.spt.date.isoformat(),
             content.recording_date.isoformat(), verified.bundle_text, now_iso()),
        )
        ref = cur.lastrowid
        conn.executemany(
            "INSERT INTO operators (assignment_ref, operator_id, name, role, pin_hash) VALUES (?,?,?,?,?)",
            [(ref, m.operator_id, m.name, m.role, m.pin_hash) for m in content.team],
        )
        conn.executemany(
            "INSERT INTO applicants (assignment_ref, application_id, nik, name, birth_place, birth_date, sex, "
            "kk_number, phone) VALUES (?,?,?,?,?,?,?,?,?)",
            [(ref, a.application_id, a.nik, a.name, a.birth_place, a.birth_date.isoformat(), a.sex,
              a.kk_number, a.phone) for a in content.applicants],
        )
        audit.append(conn, actor=actor, action="assignment.import", reason=None, details={
            "assignment_id": content.assignment_id, "version": content.version,
            "school_npsn": content.school.npsn, "spt_number": content.spt.number,
            "applicants": len(content.applicants), "content_sha256": verified.content_sha256,
        })
    logger.info("imported assignment %s version %s (%s applicants)", content.assignment_id, content.version,
                len(content.applicants))
    return ImportResult("imported", content.version, content.school.name, len(content.applicants))
