"""The dashboard's rules about a station's last Health, as pure functions of the report and the queue trend (and
how a Health's withdrawals counter is read, for the service report's count kept at ingest: models.HealthSample).

Two readers use them: the dashboard's view of a station (hq/fleet/dashboard.py, at request time) and ingest, which
keeps each station's conclusions on its row when the Health arrives (`Standing`, hq/fleet/liveness.py), so that
the fleet page counts and filters a province's stations in the database instead of judging each one per request
(issue 22). One set of rules for both, so the two can never disagree.
"""

import datetime as dt
import itertools
from dataclasses import dataclass

from contract.wire import BATTERY_LOW_PERCENT, DEVICE_KINDS, DISK_LOW_FRACTION, OLDEST_WAITING_ALERT_S, Health

TREND_SAMPLES = 4  # health reports kept in Station.queue_trend: "backlog growing" looks at these

BAD, WARN, NONE = "bad", "warn", ""  # an alert's level; NONE: no alert


def absent(health: Health | None) -> list[str]:
    """Device kinds the station reports as not there, in the kit's usual order."""
    devices = health.devices if health else {}
    order = {kind: i for i, kind in enumerate(DEVICE_KINDS)}
    return sorted((k for k, ok in devices.items() if not ok), key=lambda k: (order.get(k, 99), k))


def disk_free_fraction(health: Health | None) -> float | None:
    if health is None or health.disk_free_bytes is None or not health.disk_total_bytes:
        return None
    return health.disk_free_bytes / health.disk_total_bytes


def disk_low(health: Health | None) -> bool:
    fraction = disk_free_fraction(health)
    return fraction is not None and fraction < DISK_LOW_FRACTION


def battery_low(health: Health | None) -> bool:
    return (health is not None and health.battery_percent is not None
            and health.battery_percent < BATTERY_LOW_PERCENT and not health.charging)


def oldest_pending_late(health: Health | None) -> bool:
    return (health is not None and health.queue_depth > 0 and health.oldest_pending_s is not None
            and health.oldest_pending_s > OLDEST_WAITING_ALERT_S)


def backlog_growing(trend: tuple[int, ...]) -> bool:
    """The queue never fell across the kept health reports and rose overall."""
    return (len(trend) >= TREND_SAMPLES and trend[-1] > trend[0]
            and all(b >= a for a, b in itertools.pairwise(trend)))


def withdrawn(data: object) -> int:
    """The `counts.withdrawn` of a Health as stored (JSON; 0 when absent or not a count)."""
    counts = data.get("counts") if isinstance(data, dict) else None
    value = counts.get("withdrawn", 0) if isinstance(counts, dict) else 0
    return value if isinstance(value, int) and value >= 0 else 0


def withdrawn_rise(previous: object, data: object) -> int:
    """How far a Health's `counts.withdrawn` (`data`) rose over the station's previous report (`previous`, None for
    its first): a fall (a re-provisioned station) counts on from the new value rather than subtracting."""
    return max(0, withdrawn(data) - withdrawn(previous))


def parse_time(text: str | None) -> dt.datetime | None:
    """A message's ISO time (UTC when it names no zone); None when absent or unreadable."""
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Standing:
    """What a station's last Health says, as ingest keeps it on the station's row (Station.health_alert, …).

    `health_alert` is the worst level of the alerts the report raises whatever the station's state (captures
    stopped, disk low: bad; oldest record late, backlog growing: warn); `kit_alert` that of the alerts about the
    kit's live condition (a device missing: bad; battery low: warn), which count only while the station is online.
    The certificate's expiry is kept as a time, since whether it is near depends on when one asks."""

    health_alert: str = NONE
    kit_alert: str = NONE
    behind: bool = False  # oldest record late, or backlog growing
    disk_low: bool = False
    certificate_expires: dt.datetime | None = None

    @classmethod
    def of(cls, health: Health | None, trend: tuple[int, ...]) -> "Standing":
        late, growing, low = oldest_pending_late(health), backlog_growing(trend), disk_low(health)
        blocked = health is not None and bool(health.capture_blocked)
        return cls(
            health_alert=BAD if blocked or low else WARN if late or growing else NONE,
            kit_alert=BAD if absent(health) else WARN if battery_low(health) else NONE,
            behind=late or growing, disk_low=low,
            certificate_expires=parse_time(health.certificate_expires) if health else None)

    def fields(self) -> dict[str, object]:
        """The Station fields that keep it."""
        return {"health_alert": self.health_alert, "kit_alert": self.kit_alert, "behind": self.behind,
                "disk_low": self.disk_low, "certificate_expires": self.certificate_expires}
