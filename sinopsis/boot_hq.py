"""HQ on the host's loopback for the boot check (issue 23): a fresh data dir (SQLite, migrated), HQ's CA, the TLS
broker kits connect to with the certificate enrolment gives them, and one ingest worker with HQ's client
certificate. Everything goes through the same commands an office uses (`sinopsis hq migrate`, `provision
enrol`, `provision hq-cert`, `hq ingest`), so the check meets the enrolment and TLS paths a real kit meets.
"""

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from contract.durable import open_private
from provisioning.broker_tls import TlsBroker
from provisioning.pki import CertificateAuthority, fingerprint
from sinopsis.signals import run_child

HQ_USER = "hq-ingest"


class LocalHq:
    """HQ for one boot check under `root`; `start()` then `stop()` (also on failure)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.data = self.root / "hq"
        self.broker: TlsBroker | None = None
        self.ingest: subprocess.Popen | None = None
        self.ca_fingerprint = ""

    def _sinopsis(self, *args: str, env: dict[str, str] | None = None) -> str:
        done = run_child([sys.executable, "-m", "sinopsis", *args], env={**os.environ, **(env or {})},
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"sinopsis {' '.join(args)} exited {done.returncode}: {done.stdout[-2000:]}")
        return done.stdout

    def start(self) -> "LocalHq":
        """Migrate, make the CA, start the TLS broker and the ingest worker (a fresh HQ: what an earlier check
        left under `root` is removed first)."""
        for old in (self.data, self.root / "broker", self.root / "hq-cert"):
            shutil.rmtree(old, ignore_errors=True)
        self.data.mkdir(parents=True, mode=0o700)
        self._sinopsis("hq", "migrate", "--data", str(self.data))
        ca = CertificateAuthority.create(self.data / "ca")
        self.ca_fingerprint = fingerprint(ca.cert)
        self.broker = TlsBroker(self.root / "broker", ca).start()
        certs = self.root / "hq-cert"
        self._sinopsis("provision", "hq-cert", "--data", str(self.data), "--user", HQ_USER, "--out-dir", str(certs))
        env = {"SINOPSIS_HQ_DATA": str(self.data), "SINOPSIS_HQ_MQTT_CA": str(ca.cert_path),
               "SINOPSIS_HQ_MQTT_CERT": str(certs / f"{HQ_USER}.pem"),
               "SINOPSIS_HQ_MQTT_KEY": str(certs / f"{HQ_USER}.key.pem")}
        with open_private(self.root / "hq-ingest.log", "w") as log:
            self.ingest = subprocess.Popen(
                [sys.executable, "-m", "sinopsis", "hq", "ingest", "--worker", "boot", "--broker",
                 f"mqtts://{HQ_USER}@127.0.0.1:{self.broker.port}"], env={**os.environ, **env},
                stdout=log, stderr=subprocess.STDOUT)
        return self

    @property
    def port(self) -> int:
        """The TLS broker's port on 127.0.0.1."""
        if self.broker is None:
            raise RuntimeError("HQ is not started")
        return self.broker.port

    def enrol(self, station_id: str, request: Path, bundle: Path) -> None:
        """`sinopsis provision enrol` of the kit's request; the bundle for `provision install`."""
        self._sinopsis("provision", "enrol", station_id, "--data", str(self.data), "--request", str(request),
                       "--out", str(bundle))

    def station(self, station_id: str) -> tuple[str, int]:
        """(status as HQ holds it, records stored) of a station, read from HQ's database."""
        with sqlite3.connect(f"file:{self.data / 'hq.sqlite3'}?mode=ro", uri=True) as db:
            row = db.execute("SELECT status_state FROM fleet_station WHERE id = ?", (station_id,)).fetchone()
            stored = db.execute("SELECT COUNT(*) FROM ingest_record WHERE station_id = ?", (station_id,)).fetchone()
        return (row[0] if row else "not enrolled"), stored[0]

    def stop(self) -> None:
        """Ingest first (SIGTERM: it says offline), then the broker."""
        if self.ingest is not None and self.ingest.poll() is None:
            self.ingest.terminate()
            try:
                self.ingest.wait(30)
            except subprocess.TimeoutExpired:
                self.ingest.kill()
        if self.broker is not None:
            self.broker.stop()
