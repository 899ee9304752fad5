"""What the operator's status bar shows: the HQ link, records waiting for HQ, devices, disk and battery, and for
an hour after HQ replaced the station's assignment (a reassignment, or the list changed), the new one.

Read from things the station already has, cheaply enough to run every few seconds on the kiosk's service
thread: the outbox table, `shutil.disk_usage`, the kernel's power-supply folder (sysfs) and the link file the
MQTT edge agent writes. The link file is the contract between the two processes (docs/architecture.md):

    <data_dir>/agent/link.json  {"state": "connected" | "offline", "since": ISO-UTC, "updated_at": ISO-UTC}

The agent rewrites it (temp file + rename) at least every minute; a missing, unreadable or stale file (older
than LINK_STALE_S) means "unknown": the agent is not running or has hung, so nobody knows.
"""

import datetime as dt
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from contract.files import FileReadError, read_bounded

# When the bar asks for action (colour): the thresholds HQ's dashboard uses too (contract/wire.py).
from contract.wire import BATTERY_LOW_PERCENT, DEVICE_KINDS, DISK_LOW_FRACTION, OLDEST_WAITING_ALERT_S
from station.store import StationStore

LINK_FILE = Path("agent") / "link.json"
LINK_STALE_S = 120
REASSIGNED_NOTICE_S = 3600  # how long the bar announces the assignment HQ replaced the station's earlier one with
POWER_SUPPLY = Path("/sys/class/power_supply")


@dataclass(frozen=True)
class AssignmentChange:
    """The assignment the agent applied from HQ in place of an earlier one (issue 21: "the station is told"):
    students of the earlier list are no longer checked in here, so the operator must know at once."""

    version: int
    school: str
    imported_at: dt.datetime


@dataclass(frozen=True)
class StationStatus:
    """One reading of the station's state; the `*_alert` properties say what needs the operator's action."""

    link_state: str  # "connected", "offline" or "unknown"
    link_since: dt.datetime | None  # when the link went to that state (UTC), if the agent said
    waiting: int  # sealed records HQ has not acknowledged yet
    oldest_waiting_s: float | None  # age of the oldest of them
    disk_free: int  # bytes
    disk_total: int
    battery_percent: int | None  # None: no battery (mains only)
    charging: bool  # battery charging, or power from the mains
    devices: dict[str, bool] = field(default_factory=dict)  # device kind → present; empty when not known
    reassigned: AssignmentChange | None = None  # HQ replaced the assignment within REASSIGNED_NOTICE_S

    @property
    def disk_free_fraction(self) -> float:
        return self.disk_free / self.disk_total if self.disk_total else 0.0

    @property
    def disk_alert(self) -> bool:
        return self.disk_free_fraction < DISK_LOW_FRACTION

    @property
    def battery_alert(self) -> bool:
        return self.battery_percent is not None and self.battery_percent < BATTERY_LOW_PERCENT and not self.charging

    @property
    def waiting_alert(self) -> bool:
        return self.oldest_waiting_s is not None and self.oldest_waiting_s > OLDEST_WAITING_ALERT_S

    @property
    def absent(self) -> list[str]:
        """Device kinds that are not there, in the usual order."""
        order = {kind: i for i, kind in enumerate(DEVICE_KINDS)}
        return sorted((k for k, present in self.devices.items() if not present), key=lambda k: order.get(k, 99))


def _parse_time(text: object) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def read_link(data_dir: Path, now: dt.datetime) -> tuple[str, dt.datetime | None]:
    """(state, since) from the agent's link file; ("unknown", None) when it is missing, broken or stale."""
    try:
        data = json.loads(read_bounded(Path(data_dir) / LINK_FILE, "json"))
    except (FileReadError, ValueError):
        return "unknown", None
    if not isinstance(data, dict) or data.get("state") not in ("connected", "offline"):
        return "unknown", None
    updated = _parse_time(data.get("updated_at"))
    if updated is None or abs((now - updated).total_seconds()) > LINK_STALE_S:
        return "unknown", None
    return data["state"], _parse_time(data.get("since"))


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def read_battery(power_supply_dir: Path = POWER_SUPPLY) -> tuple[int | None, bool]:
    """(percent, charging) of the first battery in the kernel's power-supply folder; (None, True) without a
    battery (the kit runs on mains). "Charging" also counts a full battery and mains power that is online."""
    supplies = sorted(Path(power_supply_dir).glob("*")) if Path(power_supply_dir).is_dir() else []
    mains = any(_read(s / "type") in ("Mains", "USB") and _read(s / "online") == "1" for s in supplies)
    for supply in supplies:
        if _read(supply / "type") != "Battery" or _read(supply / "present") == "0":
            continue
        capacity = _read(supply / "capacity")
        if not capacity.isdigit():
            continue
        status = _read(supply / "status")
        return min(int(capacity), 100), mains or status in ("Charging", "Full", "Not charging")
    return None, True


def read_outbox(store: StationStore, now: dt.datetime) -> tuple[int, float | None]:
    """(records HQ has not acknowledged, age in seconds of the oldest of them)."""
    count, oldest = store.conn.execute(
        "SELECT COUNT(*), MIN(enqueued_at) FROM outbox WHERE acked_at IS NULL").fetchone()
    since = _parse_time(oldest)
    return int(count), None if since is None else max(0.0, (now - since).total_seconds())


def read_reassignment(store: StationStore, now: dt.datetime) -> AssignmentChange | None:
    """The newest assignment, when it replaced an earlier one less than REASSIGNED_NOTICE_S ago; else None."""
    rows = store.conn.execute(
        "SELECT version, school_name, imported_at FROM assignments ORDER BY version DESC LIMIT 2").fetchall()
    if len(rows) < 2:
        return None  # the day's first assignment is no news
    version, school, imported = rows[0]
    when = _parse_time(imported)
    if when is None or not 0 <= (now - when).total_seconds() <= REASSIGNED_NOTICE_S:
        return None
    return AssignmentChange(int(version), str(school), when)


def read_status(store: StationStore, data_dir: Path, power_supply_dir: Path = POWER_SUPPLY,
                device_presence: Callable[[], dict[str, bool]] | None = None,
                now: dt.datetime | None = None) -> StationStatus:
    """The station's status now. `device_presence` (from the composition root, e.g. drivers.presence.kit_presence)
    says which devices are there; without it the devices are not reported."""
    now = now or dt.datetime.now(dt.UTC)
    link_state, link_since = read_link(data_dir, now)
    waiting, oldest = read_outbox(store, now)
    usage = shutil.disk_usage(data_dir)
    percent, charging = read_battery(power_supply_dir)
    devices = dict(device_presence()) if device_presence is not None else {}
    return StationStatus(link_state, link_since, waiting, oldest, usage.free, usage.total, percent, charging,
                         devices, read_reassignment(store, now))
