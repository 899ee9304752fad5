"""The HQ link file the kiosk's status bar reads (station/station_status.py documents it):
`<data_dir>/agent/link.json` = {"state": "connected" | "offline", "since", "updated_at"}, written to a temp file
and renamed, on every change and at least every LINK_REFRESH_S so the kiosk never reads it as stale.

"connected" means records can flow: the broker connection is up AND HQ's ingest says it is online.
"""

import datetime as dt
import json
import time
from pathlib import Path

from contract.durable import private_dir, write_durably
from station.station_status import LINK_FILE

LINK_REFRESH_S = 30.0


class LinkFile:
    """Writes the link state; `set` on every loop pass is cheap (it writes only on change or when due)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / LINK_FILE
        private_dir(self.path.parent)
        self.state: str | None = None
        self.since: dt.datetime | None = None
        self._written_at = 0.0

    def set(self, state: str, now: dt.datetime | None = None) -> None:
        """Record `state` ("connected" or "offline"); rewrite the file if it changed or is due."""
        if state not in ("connected", "offline"):
            raise ValueError(f"link state {state!r}")
        now = now or dt.datetime.now(dt.UTC)
        if state != self.state:
            self.state, self.since = state, now
        elif time.monotonic() - self._written_at < LINK_REFRESH_S:
            return
        data = {"state": self.state, "since": self.since.isoformat(timespec="milliseconds"),
                "updated_at": now.isoformat(timespec="milliseconds")}
        write_durably(self.path, json.dumps(data).encode())
        self._written_at = time.monotonic()
