"""The demo's servers (station/demo_hq.py) on a demo station with sealed records: mosquitto, HQ ingest, the
dashboard and the agent as real processes; the records reach HQ's database; Ctrl-C stops every server cleanly."""

import datetime as dt
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import urllib.request

from station.demo import run_demo
from station.demo_data import DemoPaths
from tests.edge_agent.conftest import wait_until

SCRIPT = "import sys; from station.demo_hq import run_servers; sys.exit(run_servers(sys.argv[1], None))"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kw):  # the dashboard's answer itself, not the login page's
        return None


def test_the_demo_servers_carry_the_records_to_hq_and_ctrl_c_stops_them_all(tmp_path):
    root = tmp_path / "demo"
    assert run_demo(root, dt.date.today(), say=lambda _line: None) == 0
    station_db = DemoPaths(root).station_data / "station.db"
    with sqlite3.connect(station_db) as db:
        sealed = {r for (r,) in db.execute("SELECT record_id FROM outbox")}
    assert sealed
    lines: list[str] = []
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # a pipe, buffered as for a user
    demo = subprocess.Popen([sys.executable, "-c", SCRIPT, str(root)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        for line in demo.stdout:
            lines.append(line)
            if line.startswith("Open the fleet dashboard"):
                break
        out = "".join(lines)
        assert f"{len(sealed)} of {len(sealed)} sealed records reached HQ" in out, out
        url = out.split("Open the fleet dashboard: ")[1].split()[0]
        user, password = out.split("login ")[1].split()[0], out.split("password ")[-1].split()[0]
        assert user == "demo" and password == (root / "hq" / "demo_login_password").read_text().strip()
        try:
            urllib.request.build_opener(NoRedirect).open(url, timeout=10)
            raise AssertionError("the dashboard answered without a login")
        except urllib.error.HTTPError as e:
            assert e.code == 302 and "login" in e.headers["Location"]
        with sqlite3.connect(root / "hq" / "hq.sqlite3") as db:
            assert {r for (r,) in db.execute("SELECT record_id FROM ingest_record")} == sealed
        # the office's demo: one login per role, and the list approved at HQ reached the station as its desired
        # assignment over the broker; the station applied it (HQ holds what the station reported)
        logins = (root / "hq" / "demo_logins.txt").read_text().splitlines()[1:]
        assert {line.split()[0] for line in logins} == {"student", "school", "admin", "kasi_pendataan",
                                                        "kabid_dafduk", "kasubbag_umum", "kabid_piak", "team"}
        assert (root / "hq" / "demo_logins.txt").stat().st_mode & 0o077 == 0

        def applied() -> bool:
            with sqlite3.connect(root / "hq" / "hq.sqlite3") as db:
                return db.execute("SELECT assignment_version FROM fleet_station").fetchone()[0] == 2

        wait_until(applied, what="the station applied HQ's assignment v2")
        port = int((root / "broker" / "mosquitto.conf").read_text().split("listener ")[1].split()[0])
        demo.send_signal(signal.SIGINT)  # Ctrl-C
        rest = demo.communicate(timeout=60)[0]
    finally:
        demo.kill()
    assert demo.returncode == 0 and "servers stopped" in rest
    logs = root / "logs"
    assert "stopped (stopped" in (logs / "agent.log").read_text()  # a clean stop, offline published first
    assert "ingest worker 1 stopped" in (logs / "hq-ingest.log").read_text()
    with sqlite3.connect(root / "hq" / "hq.sqlite3") as db:
        assert db.execute("SELECT status_state FROM fleet_station").fetchone()[0] == "offline"

    def broker_gone() -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) != 0

    wait_until(broker_gone, what="mosquitto stopped")
