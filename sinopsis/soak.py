"""`sinopsis soak`: the whole system for N minutes under random faults, then the ledger (issue 10, point 7).

One folder holds it all, as the demo's does (sinopsis/demo_hq.py): a demo station (fresh keys, a signed
assignment imported into a real SQLite store), a local mosquitto with passwords and the per-station ACL, HQ on
SQLite (migrated, the station enrolled) with its ingest worker, and the station's agent — each its own process.
While the clock runs, this process checks students in and seals their records for real (the sealer, durable
packet files, the outbox), and every few seconds a fault drawn from a seeded RNG hits one part:

- `broker_killed`: mosquitto SIGKILLed (what it had not saved is gone), started again after a moment;
- `broker_stalled`: mosquitto SIGSTOPped for a few seconds (connections open, nothing moves), then SIGCONT;
- `agent_killed` / `ingest_killed`: the process SIGKILLed mid-work and started again;
- `ingest_down`: HQ ingest stopped for a long stretch (the station keeps sealing), then started again.

Then the faults stop, every part runs, and the soak waits (bounded) until the station has an answer from HQ for
every record; the ledger (`sinopsis ledger`) then says what was delivered, lost, duplicated or conflicting. The
exit code is the ledger's: 0 only when nothing was lost, duplicated, conflicting or missing and nothing is still
pending. Every wait is bounded; only 127.0.0.1 is used.
"""

import datetime as dt
import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from contract.durable import open_private, private_dir, write_private
from contract.errors import SinopsisError
from provisioning.broker import LocalBroker
from sinopsis.demo_data import DEMO_STATION_ID, DemoPaths, generate
from sinopsis.demo_hq import HQ_USER, fresh_secret, run_logged, sinopsis

FAULTS = ("broker_killed", "broker_stalled", "agent_killed", "ingest_killed", "ingest_down")
SEAL_EVERY_S = 1.5
DRAIN_WAIT_S = 180.0
START_WAIT_S = 30.0
AGENT_TIMINGS = ("\n[agent]\nack_timeout_s = 3.0\nbackoff_min_s = 0.2\nbackoff_max_s = 2.0\n"
                 "health_interval_s = 5.0\n")


@dataclass
class SoakResult:
    """What happened: records sealed, faults by kind (with when, seconds from the start), the ledger's counts."""

    sealed: int = 0
    faults: list[tuple[float, str]] = field(default_factory=list)
    ledger: dict = field(default_factory=dict)
    ledger_text: str = ""
    exit_code: int = 1
    drained: bool = False


class Soak:
    """Run with `run(seconds)`; everything lives under `root` (made fresh; an existing folder is refused)."""

    def __init__(self, root: Path, seed: int = 1, fault_every_s: float = 4.0,
                 say: Callable[[str], None] = print) -> None:
        self.root, self.rng, self.fault_every_s, self.say = Path(root), random.Random(seed), fault_every_s, say  # noqa: S311
        self.paths = DemoPaths(self.root)
        self.hq_dir, self.logs = self.root / "hq", self.root / "logs"
        self.processes: dict[str, subprocess.Popen] = {}
        self.commands: dict[str, list[str]] = {}
        self.broker: LocalBroker | None = None
        self.started = 0.0

    # ---- the parts ------------------------------------------------------------------------------------------
    def _setup(self, students: int) -> None:
        if self.root.exists() and any(self.root.iterdir()):
            raise SinopsisError(f"{self.root} is not empty; the soak needs a fresh folder (--dir)", "soak.dir")
        private_dir(self.logs)
        generate(self.root, dt.date.today(), count=students)
        station_pw = fresh_secret(self.root / "broker" / "secrets" / f"{DEMO_STATION_ID}.password")
        hq_pw = fresh_secret(self.hq_dir / "broker_password")
        self.broker = LocalBroker(self.root / "broker", {DEMO_STATION_ID: station_pw}, {HQ_USER: hq_pw}).start()
        config = self.paths.station_config
        config.write_text(config.read_text() + f"\n[broker]\nport = {self.broker.port}\nwill_delay_s = 1\n"
                          "keepalive_s = 5\n" + AGENT_TIMINGS)
        key = self.paths.station_data / "keys" / "broker_password"
        write_private(key, station_pw + "\n")
        data = ["--data", str(self.hq_dir)]
        self._once("import", sinopsis("station", "assignment", "import", str(self.paths.assignment), "--config",
                                      str(config)))
        self._once("hq-migrate", sinopsis("hq", "migrate", *data))
        self._once("hq-enrol", sinopsis("hq", "enrol-station", DEMO_STATION_ID, "--key",
                                        str(self.paths.station_public_key), *data))
        url = f"mqtt://{HQ_USER}@127.0.0.1:{self.broker.port}"
        self.commands["ingest"] = sinopsis("hq", "ingest", *data, "--broker", url, "--password-file",
                                           str(self.hq_dir / "broker_password"))
        self.commands["agent"] = sinopsis("agent", "run", "--config", str(config))
        for name in self.commands:
            self._spawn(name)

    def _once(self, name: str, command: list[str]) -> None:
        run_logged(self.logs, name, command, "soak")

    def _spawn(self, name: str) -> None:
        with open_private(self.logs / f"{name}.log", "a") as log:
            self.processes[name] = subprocess.Popen(self.commands[name], stdout=log, stderr=subprocess.STDOUT,
                                                    start_new_session=True)

    def _kill(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=10)

    def _stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    # ---- the faults -----------------------------------------------------------------------------------------
    def _fault(self, kind: str) -> None:
        """One fault, over when this returns (the part is running again), except `ingest_down`'s long stretch,
        which is served by the sealing loop: `_down_until` says when ingest comes back."""
        if kind == "broker_killed":
            self.broker.kill()
            time.sleep(self.rng.uniform(0.5, 2.0))
            self.broker.start()
        elif kind == "broker_stalled":
            os.kill(self.broker.process.pid, signal.SIGSTOP)
            time.sleep(self.rng.uniform(1.0, 4.0))
            os.kill(self.broker.process.pid, signal.SIGCONT)
        elif kind in ("agent_killed", "ingest_killed"):
            name = kind.split("_")[0]
            self._kill(name)
            time.sleep(self.rng.uniform(0.2, 1.0))
            self._spawn(name)

    def run(self, seconds: float) -> SoakResult:
        """Soak for `seconds`, then drain and compare; always stops every part."""
        result = SoakResult()
        students = max(8, int(seconds / SEAL_EVERY_S) + 8)
        try:
            self._setup(students)
            self._soak(seconds, students, result)
            result.drained = self._drain()
            self._ledger(result)
        finally:
            for name in ("agent", "ingest"):
                self._stop(name)
            if self.broker is not None:
                self.broker.stop()
        return result

    def _soak(self, seconds: float, students: int, result: SoakResult) -> None:
        from station.config import load_config
        from station.sealing import station_sealer
        from station.store import StationStore

        self.started = time.monotonic()
        deadline = self.started + seconds
        next_fault = self.started + self.fault_every_s
        down_until: float | None = None
        with StationStore(self.paths.station_data) as store:
            sealer = station_sealer(store, load_config(self.paths.station_config))
            applicants = [r[0] for r in store.conn.execute("SELECT application_id FROM applicants ORDER BY id")]
            while time.monotonic() < deadline and result.sealed < students:
                now = time.monotonic()
                if down_until is not None and now >= down_until:
                    self._spawn("ingest")
                    down_until = None
                if now >= next_fault and down_until is None:
                    kind = self.rng.choice(FAULTS)
                    result.faults.append((round(now - self.started, 1), kind))
                    self.say(f"soak: {now - self.started:6.1f} s  {kind}")
                    if kind == "ingest_down":
                        self._stop("ingest")
                        down_until = now + self.rng.uniform(3 * self.fault_every_s, 5 * self.fault_every_s)
                    else:
                        self._fault(kind)
                    next_fault = time.monotonic() + self.fault_every_s * self.rng.uniform(0.5, 1.5)
                _seal_one(store, sealer, applicants[result.sealed])
                result.sealed += 1
                time.sleep(min(SEAL_EVERY_S, max(0.0, deadline - time.monotonic())))
            if down_until is not None:
                self._spawn("ingest")

    def _drain(self) -> bool:
        """Every part running, no more faults: wait until the station has HQ's answer for every record."""
        for name in ("agent", "ingest"):
            if name not in self.processes or self.processes[name].poll() is not None:
                self._spawn(name)
        db = self.paths.station_data / "station.db"
        deadline = time.monotonic() + DRAIN_WAIT_S
        while time.monotonic() < deadline:
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
            try:
                waiting = conn.execute("SELECT COUNT(*) FROM records WHERE state IN ('captured', 'sent')").fetchone()[0]
            except sqlite3.OperationalError:
                waiting = -1  # busy: ask again
            finally:
                conn.close()
            if waiting == 0:
                return True
            time.sleep(0.5)
        return False

    def _ledger(self, result: SoakResult) -> None:
        command = sinopsis("ledger", "--station-db", str(self.paths.station_data / "station.db"), "--hq-data",
                           str(self.hq_dir))
        as_json = subprocess.run([*command, "--json"], capture_output=True, text=True, check=False)
        text = subprocess.run(command, capture_output=True, text=True, check=False)
        if as_json.returncode not in (0, 1):
            raise SinopsisError(f"soak: the ledger failed: {as_json.stderr[-600:]}", "soak.ledger")
        result.ledger = json.loads(as_json.stdout)[0]["counts"]
        result.ledger_text = text.stdout
        result.exit_code = as_json.returncode or (0 if result.drained and result.ledger["pending"] == 0 else 1)


def _seal_one(store: object, sealer: object, application_id: str) -> str:
    """Check one student in and seal a record of the demo captures (real packet file, rows and outbox)."""
    from sinopsis.demo import demo_captures
    from station.checkin import check_in_by_application
    from station.records import transition

    ticket = check_in_by_application(store, application_id, "081234567890")
    transition(store, ticket.record_id, "capturing", actor="OP-02")
    return sealer.seal_and_commit(ticket.record_id, demo_captures(), operator_id="OP-02").record_id


def summary(result: SoakResult) -> list[str]:
    """The soak's closing lines: records, faults by kind, drained or not, the ledger's counts."""
    kinds = {k: sum(1 for _t, f in result.faults if f == k) for k in FAULTS}
    counts = result.ledger
    return [
        f"soak: {result.sealed} records sealed, {len(result.faults)} faults ("
        + ", ".join(f"{k} {n}" for k, n in kinds.items() if n) + ")",
        "soak: every record answered by HQ" if result.drained else
        f"soak: NOT drained within {DRAIN_WAIT_S:g} s (see the logs folder)",
        f"soak: ledger lost {counts.get('lost')}, duplicate {counts.get('duplicate')}, conflicting "
        f"{counts.get('conflicting')}, missing files {counts.get('missing_files')}, pending {counts.get('pending')}, "
        f"delivered {counts.get('delivered')} of {counts.get('committed')}",
    ]
