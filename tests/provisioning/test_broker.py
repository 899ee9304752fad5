"""The local mosquitto: starts on a random port, passwords required, and the ACL goes by direction: a station
writes only what stations send and reads only what HQ sends it, nothing of another station; HQ the mirror image."""

import threading

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from provisioning.broker import LocalBroker
from tests.provisioning.acl_cases import check_acl_by_direction

STATIONS = {"st-a": "pw-a", "st-b": "pw-b"}


@pytest.fixture
def broker(tmp_path):
    with LocalBroker(tmp_path / "broker", STATIONS, {"hq-ingest": "pw-hq"}) as running:
        yield running


def client(broker, user, password):
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"test-{user}", protocol=mqtt.MQTTv5)
    c.username_pw_set(user, password)
    connected = threading.Event()
    c.on_connect = lambda _c, _u, _f, reason, _p: connected.set() if not reason.is_failure else None
    c.connect("127.0.0.1", broker.port)
    c.loop_start()
    assert connected.wait(5), f"{user} could not connect"
    return c


def test_a_wrong_password_is_refused(broker):
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="intruder", protocol=mqtt.MQTTv5)
    c.username_pw_set("st-a", "guess")
    result = []
    done = threading.Event()
    c.on_connect = lambda _c, _u, _f, reason, _p: (result.append(reason), done.set())
    c.connect("127.0.0.1", broker.port)
    c.loop_start()
    assert done.wait(5) and result[0].is_failure
    c.loop_stop()


def test_the_acl_goes_by_direction_and_keeps_each_station_to_its_own(broker):
    """Forged publishes on HQ's topics, another station's and HQ's own are dropped by the broker; the
    legitimate ones of the same run arrive (tests/provisioning/acl_cases.py)."""
    def connect(user: str) -> mqtt.Client:
        c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"acl-{user}", protocol=mqtt.MQTTv5)
        c.username_pw_set(user, {**STATIONS, "hq-ingest": "pw-hq"}[user])
        c.connect("127.0.0.1", broker.port)
        return c

    check_acl_by_direction(connect, "st-a", "st-b")


def test_the_password_file_is_written_hashed_as_mosquitto_passwd_hashes(tmp_path, broker):
    """provisioning/broker.py hashes in mosquitto 2.0's own format, so no password is on disk in clear even for a
    moment; the same salt gives mosquitto_passwd's very line, and the broker lets the right password in (above)."""
    import base64
    import subprocess

    from provisioning.broker import password_line

    reference = tmp_path / "reference"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(reference), "st-x", "pass:word ü"], check=True)
    line = reference.read_text()
    salt = base64.b64decode(line.split("$")[3])
    assert password_line("st-x", "pass:word ü", salt) == line
    written = (broker.directory / "passwd").read_text()
    assert (broker.directory / "passwd").stat().st_mode & 0o777 == 0o600
    assert written.count("$7$101$") == 3 and not any(pw in written for pw in ("pw-a", "pw-b", "pw-hq"))
