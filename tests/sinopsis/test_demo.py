"""`sinopsis demo`: the whole demo runs once from nothing, as setup.sh runs it — steps 1-7, then step 8's servers
(mosquitto, HQ ingest, the dashboard and the agent as real processes) carry the records to HQ, are checked live
while they run, and SIGTERM stops them all cleanly as Ctrl-C does (issue 19 point 8: none is left running); every
file the demo wrote is its user's only (point 7); every check of every step is made on that one run."""

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import cv2
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from contract.keys import load_private_key, load_public_key
from contract.packets import open_packet
from sinopsis.demo_data import DemoPaths
from tests.edge_agent.conftest import wait_until
from tests.processes import all_stopped, command_line, descendants, reaping
from tests.sinopsis.test_private_files import not_private

pytestmark = pytest.mark.demo


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kw):  # the dashboard's answer itself, not the login page's
        return None


def _live_checks(root: Path, out: str) -> None:
    """While step 8's servers run: the dashboard wants a login, the office's demo logins are there (0600), and the
    list approved at HQ reached the station as its desired assignment, which the station applied."""
    url = out.split("Open the fleet dashboard: ")[1].split()[0]
    user, password = out.split("login ")[1].split()[0], out.split("password ")[-1].split()[0]
    assert user == "demo" and password == (root / "hq" / "demo_login_password").read_text().strip()
    try:
        urllib.request.build_opener(NoRedirect).open(url, timeout=10)
        raise AssertionError("the dashboard answered without a login")
    except urllib.error.HTTPError as e:
        assert e.code == 302 and "login" in e.headers["Location"]
    logins = (root / "hq" / "demo_logins.txt").read_text().splitlines()[1:]
    assert {line.split()[0] for line in logins} == {"student", "school", "admin", "kasi_pendataan",
                                                    "kabid_dafduk", "kasubbag_umum", "kabid_piak", "team"}
    assert (root / "hq" / "demo_logins.txt").stat().st_mode & 0o077 == 0

    def applied() -> bool:
        with sqlite3.connect(root / "hq" / "hq.sqlite3") as db:
            return db.execute("SELECT assignment_version FROM fleet_station").fetchone()[0] == 2

    wait_until(applied, what="the station applied HQ's assignment v2")


def test_demo_runs_end_to_end(tmp_path):
    demo_dir = tmp_path / "demo"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # a pipe, buffered as for a user
    demo = subprocess.Popen([sys.executable, "-m", "sinopsis", "demo", "--dir", str(demo_dir), "--date",
                             "2026-11-25"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lines: list[str] = []
    with reaping(demo) as children:
        for line in demo.stdout:
            lines.append(line)
            if line.startswith("Open the fleet dashboard"):
                break
        _live_checks(demo_dir, "".join(lines))
        port = int((demo_dir / "broker" / "mosquitto.conf").read_text().split("listener ")[1].split()[0])
        children.update(descendants(demo.pid))
        commands = " | ".join(command_line(pid) for pid in children)
        assert len(children) >= 4 and "mosquitto" in commands and "agent run" in commands, commands
        demo.send_signal(signal.SIGTERM)  # systemd's or kill's stop: the same clean stop as Ctrl-C
        rest, err = demo.communicate(timeout=120)
    assert demo.returncode == 0, err[-3000:]
    out = "".join(lines) + rest
    all_stopped(children, "every process the demo started to stop")

    # SIGTERM stopped every server cleanly: the agent first (offline published), the broker last.
    logs = demo_dir / "logs"
    assert "stopped (stopped" in (logs / "agent.log").read_text()
    assert "ingest worker 1 stopped" in (logs / "hq-ingest.log").read_text()
    with sqlite3.connect(demo_dir / "hq" / "hq.sqlite3") as db:
        assert db.execute("SELECT status_state FROM fleet_station").fetchone()[0] == "offline"
        # the demo's SPT prints NIP, pangkat/golongan and jabatan for the team and its signer, as a real one does
        assert db.execute("SELECT signer_nip, signer_rank FROM lists_spt").fetchone() == (
            "197805142005012003", "Penata Tingkat I, III/d")
        members = db.execute("SELECT nip, rank, position FROM lists_sptmember").fetchall()
        assert len(members) == 2 and all(len(nip) == 18 and rank and position for nip, rank, position in members)

    def broker_gone() -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) != 0

    wait_until(broker_gone, what="mosquitto stopped")

    assert "Assignment v1 for SMA Negeri 1 Pekanbaru: imported, 24 applicants (importing it again: unchanged)" in out
    assert "refused [checkin.birth_date_mismatch]" in out
    assert "refused [checkin.not_on_list]" in out
    assert "refused [phone.not_mobile]" in out
    assert "correction requested: kk_mismatch" in out and "withdrawn: walked_out" in out
    assert out.count("Tersimpan") == 5  # four at the station core (step 3), one on the kiosk (step 7)
    assert "integrity OK" in out and "audit chain OK" in out
    assert "6. The capture engine, headless" in out and out.count("saved ST-PKU-01-") == 5
    assert "withdrawn (walked_out)" in out and "modality   captured" in out
    assert len(list((demo_dir / "slips").glob("slip-*.png"))) == 5  # one acknowledgement per saved record

    # 7. The kiosk, offscreen, by touches: a check-in by NIK and a whole capture, a screenshot of every step.
    assert "7. The kiosk, offscreen" in out
    assert re.search(r"checked in by touch \(NIK, birth date [0-9-]+, phone\): queue number 007", out)
    assert "called number 007 and captured face, signature" in out and "Tersimpan, receipt ST-PKU-01-000005" in out
    shots = sorted((demo_dir / "kiosk").glob("[0-9][0-9]-*.png"))
    names = [p.stem[3:] for p in shots]
    assert names[:6] == ["welcome", "nik", "birth-date", "confirm", "phone", "ticket"], names
    assert {"operator-login", "operator-queue", "identity", "face", "review", "saved"} <= set(names), names
    for png in shots:
        image = cv2.imread(str(png))
        assert image.shape[:2] == (800, 1280) and image.std() > 10, png.name  # drawn, not blank
    assert str(demo_dir / "kiosk") in out
    assert len(list((demo_dir / "kiosk" / "slips").glob("slip-*.png"))) == 2  # queue slip and acknowledgement
    with sqlite3.connect(DemoPaths(demo_dir).station_data / "station.db") as db:
        kiosk_row = db.execute("SELECT c.method, r.state FROM checkins c JOIN records r ON r.applicant_ref = "
                               "c.applicant_ref WHERE c.queue_number = 7").fetchone()
    assert kiosk_row == ("nik", "accepted")  # captured on the kiosk, then accepted by HQ in step 8

    # 8. The servers: every record the demo sealed reached HQ's database in the demo folder, exactly once.
    assert "8. HQ and the link" in out and "5 of 5 sealed records reached HQ" in out and "servers stopped" in out
    assert re.search(r"Open the fleet dashboard: http://127\.0\.0\.1:\d+/  login demo / password \S+", out)
    with sqlite3.connect(DemoPaths(demo_dir).station_data / "station.db") as db:
        sealed = dict(db.execute("SELECT id, packet_sha256 FROM records WHERE packet_sha256 IS NOT NULL"))
        answers = {a for (a,) in db.execute("SELECT ack_status FROM outbox")}
    with sqlite3.connect(demo_dir / "hq" / "hq.sqlite3") as hq_db:
        assert dict(hq_db.execute("SELECT record_id, sha256 FROM ingest_record")) == sealed
    assert len(sealed) == 5 and answers == {"accepted"}

    # The commands the demo suggests work as printed.
    paths = DemoPaths(demo_dir)
    packet = next((paths.station_data / "packets").iterdir())
    verify = subprocess.run([sys.executable, "-m", "sinopsis", "packet", "verify", str(packet),
                             "--station-key", str(paths.station_public_key), "--json"],
                            capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0, verify.stderr
    assert json.loads(verify.stdout)["station_id"] == "st-pku-01"

    # Every saved record's fingers and irises came from the simulated vendor SDKs, through the real bindings,
    # scored live (the kiosk's capture engine names the library as the device); every capture taken as
    # "captured" met its threshold.
    station_key = load_public_key(paths.station_public_key, Ed25519PublicKey)
    hq_key = load_private_key(paths.hq_keys / "hq_packet.pem", X25519PrivateKey)
    packets = sorted((paths.station_data / "packets").iterdir())
    assert len(packets) == 5  # four sealed by the station core, one by the kiosk
    for packet in packets:
        record = json.loads(open_packet(packet.read_bytes(), station_key, hq_key)["record.json"])
        captures = {c["position"]: c for c in record["captures"]}
        libraries = {c["metadata"].get("library") or c["metadata"].get("device", "") for c in captures.values()
                     if c["modality"] in ("finger", "iris") and c["outcome"] != "exception"}
        assert {Path(lib).name for lib in libraries} == {"libScanAPI.so", "libIddk2000.so"}, packet.name
        assert all(c["score"] >= c["threshold"] for c in captures.values() if c["outcome"] == "captured" and
                   c["threshold"]), packet.name
        assert captures["face"]["metadata"]["background"] in ("red", "blue"), packet.name

    # `packet open` writes the record and its images for the HQ operator.
    opened = tmp_path / "opened"
    subprocess.run([sys.executable, "-m", "sinopsis", "packet", "open", str(packets[0]), "--station-key",
                    str(paths.station_public_key), "--hq-key", str(paths.hq_keys / "hq_packet.pem"),
                    "--out", str(opened)], check=True, capture_output=True, timeout=120)
    assert json.loads((opened / "record.json").read_text())["captures"]
    assert any(p.suffix == ".png" for p in opened.rglob("*"))

    # Everything the demo wrote (station, kiosk screenshots and slips, broker, HQ's database and packets, logs) is
    # its user's only: folders 0700, files 0600, public keys 0644.
    assert not_private(demo_dir) == []


def test_demo_refuses_a_folder_it_did_not_make(tmp_path):
    (tmp_path / "precious.txt").write_text("not the demo's")
    result = subprocess.run([sys.executable, "-m", "sinopsis", "demo", "--dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=120)  # refused before anything runs
    assert result.returncode == 2 and "not made by the demo" in result.stderr
    assert (tmp_path / "precious.txt").exists()
