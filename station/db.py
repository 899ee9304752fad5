"""The station's SQLite connection and schema migrations (DESIGN.md §4).

Every connection runs in WAL mode with synchronous=FULL (a commit survives a power cut), foreign keys on and
a busy timeout, because the kiosk and the agent are two processes sharing one file. The file holds students'
personal data, so it is made 0600 before SQLite opens it (SQLite gives its -wal and -shm files the database
file's mode). Writes go through
`immediate()`, which takes the write lock up front (BEGIN IMMEDIATE) so a transaction never fails halfway
on a lock upgrade. Migrations are numbered SQL files applied in order; PRAGMA user_version holds the number.
"""

import os
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from contract.durable import make_private, private_opener

BUSY_TIMEOUT_MS = 10_000
SIDE_FILES = ("-wal", "-shm", "-journal")


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the database at `path` with the station's pragmas; rows come back as Row.
    The file and its -wal/-shm are private (0600), an older world-readable one included."""
    if str(path) != ":memory:":
        private_database(Path(path))
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    _wal_mode(conn)
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _wal_mode(conn: sqlite3.Connection) -> None:
    """Switch to WAL. On a new file that needs a moment alone, and SQLite answers "locked" at once instead of
    waiting (the busy timeout does not cover it): two processes starting together (the agent and a kiosk, or the
    two kiosks of a two-display kit) retry for up to BUSY_TIMEOUT_MS."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def private_database(path: Path) -> None:
    """Create the database file 0600 when missing (an empty file is an empty SQLite database) and take group
    and other access away from it and its side files when they exist."""
    os.close(private_opener(str(path), os.O_RDWR | os.O_CREAT))
    for suffix in SIDE_FILES:
        make_private(path.with_name(path.name + suffix))


@contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction that holds the database's write lock from its first statement to COMMIT."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def migrations() -> list[tuple[int, str, str]]:
    """(number, name, sql) of every migration shipped in station/migrations, in order."""
    found = []
    for entry in resources.files("station.migrations").iterdir():
        match = re.fullmatch(r"(\d{4})_(\w+)\.sql", entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"station migrations must be numbered 1..N without gaps, found {numbers}")
    return found


def schema_version(conn: sqlite3.Connection) -> int:
    """The number of the last migration applied to this database (0 for a new file)."""
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, target: int | None = None) -> int:
    """Apply every migration above the database's version (up to `target`); returns the new version.

    Each migration runs in its own transaction with its version bump, so a crash leaves the database at
    the previous version, never half-migrated. A database newer than this software is refused.
    """
    available = migrations()
    latest = available[-1][0] if available else 0
    current = schema_version(conn)
    if current > latest:
        raise RuntimeError(
            f"database schema version {current} is newer than this software knows ({latest}); "
            "install the newer SINOPSIS release instead of downgrading"
        )
    for number, _name, sql in available:
        if number <= current or (target is not None and number > target):
            continue
        # Another process (the agent, the second kiosk) may open the same new file at the same moment: the guard
        # reads the version again under the write lock and fails the transaction if that one migrated first.
        guard = (f"CREATE TEMP TABLE migration_guard (version INTEGER CHECK (version < {number}));\n"  # noqa: S608 - an int
                 "INSERT INTO migration_guard SELECT user_version FROM pragma_user_version;\n"
                 "DROP TABLE migration_guard;")
        try:
            conn.executescript(f"BEGIN IMMEDIATE;\n{guard}\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
        except sqlite3.IntegrityError:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            current = schema_version(conn)
            if current < number:
                raise
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return schema_version(conn)
