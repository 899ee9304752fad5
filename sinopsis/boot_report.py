"""The boot check's report (sinopsis/boot_check.py): each check passed, failed or not checked, with what was seen,
and the figures issue 23 names for `--json`; and the bounded wait every check uses."""

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field


@dataclass
class Check:
    """One check's result: passed (True), failed (False) or not checked (None), what was seen, seconds taken."""

    name: str
    ok: bool | None
    detail: str = ""
    seconds: float = 0.0


@dataclass
class Report:
    """Every check, and the figures the issue names (`--json`)."""

    checks: list[Check] = field(default_factory=list)
    booted: bool = False
    failed_units: list[str] = field(default_factory=list)
    kiosk_screenshot: str = ""
    record_reached_hq: bool | None = None
    watchdog_restart_s: float | None = None
    power_cut_lost: int | None = None
    power_cut_duplicated: int | None = None

    @property
    def failed(self) -> list[str]:
        return [c.name for c in self.checks if c.ok is False]

    def as_json(self) -> str:
        return json.dumps({**asdict(self), "failed": self.failed}, indent=2)

    def lines(self) -> list[str]:
        mark = {True: "PASS", False: "FAIL", None: "NOT CHECKED"}
        return [f"{mark[c.ok]:<11} {c.name:<28} {c.seconds:6.1f} s  {c.detail}" for c in self.checks]


def wait_for(predicate: Callable[[], object], timeout_s: float, step_s: float = 0.5) -> object:
    """`predicate()` until it is truthy or `timeout_s` has passed; its last value."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step_s)
