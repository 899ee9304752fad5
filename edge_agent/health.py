"""The station's Health message (wire.Health): progress from the station database and the kit's condition
from station/station_status.py, published retained every `agent.health_interval_s` and whenever something an
operator or HQ acts on changes (the `change_key`: not the ever-moving ages, free bytes and time stamps).

The records per state count the current assignment's records only, like `listed`: after a reassignment the
dashboard's checked in / recorded / sent / accepted are the new school's, never the two schools mixed (issue 21);
the outbox's depth and age still cover every record waiting on the kit."""

import datetime as dt
import importlib.metadata
from collections.abc import Callable
from pathlib import Path

from contract import wire
from station.config import StationConfig
from station.offline_limits import evaluate, last_hq_contact
from station.records import STATES, counts_by_state
from station.roster import current_assignment
from station.station_status import POWER_SUPPLY, read_status
from station.store import StationStore

MOVING_FIELDS = {"ts", "oldest_pending_s", "disk_free_bytes", "last_hq_contact"}


def software_version() -> str:
    """The installed SINOPSIS version (the distribution's metadata)."""
    try:
        return importlib.metadata.version("sinopsis")[:40]
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def current_counts(conn, assignment_ref: int) -> dict[str, int]:
    """Records per state (every state, zeros included) of the students checked in under one assignment."""
    counts = dict.fromkeys(sorted(STATES), 0)
    for state, n in conn.execute("SELECT r.state, COUNT(*) FROM records r JOIN checkins c ON c.id = r.checkin_ref "
                                 "WHERE c.assignment_ref = ? GROUP BY r.state", (assignment_ref,)):
        counts[state] = n
    return counts


def build_health(store: StationStore, config: StationConfig, epoch: int, *,
                 device_presence: Callable[[], dict[str, bool]] | None = None,
                 power_supply_dir: Path = POWER_SUPPLY, certificate_expires: str | None = None,
                 now: dt.datetime | None = None) -> wire.Health:
    """Health now: outbox depth and oldest age, last acked seq, records per state, devices, disk, battery,
    versions, certificate expiry, last HQ contact and, when the offline limits stop captures, why."""
    now = now or dt.datetime.now(dt.UTC)
    status = read_status(store, config.station.data_dir, power_supply_dir=power_supply_dir,
                         device_presence=device_presence, now=now)
    conn = store.conn
    last_acked = conn.execute("SELECT MAX(seq) FROM outbox WHERE acked_at IS NOT NULL").fetchone()[0]
    assignment = current_assignment(conn)
    contact = last_hq_contact(conn)
    verdict = evaluate(contact, status.waiting, now, config.offline)
    listed = None if assignment is None else conn.execute(
        "SELECT COUNT(*) FROM applicants WHERE assignment_ref = ?", (assignment["id"],)).fetchone()[0]
    return wire.Health(
        epoch=epoch, ts=now.isoformat(timespec="milliseconds"), queue_depth=status.waiting,
        oldest_pending_s=None if status.oldest_waiting_s is None else round(status.oldest_waiting_s, 1),
        last_acked_seq=last_acked, counts=counts_by_state(conn) if assignment is None else current_counts(
            conn, assignment["id"]), listed=listed,
        devices=dict(list(status.devices.items())[:20]),
        disk_free_bytes=status.disk_free, disk_total_bytes=status.disk_total,
        battery_percent=status.battery_percent, charging=status.charging, software_version=software_version(),
        assignment_version=None if assignment is None else assignment["version"],
        certificate_expires=certificate_expires,
        last_hq_contact=None if contact is None else contact.isoformat(timespec="seconds"),
        capture_blocked=verdict.reason[:200] if verdict.blocked and verdict.reason else None,
    )


def change_key(health: wire.Health) -> str:
    """What must differ for a health report to be sent before its interval is up."""
    return health.model_dump_json(exclude=MOVING_FIELDS)
