"""Processes read from /proc: the children and state of one (`children`, `state`), and the peak memory and CPU
time of groups of processes (a broker, HQ's ingest workers, its web server…) read from
/proc on Linux, for the benches: each group is its root pids and every descendant, sampled every `every_s` by a
thread, so a child that a server forks later (gunicorn's workers, PostgreSQL's backends) is counted too.

Per process: the peak resident set (`VmHWM` in /proc/PID/status, the kernel's own high-water mark, so nothing
between samples is missed) and user + system CPU (/proc/PID/stat utime + stime, in clock ticks; a process that
exits between two samples loses at most `every_s` of CPU). A group's memory is the sum of its processes' peaks
(an upper bound: pages shared between a master and its forks count in each), its CPU the sum of their times.
"""

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Usage:
    """What one group used: the peak resident set of each of its processes and their CPU seconds."""

    peak_kb: dict[int, int] = field(default_factory=dict)
    cpu_ticks: dict[int, int] = field(default_factory=dict)

    @property
    def rss_mb(self) -> float:
        return sum(self.peak_kb.values()) / 1024

    @property
    def cpu_s(self) -> float:
        return sum(self.cpu_ticks.values()) / TICKS

    @property
    def processes(self) -> int:
        return len(self.peak_kb)


def _stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command name (state first, then the parent…), [] once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def _ticks(fields: list[str]) -> int:
    """User + system CPU of a process, in clock ticks, from its `_stat` fields."""
    return int(fields[11]) + int(fields[12])


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds process `pid` has used so far (0.0 once it is gone)."""
    fields = _stat(pid)
    return _ticks(fields) / TICKS if fields else 0.0


def children(pid: int) -> list[int]:
    """The children of `pid` (in this process's pid namespace), [] when it is gone."""
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def state(pid: int) -> str:
    """The process's state letter (R, S, T for stopped…), "" when it is gone."""
    fields = _stat(pid)
    return fields[0] if fields else ""


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process now."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))):
            parents[int(entry.name)] = int(fields[1])
    return parents


def _tree(roots: list[int], parents: dict[int, int]) -> set[int]:
    found = {pid for pid in roots if pid in parents}
    grew = True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in found and pid not in found}
        found |= more
        grew = bool(more)
    return found


class Sampler:
    """`groups` maps a name to a callable giving its root pids now; `start()`, then `stop()` for the Usage of
    each group (a last sample is taken then)."""

    def __init__(self, groups: dict, every_s: float = 1.0) -> None:
        self.groups, self.every_s = groups, every_s
        self.usage = {name: Usage() for name in groups}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="proc-usage", daemon=True)

    def sample(self) -> None:
        parents = _parents()
        for name, roots in self.groups.items():
            usage = self.usage[name]
            for pid in _tree([p for p in roots() if p], parents):
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue  # exited meanwhile
                fields = _stat(pid)
                if not fields:
                    continue
                peak = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)
                usage.peak_kb[pid] = max(usage.peak_kb.get(pid, 0), peak)
                usage.cpu_ticks[pid] = _ticks(fields)

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self.sample()

    def start(self) -> "Sampler":
        self.sample()
        self._thread.start()
        return self

    def stop(self) -> dict[str, Usage]:
        self._stop.set()
        self._thread.join()
        self.sample()
        return self.usage
