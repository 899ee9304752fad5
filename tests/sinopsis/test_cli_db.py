"""`sinopsis station db …`: the technician's read-only look into station.db (sqlite-utils), and that it never
writes — a write statement is refused by SQLite (exit 2, the data unchanged), a missing database is not created."""

import json

from sinopsis.cli import main
from station.store import DB_NAME


def _cfg(tmp_path) -> list[str]:
    return ["--config", str(tmp_path / "station.toml")]


def test_tables_rows_and_query(tmp_path, station_config, make_bundle, applicants, capsys):
    cfg = _cfg(tmp_path)
    assert main(["station", "assignment", "import", str(make_bundle()), *cfg]) == 0
    capsys.readouterr()
    assert main(["station", "db", "tables", "--json", *cfg]) == 0
    tables = json.loads(capsys.readouterr().out)
    assert tables["applicants"] == len(applicants) and "audit" in tables

    assert main(["station", "db", "rows", "applicants", "--limit", "2", "--json", *cfg]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 2 and {"nik", "application_id"} <= set(rows[0])

    assert main(["station", "db", "query", "SELECT COUNT(*) AS n FROM applicants", *cfg]) == 0
    out = capsys.readouterr().out
    assert "n" in out.splitlines()[0] and str(len(applicants)) in out

    assert main(["station", "db", "tables", *cfg]) == 0  # the text table names every table
    assert "applicants" in capsys.readouterr().out


def test_a_write_is_refused_and_changes_nothing(tmp_path, station_config, make_bundle, capsys):
    cfg = _cfg(tmp_path)
    assert main(["station", "assignment", "import", str(make_bundle()), *cfg]) == 0
    db = station_config.station.data_dir / DB_NAME
    before = db.read_bytes()
    for sql in ("DELETE FROM applicants", "DROP TABLE applicants", "UPDATE applicants SET phone = '0'",
                "CREATE TABLE x (a)", "PRAGMA user_version = 99"):
        capsys.readouterr()
        assert main(["station", "db", "query", sql, *cfg]) == 2, sql
        err = capsys.readouterr().err
        assert "refused" in err and "only reads" in err, err
    assert db.read_bytes() == before
    assert main(["station", "db", "query", "SELECT COUNT(*) FROM applicants", "--json", *cfg]) == 0


def test_bad_input_is_named(tmp_path, station_config, make_bundle, capsys):
    cfg = _cfg(tmp_path)
    assert main(["station", "db", "tables", *cfg]) == 2  # no database yet: not created by looking
    assert "no station database" in capsys.readouterr().err
    assert not (station_config.station.data_dir / DB_NAME).exists()
    assert main(["station", "assignment", "import", str(make_bundle()), *cfg]) == 0
    capsys.readouterr()
    assert main(["station", "db", "rows", "no_such_table", *cfg]) == 2
    assert "no table 'no_such_table'" in capsys.readouterr().err
    assert main(["station", "db", "rows", "applicants", "--limit", "0", *cfg]) == 2
    assert "--limit must be" in capsys.readouterr().err
    assert main(["station", "db", "query", "SELEKT 1", *cfg]) == 2
    assert "syntax error" in capsys.readouterr().err
