"""SIGTERM and SIGHUP stop a `sinopsis` command as Ctrl-C does (issue 19 point 8): real signals, sent to this
process for the helper's rules, and to a real `sinopsis agent run` for a command with its own clean stop. The demo
with its servers (SIGTERM) is tested in test_demo.py, `demo --kiosk` with its kiosk child (SIGHUP) in
tests/kiosk/test_demo_kiosk.py: no process either started is left running."""

import datetime as dt
import signal
import subprocess
import sys
import threading

import pytest

from provisioning.broker import free_port
from sinopsis.demo_data import DemoPaths, generate
from sinopsis.signals import STOP_SIGNALS, run_child, stop_on_signals
from tests.edge_agent.conftest import wait_until
from tests.processes import sighup_default

pytestmark = pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                                reason="signal handlers can only be set from the main thread")


@pytest.fixture(autouse=True)
def terminal_attached():
    """SIGHUP at its default here, whatever the runner has (under `nohup` it is ignored, and stop_on_signals keeps
    an ignored SIGHUP ignored by design); put back after."""
    before = signal.signal(signal.SIGHUP, signal.SIG_DFL)
    yield
    signal.signal(signal.SIGHUP, before)


@pytest.mark.parametrize("signum", STOP_SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_a_stop_signal_is_a_keyboard_interrupt_once_and_the_old_handlers_come_back(signum):
    before = {s: signal.getsignal(s) for s in STOP_SIGNALS}
    with stop_on_signals():
        with pytest.raises(KeyboardInterrupt, match=signal.Signals(signum).name):
            signal.raise_signal(signum)
        for again in STOP_SIGNALS:  # while the command cleans up, a second stop does not cut the cleanup short
            signal.raise_signal(again)
    assert {s: signal.getsignal(s) for s in STOP_SIGNALS} == before


def test_sighup_calls_the_commands_own_sigterm_stop_and_nohup_is_respected():
    asked: list[int] = []
    with stop_on_signals():
        previous = signal.signal(signal.SIGTERM, lambda signum, _frame: asked.append(signum))  # like the agent's
        try:
            signal.raise_signal(signal.SIGHUP)
        finally:
            signal.signal(signal.SIGTERM, previous)
    assert asked == [signal.SIGHUP]

    hup = signal.signal(signal.SIGHUP, signal.SIG_IGN)  # started under nohup
    try:
        with stop_on_signals():
            signal.raise_signal(signal.SIGHUP)  # still ignored: nothing raised
            assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, hup)


@pytest.mark.parametrize("receiver", ["main", "other"])
def test_run_child_stops_its_child_with_sigterm_on_a_stop(tmp_path, receiver):
    """The child is asked to stop (SIGTERM, so its own clean-up runs) and waited for; not SIGKILLed, not left.
    The kernel gives a process's signal to any thread not blocking it: to the main thread, or to another one, whose
    signal Python handles only once the main thread runs Python code again (run_child waits in steps for it)."""
    ready, stopped = tmp_path / "child-ready", tmp_path / "child-stopped"
    code = ("import pathlib, signal, sys, time\n"
            f"signal.signal(signal.SIGTERM, lambda *_: (pathlib.Path({str(stopped)!r}).write_text('ok'), sys.exit()))\n"
            f"pathlib.Path({str(ready)!r}).write_text('up')\n"
            "time.sleep(60)\n")

    def stop_when_the_child_is_up() -> None:  # what the kernel does for a signal to the process
        wait_until(ready.exists, what="the child's SIGTERM handler")
        thread = threading.main_thread() if receiver == "main" else threading.current_thread()
        signal.pthread_kill(thread.ident, signal.SIGTERM)

    stopper = threading.Thread(target=stop_when_the_child_is_up)
    with stop_on_signals(), pytest.raises(KeyboardInterrupt):
        stopper.start()
        run_child([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    stopper.join()
    assert stopped.read_text() == "ok"


def test_agent_run_stops_cleanly_on_sighup(tmp_path):
    """The agent keeps its own stop (offline published, store closed): SIGHUP reaches it through SIGTERM's."""
    paths = generate(tmp_path, dt.date(2026, 11, 25), count=6)
    with paths.station_config.open("a") as f:
        f.write(f"\n[broker]\nport = {free_port()}\n")  # nobody listens: the agent backs off, alive and well
    log = DemoPaths(tmp_path).station_data / "agent" / "agent.log"
    agent = subprocess.Popen([sys.executable, "-m", "sinopsis", "agent", "run", "--config", str(paths.station_config)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, preexec_fn=sighup_default)
    try:
        wait_until(lambda: (log.exists() and "starting (broker" in log.read_text()) or agent.poll() is not None,
                   what="the agent's loop (its own SIGTERM stop is set before it)")
        agent.send_signal(signal.SIGHUP)
        out, _ = agent.communicate(timeout=60)
    finally:
        agent.kill()
    assert agent.returncode == 0, out
    assert "stopped (stopped" in log.read_text()


def test_run_child_past_its_timeout_kills_the_child_and_keeps_what_it_printed():
    with pytest.raises(subprocess.TimeoutExpired) as raised:
        run_child([sys.executable, "-c", "import sys, time; print('started', flush=True); time.sleep(60)"],
                  timeout=1.0, stdout=subprocess.PIPE, text=True)
    assert raised.value.timeout == 1.0 and "started" in raised.value.output
