"""A process and its descendants, read from /proc (no psutil): for the tests that prove a command stopped with
every child it started. A pid is identified with its start time, so a reused pid is never taken for a survivor."""

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path


def _stat(pid: int) -> tuple[str, int, str] | None:
    """(state, parent pid, start time) of `pid`, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()  # the command name may hold spaces and parentheses
    return fields[0], int(fields[1]), fields[19]


def descendants(pid: int) -> dict[int, str]:
    """Every living descendant of `pid` (children in their own sessions included): {pid: start time}."""
    parents: dict[int, list[tuple[int, str]]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (info := _stat(int(entry.name))) is not None and info[0] != "Z":
            parents.setdefault(info[1], []).append((int(entry.name), info[2]))
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        for child, start in parents.get(todo.pop(), []):
            if child not in found:
                found[child] = start
                todo.append(child)
    return found


def survivors(processes: dict[int, str]) -> list[int]:
    """The pids of `processes` (from `descendants`) still running (a zombie has stopped: it is not counted)."""
    alive = []
    for pid, start in processes.items():
        info = _stat(pid)
        if info is not None and info[2] == start and info[0] != "Z":
            alive.append(pid)
    return alive


def command_line(pid: int) -> str:
    """The command line of `pid` ('' when gone)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def kill_survivors(processes: dict[int, str]) -> None:
    """SIGKILL whatever of `processes` still runs: a test that failed must not leave a kiosk or a broker behind
    (three kiosks left by failed runs kept drawing and took CPU from every test after them)."""
    for pid in survivors(processes):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def sighup_default() -> None:
    """A child's SIGHUP back to its default before it runs (`preexec_fn`): a test that closes a command's terminal
    must not depend on the test runner, which may run under `nohup` (SIGHUP ignored, inherited by every child,
    and kept ignored by design: sinopsis/signals.py)."""
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


@contextlib.contextmanager
def reaping(process: subprocess.Popen) -> Iterator[dict[int, str]]:
    """For a test that starts a command which starts others: yields a dict for the test to fill with what the
    command started (`started.update(descendants(process.pid))` once they run). If the block fails, those (or, not
    yet filled, whatever descends from the command now) are SIGKILLed; the command itself is killed when the block
    ends either way (a no-op once it has exited)."""
    started: dict[int, str] = {}
    try:
        yield started
    except BaseException:
        kill_survivors(started or descendants(process.pid))  # what it started must not outlive a failed test
        raise
    finally:
        process.kill()


def all_stopped(started: dict[int, str], what: str) -> None:
    """Until none of `started` runs (AssertionError after the wait's bound, naming `what`); whatever still runs
    then is SIGKILLed, so that a failed check leaves nothing behind."""
    from tests.edge_agent.conftest import wait_until

    try:
        wait_until(lambda: not survivors(started), what=what)
    finally:
        kill_survivors(started)
