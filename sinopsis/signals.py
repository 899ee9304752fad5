"""SIGTERM and SIGHUP stop a `sinopsis` command the way Ctrl-C does (issue 19 point 8).

Every long-running command (demo, soak, simulate, bench, `station run`) already cleans up on KeyboardInterrupt:
its `finally` blocks stop the servers it started (broker, HQ ingest, dashboard, agent), the kiosk's threads and
devices, and `subprocess.run` kills the child it waits for. `stop_on_signals` turns SIGTERM (systemd, `kill`) and
SIGHUP (the terminal or SSH session closed) into that same KeyboardInterrupt, so none of them leaves orphans.
SIGINT is not needed for it: a command started in the background of a shell script has SIGINT ignored.

The first signal raises KeyboardInterrupt; later ones are ignored while the command cleans up (a second
KeyboardInterrupt in a `finally` would leave the rest running). A command with its own clean stop (the agent,
HQ ingest and dashboard set a stop flag on SIGTERM) keeps it: SIGHUP then calls that SIGTERM handler too.
A SIGHUP that was ignored when the process started (`nohup`) stays ignored.

A child the command waits for (`run_child`) is stopped the same way, with SIGTERM, and waited for; the `python -m
sinopsis.…` children (kiosk tour, benches, screenshots) run their main under `stop_on_signals` too, so their own
children (a broker, a printer simulator) are stopped in their `finally` blocks.
"""

import contextlib
import logging
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from types import FrameType
from typing import Any

logger = logging.getLogger(__name__)
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
# The longest the main thread sleeps in a wait of its own (run_child): the kernel may give a process's signal to
# any of its threads, and Python runs the handler only when the main thread next runs Python code.
WAKE_S = 0.25


class _Stopper:
    """The handler for STOP_SIGNALS; `stopping` once the first one arrived."""

    def __init__(self) -> None:
        self.stopping = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        term = signal.getsignal(signal.SIGTERM)
        if signum != signal.SIGTERM and callable(term) and term is not self:
            term(signum, frame)  # the command's own clean stop, for SIGHUP as for SIGTERM
            return
        if self.stopping:
            logger.info("%s while stopping: already stopping", signal.Signals(signum).name)
            return
        self.stopping = True
        raise KeyboardInterrupt(signal.Signals(signum).name)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise KeyboardInterrupt (once) in the main thread; the previous
    handlers come back after it. Outside the main thread (where Python cannot set handlers) it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stopper = _Stopper()
    previous = {}
    for signum in STOP_SIGNALS:
        before = signal.getsignal(signum)
        if signum == signal.SIGHUP and before == signal.SIG_IGN:
            continue  # nohup: the user asked for the command to outlive the terminal
        previous[signum] = before
        signal.signal(signum, stopper)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def run_child(command: list[str], timeout: float | None = None, stop_wait_s: float = 15.0,
              **popen: Any) -> subprocess.CompletedProcess:
    """subprocess.run(command, timeout=timeout, **popen) without check, except on a stop: where run() would SIGKILL
    the child on KeyboardInterrupt (and so orphan the broker or kiosk devices the child had started), the child is
    asked to stop too (SIGTERM, SIGKILL after `stop_wait_s`) and waited for before the interrupt goes on."""
    deadline = None if timeout is None else time.monotonic() + timeout
    with subprocess.Popen(command, **popen) as child:
        try:
            while True:  # in steps: a stop signal another thread received is handled when this thread wakes
                step = WAKE_S if deadline is None else max(0.0, min(WAKE_S, deadline - time.monotonic()))
                try:
                    out, err = child.communicate(timeout=step)
                    break
                except subprocess.TimeoutExpired:
                    if deadline is not None and time.monotonic() >= deadline:
                        child.kill()
                        out, err = child.communicate()  # what it printed, for the error (as subprocess.run)
                        raise subprocess.TimeoutExpired(command, timeout, out, err) from None
        except KeyboardInterrupt:
            stop_child(child, stop_wait_s)
            raise
    return subprocess.CompletedProcess(child.args, child.returncode, out, err)


def stop_child(child: subprocess.Popen, wait_s: float = 15.0) -> int:
    """Stop `child` cleanly: SIGTERM, then SIGKILL when it has not exited after `wait_s`; its exit code."""
    if child.poll() is None:
        child.terminate()
        try:
            child.communicate(timeout=wait_s)  # communicate, not wait: its pipes must not fill up meanwhile
        except subprocess.TimeoutExpired:
            logger.warning("%s did not stop in %g s after SIGTERM: killed", child.args, wait_s)
            child.kill()
            child.communicate()
    return child.returncode
