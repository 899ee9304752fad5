"""Crash-injection harness (issue 10): the station's capture commit, `sinopsis agent run` and `sinopsis hq ingest`
as real processes on one real mosquitto and HQ's real SQLite database, each of them killable (SIGKILL) at a named
failpoint (contract/failpoints.py) and started again without it; then the end-to-end invariants are checked.

The invariants (`Pipeline.check_invariants`):
- every record the station committed is at HQ exactly once (hq/ledger.py `compare_station`: lost = duplicate =
  conflicting = missing files = unknown = rejected = 0 and, once drained, pending = 0), and final on the station
  exactly once (one audited move to accepted / duplicate per record);
- at the station no row lacks its file and no file lacks its row (station/integrity.py `check_store`, which
  must find nothing left to sweep), and the audit chain verifies;
- at HQ every Record row's file is there with its size and SHA-256, and no file under `records/` or
  `quarantine/` (temp files included) lacks its row (`hq_file_problems`).

Records are small (a few hundred bytes per position, `small_captures`), so a case takes seconds. The sealing
child is tests/e2e/seal_child.py. Children read the bytecode ./test.sh compiled into the tree (and pip's for the
libraries), so each one starts quickly even where PYTHONDONTWRITEBYTECODE is set.
Every wait is bounded (`WAIT_S`) and only bounds a failure; nothing here times what is tested.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from contract.failpoints import ENV_VAR
from station import audit
from tests.e2e.seal_child import OPERATOR, small_captures

if TYPE_CHECKING:
    from hq.ledger import StationLedger
    from provisioning.broker import LocalBroker
    from station.config import StationConfig
    from station.integrity import IntegrityReport
    from station.store import StationStore
    from tests.conftest import Keys

ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 30.0  # the longest any step may take before the test fails (a bound, never the measure)
STOP_S = 15.0
FINAL = ("accepted", "duplicate")


def wait_for(predicate: Callable[[], object], what: str, timeout: float = WAIT_S, poll_s: float = 0.05) -> None:
    """Poll `predicate` until true; fail naming `what` after `timeout` seconds."""
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(poll_s)


def hq_file_problems(hq_data: Path) -> list[str]:
    """HQ's files against its rows: a Record or Quarantine row whose file is missing or differs, and any file
    under records/ or quarantine/ (temp files included) that no row names. Empty when consistent."""
    from hq.ingest.models import Quarantine, Record

    problems = []
    named: set[Path] = set()
    for kind, rows in (("record", Record.objects.values_list("record_id", "path", "size", "sha256")),
                       ("quarantine", Quarantine.objects.values_list("record_id", "path", "size", "sha256"))):
        for record_id, path, size, sha256 in rows:
            stored = hq_data / path
            named.add(stored)
            if not stored.is_file():
                problems.append(f"{kind} {record_id}: its file {path} is missing")
            elif stored.stat().st_size != size or hashlib.sha256(stored.read_bytes()).hexdigest() != sha256:
                problems.append(f"{kind} {record_id}: its file {path} differs from the row")
    for folder in ("records", "quarantine"):
        base = hq_data / folder
        if base.is_dir():
            problems += [f"{p.relative_to(hq_data)}: a file without a row" for p in sorted(base.rglob("*"))
                         if p.is_file() and p not in named]
    return problems


@dataclass
class Proc:
    """A started subprocess, its log file and the failpoint it was armed with."""

    name: str
    popen: subprocess.Popen
    log: Path
    failpoint: str = ""
    ready_line: str = ""  # what its log says once it is up (connected), so a SIGTERM finds its handler set

    def ready(self) -> bool:
        """Up (its ready line is in its log), or nothing to wait for."""
        return not self.ready_line or self.ready_line in self.text()

    def alive(self) -> bool:
        """Still running."""
        return self.popen.poll() is None

    def text(self) -> str:
        """Its whole log (stdout and stderr) so far."""
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def output(self) -> str:
        """The end of its log, for failure messages."""
        return self.text()[-4000:]

    def wait_killed(self, timeout: float = WAIT_S) -> None:
        """The process died of SIGKILL at its failpoint (fails if it did not get there in time, or exited)."""
        try:
            code = self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{self.name} never reached failpoint {self.failpoint}:\n{self.output()}") from None
        assert code == -signal.SIGKILL, f"{self.name} exited {code}, not killed at {self.failpoint}:\n{self.output()}"

    def terminate(self) -> None:
        """Ask it to stop (SIGTERM); see `reap`."""
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)

    def reap(self, timeout: float = STOP_S) -> int:
        """Wait for it to end (SIGKILL after `timeout`); its exit code."""
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            return self.popen.wait(5)


def _env(failpoint: str | None) -> dict[str, str]:
    """A child's environment: ours, the project on its path, its own failpoint (or none)."""
    env = {k: v for k, v in os.environ.items() if k != ENV_VAR}
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    if failpoint:
        env[ENV_VAR] = failpoint
    return env


@dataclass
class Pipeline:
    """One station (its store open here for check-ins and reads), one broker, HQ's data dir; the processes it
    started. `agent_port` / `hq_port` are where the agent / HQ's ingest connect (the broker, or a proxy)."""

    tmp: Path
    store: StationStore
    config: StationConfig
    broker: LocalBroker
    hq_data: Path
    applicants: list[dict]
    keys: Keys
    hq_user: str
    hq_password: str
    agent_port: int = 0
    hq_port: int = 0  # where HQ's ingest connects: the broker (0), or a proxy in front of it
    agent_settings: dict[str, dict[str, object]] = field(default_factory=dict)
    procs: list[Proc] = field(default_factory=list)
    committed: list[str] = field(default_factory=list)
    _used: int = 0
    _started: int = 0

    # ---- the station ------------------------------------------------------------------------------------
    def check_in(self, n: int) -> list[str]:
        """Check `n` more students in and move them to capturing (the operator calls them); their record ids."""
        from station.checkin import check_in_by_application
        from station.records import transition

        ids = []
        for a in self.applicants[self._used:self._used + n]:
            ticket = check_in_by_application(self.store, a["application_id"], a["phone"])
            transition(self.store, ticket.record_id, "capturing", actor=OPERATOR)
            ids.append(ticket.record_id)
        self._used += n
        return ids

    def seal_here(self, n: int, image_bytes: int = 256) -> list[str]:
        """Check in and seal `n` records in this process (the kiosk's commit, with small captures)."""
        from station.sealing import RecordSealer

        sealer = RecordSealer(self.store, self.config, self.keys.station_sign, self.keys.hq_packet.public_key())
        ids = [sealer.seal_and_commit(r, small_captures(image_bytes), operator_id=OPERATOR).record_id
               for r in self.check_in(n)]
        self.committed += ids
        return ids

    def seal_child(self, ids: list[str], failpoint: str | None = None) -> Proc:
        """Seal `ids` (those still capturing) in a child process, armed with `failpoint`; started, not waited."""
        return self._start("seal", [sys.executable, "-m", "tests.e2e.seal_child", str(self.config_file()), *ids],
                           failpoint)

    def states(self, ids: list[str] | None = None) -> dict[str, str]:
        """Each record's state on the station now (default: every committed record)."""
        ids = self.committed if ids is None else ids
        return {r: self.store.conn.execute("SELECT state FROM records WHERE id = ?", (r,)).fetchone()[0]
                for r in ids}

    def refresh_committed(self, ids: list[str]) -> list[str]:
        """After a sealing child: which of `ids` are committed (sealed) now; remembered for the invariants."""
        done = [r for r, s in self.states(ids).items() if s != "capturing"]
        self.committed += [r for r in done if r not in self.committed]
        return done

    def check_store(self) -> IntegrityReport:
        """The station's start-up check (sweeps what a crash left); returns its report."""
        from station.integrity import check_store

        return check_store(self.store)

    # ---- processes --------------------------------------------------------------------------------------
    def config_file(self) -> Path:
        """The agent's (and sealing child's) station.toml: this station, the broker (or proxy), short timeouts."""
        path = self.tmp / "agent.toml"
        sections: dict[str, dict[str, object]] = {
            "station": {"id": self.config.station.id, "data_dir": str(self.config.station.data_dir)},
            "broker": {"port": self.agent_port or self.broker.port, "will_delay_s": 0, "keepalive_s": 5},
            "agent": {"ack_timeout_s": 2.0, "backoff_min_s": 0.05, "backoff_max_s": 0.5},
        }
        for name, values in self.agent_settings.items():
            sections.setdefault(name, {}).update(values)
        lines = []
        for name, values in sections.items():
            lines.append(f"[{name}]")
            lines += [f"{k} = {_toml(v)}" for k, v in values.items()]
        text = "\n".join(lines) + "\n"
        if not path.exists() or path.read_text() != text:
            # whole or not at all: a child starting now (the agent, while a sealing child is started) must never
            # read a half-written file, which would load the defaults (another data dir, no keys)
            part = path.with_suffix(".toml.part")
            part.write_text(text)
            part.replace(path)
        return path

    def start_agent(self, failpoint: str | None = None) -> Proc:
        """`sinopsis agent run` on this station (armed with `failpoint`)."""
        return self._start("agent", [sys.executable, "-m", "sinopsis", "agent", "run", "--config",
                                     str(self.config_file())], failpoint, ready_line="connected, epoch")

    @property
    def hq_url(self) -> str:
        """HQ ingest's broker URL (through `hq_port` when a proxy is in front of the broker)."""
        return f"mqtt://{self.hq_user}:{self.hq_password}@127.0.0.1:{self.hq_port or self.broker.port}"

    def start_ingest(self, failpoint: str | None = None, worker: str = "1") -> Proc:
        """`sinopsis hq ingest` (worker `worker`, its persistent session) on HQ's data dir (armed with
        `failpoint`)."""
        return self._start(f"ingest{worker}", [sys.executable, "-m", "sinopsis", "hq", "ingest", "--data",
                                               str(self.hq_data), "--worker", worker, "--broker", self.hq_url],
                           failpoint, ready_line=f"ingest worker {worker} connected")

    def _start(self, name: str, command: list[str], failpoint: str | None, ready_line: str = "") -> Proc:
        self._started += 1
        log = self.tmp / f"{self._started:02d}-{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(command, cwd=ROOT, env=_env(failpoint), stdout=out, stderr=subprocess.STDOUT)
        proc = Proc(name, popen, log, failpoint or "", ready_line)
        self.procs.append(proc)
        return proc

    def stop_all(self) -> None:
        """SIGTERM every process still running (all at once), wait for each (bounded); each must exit 0 (a clean
        stop: the agent says offline, the worker finishes its message)."""
        running = [p for p in self.procs if p.alive()]
        for p in running:
            wait_for(p.ready, f"{p.log.name} up")
        for p in running:
            p.terminate()
        codes = {p.log.name: p.reap() for p in running}
        assert set(codes.values()) <= {0}, (codes, self.logs())

    def kill_all(self) -> None:
        """SIGKILL every process still running (a power cut once the work is done: what is durable must
        already be consistent), and wait for each."""
        for p in self.procs:
            if p.alive():
                p.popen.kill()
        for p in self.procs:
            p.reap()

    def logs(self) -> str:
        """The tail of every process's log, for a failure message."""
        return "\n".join(f"--- {p.log.name} ({p.failpoint or 'no failpoint'}, rc {p.popen.poll()})\n{p.output()}"
                         for p in self.procs)

    # ---- the end ----------------------------------------------------------------------------------------
    def wait_drained(self, timeout: float = WAIT_S) -> None:
        """Until every committed record is final on the station and HQ holds it (ledger: nothing pending)."""
        try:
            wait_for(lambda: set(self.states().values()) <= set(FINAL) and not self.ledger().pending,
                     "every committed record final on the station and held at HQ", timeout)
        except AssertionError as e:
            raise AssertionError(f"{e}\nstates: {self.states()}\n{self.logs()}") from None

    def ledger(self) -> StationLedger:
        """The ledger of this station against HQ, read afresh (hq/ledger.py)."""
        from django.db import connections

        from hq.ledger import compare_station

        connections.close_all()  # a fresh read of what the other processes committed
        return compare_station(self.store.db_path, self.hq_data)

    def check_invariants(self) -> None:
        """Exactly once at HQ, once final on the station, no orphan either side, the audit chain intact."""
        from hq.ingest.models import Record

        ledger = self.ledger()
        counts = ledger.counts()
        assert counts["committed"] == len(self.committed) == len(ledger.delivered), (counts, self.logs())
        assert {k: counts[k] for k in ("lost", "duplicate", "conflicting", "missing_files", "unknown", "rejected",
                                       "pending")} == dict.fromkeys(
            ("lost", "duplicate", "conflicting", "missing_files", "unknown", "rejected", "pending"), 0), counts
        assert Record.objects.count() == len(self.committed), (Record.objects.count(), len(self.committed))
        for record_id in self.committed:
            finals = self.store.conn.execute(
                "SELECT COUNT(*) FROM audit WHERE record_id = ? AND to_state IN ('accepted', 'duplicate')",
                (record_id,)).fetchone()[0]
            assert finals == 1, f"record {record_id} became final {finals} times"
        report = self.check_store()
        assert report.ok and not report.swept_orphans and not report.swept_temp, report
        assert report.packets_checked == len(self.committed), report
        chain = audit.verify(self.store.conn)
        assert chain.ok, chain
        problems = hq_file_problems(self.hq_data)
        assert problems == [], problems


def _toml(value: object) -> str:
    """A TOML scalar for the generated config."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture
def pipeline(tmp_path: Path, imported, station_config, keys, applicants, broker, enrolled,
             hq: Path) -> Iterator[Pipeline]:
    """A Pipeline on the test's station (assignment imported), broker and HQ (the station enrolled); every
    process it started is stopped afterwards."""
    from tests.edge_agent.conftest import HQ_PASSWORD, HQ_USER, STATION_PASSWORD

    station_config.key_path("broker_password").write_text(STATION_PASSWORD + "\n")
    made = Pipeline(tmp_path, imported, station_config, broker, hq, applicants, keys, HQ_USER, HQ_PASSWORD)
    try:
        yield made
    finally:
        for p in made.procs:
            if p.alive():
                p.popen.kill()
                p.popen.wait(5)
