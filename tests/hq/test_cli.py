"""`sinopsis hq` commands in this process (the same Django as the other HQ tests): migrate, enrol-station,
createuser; bad input exits 2 with a message naming it; and the database URL parsing behind the settings."""

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.contrib.auth import authenticate

from contract.keys import save_public_key
from hq.dburl import parse_database_url
from hq.errors import HqError
from hq.fleet.models import Station
from hq.mqtt import broker_from_url
from sinopsis.cli import main


def _hq(hq, *args: str) -> int:
    return main(["hq", *args, "--data", str(hq)])


def test_migrate_enrol_and_re_enrol(hq, tmp_path, capsys):
    assert _hq(hq, "migrate") == 0
    key = tmp_path / "st.pub.pem"
    save_public_key(key, Ed25519PrivateKey.generate().public_key())
    assert _hq(hq, "enrol-station", "st-pku-01", "--key", str(key), "--school", "SMA Negeri 1", "--spt", "SPT-7") == 0
    station = Station.objects.get(pk="st-pku-01")
    assert (station.school, station.spt_number, station.status_state) == ("SMA Negeri 1", "SPT-7", "unknown")
    assert "BEGIN PUBLIC KEY" in station.public_key_pem
    assert _hq(hq, "enrol-station", "st-pku-01", "--key", str(key), "--name", "Kit 1") == 0  # same key: update
    assert Station.objects.get(pk="st-pku-01").name == "Kit 1"
    other = tmp_path / "other.pub.pem"
    save_public_key(other, Ed25519PrivateKey.generate().public_key())
    assert _hq(hq, "enrol-station", "st-pku-01", "--key", str(other)) == 2
    assert "--replace-key" in capsys.readouterr().err
    assert _hq(hq, "enrol-station", "st-pku-01", "--key", str(other), "--replace-key") == 0
    assert Station.objects.get(pk="st-pku-01").public_key_pem == other.read_text()


@pytest.mark.parametrize("problem, expected", [
    ("not-pem", "not a readable PEM public key"),
    ("x25519", "expected the station's Ed25519 signing key"),
    ("missing", "cannot read the station key"),
    ("bad-id", "station id"),
])
def test_enrol_refuses_bad_keys_and_ids(hq, tmp_path, capsys, problem, expected):
    key = tmp_path / "key.pem"
    if problem == "not-pem":
        key.write_text("hello")
    elif problem == "x25519":
        save_public_key(key, X25519PrivateKey.generate().public_key())
    elif problem == "bad-id":
        save_public_key(key, Ed25519PrivateKey.generate().public_key())
    station_id = "st/+/#" if problem == "bad-id" else "st-a"
    assert _hq(hq, "enrol-station", station_id, "--key", str(key)) == 2
    assert expected in capsys.readouterr().err
    assert not Station.objects.exists()


def test_createuser_for_the_dashboard(hq, tmp_path, capsys):
    password = tmp_path / "pw"
    password.write_text("kunci-rahasia-panjang\n")
    assert _hq(hq, "createuser", "admin", "--password-file", str(password)) == 0
    assert authenticate(username="admin", password="kunci-rahasia-panjang") is not None
    assert _hq(hq, "createuser", "admin", "--password-file", str(password)) == 2  # exists
    password.write_text("short")
    assert _hq(hq, "createuser", "admin", "--password-file", str(password), "--update") == 2
    assert "too short" in capsys.readouterr().err  # in English on the command line
    assert authenticate(username="admin", password="kunci-rahasia-panjang") is not None


def test_database_urls():
    pg = parse_database_url("postgres://hq:p%40ss@db.example:5433/sinopsis?sslmode=require")
    assert (pg["ENGINE"], pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "django.db.backends.postgresql", "sinopsis", "hq", "p@ss", "db.example", "5433")
    assert pg["OPTIONS"] == {"sslmode": "require"}
    assert parse_database_url("sqlite:////var/lib/hq.db")["NAME"] == "/var/lib/hq.db"
    for bad in ("mysql://a@b/c", "postgres://a@b", "postgres://a@b:port/x", "sqlite://"):
        with pytest.raises(HqError) as refused:
            parse_database_url(bad.replace("a@", "a:secret@"))
        assert "secret" not in str(refused.value)  # passwords never reach messages


def test_broker_urls(monkeypatch):
    monkeypatch.delenv("SINOPSIS_HQ_MQTT_PASSWORD", raising=False)
    broker = broker_from_url("mqtts://hq-ingest:pw@broker.example")
    assert (broker.host, broker.port, broker.username, broker.password, broker.tls) == (
        "broker.example", 8883, "hq-ingest", "pw", True)
    assert "pw" not in str(broker)
    with pytest.raises(HqError):
        broker_from_url("http://broker.example")


def test_a_command_sent_from_the_command_line_reaches_the_station(hq, station_keys, broker, stand_in, capsys):
    from django.test import override_settings

    from contract.wire import Command, parse
    from hq.fleet.models import Job
    from tests.hq.conftest import HQ_PASSWORD, HQ_USER
    from tests.hq.standin import wait_for

    station = stand_in("st-a")
    station.listen("cmd/+")
    with override_settings(HQ_MQTT_URL=f"mqtt://{HQ_USER}:{HQ_PASSWORD}@127.0.0.1:{broker.port}"):
        assert _hq(hq, "command", "st-a", "purge_accepted", "--ttl", "120") == 0
        job = Job.objects.get()
        assert f"as {job.id}" in capsys.readouterr().out
        msg = wait_for(lambda: station.received and station.received[0], what="the command at the station")
        assert parse(Command, msg.payload).name == "purge_accepted" and msg.topic.endswith(f"/cmd/{job.id}")
        assert _hq(hq, "command", "st-zz", "sync_now") == 2  # not enrolled: said, nothing sent
        assert "not enrolled" in capsys.readouterr().err
    assert Job.objects.count() == 1


def test_hqs_sqlite_database_and_data_folder_are_private(tmp_path):
    """HQ's database is personal data: made 0600 before SQLite opens it (its -wal and -shm follow), an older
    world-readable one tightened; the data folder 0700 (hq/settings.py)."""
    import stat

    from hq.dburl import sqlite_database

    fresh = tmp_path / "new.sqlite3"
    sqlite_database(fresh)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    older = tmp_path / "old.sqlite3"
    older.write_bytes(b"")
    older.chmod(0o644)
    sqlite_database(older)
    assert stat.S_IMODE(older.stat().st_mode) == 0o600
    from django.conf import settings

    assert stat.S_IMODE(settings.HQ_DATA_DIR.stat().st_mode) == 0o700


def test_the_demo_login_holds_its_roles_and_is_no_superuser(hq, tmp_path):
    """Least privilege (issue 21 point 4): `sinopsis demo`'s dashboard login is made by the same createuser
    command line the demo runs; it sees the fleet and the lists but verifies nothing and manages no logins."""
    from django.contrib.auth import get_user_model

    from sinopsis.demo_hq import DEMO_LOGIN, demo_login_args

    password = tmp_path / "pw"
    password.write_text("kunci-rahasia-panjang\n")
    assert main([*demo_login_args(password), "--data", str(hq)]) == 0
    demo = get_user_model().objects.get(username=DEMO_LOGIN)
    assert not demo.is_superuser and not demo.is_staff
    assert demo.has_perm("office.view_fleet") and demo.has_perm("lists.view_applicationlist")
    assert not demo.has_perm("applications.verify_application") and not demo.has_perm("auth.add_user")
