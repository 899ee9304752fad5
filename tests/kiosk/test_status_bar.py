"""The operator's status bar with real touches: an absent device and a waiting record show in red / in words,
the HQ link from the agent's link file, the battery from a sysfs-like folder; it refreshes only while shown."""

import datetime as dt
import json

import pytest

from kiosk.testing import wait_until
from kiosk.widgets.status_bar import RED
from sinopsis.demo import demo_captures
from station.station_status import LINK_FILE
from tests.kiosk.kiosk_helpers import start_kiosk, stop_kiosk
from tests.kiosk.test_operator_screens import log_in, type_pin


@pytest.fixture
def kiosk(imported, capturing, sealer, station_config, tmp_path):
    sealer.seal_and_commit(capturing, demo_captures(), operator_id="OP-02")  # one record waits for HQ
    battery = tmp_path / "power" / "BAT0"
    battery.mkdir(parents=True)
    for name, value in (("type", "Battery"), ("capacity", "12"), ("status", "Discharging")):
        (battery / name).write_text(value + "\n")
    app = start_kiosk(imported, station_config)
    app.services.power_supply_dir = tmp_path / "power"
    app.services.device_presence = lambda: {"camera": True, "fingerprint": True, "iris": False,
                                            "signature_pad": True, "printer": True}
    yield app
    stop_kiosk(app)


def test_the_bar_shows_an_absent_device_a_waiting_record_and_a_low_battery(kiosk, imported):
    log_in(kiosk, "OP-02", "")
    type_pin(kiosk, "135790")
    wait_until(lambda: kiosk.root.current == "operator_queue")
    bar = kiosk.root.get_screen("operator_queue").ids.status
    wait_until(lambda: bar.status is not None)
    assert bar.ids.outbox.text == "1 menunggu dikirim · tertua 0 mnt" and list(bar.ids.outbox.color) != list(RED)
    assert bar.ids.devices.text == "Tidak ada: kamera iris" and list(bar.ids.devices.color) == list(RED)
    assert bar.ids.battery.text == "Baterai 12%" and list(bar.ids.battery.color) == list(RED)
    assert bar.ids.link.text == "HQ: belum diketahui"  # no agent has written its link file
    assert bar.ids.disk.text.startswith("Disk: sisa ")

    now = dt.datetime.now(dt.UTC)
    link = imported.data_dir / LINK_FILE
    link.parent.mkdir(parents=True)
    link.write_text(json.dumps({"state": "connected", "since": now.isoformat(), "updated_at": now.isoformat()}))
    with imported.write() as conn:  # the record has waited two hours
        conn.execute("UPDATE outbox SET enqueued_at = ?", ((now - dt.timedelta(hours=2, minutes=5)).isoformat(),))
    bar.refresh()
    wait_until(lambda: bar.ids.link.text == "HQ: terhubung")
    assert bar.ids.outbox.text == "1 menunggu dikirim · tertua 2 jam 5 mnt"
    assert list(bar.ids.outbox.color) == list(RED)
    kiosk.toggle_language()
    wait_until(lambda: bar.ids.outbox.text == "1 waiting to send · oldest 2 h 5 min")
    assert bar.ids.devices.text == "Missing: iris camera" and bar.ids.link.text == "HQ: connected"

    assert bar._event is not None  # refreshing while shown …
    kiosk.root.get_screen("operator_queue").log_out()
    wait_until(lambda: kiosk.root.current == "welcome" and bar._event is None)  # … not once the screen is left


def test_the_operator_is_told_when_hq_reassigns_the_station(kiosk, imported, keys, make_bundle):
    """Issue 21: the agent applies HQ's new assignment (here as it does, through import_assignment) while the
    operator works; within a refresh the bar names the new school, in amber, in both languages."""
    from sinopsis.demo_data import DEMO_STATION_ID
    from station.roster import import_assignment

    log_in(kiosk, "OP-02", "")
    type_pin(kiosk, "135790")
    wait_until(lambda: kiosk.root.current == "operator_queue")
    bar = kiosk.root.get_screen("operator_queue").ids.status
    wait_until(lambda: bar.status is not None)
    assert bar.ids.assignment.text == "" and bar.ids.assignment.opacity == 0  # the day's first assignment: no news

    def other_school(content: dict) -> None:
        content["school"] = {**content["school"], "npsn": "10404099", "name": "SMK Negeri 2 Pekanbaru"}

    import_assignment(imported, make_bundle(version=2, edit=other_school), keys.hq_sign.public_key(),
                      station_id=DEMO_STATION_ID, min_age=16, actor="agent")
    bar.refresh()
    wait_until(lambda: bar.ids.assignment.text.startswith("Penugasan baru dari HQ pukul "))
    assert bar.ids.assignment.text.endswith(": SMK Negeri 2 Pekanbaru (versi 2)")
    assert list(bar.ids.assignment.color) != list(RED) and bar.ids.assignment.opacity == 1
    kiosk.toggle_language()
    wait_until(lambda: bar.ids.assignment.text.startswith("New assignment from HQ at "))
    assert bar.ids.assignment.text.endswith(": SMK Negeri 2 Pekanbaru (version 2)")
