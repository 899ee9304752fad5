"""A child process of `sinopsis bench fleet`, talked to by lines: commands on its stdin, answers (JSON, or a
server's URL line) read from its stdout by a thread into a queue, so every wait has a bound; stderr to a log
file, whose tail is quoted when the child fails. Stopped with SIGTERM (SIGKILL after a bound) when it leaves the
`with` block, whatever happened, so no server outlives the bench.
"""

import json
import queue
import subprocess
import threading
import time
from pathlib import Path

from contract.durable import open_private

STOP_WAIT_S = 30.0


class Child:
    """`with Child(name, command, env, log) as c:` — `line`, `expect`, `send`, `stop`."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.command, self.env, self.log = name, command, env, log
        self.process: subprocess.Popen | None = None
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.returncode: int | None = None
        self.terminated = False  # SIGTERM sent: never twice (a second one may land after its handler is gone)

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    def __enter__(self) -> "Child":
        with open_private(self.log, "w") as log:
            self.process = subprocess.Popen(self.command, env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=log, text=True, bufsize=1)
        threading.Thread(target=self._read, name=f"{self.name}-stdout", daemon=True).start()
        return self

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def _failure(self, what: str) -> RuntimeError:
        tail = self.log.read_text(errors="replace")[-2500:] if self.log.exists() else ""
        return RuntimeError(f"bench fleet: {self.name} {what} (`{' '.join(self.command[2:])}`); its log ends:\n{tail}")

    def line(self, timeout_s: float) -> str:
        """The next line it prints; RuntimeError when it exits or prints nothing for `timeout_s`."""
        try:
            line = self.lines.get(timeout=timeout_s)
        except queue.Empty:
            raise self._failure(f"said nothing for {timeout_s:g} s") from None
        if line is None:
            self.process.wait()
            raise self._failure(f"exited with code {self.process.returncode}")
        return line

    def expect(self, event: str, timeout_s: float) -> dict:
        """The next JSON line whose `event` is `event` (other lines are skipped), within `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        while True:
            line = self.line(max(0.0, deadline - time.monotonic()))
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if isinstance(message, dict) and message.get("event") == event:
                return message

    def send(self, command: str) -> None:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def terminate(self) -> None:
        """SIGTERM now, without waiting (`stop` waits): several children stop at once."""
        if self.process is not None and not self.terminated and self.process.poll() is None:
            self.process.terminate()
            self.terminated = True

    def stop(self) -> int:
        """SIGTERM, wait (SIGKILL after STOP_WAIT_S); its exit code."""
        if self.returncode is None and self.process is not None:
            self.terminate()
            try:
                self.process.wait(STOP_WAIT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.returncode = self.process.returncode
            self.process.stdin.close()
        return self.returncode

    def __exit__(self, *exc: object) -> None:
        self.stop()
