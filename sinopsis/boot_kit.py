"""A kit's root file system booted with systemd as PID 1 under `systemd-nspawn -b` (issue 23), and commands run
inside it from outside.

The host here has no system bus, so the container is started with `--register=no --keep-unit` and reached with
`nsenter` into its PID 1's namespaces (machinectl needs machined). It shares the host's network, so the kit's agent
reaches a broker on the host's loopback. `stop()` powers it off cleanly; `kill()` is the power cut.
"""

import contextlib
import logging
import os
import signal
import subprocess
import time
from pathlib import Path

from sinopsis.proc_usage import children
from sinopsis.signals import run_child

logger = logging.getLogger(__name__)


ENDED = ("running", "degraded", "maintenance", "stopping", "offline")  # `systemctl is-system-running`: the boot is over


class BootError(Exception):
    """The container did not come up, or a command inside could not run."""


class BootedKit:
    """`systemd-nspawn -D ROOT -b`, its console written to `log`."""

    def __init__(self, root: Path, log: Path) -> None:
        self.root, self.log = Path(root), Path(log)
        self.process: subprocess.Popen | None = None
        self.pid1 = 0

    def boot(self, timeout_s: float = 120.0) -> str:
        """Start the container and wait until systemd says the boot is done; its state (running, degraded…)."""
        with self.log.open("ab") as console:
            self.process = subprocess.Popen(
                ["systemd-nspawn", "-D", str(self.root), "--register=no", "--keep-unit", "-b", "--console=pipe",
                 "--timezone=off"],  # the kit's own zone (the image's), not the host's copied in
                stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while not self.pid1:
            if self.process.poll() is not None:
                raise BootError(f"systemd-nspawn ended with {self.process.returncode} before the kit booted: "
                                f"see {self.log}")
            if time.monotonic() > deadline:
                raise BootError(f"no PID 1 in the container after {timeout_s:.0f} s: see {self.log}")
            self.pid1 = next(iter(children(self.process.pid)), 0)  # the container's init
            time.sleep(0.1)
        while True:  # until systemd answers with where the boot ended (before its bus is up it cannot answer)
            state = self.run("systemctl", "is-system-running", check=False, timeout_s=30).stdout.strip()
            if state in ENDED or time.monotonic() > deadline:
                return state
            time.sleep(0.5)

    def command(self, *command: str, user: str | None = None) -> list[str]:
        """`command` as run in the booted kit's namespaces (as `user` when given), for subprocess."""
        if not self.pid1:
            raise BootError("the kit is not booted")
        prefix = ["runuser", "-u", user, "--"] if user else []
        return ["nsenter", "-t", str(self.pid1), "-m", "-u", "-i", "-n", "-p", *prefix, *command]

    def run(self, *command: str, check: bool = True, timeout_s: float = 60.0,
            user: str | None = None) -> subprocess.CompletedProcess:
        """A command in the booted kit (as `user` when given); its output as text."""
        done = run_child(self.command(*command, user=user), timeout=timeout_s, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
        if check and done.returncode != 0:
            raise BootError(f"in the kit, {' '.join(command)} exited {done.returncode}: {done.stdout[-2000:]}")
        return done

    def stop(self, timeout_s: float = 60.0) -> None:
        """Power off cleanly, then wait (the power cut when it takes longer than `timeout_s`)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # nspawn asks the container's systemd to power off
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """The power cut: SIGKILL to the container's PID 1, which takes every process of its PID namespace with it
        (killing nspawn alone leaves the container's systemd running, adopted by the host), then to nspawn."""
        if self.pid1:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid1, signal.SIGKILL)
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        if self.process is not None:
            self.process.wait(30)
        self.pid1 = 0
