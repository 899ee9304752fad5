"""The demo's servers: a local mosquitto, HQ (SQLite in the demo folder) with its ingest worker and fleet
dashboard, and the station's agent, each its own process, so the records the demo sealed reach HQ for real.

Everything lives under the demo folder: broker/ (mosquitto's config, passwd, ACL, data, log), hq/ (HQ's data dir:
database, stored packets, the demo passwords and login), logs/ (each server's output). Passwords are made fresh
on every run and written there (0600): they are demo secrets on a loopback-only broker, never production ones.
The servers stop in order (agent, dashboard, ingest, broker) so the station says offline before the broker goes.
"""

import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from contract.durable import open_private, private_dir, write_private
from contract.errors import SinopsisError
from provisioning.broker import LocalBroker, free_port
from sinopsis.demo_data import DEMO_STATION_ID, DemoPaths
from sinopsis.signals import run_child

HQ_USER = "hq-ingest"
DEMO_LOGIN = "demo"
# Least privilege (issue 21 point 4): the dashboard's demo login is no superuser and no admin; it holds the role
# that looks after stations — the fleet dashboard, the service report, the lists and SPTs (read) and assigning
# stations. Each other role has its own demo login (sinopsis/demo_office.py, hq/demo_logins.txt).
DEMO_ROLES = ("kabid_piak",)
STOP_WAIT_S = 15.0
START_WAIT_S = 30.0
DASHBOARD_PORT = 8000  # `sinopsis hq serve`'s default; another free port when it is taken
FINAL = ("accepted", "duplicate", "rejected")


def _port_free(port: int) -> bool:
    """True when nothing listens on 127.0.0.1:`port` (the dashboard keeps its usual address when it can)."""
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def fresh_secret(path: Path) -> str:
    """A fresh demo password, written to `path` (0600) for the process that needs it."""
    value = secrets.token_urlsafe(12)
    private_dir(path.parent)
    write_private(path, value + "\n")
    return value


def say_now(line: str) -> None:
    """Print at once (the demo's output may be a pipe, and the dashboard's address must not wait in a buffer)."""
    print(line, flush=True)


def run_logged(logs: Path, name: str, command: list[str], who: str) -> None:
    """Run a one-off `sinopsis` command, its output kept in `logs/<name>.log`; SinopsisError when it fails."""
    done = run_child(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    write_private(logs / f"{name}.log", done.stdout + done.stderr)
    if done.returncode != 0:
        raise SinopsisError(f"{who}: `{' '.join(command[2:])}` failed: {(done.stderr or done.stdout)[-800:]}",
                            f"{who}.setup")


def demo_login_args(password_file: Path) -> list[str]:
    """`sinopsis hq createuser` for the dashboard's demo login, with DEMO_ROLES only (never --superuser)."""
    roles = [arg for role in DEMO_ROLES for arg in ("--role", role)]
    return ["hq", "createuser", DEMO_LOGIN, "--password-file", str(password_file), *roles, "--update",
            "--name", "Demo Bidang PIAK"]


def sinopsis(*args: str) -> list[str]:
    """The command line of a `sinopsis` command run by this Python."""
    return [sys.executable, "-m", "sinopsis", *args]


class DemoServers:
    """Start with `start()`, stop with `stop()` (or use as a context manager); `dashboard_url` once started."""

    def __init__(self, root: Path, say: Callable[[str], None] = say_now) -> None:
        self.paths, self.say = DemoPaths(Path(root)), say
        self.root = Path(root)
        self.hq_dir, self.logs = self.root / "hq", self.root / "logs"
        self.broker: LocalBroker | None = None
        self.processes: dict[str, subprocess.Popen] = {}
        self.dashboard_url = ""
        self.login = (DEMO_LOGIN, "")
        self.logins_file = self.hq_dir / "demo_logins.txt"  # one login per SOP role (sinopsis/demo_office.py)

    # ---- starting -------------------------------------------------------------------------------------------
    def start(self) -> "DemoServers":
        """Broker, HQ's database (migrated, the demo station enrolled, a login), ingest, dashboard, agent."""
        private_dir(self.logs)
        station_pw = fresh_secret(self.root / "broker" / "secrets" / f"{DEMO_STATION_ID}.password")
        hq_pw = fresh_secret(self.hq_dir / "broker_password")
        self.broker = LocalBroker(self.root / "broker", {DEMO_STATION_ID: station_pw}, {HQ_USER: hq_pw}).start()
        self._station_to_broker(station_pw)
        data = ["--data", str(self.hq_dir)]
        self._run_once("hq-migrate", sinopsis("hq", "migrate", *data))
        self._run_once("hq-enrol", sinopsis("hq", "enrol-station", DEMO_STATION_ID, "--key",
                                            str(self.paths.station_public_key), "--school",
                                            "SMA Negeri 1 Pekanbaru", "--name", "Demo kit", *data))
        self.login = (DEMO_LOGIN, fresh_secret(self.hq_dir / "demo_login_password"))
        self._run_once("hq-login", sinopsis(*demo_login_args(self.hq_dir / "demo_login_password"), *data))
        url = f"mqtt://{HQ_USER}@127.0.0.1:{self.broker.port}"
        # HQ's processes (seed, web app) sign with the demo's HQ key, publish to the demo broker and open the
        # demo's packets for the service report; the children inherit these.
        os.environ.update(SINOPSIS_HQ_ASSIGNMENT_KEY=str(self.paths.hq_keys / "hq_assignment.pem"),
                          SINOPSIS_HQ_PACKET_KEY=str(self.paths.hq_keys / "hq_packet.pem"),
                          SINOPSIS_HQ_MQTT_URL=url, SINOPSIS_HQ_MQTT_PASSWORD=hq_pw)
        self._run_once("hq-demo-seed", sinopsis("hq", "demo-seed", "--bundle", str(self.paths.assignment),
                                                "--station", DEMO_STATION_ID, "--passwords",
                                                str(self.logins_file), *data))
        self._spawn("hq-ingest", sinopsis("hq", "ingest", *data, "--broker", url, "--password-file",
                                          str(self.hq_dir / "broker_password")))
        port = DASHBOARD_PORT if _port_free(DASHBOARD_PORT) else free_port()
        self._spawn("hq-serve", sinopsis("hq", "serve", *data, "--port", str(port)))
        self._spawn("agent", sinopsis("agent", "run", "--config", str(self.paths.station_config)))
        self.dashboard_url = self._wait_for_dashboard(port)
        return self

    def _station_to_broker(self, password: str) -> None:
        """Point the demo station at the demo broker: its port in station.toml, its password where the agent
        reads it (keys/broker_password under the station's data dir)."""
        config = self.paths.station_config
        text = config.read_text()
        if "[broker]" not in text:
            config.write_text(text + f"\n[broker]\nport = {self.broker.port}\nwill_delay_s = 2\n")
        key = self.paths.station_data / "keys" / "broker_password"
        write_private(key, password + "\n")

    def _run_once(self, name: str, command: list[str]) -> None:
        run_logged(self.logs, name, command, "demo")

    def _spawn(self, name: str, command: list[str]) -> None:
        """A server in its own session (Ctrl-C reaches the demo, which stops the servers in order)."""
        with open_private(self.logs / f"{name}.log", "w") as log:
            self.processes[name] = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                                    start_new_session=True)

    def _wait_for_dashboard(self, port: int) -> str:
        log = self.logs / "hq-serve.log"
        deadline = time.monotonic() + START_WAIT_S
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise SinopsisError(f"demo: {name} exited ({process.returncode}); see {self.logs / name}.log",
                                        "demo.hq")
            if "dashboard on" in log.read_text():
                return f"http://127.0.0.1:{port}/"
            time.sleep(0.1)
        raise SinopsisError(f"demo: the dashboard did not start in {START_WAIT_S:g} s; see {log}", "demo.hq")

    # ---- watching -------------------------------------------------------------------------------------------
    def outbox(self) -> dict[str, int]:
        """The station's outbox by HQ's answer ('waiting' when none yet), read from its database."""
        with sqlite3.connect(f"file:{self.paths.station_data / 'station.db'}?mode=ro", uri=True) as db:
            rows = db.execute("SELECT COALESCE(ack_status, 'waiting'), COUNT(*) FROM outbox GROUP BY 1").fetchall()
        return {status if status in FINAL else "waiting": n for status, n in rows}

    def wait_until_answered(self, timeout_s: float = 120.0) -> dict[str, int]:
        """Wait (bounded) until HQ answered every sealed record; returns the outbox counts."""
        deadline = time.monotonic() + timeout_s
        counts = self.outbox()
        while counts.get("waiting") and time.monotonic() < deadline:
            self.check_running()
            time.sleep(0.2)
            counts = self.outbox()
        return counts

    def hq_records(self) -> int:
        """How many records HQ's database holds (the demo's SQLite file)."""
        with sqlite3.connect(f"file:{self.hq_dir / 'hq.sqlite3'}?mode=ro", uri=True) as db:
            return db.execute("SELECT COUNT(*) FROM ingest_record").fetchone()[0]

    def check_running(self) -> None:
        """SinopsisError naming the first server that exited on its own."""
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise SinopsisError(f"demo: {name} exited ({process.returncode}); see {self.logs / name}.log",
                                    "demo.hq")

    # ---- stopping -------------------------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop every server cleanly (SIGTERM, then SIGKILL after a bounded wait), agent first, broker last."""
        for name in ("agent", "hq-serve", "hq-ingest"):
            process = self.processes.pop(name, None)
            if process is None or process.poll() is not None:
                continue
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(STOP_WAIT_S)
            except subprocess.TimeoutExpired:
                self.say(f"   {name} did not stop in {STOP_WAIT_S:g} s: killed")
                process.kill()
                process.wait()
        if self.broker is not None:
            self.broker.stop()
            self.broker = None

    def __enter__(self) -> "DemoServers":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def run_servers(root: Path, seconds: float | None, say: Callable[[str], None] = say_now) -> int:
    """Step 8 of `sinopsis demo`: the servers up, the demo's records to HQ, then serve until Ctrl-C or for
    `seconds`; 0 when every sealed record reached HQ."""
    say(f"\n8. HQ and the link: mosquitto, HQ ingest, the fleet dashboard and the station's agent "
        f"(logs in {Path(root) / 'logs'}):")
    servers = DemoServers(root, say)
    try:
        servers.start()
        say(f"   broker on 127.0.0.1:{servers.broker.port} (demo passwords in {Path(root) / 'broker' / 'secrets'} "
            f"and {servers.hq_dir / 'broker_password'}); HQ data in {servers.hq_dir}")
        counts = servers.wait_until_answered()
        sent = sum(counts.values())
        accepted = counts.get("accepted", 0) + counts.get("duplicate", 0)
        say(f"   {accepted} of {sent} sealed records reached HQ and were accepted "
            f"(HQ holds {servers.hq_records()}; outbox: {counts})")
        user, password = servers.login
        say(f"\nOpen the fleet dashboard: {servers.dashboard_url}  login {user} / password {password}")
        say(f"   the office (SOP steps 1-10): {servers.dashboard_url}office/ — one login per role (student, school, "
            f"admin, Kasi, Kabid, Kasubbag, PIAK, team) with their passwords in {servers.logins_file}")
        say("   " + (f"the servers stop in {seconds:g} s" if seconds is not None else "Ctrl-C stops every server"))
        deadline = None if seconds is None else time.monotonic() + seconds
        while deadline is None or time.monotonic() < deadline:
            servers.check_running()
            time.sleep(0.2 if deadline is None else max(0.0, min(0.2, deadline - time.monotonic())))
    except KeyboardInterrupt:
        say("\n   stopping every server…")
    finally:
        servers.stop()
    say("   servers stopped")
    counts = servers.outbox()
    return 0 if not counts.get("waiting") and not counts.get("rejected") else 1
