"""What "nothing changed" means for the station: every row of every table of its SQLite database."""

import sqlite3


def snapshot(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    """Every row of every table (the station's whole database state), to compare before and after a refusal."""
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {t: [tuple(r) for r in conn.execute(f'SELECT * FROM "{t}" ORDER BY rowid')]  # noqa: S608 -- own names
            for t in tables}
