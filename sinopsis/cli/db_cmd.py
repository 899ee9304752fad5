"""`sinopsis station db tables|rows|query`: a technician's read-only look into the station's SQLite database.

Opened through sqlite-utils on a read-only connection (`mode=ro` and `PRAGMA query_only`), so nothing typed here
can change the station's data: a write is refused by SQLite itself and reported as bad input (exit 2). The schema
and its migrations stay the station's own versioned SQL (station/db.py); this command only reads.
"""

import argparse
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from contract.errors import SinopsisError
from sinopsis.cli.common import add_config_argument, print_json
from station.config import load_config
from station.store import DB_NAME

if TYPE_CHECKING:
    import sqlite_utils

MAX_ROWS = 10_000  # what one command prints at most (--limit)


class DbInspectError(SinopsisError):
    """A database or a statement this read-only command cannot serve."""


def register(commands: argparse._SubParsersAction) -> None:
    """Add `station db` with its three read-only commands."""
    db = commands.add_parser("db", help="read-only look into the station's database (sqlite-utils; never writes)")
    sub = db.add_subparsers(dest="db_command", required=True, metavar="COMMAND")

    p = sub.add_parser("tables", help="every table with its row count")
    _common(p)
    p.set_defaults(handler=_tables)

    p = sub.add_parser("rows", help="the rows of one table (newest rowid last)")
    p.add_argument("table")
    p.add_argument("--limit", type=int, default=50, help=f"at most this many rows (1-{MAX_ROWS}, default 50)")
    _common(p)
    p.set_defaults(handler=_rows)

    p = sub.add_parser("query", help="run one read-only SQL statement (SELECT, PRAGMA …)")
    p.add_argument("sql")
    p.add_argument("--limit", type=int, default=500, help=f"at most this many rows (1-{MAX_ROWS}, default 500)")
    _common(p)
    p.set_defaults(handler=_query)


def _common(p: argparse.ArgumentParser) -> None:
    add_config_argument(p)
    p.add_argument("--json", action="store_true", help="JSON instead of a text table")


def open_read_only(path: Path) -> "sqlite_utils.Database":
    """The database at `path` for reading only; DbInspectError when there is none (a path is never created)."""
    if not path.is_file():
        raise DbInspectError(f"{path}: no station database here; check [station] data_dir in the config "
                             "(`sinopsis station status` shows it)", "db.missing")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        conn.execute("PRAGMA query_only = ON")
    except sqlite3.Error as e:
        raise DbInspectError(f"{path}: cannot open the database read-only: {e}", "db.open") from None
    import sqlite_utils  # here, not at the top: every `sinopsis` command would pay its 0.1 s import

    return sqlite_utils.Database(conn)


def _database(args: argparse.Namespace) -> "sqlite_utils.Database":
    return open_read_only(Path(load_config(args.config).station.data_dir) / DB_NAME)


def _limit(args: argparse.Namespace) -> int:
    if not 1 <= args.limit <= MAX_ROWS:
        raise DbInspectError(f"--limit must be 1..{MAX_ROWS} (got {args.limit})", "usage")
    return args.limit


def _tables(args: argparse.Namespace) -> int:
    db = _database(args)
    counts = {name: db[name].count for name in db.table_names()}
    if args.json:
        print_json(counts)
    else:
        _print_table(["table", "rows"], ([name, n] for name, n in counts.items()))
    return 0


def _rows(args: argparse.Namespace) -> int:
    db, limit = _database(args), _limit(args)
    if args.table not in db.table_names():
        raise DbInspectError(f"no table {args.table!r}; the tables are: {', '.join(db.table_names())}", "db.table")
    table = db[args.table]
    total = table.count
    rows = list(table.rows_where(order_by="rowid", offset=max(0, total - limit), limit=limit))
    _show(args, [c.name for c in table.columns], rows)
    return 0


def _query(args: argparse.Namespace) -> int:
    db, limit = _database(args), _limit(args)
    try:
        cursor = db.execute(args.sql)
        rows = cursor.fetchmany(limit)
    except sqlite3.Error as e:
        raise DbInspectError(f"the statement was refused: {e} (this command only reads: use SELECT or PRAGMA)",
                             "db.query") from None
    columns = [d[0] for d in cursor.description or ()]
    _show(args, columns, [dict(zip(columns, r, strict=True)) for r in rows])
    return 0


def _show(args: argparse.Namespace, columns: list[str], rows: list[dict]) -> None:
    if args.json:
        print_json([{k: _plain(v) for k, v in r.items()} for r in rows])
    else:
        _print_table(columns, ([_plain(r.get(c)) for c in columns] for r in rows))


def _plain(value: object) -> object:
    """A cell as text can show it: BLOBs by their size, never their bytes."""
    return f"<{len(value)} bytes>" if isinstance(value, bytes | bytearray | memoryview) else value


def _print_table(headers: list[str], rows: Iterable[list]) -> None:
    from tabulate import tabulate  # sqlite-utils' own table printer

    print(tabulate(list(rows), headers=headers, tablefmt="simple"))
