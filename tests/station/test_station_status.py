"""The status bar's reading: outbox waiting for HQ, the agent's link file, disk, battery from a sysfs-like folder."""

import datetime as dt
import json

from sinopsis.demo import demo_captures
from sinopsis.demo_data import DEMO_STATION_ID
from station.station_status import LINK_FILE, read_battery, read_link, read_status

NOW = dt.datetime(2026, 11, 25, 5, 0, tzinfo=dt.UTC)


def supply(root, name, **files):
    folder = root / name
    folder.mkdir(parents=True)
    for key, value in files.items():
        (folder / key).write_text(f"{value}\n")


def write_link(data_dir, state, since, updated_at):
    path = data_dir / LINK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"state": state, "since": since.isoformat(), "updated_at": updated_at.isoformat()}))


def test_sealed_records_wait_for_hq_until_acked(imported, capturing, sealer, tmp_path):
    data_dir = imported.data_dir
    empty = read_status(imported, data_dir, power_supply_dir=tmp_path / "none", now=NOW)
    assert (empty.waiting, empty.oldest_waiting_s, empty.waiting_alert) == (0, None, False)
    sealer.seal_and_commit(capturing, demo_captures(), operator_id="OP-02")
    enqueued = dt.datetime.fromisoformat(imported.conn.execute("SELECT enqueued_at FROM outbox").fetchone()[0])
    later = enqueued + dt.timedelta(minutes=12)
    status = read_status(imported, data_dir, power_supply_dir=tmp_path / "none", now=later)
    assert status.waiting == 1 and round(status.oldest_waiting_s) == 12 * 60 and not status.waiting_alert
    assert read_status(imported, data_dir, power_supply_dir=tmp_path / "none",
                       now=enqueued + dt.timedelta(hours=2)).waiting_alert
    with imported.write() as conn:
        conn.execute("UPDATE outbox SET acked_at = ?, ack_status = 'accepted'", (later.isoformat(),))
    assert read_status(imported, data_dir, power_supply_dir=tmp_path / "none", now=later).waiting == 0


def test_the_link_file_of_the_agent(tmp_path):
    assert read_link(tmp_path, NOW) == ("unknown", None)  # no agent yet
    since = NOW - dt.timedelta(minutes=30)
    write_link(tmp_path, "offline", since, NOW - dt.timedelta(seconds=20))
    assert read_link(tmp_path, NOW) == ("offline", since)
    write_link(tmp_path, "connected", since, NOW - dt.timedelta(seconds=121))
    assert read_link(tmp_path, NOW) == ("unknown", None)  # stale: the agent stopped writing
    write_link(tmp_path, "sleeping", since, NOW)
    assert read_link(tmp_path, NOW) == ("unknown", None)
    (tmp_path / LINK_FILE).write_text("{not json")
    assert read_link(tmp_path, NOW) == ("unknown", None)


def test_battery_from_power_supply_folders(tmp_path):
    assert read_battery(tmp_path / "missing") == (None, True)  # no battery: on the mains
    supply(tmp_path, "AC", type="Mains", online=0)
    supply(tmp_path, "BAT0", type="Battery", capacity=15, status="Discharging", present=1)
    assert read_battery(tmp_path) == (15, False)
    (tmp_path / "AC" / "online").write_text("1\n")
    assert read_battery(tmp_path) == (15, True)
    (tmp_path / "AC" / "online").write_text("0\n")
    (tmp_path / "BAT0" / "status").write_text("Charging\n")
    assert read_battery(tmp_path) == (15, True)


def test_alerts_for_battery_devices_and_disk(imported, tmp_path):
    power = tmp_path / "power"
    supply(power, "BAT1", type="Battery", capacity=12, status="Discharging")
    status = read_status(imported, imported.data_dir, power_supply_dir=power,
                         device_presence=lambda: {"camera": True, "printer": False, "iris": False}, now=NOW)
    assert status.battery_alert and status.absent == ["iris", "printer"]
    assert status.disk_total > 0 and 0 <= status.disk_free_fraction <= 1
    assert status.disk_alert == (status.disk_free_fraction < 0.10)
    assert status.link_state == "unknown"
    ok = read_status(imported, imported.data_dir, power_supply_dir=tmp_path / "none", now=NOW)
    assert not ok.battery_alert and ok.absent == [] and ok.devices == {} and ok.battery_percent is None


def test_an_assignment_hq_replaced_is_news_for_an_hour(imported, keys, make_bundle, tmp_path):
    """Issue 21: the station is told of a reassignment. The day's first assignment is no news; the one the agent
    applies in place of it (another school, or the same list changed) is, for REASSIGNED_NOTICE_S."""
    from station.roster import import_assignment
    from station.station_status import REASSIGNED_NOTICE_S, read_reassignment

    now = dt.datetime.now(dt.UTC)
    assert read_reassignment(imported, now) is None
    assert read_status(imported, imported.data_dir, power_supply_dir=tmp_path / "none").reassigned is None

    def other_school(content: dict) -> None:
        content["school"] = {**content["school"], "npsn": "10404099", "name": "SMK Negeri 2 Pekanbaru"}

    import_assignment(imported, make_bundle(version=2, edit=other_school), keys.hq_sign.public_key(),
                      station_id=DEMO_STATION_ID, min_age=16, actor="agent")
    change = read_status(imported, imported.data_dir, power_supply_dir=tmp_path / "none").reassigned
    assert (change.version, change.school) == (2, "SMK Negeri 2 Pekanbaru")
    assert abs((change.imported_at - now).total_seconds()) < 60
    later = change.imported_at + dt.timedelta(seconds=REASSIGNED_NOTICE_S + 1)
    assert read_reassignment(imported, later) is None  # an hour on, no longer news
