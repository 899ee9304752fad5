"""Time stamps as the station writes them: UTC, ISO 8601, millisecond precision."""

from datetime import UTC, datetime


def now_iso() -> str:
    """The current UTC time as an ISO 8601 string, e.g. 2026-11-25T03:04:05.678+00:00."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")
