"""Database and broker URLs from the environment, parsed with the standard library (no dj-database-url).

`postgres://user:password@host:5432/name?sslmode=require` becomes Django's PostgreSQL settings (psycopg 3 is
needed then: the `hq-postgres` extra); without a URL HQ runs on one SQLite file in its data directory with WAL,
synchronous=FULL and IMMEDIATE transactions so several ingest processes can share it.
"""

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from contract.durable import make_private
from hq.errors import HqError

POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql")


def sqlite_database(path: Path) -> dict[str, Any]:
    """Django settings for the SQLite file at `path`, which is made (or tightened to) 0600 first: HQ's database is
    personal data, and SQLite gives its -wal and -shm files the database file's mode."""
    if path.parent.is_dir():
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # empty: SQLite takes it as a new database
        make_private(path)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "timeout": 30,  # seconds a writer waits for another process's write lock (busy_timeout)
            "transaction_mode": "IMMEDIATE",  # take the write lock at BEGIN: no deadlock on lock upgrade
            "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=FULL",
        },
    }


def parse_database_url(url: str) -> dict[str, Any]:
    """Django DATABASES['default'] for a postgres:// URL (or sqlite:///absolute/path); HqError otherwise.

    Query parameters become connection OPTIONS (sslmode, connect_timeout, …); user and password may be
    percent-encoded.
    """
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        if not parts.path or parts.path == "/":
            raise HqError(f"database URL {_redacted(url)}: sqlite needs a file path (sqlite:////abs/path.db)",
                          "hq.database_url")
        return sqlite_database(Path(unquote(parts.path[1:])))  # sqlite:////abs/path, sqlite:///relative
    if parts.scheme not in POSTGRES_SCHEMES:
        raise HqError(f"database URL {_redacted(url)}: scheme {parts.scheme!r} is not postgres:// or sqlite://",
                      "hq.database_url")
    name = unquote(parts.path.lstrip("/"))
    if not name or "/" in name:
        raise HqError(f"database URL {_redacted(url)}: give the database name as the path "
                      "(postgres://user:pass@host:5432/sinopsis)", "hq.database_url")
    try:
        port = parts.port
    except ValueError:
        raise HqError(f"database URL {_redacted(url)}: the port is not a number", "hq.database_url") from None
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": unquote(parts.hostname or ""),
        "PORT": str(port or ""),
        "CONN_MAX_AGE": 60,
        "OPTIONS": dict(parse_qsl(parts.query)),
    }


def _redacted(url: str) -> str:
    """The URL with its password replaced, for error messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()
