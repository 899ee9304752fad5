"""The station's durable state: one SQLite file plus a directory of sealed packet files (DESIGN.md §4)."""

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from contract.durable import private_dir
from station import db

DB_NAME = "station.db"
PACKETS_DIR = "packets"


class StationStore:
    """Opens (and migrates) the station database under `data_dir` and knows where packet files live.

    The kiosk and the agent each hold their own StationStore on the same directory; SQLite's locking and
    WAL mode keep them consistent. Inside one process several threads may share a store (the kiosk's service
    thread and the capture worker's sealer): its write transactions take turns on a lock, because one SQLite
    connection holds one transaction at a time.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.packets_dir = self.data_dir / PACKETS_DIR
        private_dir(self.data_dir)  # students' data: owner only (0700), an older 0755 folder tightened
        private_dir(self.packets_dir)
        self.db_path = self.data_dir / DB_NAME
        self.conn = db.connect(self.db_path)
        self._write_lock = threading.RLock()
        db.migrate(self.conn)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A BEGIN IMMEDIATE transaction; everything in it commits together or not at all."""
        with self._write_lock, db.immediate(self.conn) as conn:
            yield conn

    def next_counter(self, name: str) -> int:
        """Increment and return a named counter; call inside `write()` so the number commits with its use."""
        self.conn.execute(
            "INSERT INTO counters (name, value) VALUES (?, 1) "
            "ON CONFLICT (name) DO UPDATE SET value = value + 1",
            (name,),
        )
        return int(self.conn.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()[0])

    def packet_path(self, file_name: str) -> Path:
        """Where a packet file named in the records table lives."""
        return self.packets_dir / file_name

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "StationStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
