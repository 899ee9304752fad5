"""A throw-away PostgreSQL cluster for the tests and the fleet bench (`sinopsis bench fleet`): Debian's postgresql
binaries (/usr/lib/postgresql/<version>/bin, the newest installed), `initdb` in a fresh folder, the server on a
random loopback port and a private socket folder, one database, and everything removed again at the end.

initdb refuses to run as root, so as root every tool runs as the `postgres` user (`runuser`) and the folder is
given to it. Trust authentication on 127.0.0.1 only: the cluster lives for one test or one bench run. `fsync`
is the caller's choice: off for the tests (speed; nothing survives them anyway), on for the bench, so its numbers
include the commits' flushes as in production (`fsync` says which).
"""

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from contract.errors import SinopsisError
from provisioning.broker import free_port

START_TIMEOUT_S = 60


class PgClusterError(SinopsisError):
    """PostgreSQL is not installed here, or the cluster would not start."""


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or None when there is none."""
    return next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)


class PgCluster:
    """`start()` (or `with`) makes and starts the cluster; `url` is the database's; `stop()` removes it all.
    `pid` is the server's main process (its backends are its children), for measuring its memory and CPU."""

    def __init__(self, fsync: bool = False, database: str = "sinopsis", user: str = "hq") -> None:
        self.fsync, self.database, self.user = fsync, database, user
        self.bin = postgres_bin()
        self.root: Path | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{self.database}"

    @property
    def pid(self) -> int | None:
        """The postmaster's pid (first line of postmaster.pid), None when it is not running."""
        try:
            return int((self.root / "data" / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError, TypeError):
            return None

    def _run(self, *command: str) -> None:
        """A PostgreSQL tool, as the postgres user when we are root (initdb refuses root)."""
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=START_TIMEOUT_S)
        if done.returncode != 0:
            raise PgClusterError(f"{Path(command[0]).name} failed: {(done.stderr or done.stdout)[-800:]}",
                                 "pg.start")

    def start(self) -> "PgCluster":
        """initdb, start on a free port, create the database (PgClusterError when any step fails)."""
        if self.bin is None:
            raise PgClusterError("PostgreSQL is not installed (/usr/lib/postgresql/*/bin): apt-get install "
                                 "postgresql", "pg.missing")
        self.root = Path(tempfile.mkdtemp(prefix="sinopsis-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self.port = free_port()
        data = str(self.root / "data")
        try:
            self._run(f"{self.bin}/initdb", "-D", data, "-A", "trust", "-U", self.user, "-E", "UTF8", "--no-sync")
            self._run(f"{self.bin}/pg_ctl", "-D", data, "-l", str(self.root / "log"), "-w", "start", "-o",
                      f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                      f"-c fsync={'on' if self.fsync else 'off'}")
            self._run(f"{self.bin}/createdb", "-h", str(self.root), "-p", str(self.port), "-U", self.user,
                      self.database)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server (fast: the cluster is thrown away) and remove its folder."""
        if self.root is None:
            return
        if self.pid is not None:
            with contextlib.suppress(PgClusterError, subprocess.TimeoutExpired):  # gone already: the folder goes
                self._run(f"{self.bin}/pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def __enter__(self) -> "PgCluster":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
