"""Identifiers: record ids sortable by creation time (UUIDv7, RFC 9562) and receipt numbers.

Python 3.11's uuid module has no uuid7 (3.14 adds it); this is the RFC's layout with the 12-bit
"rand_a" field used as a counter, so ids made in the same millisecond by one process still sort in order.
"""

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def uuid7() -> str:
    """A new UUIDv7 as a string; later calls in this process always sort after earlier ones."""
    global _last_ms, _counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms > _last_ms:
            _last_ms, _counter = ms, int.from_bytes(os.urandom(2), "big") & 0x3FF
        else:
            # Same millisecond (or the clock stepped back): count up; borrow the next millisecond on overflow.
            _counter += 1
            if _counter > 0xFFF:
                _last_ms, _counter = _last_ms + 1, 0
            ms = _last_ms
        rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
        value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | _counter << 64 | 0b10 << 62 | rand_b
    return str(uuid.UUID(int=value))


def receipt_number(station_id: str, seq: int) -> str:
    """The number printed on the student's receipt: station and per-station sequence, e.g. ST-DEV-01-000042."""
    return f"{station_id.upper()}-{seq:06d}"
