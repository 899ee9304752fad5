"""`desired` → `reported`: HQ's retained, signed assignment for this station, verified and imported all or
nothing (contract/assignment.py, station/roster.py), answered with the version now applied or the version
refused and why. Garbage on `desired` is refused with a reason and changes nothing; an older version is
refused by the roster's version rules; the same version again is applied already (reported again).
"""

import datetime as dt
import logging
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from contract import wire
from contract.assignment import verify_bundle
from contract.durable import fsync_dir, write_durably
from contract.errors import AssignmentError
from station.config import StationConfig
from station.roster import current_assignment, import_assignment
from station.store import StationStore

logger = logging.getLogger(__name__)
DESIRED_FILE = "desired.json"
RECEIVED_FILE = "desired.received.json"  # the bundle being imported; renamed to DESIRED_FILE once applied


def _reported(store: StationStore, refused_version: int | None = None, reason: str | None = None) -> wire.Reported:
    current = current_assignment(store.conn)
    return wire.Reported(assignment_version=None if current is None else current["version"],
                             refused_version=refused_version, refused_reason=None if reason is None else reason[:500],
                             ts=dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"))


def apply_desired(store: StationStore, config: StationConfig, hq_key: Ed25519PublicKey, payload: bytes,
                  agent_dir: Path) -> wire.Reported:
    """Verify and import the assignment in `payload` (a contract Desired); the Reported to publish.

    The bundle is written durably to `agent_dir/desired.received.json` and imported from there, as `sinopsis
    station assignment import` would, so the audit log shows the same import either way; once applied it becomes
    `agent_dir/desired.json`. A refused bundle (an older version replayed, another key, …) is deleted, so
    desired.json always holds the bundle the station applied."""
    try:
        desired = wire.parse(wire.Desired, payload, limit=wire.MAX_DESIRED_BYTES + 1024)
    except wire.ContractError as e:
        logger.warning("desired refused (%s): %s", e.code, e)
        return _reported(store, None, f"{e.code}: {e}")
    bundle = desired.bundle.encode("utf-8")
    try:
        verified = verify_bundle(bundle, hq_key, station_id=config.station.id, min_age=config.roster.min_age,
                                 source=f"desired v{desired.version}")
        if verified.content.version != desired.version:
            raise AssignmentError(f"desired says version {desired.version} but the signed assignment is version "
                                  f"{verified.content.version}", "assignment.version_mismatch")
        path = Path(agent_dir) / DESIRED_FILE
        received = path.with_name(RECEIVED_FILE)
        write_durably(received, bundle)
        try:
            result = import_assignment(store, received, hq_key, station_id=config.station.id,
                                       min_age=config.roster.min_age, actor="agent")
        except AssignmentError:
            received.unlink(missing_ok=True)  # refused: desired.json keeps the bundle that is applied
            raise
        received.replace(path)
        fsync_dir(path.parent)
    except AssignmentError as e:
        logger.warning("desired v%s refused (%s): %s", desired.version, e.code, e)
        return _reported(store, desired.version, f"{e.code}: {e}")
    logger.info("desired v%s: %s (%s, %s applicants)", desired.version, result.outcome, result.school_name,
                result.applicants)
    return _reported(store)
